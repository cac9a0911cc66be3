"""What the Amazon settlement mapping's parts share (settlement_mapping.py, settlement_events.py):
the fee types Amazon documents, reading Amazon's amounts exactly (Decimal) and dates, and the
collector of a read's lines with its stable keys. Pure Python, no Odoo."""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import AmazonError, _datetime

ZERO = Decimal(0)
# ISO 4217 currencies without minor unit among those Amazon pays in (JPY: Amazon.co.jp)
NO_DECIMALS = {"JPY", "KRW", "CLP", "ISK", "VND"}

# (code, label, kind): the fee types Amazon documents (FeeComponent.FeeType of its fee schedule,
# AdjustmentEvent.AdjustmentType, DirectPayment.DirectPaymentType) and the codes this mapping
# gives the events that have no type of their own. kind: fee / reimbursement / adjustment.
FEE_TYPES = [
    ("Commission", "Referral fee", "fee"),
    ("RefundCommission", "Refund administration fee", "fee"),
    ("FixedClosingFee", "Fixed closing fee", "fee"),
    ("VariableClosingFee", "Variable closing fee", "fee"),
    ("DigitalServicesFee", "Digital services fee", "fee"),
    ("DigitalServicesFeeFBA", "Digital services fee (FBA)", "fee"),
    ("SalesTaxCollectionFee", "Sales tax collection fee", "fee"),
    ("HighVolumeListingFee", "High-volume listing fee", "fee"),
    ("Subscription", "Professional selling subscription", "fee"),
    ("GetPaidFasterFee", "Get paid faster fee", "fee"),
    ("FBAPerUnitFulfillmentFee", "FBA fulfilment fee per unit", "fee"),
    ("FBAPerOrderFulfillmentFee", "FBA fulfilment fee per order", "fee"),
    ("FBAWeightBasedFee", "FBA weight-based fulfilment fee", "fee"),
    ("FBAStorageFee", "FBA monthly storage fee", "fee"),
    ("FBALongTermStorageFee", "FBA long-term storage fee", "fee"),
    ("FBAInboundTransportationFee", "FBA inbound transportation fee", "fee"),
    ("FBARemovalFee", "FBA removal order fee", "fee"),
    ("FBADisposalFee", "FBA disposal order fee", "fee"),
    ("FBALiquidationFee", "FBA liquidation fee", "fee"),
    ("RemovalShipmentFee", "Removal shipment fee", "fee"),
    ("ShippingChargeback", "Shipping chargeback (FBA)", "fee"),
    ("GiftwrapChargeback", "Gift wrap chargeback (FBA)", "fee"),
    ("ShippingHB", "Shipping holdback", "fee"),
    ("MFNPostageFee", "Shipping labels bought on Amazon", "fee"),
    ("PostageBilling", "Shipping labels (Easy Ship)", "fee"),
    ("PostageRefund", "Shipping labels refunded", "fee"),
    ("CostOfPointsGranted", "Amazon Points granted", "fee"),
    ("CostOfPointsReturned", "Amazon Points returned", "fee"),
    ("ProductAdsPayment", "Sponsored Products advertising", "fee"),
    ("RunLightningDealFee", "Lightning deal fee", "fee"),
    ("CouponPayment", "Coupon fee", "fee"),
    ("SellerReviewEnrollmentPayment", "Early Reviewer Program fee", "fee"),
    ("ImagingServicesFee", "Imaging services fee", "fee"),
    ("TrialShipmentFee", "Trial shipment fee", "fee"),
    ("AffordabilityExpense", "Affordability promotion expense", "fee"),
    ("ValueAddedServiceCharge", "Value-added service charge", "fee"),
    ("CapacityReservationBilling", "Capacity reservation fee", "fee"),
    ("ChargeRefund", "Charge refunded by Amazon", "fee"),
    ("FBAInventoryReimbursement", "FBA inventory reimbursement", "reimbursement"),
    ("LostOrDamagedReimbursement", "Easy Ship lost or damaged reimbursement", "reimbursement"),
    ("CanceledButPickedUpReimbursement", "Easy Ship cancelled but picked up reimbursement", "reimbursement"),
    ("ReimbursementClawback", "Reimbursement clawback", "reimbursement"),
    ("REVERSAL_REIMBURSEMENT", "Reimbursement reversal", "reimbursement"),
    ("WAREHOUSE_DAMAGE", "FBA warehouse damage reimbursement", "reimbursement"),
    ("WAREHOUSE_LOST", "FBA warehouse lost reimbursement", "reimbursement"),
    ("MISSING_FROM_INBOUND", "FBA missing from inbound reimbursement", "reimbursement"),
    ("CUSTOMER_RETURN", "FBA customer return reimbursement", "reimbursement"),
    ("FREE_REPLACEMENT_REFUND_ITEMS", "FBA free replacement reimbursement", "reimbursement"),
    ("INCORRECT_FEES_ITEMS", "Incorrect fees reimbursement", "reimbursement"),
    ("REMOVAL_ORDER_LOST", "Removal order lost reimbursement", "reimbursement"),
    ("REMOVAL_ORDER_DAMAGED", "Removal order damaged reimbursement", "reimbursement"),
    ("COMPENSATED_CLAWBACK", "Compensated clawback", "reimbursement"),
    ("SellerRewards", "Seller rewards", "reimbursement"),
    ("SAFETReimbursement", "SAFE-T claim reimbursement", "reimbursement"),
    ("TDSReimbursement", "Tax deducted at source reimbursement", "reimbursement"),
    ("EBTRefundReimbursement", "EBT refund reimbursement", "reimbursement"),
    ("RentalReimbursement", "Rental reimbursement", "reimbursement"),
    ("Chargeback", "Chargeback", "adjustment"),
    ("GuaranteeClaim", "A-to-z guarantee claim", "adjustment"),
    ("Retrocharge", "Retrocharge (tax)", "adjustment"),
    ("RentalTransaction", "Rental transaction", "adjustment"),
    ("PayWithAmazon", "Pay with Amazon", "adjustment"),
    ("ServiceProviderCredit", "Solution provider credit", "adjustment"),
    ("DebtRecovery", "Debt recovery", "adjustment"),
    ("LoanServicing", "Seller lending", "adjustment"),
    ("FBALiquidationProceeds", "FBA liquidation proceeds", "adjustment"),
    ("RemovalShipmentRevenue", "Removal order revenue", "adjustment"),
    ("RemovalShipmentAdjustment", "Removal order adjustment", "adjustment"),
    ("NetworkCommingling", "Network commingling transaction", "adjustment"),
    ("TaxWithholding", "Tax withheld by Amazon", "adjustment"),
    ("StoredValueCardRevenue", "Stored value card revenue", "adjustment"),
    ("StoredValueCardRefund", "Stored value card refund", "adjustment"),
    ("PrivateLabelCreditCardRevenue", "Private label credit card revenue", "adjustment"),
    ("PrivateLabelCreditCardRefund", "Private label credit card refund", "adjustment"),
    ("CollectOnDeliveryRevenue", "Cash on delivery collected by the seller", "adjustment"),
    ("CollectOnDeliveryRefund", "Cash on delivery refunded", "adjustment"),
]
FEE_KINDS = {code: kind for code, _label, kind in FEE_TYPES}
# AdjustmentTypes without a row above that still say what they are (Amazon's list grows)
REIMBURSEMENT_WORDS = ("REIMBURSE", "CLAWBACK", "WAREHOUSE_", "MISSING_FROM_INBOUND", "LOST", "DAMAGE")


class SettlementDataError(AmazonError):
    """A figure of Amazon's financial data that cannot be read (the settlement is not booked)."""


# =============================================================================================
# Small readers
# =============================================================================================


def _list(value):
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _amount(money, where="amount"):
    """The Decimal of a Currency ({CurrencyCode, CurrencyAmount}); 0 when Amazon gives none."""
    if not isinstance(money, dict):
        return ZERO
    value = money.get("CurrencyAmount")
    if value is None or value == "":
        return ZERO
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError):
        raise SettlementDataError("Amazon's %s is not an amount: %r." % (where, value)) from None


def _has_amount(money):
    return isinstance(money, dict) and money.get("CurrencyAmount") not in (None, "")


def _round(value, currency):
    exponent = Decimal(1) if (currency or "").upper() in NO_DECIMALS else Decimal("0.01")
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def _naive(value):
    """A naive UTC datetime (as Odoo stores them) of an ISO date; None when absent or unreadable."""
    moment = _datetime(value) if value else None
    return moment.replace(tzinfo=None) if moment else None


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "-"


def _sum_fees(totals, fees, default="Fee"):
    for fee in _list(fees):
        totals[fee.get("FeeType") or default] += _amount(fee.get("FeeAmount"), "fee amount")


def _posted(event):
    for field in ("PostedDate", "postedDate", "TransactionPostedDate", "TransactionCreationDate"):
        if event.get(field):
            return _naive(event[field])
    return None


# =============================================================================================
# The lines of one read
# =============================================================================================


class _Lines:
    """The lines of one read of a group's (or an order's) events; `seen` counts the events of
    each key base over the whole read, so that events alike get ordinals in Amazon's order."""

    def __init__(self, currency, seen=None):
        self.currency = currency
        self.seen = seen if seen is not None else Counter()
        self.lines = []

    def key(self, base):
        ordinal = self.seen[base]
        self.seen[base] += 1
        return base if not ordinal else "%s:%d" % (base, ordinal)

    def money(self, value):
        return float(_round(value, self.currency))

    def add(self, external_id, kind, amount, **values):
        """A line of `amount` (Decimal); none when it rounds to zero (nothing to book)."""
        amount = _round(amount, self.currency)
        if not amount:
            return None
        line = {"external_id": external_id, "kind": kind, "amount": float(amount)}
        line.update({k: v for k, v in values.items() if v not in (None, "", [])})
        self.lines.append(line)
        return line

    def fees(self, base, totals, order=None, date=None, label=None):
        """One fee line per fee type (totals: {type: Decimal}), in the order of their types."""
        for fee_type in sorted(totals):
            self.add(
                "%s:fee:%s" % (base, fee_type),
                FEE_KINDS.get(fee_type, "fee"),
                totals[fee_type],
                fee_type=fee_type,
                order_ref=order,
                date=date,
                label=" ".join(filter(None, [fee_type, label])),
            )


# =============================================================================================
# What a sale (or its refund, a rental...) is made of
# =============================================================================================


def _component(charge_type, withheld=False):
    """Which part of an order a charge (or a tax Amazon withheld on it) belongs to."""
    kind = (charge_type or "").lower()
    if kind in ("discount", "taxdiscount"):
        return "promotions"
    if kind.startswith(("shipping", "codshipping")) or kind.endswith("-shipping"):
        return "shipping"
    if kind.startswith("giftwrap") or kind.endswith("-giftwrap"):
        return "gift_wrap"
    if withheld or kind in ("tax", "coditemtaxcharge", "codordertaxcharge") or kind.startswith("tcs-"):
        return "tax"
    return "principal" if kind == "principal" else "other"


class _Parts:
    """What a ShipmentEvent's charges are made of; `other` (COD charges, goodwill, restocking
    fees...) is counted in the principal of the line."""

    NAMES = ("principal", "tax", "shipping", "gift_wrap", "promotions", "other")

    def __init__(self):
        self.values = dict.fromkeys(self.NAMES, ZERO)

    def charges(self, charges, withheld=False):
        for charge in _list(charges):
            part = _component(charge.get("ChargeType"), withheld)
            self.values[part] += _amount(charge.get("ChargeAmount"), "charge amount")

    def item(self, item):
        self.charges(item.get("ItemChargeList"))
        self.charges(item.get("ItemChargeAdjustmentList"))
        for promotion in _list(item.get("PromotionList")) + _list(item.get("PromotionAdjustmentList")):
            self.values["promotions"] += _amount(promotion.get("PromotionAmount"), "promotion amount")
        for withheld in _list(item.get("ItemTaxWithheldList")):
            self.charges(withheld.get("TaxesWithheld"), withheld=True)

    def total(self):
        return sum(self.values.values(), ZERO)

    def neutral(self, lines):
        values = self.values
        return {
            "principal": lines.money(values["principal"] + values["other"]),
            "tax": lines.money(values["tax"]),
            "shipping": lines.money(values["shipping"]),
            "gift_wrap": lines.money(values["gift_wrap"]),
            "promotions": lines.money(values["promotions"]),
        }


# =============================================================================================
# The amount of an event of one figure
# =============================================================================================


def _money_of(*fields):
    return lambda event: sum((_amount(event.get(f), f) for f in fields), ZERO)


def _first_money(*fields):
    """The first of `fields` Amazon gives (a total), else the sum of the others (its parts)."""

    def amount(event):
        if _has_amount(event.get(fields[0])):
            return _amount(event[fields[0]], fields[0])
        return sum((_amount(_component_money(event.get(f)), f) for f in fields[1:]), ZERO)

    return amount


def _component_money(value):
    """A Currency, or the amount of a FeeComponent / ChargeComponent."""
    if isinstance(value, dict) and ("FeeAmount" in value or "ChargeAmount" in value):
        return value.get("FeeAmount") or value.get("ChargeAmount")
    return value
