"""Bol.com invoices -> neutral settlements (marketplace_base/schemas/settlement.py). Pure Python.

An invoice of the list (GET /retailer/invoices: id, period, legalMonetaryTotal) is the header;
the lines of its specification (GET /retailer/invoices/{id}/specification, UBL-style
transactions) are the money lines. Bol writes amounts from its side: a line's
lineExtensionAmount (excluding VAT) plus its tax is what the retailer owes (positive) or is owed
(negative, e.g. TURNOVER), and `payableAmount` is their sum. The neutral settlement is signed
from the seller's side, so every amount changes sign: the payout is -payableAmount and the
lines add up to it.

What a line type becomes (the type is the line's Item Name, else the last part of its ID):
- TURNOVER: an order line (the order's invoice is paid by it), positive to the seller;
- CORRECTION_TURNOVER: a refund line (a return's credit note), its refund_ref the line's ID;
- COMPENSATION*: a reimbursement; the documented costs (FEE_TYPES): fee or adjustment lines of
  their type; any other type: a fee line of its own code (booked to suspense until the fee-type
  table gives it an account), never an error.

The JSON form of the specification is a serialisation of UBL: keys in either case, values
wrapped (`{"value": ...}`, `{"amount": ...}`), single items or lists. The readers below accept
all of these. The order of a line is its AdditionalItemProperty named like an order id, else its
first property, else the first part of its ID (`<order>#<n>#<TYPE>`) for the types that belong
to an order.
"""

import re
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

# Bol.com's documented line types that are costs or income of their own (the fee-type table):
# (code, label, kind). TURNOVER and CORRECTION_TURNOVER are sales and refunds, not fee types.
FEE_TYPES = [
    ("COMMISSION", "Commission", "fee"),
    ("CORRECTION_COMMISSION", "Commission correction", "fee"),
    ("SHIPMENT_LABEL", "Shipping label", "fee"),
    ("CORRECTION_SHIPMENT_LABEL", "Shipping label correction", "fee"),
    ("SHIPMENT_LABEL_POST", "Shipping label PostNL (VAT exempt)", "fee"),
    ("PLAZA_RETURN_SHIPPING_LABEL", "Return shipping label", "fee"),
    ("CORRECTION_PLAZA_RETURN_SHIPPING_LABEL", "Return shipping label correction", "fee"),
    ("PICK_PACK", "Pick & pack (FBB)", "fee"),
    ("CORRECTION_PICK_PACK", "Pick & pack correction (FBB)", "fee"),
    ("OUTBOUND", "Outbound shipment (FBB)", "fee"),
    ("CORRECTION_OUTBOUND", "Outbound shipment correction (FBB)", "fee"),
    ("INBOUND", "Inbound (FBB)", "fee"),
    ("FIRST_MILE", "First mile pick-up (FBB)", "fee"),
    ("CORRECTION_FIRST_MILE", "First mile correction (FBB)", "fee"),
    ("STOCK", "Storage (FBB)", "fee"),
    ("NCK_STOCK", "Unsaleable stock (FBB)", "fee"),
    ("LOGISTICAL_CHARGE", "Logistical charge (FBB)", "fee"),
    ("RETAILER_AUTHORIZATION", "Brand authorisation", "fee"),
    ("CORRECTION_RETAILER_AUTHORIZATION", "Brand authorisation correction", "fee"),
    ("BRMG", "Advertising (bol)", "fee"),
    ("BRMG_REFUND", "Advertising correction (bol)", "fee"),
    ("COMPENSATION", "Compensation", "reimbursement"),
    ("COMPENSATION_LOST_GOODS", "Compensation for lost goods", "reimbursement"),
    ("CORRECTION_CORRECTION", "Correction (other)", "adjustment"),
    ("INVOICE_DIFFERENCE", "Difference between an invoice and its specification", "adjustment"),
]
FEE_KINDS = {code: kind for code, _label, kind in FEE_TYPES}
ORDER_TYPE, REFUND_TYPE = "TURNOVER", "CORRECTION_TURNOVER"
DIFFERENCE_TYPE = "INVOICE_DIFFERENCE"
# types whose lines belong to an order, so that the first part of their ID is the order id
ORDER_BOUND = {
    ORDER_TYPE,
    REFUND_TYPE,
    "COMMISSION",
    "CORRECTION_COMMISSION",
    "SHIPMENT_LABEL",
    "CORRECTION_SHIPMENT_LABEL",
    "SHIPMENT_LABEL_POST",
    "PLAZA_RETURN_SHIPPING_LABEL",
    "CORRECTION_PLAZA_RETURN_SHIPPING_LABEL",
    "PICK_PACK",
    "CORRECTION_PICK_PACK",
    "OUTBOUND",
    "CORRECTION_OUTBOUND",
}
_ORDER_NAMES = {"orderid", "ordernumber", "ordernr", "order", "bestelnummer", "ordernummer"}
_ITEM_NAMES = {"orderitemid", "orderitem", "orderitemnumber", "orderregel"}
_EAN = re.compile(r"^\d{8,14}$")


# -- reading UBL-in-JSON ----------------------------------------------------------------------------
def _key(name):
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def field(node, *names):
    """node[name] for the first of `names` present, whatever the case of the key."""
    if not isinstance(node, dict):
        return None
    keys = {_key(k): k for k in node}
    for name in names:
        found = keys.get(_key(name))
        if found is not None and node[found] is not None:
            return node[found]
    return None


def scalar(value):
    """A wrapped UBL value ({"value": x}, {"amount": x}, [x]) unwrapped."""
    while isinstance(value, (dict, list)):
        if isinstance(value, list):
            value = value[0] if value else None
        else:
            value = field(value, "value", "amount", "_value", "#text", "content")
    return value


def money(value):
    """A signed amount (Decimal, to the cent) of a wrapped value; 0 when there is none."""
    if isinstance(value, list):
        return sum((money(v) for v in value), Decimal(0))
    raw = scalar(value)
    if raw is None or raw == "":
        return Decimal(0)
    try:
        return Decimal(str(raw).strip().replace(",", ".")).quantize(CENT, ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError("not an amount: %r" % (raw,)) from None


def currency_of(value):
    for node in value if isinstance(value, list) else [value]:
        code = field(node, "currencyID", "currency") if isinstance(node, dict) else None
        if code:
            return str(scalar(code)).upper()
    return None


def when(value):
    """A naive UTC datetime of an ISO date, an ISO date-time, a UBL date with its offset
    ("2017-01-19+01:00") or epoch milliseconds; None when there is none."""
    raw = scalar(value)
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if re.fullmatch(r"-?\d{10,}", text):
        return datetime.fromtimestamp(int(text) / 1000.0, tz=timezone.utc).replace(tzinfo=None)
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)(Z|[+-]\d\d:\d\d)?", text)
    if match:  # a calendar day: the day itself, whatever its zone
        return datetime.fromisoformat(match.group(1))
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _properties(item):
    """{normalised name: value} of an Item's AdditionalItemProperty, and the values in order."""
    raw = field(item, "AdditionalItemProperty")
    raw = raw if isinstance(raw, list) else [raw] if raw else []
    named, values = {}, []
    for prop in raw:
        if not isinstance(prop, dict):
            continue
        value = scalar(field(prop, "Value", "value"))
        if value in (None, ""):
            continue
        values.append(str(value).strip())
        name = scalar(field(prop, "Name", "name"))
        if name:
            named[_key(name)] = str(value).strip()
    return named, values


def _tax(row):
    """The VAT of a specification line: its TaxTotal's TaxAmount (one TaxTotal or several)."""
    total = field(row, "taxTotal")
    nodes = total if isinstance(total, list) else [total] if total is not None else []
    found = Decimal(0)
    for node in nodes:
        inner = field(node, "TaxAmount") if isinstance(node, dict) else None
        found += money(inner if inner is not None else node)
    return found


def line_type(row):
    """A specification line's type: its Item Name, else the last part of its ID or line ref."""
    name = scalar(field(field(row, "item") or {}, "Name"))
    if name:
        return str(name).strip().upper()
    for key in ("id", "invoiceLineRef"):
        text = str(scalar(field(row, key)) or "")
        if "#" in text:
            return text.rsplit("#", 1)[-1].strip().upper()
    return "UNKNOWN"


def _references(row, kind):
    """(order id, order item id, EAN) of a specification line, as far as it tells them."""
    named, values = _properties(field(row, "item") or {})
    parts = [p for p in str(scalar(field(row, "id")) or "").split("#") if p]
    order = next((v for k, v in named.items() if k in _ORDER_NAMES), None)
    if order is None and kind in ORDER_BOUND:
        if values and not named:  # unnamed properties: bol puts the order id first
            order = values[0]
        elif len(parts) >= 3:
            order = parts[0]
    item = next((v for k, v in named.items() if k in _ITEM_NAMES), None)
    ean = named.get("ean") or next((p for p in parts[1:-1] if _EAN.match(p)), None)
    return order, item, ean


def order_ids(rows):
    """The bol order ids the specification lines name."""
    found = set()
    for row in rows or []:
        if isinstance(row, dict):
            order = _references(row, line_type(row))[0]
            if order:
                found.add(order)
    return found


# -- mapping ----------------------------------------------------------------------------------------
def settlement_header(invoice):
    """An invoice of the list -> the neutral settlement's header (closed, without lines)."""
    totals = field(invoice, "legalMonetaryTotal") or {}
    amounts = [field(totals, k) for k in ("payableAmount", "taxInclusiveAmount", "lineExtensionAmount")]
    payable = next((a for a in amounts if scalar(a) not in (None, "")), None)
    period = field(invoice, "invoicePeriod") or {}
    header = {
        "external_id": str(scalar(field(invoice, "invoiceId", "id"))),
        "currency": next(filter(None, map(currency_of, amounts)), None) or "EUR",
        "start": when(field(period, "startDate")),
        "end": when(field(period, "endDate")),
        "payout_date": when(field(invoice, "issueDate")),
        # an invoice states what it settles; one without any amount cannot be booked
        "closed": payable is not None,
        "payout_amount": float(-money(payable)) if payable is not None else None,
        "lines": [],
    }
    return header


def _kind(code, order):
    if code == ORDER_TYPE and order:
        return "order"
    if code == REFUND_TYPE and order:
        return "refund"
    if code.startswith("COMPENSATION"):
        return "reimbursement"
    if code in (ORDER_TYPE, REFUND_TYPE):
        return "adjustment"  # a sale or refund bol ties to no order: for the accountant
    return FEE_KINDS.get(code, "fee")


def settlement_line(row, order_refs=None):
    """One specification line -> a neutral settlement line (dict), signed from the seller's side.
    `order_refs` maps (order id, order item id), (order id, EAN) or an order id to the reference
    of the Odoo order that holds the line, where it is not the order id itself."""
    code = line_type(row)
    order, item, ean = _references(row, code)
    net = money(field(row, "lineExtensionAmount"))
    tax = _tax(row)
    amount = -(net + tax)
    quantity = abs(float(scalar(field(row, "invoicedQuantity")) or 0))
    refs = order_refs or {}
    order_ref = None
    if order:  # the Odoo order holding the line: the FBB part of a mixed order has its own reference
        order_ref = refs.get((order, item)) or refs.get((order, ean)) or refs.get(order) or order
    kind = _kind(code, order_ref)
    line_id = str(scalar(field(row, "id")) or "") or "#".join(filter(None, [order, ean, code]))
    label = " ".join(filter(None, [code, order_ref, ean and "EAN %s" % ean, quantity and "x %g" % quantity]))
    line = {
        "external_id": line_id,
        "kind": kind,
        "amount": float(amount),
        "order_ref": order_ref,
        "label": label,
    }
    if kind in ("order", "refund"):
        line.update(principal=float(amount + tax), tax=float(-tax))
    else:
        line.update(fee_type=code, tax=float(-tax))
    if kind == "refund":
        line["refund_ref"] = line_id
        if quantity:
            line["items"] = [
                {
                    "order_line_ref": item,
                    "quantity": quantity,
                    "amount": float(-amount),
                    "tax": float(abs(tax)),
                }
            ]
    return line


def settlement_lines(rows, order_refs=None, seen=None):
    """A page of specification lines -> neutral lines. `seen` (a set kept across the pages of
    one invoice) makes a repeated line ID unique (`<ID>#2`), so that no line hides another."""
    seen = set() if seen is None else seen
    out = []
    for row in rows or []:
        if not isinstance(row, dict):
            continue
        line = settlement_line(row, order_refs)
        key, n = line["external_id"], 1
        while key in seen:
            n += 1
            key = "%s#%d" % (line["external_id"], n)
        if key != line["external_id"]:
            line["external_id"] = key
            if line.get("refund_ref"):
                line["refund_ref"] = key
        seen.add(key)
        out.append(line)
    return out


def difference_line(header, lines_total):
    """The line that makes the lines add up to the payout when bol's specification does not
    (VAT rounded on the invoice's totals rather than per line), or None."""
    if header.get("payout_amount") is None:
        return None
    diff = Decimal(str(header["payout_amount"])).quantize(CENT) - Decimal(str(lines_total)).quantize(CENT)
    if not diff:
        return None
    return {
        "external_id": "%s#%s" % (header["external_id"], DIFFERENCE_TYPE),
        "kind": "adjustment",
        "amount": float(diff),
        "fee_type": DIFFERENCE_TYPE,
        "label": "Difference between Bol.com invoice %s and its specification" % header["external_id"],
    }


def to_neutral_settlement(invoice, rows, order_refs=None):
    """An invoice of the list and every line of its specification -> a neutral settlement
    (dict) whose lines add up to its payout, to the cent."""
    header = settlement_header(invoice)
    lines = settlement_lines(rows, order_refs)
    total = sum(Decimal(str(line["amount"])) for line in lines)
    extra = difference_line(header, total)
    header["lines"] = lines + ([extra] if extra else [])
    return header


def period_windows(first, last, days=31):
    """[(start date, end date)] covering first..last in windows of at most `days` days (both
    ends counted), oldest first: the periods GET /retailer/invoices accepts."""
    out, start = [], first
    while start <= last:
        end = min(start + timedelta(days=days - 1), last)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out
