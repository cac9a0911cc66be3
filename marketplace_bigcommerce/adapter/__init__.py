"""Pure-Python access to the BigCommerce REST API (client) and translation of its payloads into
the suite's marketplace-neutral structures (mapping). Nothing here imports Odoo."""

from .client import BigCommerceAmbiguous, BigCommerceClient, BigCommerceError, BigCommerceThrottled
from .mapping import listing_items, shipment_bodies, to_neutral_order

__all__ = [
    "BigCommerceAmbiguous",
    "BigCommerceClient",
    "BigCommerceError",
    "BigCommerceThrottled",
    "listing_items",
    "shipment_bodies",
    "to_neutral_order",
]
