"""Amazon's Finances API v0 -> the neutral settlement (marketplace_base/schemas/settlement.py).
Pure functions: no call, no Odoo.

* a financial event group is a Settlement: closed when Amazon closed it (ProcessingStatus
  Closed), its payout the OriginalTotal (the sum of its events, in the currency they were made
  in), paid on its FundTransferDate;
* its events are SettlementLines, signed as Amazon signs them (positive: owed to the seller):
  a ShipmentEvent is one order line (principal, tax, shipping, gift wrap, promotions and the
  taxes Amazon withheld as marketplace facilitator: what the order brings) and one fee line per
  fee type; a RefundEvent one refund line (with its items) and its fee lines (the commission
  given back, the RefundCommission kept); service fees, FBA fees, removals and liquidations fee
  lines; AdjustmentEvents reimbursements, reserves or adjustments; chargebacks and guarantee
  claims adjustments of their order. An event list this module does not know becomes fee lines
  of its own code (booked to suspense until someone maps it), never an error.

Every figure of every event is counted once, so that a closed group's lines add up to its
OriginalTotal. Amounts are summed as Decimal and each line rounded to its currency once.

A line's external_id is built from what Amazon says of the event (its type, order, posted date;
a refund: its adjustment item ids), with an ordinal for events alike in all of these, counted in
Amazon's order over the whole read: reading a group again gives the same keys.
"""

import hashlib
from collections import Counter, defaultdict

from .settlement_common import (  # noqa: F401 (FEE_TYPES, SettlementDataError re-exported)
    FEE_TYPES,
    ZERO,
    SettlementDataError,
    _amount,
    _has_amount,
    _Lines,
    _list,
    _naive,
    _Parts,
    _round,
    _stamp,
    _sum_fees,
)
from .settlement_events import EVENT_HANDLERS, _unknown_event, adjustment_kind  # noqa: F401

# =============================================================================================
# The settlement (financial event group)
# =============================================================================================


def group_to_settlement(group, currency=None):
    """The neutral settlement header (a dict, no lines) of a FinancialEventGroup; `currency`
    is the account's when Amazon's group says none (a group with no total yet)."""
    if not isinstance(group, dict) or not group.get("FinancialEventGroupId"):
        raise SettlementDataError("Amazon gave a financial event group without its id: %r." % (group,))
    total = group.get("OriginalTotal")
    if not _has_amount(total):
        total = group.get("ConvertedTotal")  # Amazon's totals of one currency: the same figure
    code = (total or {}).get("CurrencyCode") if isinstance(total, dict) else None
    code = (code or currency or "").strip().upper()
    if len(code) != 3:
        raise SettlementDataError(
            "Amazon's financial event group %s says no currency." % group["FinancialEventGroupId"]
        )
    payout = _round(_amount(total, "OriginalTotal"), code) if _has_amount(total) else None
    status = str(group.get("ProcessingStatus") or "").strip().lower()
    paid_on = _naive(group.get("FundTransferDate"))
    # Closed is Amazon's word; a group past Open that Amazon already paid out is closed too.
    closed = status == "closed" or (status not in ("", "open") and bool(paid_on))
    if payout is None:
        # Amazon sometimes lists a closed group without its total for a while: read it as open
        # (its refunds are made) until the total comes, then book it.
        closed = False
    return {
        "external_id": str(group["FinancialEventGroupId"]),
        "currency": code,
        "start": _naive(group.get("FinancialEventGroupStart")),
        "end": _naive(group.get("FinancialEventGroupEnd")),
        "closed": closed,
        "payout_amount": float(payout) if payout is not None else None,
        "payout_date": paid_on,
    }


# =============================================================================================
# The lines (financial events)
# =============================================================================================


def _items(event):
    return _list(event.get("ShipmentItemList")) + _list(event.get("ShipmentItemAdjustmentList"))


def _quantity(value):
    try:
        return abs(float(value or 0))
    except (TypeError, ValueError):
        return 0.0  # the units are told by the amount then


def _refunded_item(item, lines):
    """A refund's item: its units and what they come to (principal, tax, promotions), positive."""
    parts = _Parts()
    parts.item(item)
    values = parts.values
    amount = -(values["principal"] + values["tax"] + values["promotions"])
    if not _round(amount, lines.currency):
        return None  # nothing of the item's price (e.g. its shipping only)
    return {
        "order_line_ref": item.get("OrderItemId") or None,
        "sku": item.get("SellerSKU") or None,
        "quantity": _quantity(item.get("QuantityShipped")),
        "amount": lines.money(amount),
        "tax": lines.money(-values["tax"]),
    }


def refund_ref(event, ordinal=0):
    """A refund's id, which Amazon does not give: its order, posted date and adjustment item
    ids (the same in the group's events and in the order's); the ordinal only when the refund
    names no adjustment item."""
    order = event.get("AmazonOrderId") or "-"
    ids = sorted({str(i["OrderAdjustmentItemId"]) for i in _items(event) if i.get("OrderAdjustmentItemId")})
    tail = "+".join(ids) if ids else "#%d" % ordinal
    if len(tail) > 60:
        tail = hashlib.sha1(tail.encode()).hexdigest()[:16]
    return "%s:%s:%s" % (order, _stamp(_naive(event.get("PostedDate"))), tail)


# event list -> (key prefix, kind of its main line, fee type of an adjustment)
SHIPMENT_LISTS = {
    "ShipmentEventList": ("shipment", "order", None),
    "ShipmentSettleEventList": ("settle", "order", None),
    "RefundEventList": ("refund", "refund", None),
    "GuaranteeClaimEventList": ("guarantee", "adjustment", "GuaranteeClaim"),
    "ChargebackEventList": ("chargeback", "adjustment", "Chargeback"),
}


def _shipment_sums(event):
    """(parts, {fee type: amount}) of a ShipmentEvent: every charge, promotion, withheld tax
    and fee of the event and of its items, each counted once."""
    parts, fees = _Parts(), defaultdict(lambda: ZERO)
    parts.charges(event.get("OrderChargeList"))
    parts.charges(event.get("OrderChargeAdjustmentList"))
    for name in ("ShipmentFeeList", "ShipmentFeeAdjustmentList", "OrderFeeList", "OrderFeeAdjustmentList"):
        _sum_fees(fees, event.get(name))
    for item in _items(event):
        parts.item(item)
        _sum_fees(fees, item.get("ItemFeeList"))
        _sum_fees(fees, item.get("ItemFeeAdjustmentList"))
        # Amazon Points (Amazon.co.jp): what they cost is the seller's
        if _has_amount(item.get("CostOfPointsGranted")):
            fees["CostOfPointsGranted"] -= abs(_amount(item["CostOfPointsGranted"], "points"))
        if _has_amount(item.get("CostOfPointsReturned")):
            fees["CostOfPointsReturned"] += abs(_amount(item["CostOfPointsReturned"], "points"))
    return parts, fees


def _refund_key(lines, event):
    ref = refund_ref(event)
    if ref.endswith(":#0"):  # no adjustment item named: the ordinal among refunds alike
        ordinal = lines.seen[ref]
        lines.seen[ref] += 1
        ref = refund_ref(event, ordinal)
    return ref


def _shipment_event(lines, event, list_name):
    prefix, kind, fee_type = SHIPMENT_LISTS[list_name]
    order = event.get("AmazonOrderId") or None
    posted = _naive(event.get("PostedDate"))
    ref = _refund_key(lines, event) if kind == "refund" else None
    base = "refund:" + ref if ref else lines.key("%s:%s:%s" % (prefix, order or "-", _stamp(posted)))
    if kind in ("order", "refund") and not order:
        kind, fee_type = "adjustment", list_name[: -len("List")]  # no order to match: someone looks
    parts, fees = _shipment_sums(event)
    label = ("%s %s" % (prefix.capitalize(), order or "")).strip()
    line = lines.add(base, kind, parts.total(), order_ref=order, date=posted, label=label, fee_type=fee_type)
    if line is not None and kind in ("order", "refund"):
        line.update(parts.neutral(lines))
    if line is not None and kind == "refund":
        line["refund_ref"] = ref
        line["items"] = [i for i in (_refunded_item(item, lines) for item in _items(event)) if i]
    lines.fees(base, fees, order, posted, order)
    for payment in _list(event.get("DirectPaymentList")):
        code = payment.get("DirectPaymentType") or "DirectPayment"
        amount = _amount(payment.get("DirectPaymentAmount"), "direct payment")
        lines.add(lines.key(base + ":direct:" + code), "adjustment", amount, fee_type=code, order_ref=order)


HANDLERS = dict(dict.fromkeys(SHIPMENT_LISTS, _shipment_event), **EVENT_HANDLERS)


def events_to_lines(events, currency, seen=None):
    """The neutral lines (SettlementLine dicts) of one page of FinancialEvents, in `currency`
    (the group's). Pass the same `seen` (a Counter) for every page of one read: events alike
    are numbered over the whole read, so that a read gives the same keys every time."""
    lines = _Lines(currency, seen)
    if not isinstance(events, dict):
        raise SettlementDataError("Amazon's financial events are not a list of event lists: %r." % (events,))
    known = [name for name in HANDLERS if name in events]
    unknown = sorted(name for name in events if name not in HANDLERS)
    for name in known + unknown:
        handler = HANDLERS.get(name, _unknown_event)
        for event in _list(events[name]):
            handler(lines, event, name)
    return lines.lines


def settlement_lines(pages, currency):
    """Every line of the pages of one read (an iterable of FinancialEvents), a list per page."""
    seen = Counter()
    for events in pages:
        yield events_to_lines(events, currency, seen)


def refund_lines(lines):
    """The refund lines among `lines` (e.g. of an order's events, for its credit notes)."""
    return [line for line in lines if line["kind"] == "refund"]
