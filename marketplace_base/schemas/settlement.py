"""The marketplace-neutral settlement every connector translates its payouts into: one payout
period (Amazon's financial event group, a Bol.com invoice, BigCommerce's refunds) with the money
lines that make it up. The engine books a closed settlement once, as one bank statement of the
instance's settlement journal; of an open one it only makes the credit notes of its refunds.

Amounts are signed from the seller's side: positive is money the marketplace owes the seller
(a sale, a reimbursement), negative money the seller owes the marketplace (a fee, a refund, a
reserve held back). A closed settlement's lines add up to its payout, to the cent."""

from datetime import datetime
from typing import List, Literal, Optional

from pydantic import Field, model_validator

from .order import _Model

# What a line is, hence where the engine books it:
# order          the order's invoice (its receivable), reconciled
# refund         the refund's credit note (created once per refund_ref), reconciled
# fee            the account of its fee type (marketplace.fee.type; unknown types: suspense)
# reimbursement  the account of its fee type (income: lost or damaged goods paid by the marketplace)
# adjustment     the account of its fee type (corrections, chargebacks, guarantee claims...)
# reserve        the instance's reserve account (a receivable from the marketplace)
# payout         the company's liquidity transfer account (money already sent to the bank)
LINE_KINDS = ("order", "refund", "fee", "reimbursement", "adjustment", "reserve", "payout")


class SettlementItem(_Model):
    """Units of one order line a refund (or a sale) covers."""

    order_line_ref: Optional[str] = Field(None, description="the marketplace's order item id")
    sku: Optional[str] = None
    quantity: float = Field(0, ge=0)
    amount: float = Field(
        0, description="what the line's units come to, taxes included, positive (a refund's items too)"
    )
    tax: float = Field(0, description="the tax in `amount`, positive")


class SettlementLine(_Model):
    external_id: str = Field(
        min_length=1,
        description="the line's key within its settlement: reading the same settlement again gives the "
        "same key for the same line (and a changed amount under the same key is a correction)",
    )
    kind: Literal[LINE_KINDS]
    amount: float = Field(description="signed, in the settlement's currency, seller's side")
    date: Optional[datetime] = Field(None, description="when the marketplace posted it")
    order_ref: Optional[str] = Field(None, description="the marketplace order reference, where there is one")
    refund_ref: Optional[str] = Field(
        None, description="(refund) the marketplace's id of the refund: one credit note per refund_ref"
    )
    fee_type: Optional[str] = Field(
        None,
        description="(fee, reimbursement, adjustment) the marketplace's code of the type, a code of the "
        "fee-type table; unknown codes are added to it and booked to suspense until mapped",
    )
    label: Optional[str] = Field(None, description="what the marketplace calls the line, for the statement")
    # (order, refund) what the amount is made of, each signed as the amount
    principal: float = 0.0
    tax: float = 0.0
    shipping: float = 0.0
    gift_wrap: float = 0.0
    promotions: float = 0.0
    items: List[SettlementItem] = Field(default_factory=list, description="(refund) the refunded items")

    @model_validator(mode="after")
    def _references(self):
        if self.kind in ("order", "refund") and not self.order_ref:
            raise ValueError("an %s line needs the order reference (order_ref)" % self.kind)
        if self.kind == "refund" and not self.refund_ref:
            raise ValueError("a refund line needs the refund's id (refund_ref)")
        return self


class Settlement(_Model):
    """One payout period. `lines` may be empty when only the period's header was read (the
    connector's `settlement_lines` hook reads them)."""

    external_id: str = Field(min_length=1, description="the marketplace's id of the period or payout")
    currency: str = Field(min_length=3, max_length=3)
    start: Optional[datetime] = None
    end: Optional[datetime] = None
    closed: bool = Field(
        False,
        description="the marketplace closed the period: its lines are final and it is booked; an open "
        "period is shown as the next payout and only its refunds are made into credit notes",
    )
    payout_amount: Optional[float] = Field(
        None, description="what the marketplace pays out for the period (negative: what the seller owes)"
    )
    payout_date: Optional[datetime] = None
    lines: List[SettlementLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _closed_has_payout(self):
        if self.closed and self.payout_amount is None:
            raise ValueError("a closed settlement needs its payout amount")
        return self
