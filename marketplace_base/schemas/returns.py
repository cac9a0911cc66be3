"""The marketplace-neutral return every connector translates its API's returns into."""

from datetime import datetime
from typing import List, Optional

from pydantic import Field

from .order import _Model


class ReturnLine(_Model):
    """Units of one order line the buyer sends back."""

    external_id: Optional[str] = Field(
        None, description="the marketplace's id of the returned item (an RMA id)"
    )
    order_ref: str = Field(min_length=1, description="the marketplace order reference of the Odoo order")
    order_line_ref: Optional[str] = Field(
        None, description="the marketplace's order line (item) id, if known"
    )
    sku: Optional[str] = None
    barcode: Optional[str] = None
    quantity: float = Field(gt=0)
    reason: Optional[str] = None


class Return(_Model):
    external_id: str = Field(min_length=1)
    date: Optional[datetime] = None
    received: bool = Field(
        False,
        description="the goods are back (the return was handled): the return picking is validated "
        "and the credit note posted at once",
    )
    notify_on_receipt: bool = Field(
        False,
        description="the marketplace waits to hear when the merchant receives the goods: validating "
        "the return picking exports it (hooks send_return / return_sent / read_return)",
    )
    lines: List[ReturnLine] = Field(min_length=1)
