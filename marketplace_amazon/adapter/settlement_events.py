"""Amazon's financial events other than sales and refunds -> neutral settlement lines: service
fees, adjustments (reimbursements, reserves), FBA liquidations and removals, advertising, deals,
coupons, loans, disbursements... and any event list Amazon adds later (a fee line of its own
code). Each handler is `handler(lines, event, list_name)` and adds its lines to `lines`. Pure
Python, no Odoo."""

from collections import defaultdict

from .settlement_common import (
    FEE_KINDS,
    REIMBURSEMENT_WORDS,
    ZERO,
    _amount,
    _component_money,
    _first_money,
    _has_amount,
    _list,
    _money_of,
    _Parts,
    _posted,
    _stamp,
    _sum_fees,
)


def _service_fee_event(lines, event, list_name):
    order = event.get("AmazonOrderId") or None
    reason = event.get("FeeReason") or None
    item = event.get("SellerSKU") or event.get("FnSKU") or event.get("ASIN") or "-"
    base = lines.key("servicefee:%s:%s:%s" % (order or "-", reason or "-", item))
    fees = defaultdict(lambda: ZERO)
    _sum_fees(fees, event.get("FeeList"), default=reason or "ServiceFee")
    lines.fees(base, fees, order, _posted(event), event.get("FeeDescription") or reason)


def adjustment_kind(code):
    """Where an AdjustmentType is booked: reserve, reimbursement, fee or adjustment."""
    if "reserve" in code.lower():
        return "reserve"
    if code in FEE_KINDS:
        return FEE_KINDS[code]
    if code.startswith("Postage"):
        return "fee"
    if any(word in code.upper() for word in REIMBURSEMENT_WORDS):
        return "reimbursement"
    return "adjustment"


def _adjustment_event(lines, event, list_name):
    code = event.get("AdjustmentType") or "Adjustment"
    posted = _posted(event)
    items = _list(event.get("AdjustmentItemList"))
    if _has_amount(event.get("AdjustmentAmount")):
        amount = _amount(event["AdjustmentAmount"], "adjustment amount")
    else:
        amount = sum((_amount(i.get("TotalAmount"), "adjustment item") for i in items), ZERO)
    kind = adjustment_kind(code)
    skus = ", ".join(sorted({str(i["SellerSKU"]) for i in items if i.get("SellerSKU")}))
    lines.add(
        lines.key("adjustment:%s:%s" % (code, _stamp(posted))),
        kind,
        amount,
        fee_type=None if kind == "reserve" else code,  # a reserve goes to the reserve account
        date=posted,
        label=" ".join(filter(None, [code, skus])),
    )


def _fee_list_event(lines, event, list_name):
    """ImagingServicesFeeEvent, TrialShipmentEvent: a list of fees."""
    order = event.get("AmazonOrderId") or None
    ident = event.get("ImagingRequestBillingItemID") or event.get("SKU") or event.get("ASIN") or "-"
    posted = _posted(event)
    prefix = list_name[: -len("EventList")]
    base = lines.key("%s:%s:%s:%s" % (prefix, order or "-", ident, _stamp(posted)))
    fees = defaultdict(lambda: ZERO)
    _sum_fees(fees, event.get("FeeList"), default=prefix + "Fee")
    lines.fees(base, fees, order, posted, order or ident)


def _rental_event(lines, event, list_name):
    order = event.get("AmazonOrderId") or None
    posted = _posted(event)
    code = event.get("RentalEventType") or "RentalTransaction"
    base = lines.key("rental:%s:%s:%s" % (order or "-", code, _stamp(posted)))
    parts = _Parts()
    parts.charges(event.get("RentalChargeList"))
    for withheld in _list(event.get("RentalTaxWithheldList")):
        parts.charges(withheld.get("TaxesWithheld"), withheld=True)
    amount, fee_type, kind = parts.total(), "RentalTransaction", "adjustment"
    if not _list(event.get("RentalChargeList")) and _has_amount(event.get("RentalReimbursement")):
        amount = _amount(event["RentalReimbursement"], "rental reimbursement")
        fee_type, kind = "RentalReimbursement", "reimbursement"
    lines.add(base, kind, amount, fee_type=fee_type, order_ref=order, date=posted, label=code)
    fees = defaultdict(lambda: ZERO)
    _sum_fees(fees, event.get("RentalFeeList"))
    lines.fees(base, fees, order, posted, order)


def _pay_with_amazon_event(lines, event, list_name):
    posted = _posted(event)
    base = lines.key("paywithamazon:%s:%s" % (event.get("SellerOrderId") or "-", _stamp(posted)))
    charge = event.get("Charge") if isinstance(event.get("Charge"), dict) else {}
    amount = _amount(charge.get("ChargeAmount"), "Pay with Amazon charge")
    label = " ".join(filter(None, [event.get("AmountDescription"), event.get("SellerOrderId")]))
    lines.add(base, "adjustment", amount, fee_type="PayWithAmazon", date=posted, label=label)
    fees = defaultdict(lambda: ZERO)
    _sum_fees(fees, event.get("FeeList"))
    lines.fees(base, fees, None, posted, event.get("SellerOrderId"))


def _debt_recovery_event(lines, event, list_name):
    code = event.get("DebtRecoveryType") or "DebtRecovery"
    base = lines.key("debtrecovery:%s" % code)
    for field in ("RecoveryAmount", "OverPaymentCredit"):
        amount = _amount(event.get(field), field)
        lines.add("%s:%s" % (base, field), "adjustment", amount, fee_type="DebtRecovery", label=code)


def _liquidation_event(lines, event, list_name):
    posted = _posted(event)
    base = lines.key("liquidation:%s:%s" % (event.get("OriginalRemovalOrderId") or "-", _stamp(posted)))
    label = "Removal order %s" % (event.get("OriginalRemovalOrderId") or "")
    proceeds = _amount(event.get("LiquidationProceedsAmount"), "liquidation proceeds")
    lines.add(base, "adjustment", proceeds, fee_type="FBALiquidationProceeds", date=posted, label=label)
    # the seller receives the proceeds minus the fee (the contract's words): the fee is the seller's
    fee = -abs(_amount(event.get("LiquidationFeeAmount"), "liquidation fee"))
    lines.add(base + ":fee", "fee", fee, fee_type="FBALiquidationFee", date=posted, label=label)


def _removal_event(lines, event, list_name):
    """RemovalShipmentEvent and RemovalShipmentAdjustmentEvent: revenue and tax of the removed
    items less the tax Amazon withheld (TaxWithheld = TaxAmount when Amazon remits it), and the
    removal fee (negative, as Amazon gives it)."""
    adjusting = list_name == "RemovalShipmentAdjustmentEventList"
    posted = _posted(event)
    ident = event.get("AdjustmentEventId") or event.get("OrderId") or event.get("MerchantOrderId") or "-"
    base = lines.key("%s:%s:%s" % ("removaladjustment" if adjusting else "removal", ident, _stamp(posted)))
    item_list = "RemovalShipmentItemAdjustmentList" if adjusting else "RemovalShipmentItemList"
    fields = ("RevenueAdjustment", "TaxAmountAdjustment", "TaxWithheldAdjustment")
    revenue, tax, withheld = fields if adjusting else ("Revenue", "TaxAmount", "TaxWithheld")
    value, fee = ZERO, ZERO
    for item in _list(event.get(item_list)):
        value += _amount(item.get(revenue), revenue) + _amount(item.get(tax), tax)
        value -= _amount(item.get(withheld), withheld)
        fee += _amount(item.get("FeeAmount"), "removal fee")
    label = "Removal order %s" % (event.get("MerchantOrderId") or event.get("OrderId") or "")
    code = "RemovalShipmentAdjustment" if adjusting else "RemovalShipmentRevenue"
    lines.add(base, "adjustment", value, fee_type=code, date=posted, label=label)
    lines.add(base + ":fee", "fee", fee, fee_type="RemovalShipmentFee", date=posted, label=label)


def _charged(type_field, amount_of):
    """The amount of an event that is a charge or its refund (its `type_field` says which): a
    charge is the seller's to pay, a refund the seller's to receive, whichever sign Amazon
    writes the figure with; of another type, as Amazon signs it."""

    def amount(event):
        value = amount_of(event)
        kind = str(event.get(type_field) or "").lower()
        if kind == "charge":
            return -abs(value)
        return abs(value) if kind == "refund" else value

    return amount


def _retrocharge(event):
    value = _money_of("BaseTax", "ShippingTax")(event)
    for withheld in _list(event.get("RetrochargeTaxWithheldList")):
        for charge in _list(withheld.get("TaxesWithheld")):
            value += _amount(charge.get("ChargeAmount"), "withheld tax")
    return value


def _charge_refund(event):
    return sum(
        (
            _amount(t.get("ChargeAmount"), "charge refund")
            for t in _list(event.get("ChargeRefundTransactions"))
        ),
        ZERO,
    )


# list -> (code, kind, amount of an event, the fields that name it, its label, its order's field)
SIMPLE_EVENTS = {
    "RetrochargeEventList": (
        "Retrocharge",
        "adjustment",
        _retrocharge,
        (),
        "RetrochargeEventType",
        "AmazonOrderId",
    ),
    "ProductAdsPaymentEventList": (
        "ProductAdsPayment",
        "fee",
        _charged("transactionType", _first_money("transactionValue", "baseValue", "taxValue")),
        ("invoiceId",),
        "transactionType",
        None,
    ),
    "ServiceProviderCreditEventList": (
        "ServiceProviderCredit",
        "adjustment",
        _money_of("TransactionAmount"),
        ("ProviderId", "SellerOrderId"),
        "ProviderTransactionType",
        None,
    ),
    "SellerDealPaymentEventList": (
        "RunLightningDealFee",
        "fee",
        # "the total monetary amount paid" for the deal: the seller's
        lambda event: -abs(_first_money("totalAmount", "feeAmount", "taxAmount")(event)),
        ("dealId",),
        "dealDescription",
        None,
    ),
    "LoanServicingEventList": (
        "LoanServicing",
        "adjustment",
        _money_of("LoanAmount"),
        (),
        "SourceBusinessEventType",
        None,
    ),
    "SAFETReimbursementEventList": (
        "SAFETReimbursement",
        "reimbursement",
        _money_of("ReimbursedAmount"),
        ("SAFETClaimId",),
        "ReasonCode",
        None,
    ),
    "SellerReviewEnrollmentPaymentEventList": (
        "SellerReviewEnrollmentPayment",
        "fee",
        _first_money("TotalAmount", "FeeComponent", "ChargeComponent"),
        ("EnrollmentId",),
        "ParentASIN",
        None,
    ),
    "CouponPaymentEventList": (
        "CouponPayment",
        "fee",
        _first_money("TotalAmount", "FeeComponent", "ChargeComponent"),
        ("CouponId", "PaymentEventId"),
        "SellerCouponDescription",
        None,
    ),
    "NetworkComminglingTransactionEventList": (
        "NetworkCommingling",
        "adjustment",
        _money_of("TaxExclusiveAmount", "TaxAmount"),
        ("NetCoTransactionID",),
        "TransactionType",
        None,
    ),
    "AffordabilityExpenseEventList": (
        "AffordabilityExpense",
        "fee",
        _charged(
            "TransactionType",
            _first_money("TotalExpense", "BaseExpense", "TaxTypeCGST", "TaxTypeSGST", "TaxTypeIGST"),
        ),
        (),
        "TransactionType",
        "AmazonOrderId",
    ),
    "TDSReimbursementEventList": (
        "TDSReimbursement",
        "reimbursement",
        _money_of("ReimbursedAmount"),
        ("TDSOrderId",),
        None,
        None,
    ),
    "AdhocDisbursementEventList": (
        "",
        "payout",
        _money_of("TransactionAmount"),
        ("TransactionId",),
        "TransactionType",
        None,
    ),
    "FailedAdhocDisbursementEventList": (
        "",
        "payout",
        _money_of("TransferAmount"),
        ("TransferId", "DisbursementId"),
        "Status",
        None,
    ),
    "TaxWithholdingEventList": (
        "TaxWithholding",
        "adjustment",
        # "the amount of the tax withholding deducted from seller's account"
        lambda event: -abs(_amount(event.get("WithheldAmount"), "WithheldAmount")),
        (),
        None,
        None,
    ),
    "ChargeRefundEventList": ("ChargeRefund", "fee", _charge_refund, (), "ReasonCode", None),
    "ValueAddedServiceChargeEventList": (
        "ValueAddedServiceCharge",
        "fee",
        _money_of("TransactionAmount"),
        (),
        "TransactionType",
        None,
    ),
    "CapacityReservationBillingEventList": (
        "CapacityReservationBilling",
        "fee",
        _money_of("TransactionAmount"),
        (),
        "TransactionType",
        None,
    ),
    "EBTRefundReimbursementOnlyEventList": (
        "EBTRefundReimbursement",
        "reimbursement",
        _money_of("Amount"),
        (),
        None,
        "OrderId",
    ),
}
SIMPLE_EVENTS["AffordabilityExpenseReversalEventList"] = SIMPLE_EVENTS["AffordabilityExpenseEventList"]


def _simple_event(lines, event, list_name):
    code, kind, amount_of, names, label_field, order_field = SIMPLE_EVENTS[list_name]
    order = event.get(order_field) or None if order_field else None
    posted = _posted(event)
    ident = ":".join(str(event.get(f) or "-") for f in names) or "-"
    prefix = list_name[: -len("EventList")]
    base = lines.key("%s:%s:%s:%s" % (prefix, order or "-", ident, _stamp(posted)))
    label = " ".join(filter(None, [prefix, str(event.get(label_field) or "") if label_field else ""]))
    lines.add(base, kind, amount_of(event), fee_type=code or None, order_ref=order, date=posted, label=label)


# any amount an unknown event may carry, the likeliest first
UNKNOWN_TOTALS = (
    "TotalAmount",
    "totalAmount",
    "TransactionAmount",
    "transactionValue",
    "TotalExpense",
    "Amount",
    "ReimbursedAmount",
)


def _unknown_event(lines, event, list_name):
    """An event of a list Amazon added after this module: a fee line of its own code (its list's
    name), of its total, else of the sum of its charges and fees, else of its amounts."""
    code = list_name[: -len("EventList")] if list_name.endswith("EventList") else list_name
    total = next((event[f] for f in UNKNOWN_TOTALS if _has_amount(event.get(f))), None)
    if total is not None:
        amount = _amount(total, code)
    else:
        amount = ZERO
        for value in event.values():
            for part in _list(value):
                amount += _amount(_component_money(part), code)
        if not amount:
            amount = sum((_amount(v, code) for v in event.values() if _has_amount(v)), ZERO)
    order = event.get("AmazonOrderId") or None
    posted = _posted(event)
    base = lines.key("%s:%s:%s" % (code, order or "-", _stamp(posted)))
    label = " ".join(
        filter(None, [code, str(event.get("TransactionType") or event.get("Description") or "")])
    )
    lines.add(base, "fee", amount, fee_type=code, order_ref=order, date=posted, label=label)


EVENT_HANDLERS = dict.fromkeys(SIMPLE_EVENTS, _simple_event)
EVENT_HANDLERS.update(
    {
        "ServiceFeeEventList": _service_fee_event,
        "AdjustmentEventList": _adjustment_event,
        "ImagingServicesFeeEventList": _fee_list_event,
        "TrialShipmentEventList": _fee_list_event,
        "RentalTransactionEventList": _rental_event,
        "PayWithAmazonEventList": _pay_with_amazon_event,
        "DebtRecoveryEventList": _debt_recovery_event,
        "FBALiquidationEventList": _liquidation_event,
        "RemovalShipmentEventList": _removal_event,
        "RemovalShipmentAdjustmentEventList": _removal_event,
    }
)
