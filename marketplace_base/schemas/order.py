"""The marketplace-neutral order every connector translates its API's orders into."""

from datetime import datetime
from typing import List, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Amounts, prices and quantities are never negative (ge=0 below): a promotion or a refund has
# its own field (discount, gift certificate), so a negative price or charge is a marketplace or
# mapping error that would otherwise book a negative sale without anyone noticing.


class _Model(BaseModel):
    # NaN and infinities survive JSON (Python's json reads them) but no order total can hold
    # them: refused, so that the queue line fails with a readable message.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)


class Address(_Model):
    name: Optional[str] = None
    company: Optional[str] = None
    street: Optional[str] = None
    street2: Optional[str] = None
    city: Optional[str] = None
    zip: Optional[str] = None
    state_code: Optional[str] = None
    state_name: Optional[str] = Field(
        None,
        description="the region by its name, where the marketplace gives "
        "no code (e.g. 'Texas', 'Bayern'): matched against the country's states",
    )
    country_code: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None
    vat: Optional[str] = None
    company_registry: Optional[str] = Field(
        None,
        description="the company's registration number (e.g. a "
        "Chamber of Commerce number), kept on its company contact",
    )

    @field_validator("country_code", "state_code")
    @classmethod
    def _upper(cls, value):
        return value.upper() if value else value

    def is_empty(self):
        return not any((self.name, self.company, self.street, self.city, self.zip))


class Customer(_Model):
    external_id: Optional[str] = None
    name: Optional[str] = None
    email: Optional[str] = None


class Tax(_Model):
    """Tax of a line or charge as the marketplace computed it (its amount, its rate or both)."""

    amount: Optional[float] = Field(None, ge=0)
    rate: Optional[float] = Field(None, ge=0, description="percent, e.g. 21.0")
    name: Optional[str] = None
    parts: int = Field(
        1,
        ge=1,
        description="how many amounts, each rounded to the cent, `amount` adds up "
        "(e.g. Amazon's shipping tax of several items): the rate it implies is known to as "
        "many half-cents",
    )


class Charge(_Model):
    """Shipping or gift wrap: a price, its discount and its taxes."""

    amount: float = Field(0.0, ge=0)
    discount: float = Field(0.0, ge=0)
    taxes: List[Tax] = []
    name: Optional[str] = None
    code: Optional[str] = None  # the marketplace's shipping or gift wrap code/level
    tax_collected_by_marketplace: bool = Field(
        False,
        description="the marketplace collects and remits this charge's tax itself (e.g. Amazon as "
        "marketplace facilitator): the amount is net of it and no tax is booked on it, whatever the tax system",
    )


class Line(_Model):
    external_id: Optional[str] = None
    sku: Optional[str] = None
    barcode: Optional[str] = None
    product_external_id: Optional[str] = None
    name: Optional[str] = None
    quantity: float = Field(gt=0)
    cancelled_quantity: float = Field(
        0.0,
        ge=0,
        description="units of `quantity` the marketplace cancelled (e.g. at the buyer's request): "
        "left out of a new order, removed from an imported order and its open delivery",
    )
    unit_price: float = Field(0.0, ge=0)
    discount: float = Field(0.0, ge=0, description="total discount (promotions) on the line")
    taxes: List[Tax] = []
    tax_collected_by_marketplace: bool = Field(
        False,
        description="the marketplace collects and remits this line's tax itself (e.g. Amazon as "
        "marketplace facilitator): the price is net of it and no tax is booked on it, whatever the tax system",
    )
    gift_message: Optional[str] = None
    gift_wrap: Optional[Charge] = None
    custom: bool = Field(False, description="a non-catalogue item")
    storable: bool = Field(False, description="for custom items: a fulfillable (storable) item")


class GiftCertificate(_Model):
    code: Optional[str] = None
    amount: float = Field(gt=0)


class Order(_Model):
    external_id: str = Field(min_length=1)
    name: Optional[str] = Field(None, description="the order number shown to the seller")
    date_order: datetime
    currency: str = Field(min_length=3, max_length=3)
    fulfilment: Literal["merchant", "marketplace"] = "merchant"
    status: Optional[str] = None
    cancelled: bool = False
    shipped: bool = Field(
        False,
        description="merchant-fulfilled, and the marketplace says the merchant already shipped it "
        "(outside Odoo): the delivery is recorded as done and never exported",
    )
    updated_at: Optional[datetime] = Field(
        None,
        description="when the marketplace last changed the order: an older version is never "
        "applied over a newer one",
    )
    prices_include_tax: bool = False
    taxes_stated: bool = Field(
        True,
        description="the marketplace states each line's and charge's tax (an amount, a rate, or none when "
        "it charged none). False where it only says that its prices include tax (Bol.com): the products' own "
        "taxes then decide, whatever the tax system",
    )
    total: Optional[float] = Field(None, ge=0, description="the marketplace's order total, taxes included")
    customer: Customer = Customer()
    invoice_address: Optional[Address] = None
    delivery_address: Optional[Address] = None
    lines: List[Line] = Field(min_length=1)
    shipping: Optional[Charge] = None
    gift_wrap: Optional[Charge] = None
    fees: List[Charge] = Field(
        [],
        description="other charges to the buyer (e.g. BigCommerce's order fees: "
        "insurance, surcharges): a line each, on the Fee product",
    )
    gift_message: Optional[str] = None
    customer_reference: Optional[str] = Field(
        None,
        description="the buyer's own reference of the order "
        "(a purchase order number): the sale order's Customer Reference",
    )
    gift_certificates: List[GiftCertificate] = []
    payment_gateway: Optional[str] = None
    payment_status: Optional[str] = None
    notes: List[str] = Field(
        [],
        description="what the people handling the order must read (the buyer's "
        "comment, which items go to which address): a note on the new sale order",
    )
    marketplace_id: Optional[str] = Field(None, description="a sub-marketplace (e.g. Amazon.de)")

    @field_validator("currency")
    @classmethod
    def _currency_upper(cls, value):
        return value.upper()

    @property
    def reference(self):
        return self.name or self.external_id
