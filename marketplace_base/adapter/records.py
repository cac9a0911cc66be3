"""What a connector's hooks hand to the engine: plain values, no Odoo.

See the README, "The connector contract", for the hooks that return them.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Optional


@dataclass
class OrderHeader:
    """One order as a list call of the marketplace shows it, before any detail is read.

    The engine decides from `reference` and `updated_at` alone whether the order is new or
    changed, so an order already queued costs no further call."""

    reference: str
    updated_at: Optional[datetime] = None
    raw: dict = field(default_factory=dict)


@dataclass
class OrderPage:
    """One page of orders changed since a cursor.

    `next_token` asks for the next page (None on the last one). `safe_until` is the
    marketplace's own time up to which the listing is complete (Amazon's LastUpdatedBefore):
    after the last page it becomes the job's cursor, never Odoo's clock."""

    orders: List[OrderHeader]
    next_token: Optional[str] = None
    safe_until: Optional[datetime] = None


@dataclass
class InventoryLine:
    """A quantity the marketplace holds for one item, in one of its locations (None: the
    instance's marketplace-fulfilled warehouse)."""

    sku: Optional[str]
    quantity: float
    barcode: Optional[str] = None
    location: Optional[str] = None
    skip_reason: Optional[str] = None  # the item is not imported, for this reason (logged)


@dataclass
class ExportStatus:
    """What the marketplace says of one asynchronous export (a feed, a process status).

    `finished` is False while the marketplace is still working on it. Once finished, either
    `error` says why the export failed as a whole, or `results` gives each item's outcome:
    {listing id: "" when accepted, else the marketplace's reason}; an item it does not name
    was accepted."""

    status: str
    finished: bool = False
    error: Optional[str] = None
    results: dict = field(default_factory=dict)
