"""Bol.com payloads -> the suite's neutral records (orders, returns, listings). Pure functions,
no Odoo, no API call.

An order of Bol.com may mix items Bol ships (FBB) with items the retailer ships (FBR). Odoo
keeps one fulfilment per sale order, so such an order becomes two: the FBR part keeps Bol's
order id, the FBB part gets the suffix FBB_SUFFIX. Orders with one method keep the order id.
"""

import csv
import io
from datetime import datetime

FBB_SUFFIX = "-FBB"
METHODS = {"FBR": ("FBR",), "FBB": ("FBB",), "ALL": ("FBR", "FBB")}


def parse_time(value):
    """Bol's ISO 8601 date-times ('2019-04-30T16:47:32+02:00', '...423+01:00', '...Z')."""
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def latest_change(items):
    """The latest change of any item (Bol's latestChangedDateTime): the order's version."""
    times = [parse_time(item.get("latestChangedDateTime")) for item in items]
    times = [t for t in times if t]
    return max(times) if times else None


def item_method(item):
    """FBR or FBB of an order item (detailed: fulfilment.method; reduced: fulfilmentMethod)."""
    return (item.get("fulfilment") or {}).get("method") or item.get("fulfilmentMethod") or "FBR"


def shipped_quantity(item):
    """What Bol counts as shipped. v10 always says it; an item without the counter (an older
    payload) is shipped when Bol fulfils it (FBB: Bol lists what it shipped), open otherwise."""
    if item.get("quantityShipped") is not None:
        return int(item["quantityShipped"])
    if item_method(item) == "FBB":
        return max(int(item.get("quantity") or 0) - int(item.get("quantityCancelled") or 0), 0)
    return 0


def open_quantity(item):
    return max(
        int(item.get("quantity") or 0) - shipped_quantity(item) - int(item.get("quantityCancelled") or 0), 0
    )


def part_reference(order_id, method, mixed):
    return "%s%s" % (order_id, FBB_SUFFIX) if method == "FBB" and mixed else str(order_id)


def cancellation_requests(order):
    """Order items of the retailer (FBR) the customer asked to cancel and that are still open."""
    return [
        item["orderItemId"]
        for item in order.get("orderItems") or []
        if item_method(item) == "FBR" and item.get("cancellationRequest") and open_quantity(item)
    ]


# =============================================================================================
# orders
# =============================================================================================


def address(details, pickup_point=False):
    """A ShipmentDetails or BillingDetails -> a neutral address (Dutch/Belgian convention: the
    house number and its extension after the street name)."""
    if not details:
        return None
    house = " ".join(filter(None, [details.get("houseNumber"), details.get("houseNumberExtension")]))
    street2 = [details.get("extraAddressInformation")]
    if pickup_point or details.get("pickupPointName"):
        street2.insert(0, details.get("pickupPointName"))
    return {
        "name": " ".join(filter(None, [details.get("firstName"), details.get("surname")])) or None,
        "company": details.get("company") or None,
        "street": " ".join(filter(None, [details.get("streetName"), house])) or None,
        "street2": " / ".join(filter(None, street2)) or None,
        "city": details.get("city"),
        "zip": details.get("zipCode"),
        "country_code": details.get("countryCode"),
        "phone": details.get("deliveryPhoneNumber"),
        "email": details.get("email"),
        "vat": details.get("vatNumber") or None,
        "company_registry": details.get("kvkNumber") or None,
    }


def _line(item):
    quantity = int(item.get("quantity") or 0)
    cancelled = min(int(item.get("quantityCancelled") or 0), quantity)
    unit = float(item.get("unitPrice") or 0.0)
    discount = sum(float(d.get("amount") or 0.0) for d in item.get("discounts") or [])
    if not discount and item.get("totalPrice") is not None:
        discount = max(round(unit * quantity - float(item["totalPrice"]), 2), 0.0)
    kept = quantity - cancelled
    offer, product = item.get("offer") or {}, item.get("product") or {}
    return {
        "external_id": item["orderItemId"],
        "sku": offer.get("reference") or None,
        "barcode": product.get("ean") or None,
        "product_external_id": offer.get("offerId") or None,
        "name": product.get("title") or None,
        "quantity": quantity,
        "cancelled_quantity": cancelled,
        "unit_price": unit,
        # Bol's discount is on the whole quantity: what stays on the order is its share
        "discount": round(discount * kept / quantity, 2) if quantity else 0.0,
    }


def _status(items):
    open_ = sum(open_quantity(i) for i in items)
    shipped = sum(shipped_quantity(i) for i in items)
    if open_:
        if shipped:
            return "PARTIALLY_SHIPPED"
        return "CANCELLATION_REQUESTED" if any(i.get("cancellationRequest") for i in items) else "OPEN"
    return "SHIPPED" if shipped else "CANCELLED"


# The order's state in words, as a merchant reads it (Bol.com gives each item's state, not the order's)
STATUS_LABELS = {
    "OPEN": "Open",
    "PARTIALLY_SHIPPED": "Partially shipped",
    "CANCELLATION_REQUESTED": "Cancellation requested",
    "SHIPPED": "Shipped",
    "CANCELLED": "Cancelled",
}


def to_neutral_orders(order, methods=("FBR", "FBB")):
    """The neutral orders (schemas.order.Order dicts) of one detailed Bol order: one per
    fulfilment method it contains and the instance uses. An FBB part is imported only once Bol
    has handled all of it (shipped or cancelled): Bol ships it, Odoo records it as done."""
    items = order.get("orderItems") or []
    by_method = {}
    for item in items:
        by_method.setdefault(item_method(item), []).append(item)
    mixed = len(by_method) > 1
    placed = order.get("orderPlacedDateTime") or min(
        (i.get("latestChangedDateTime") for i in items if i.get("latestChangedDateTime")), default=None
    )
    billing = order.get("billingDetails") or None
    shipping = order.get("shipmentDetails") or {}
    parts = []
    for method in ("FBR", "FBB"):
        part = by_method.get(method)
        if not part or method not in methods:
            continue
        if method == "FBB" and any(open_quantity(i) for i in part):
            continue  # Bol has not shipped it yet
        status = _status(part)
        lines = [_line(i) for i in part]
        total = sum(
            l["unit_price"] * (l["quantity"] - l["cancelled_quantity"]) - l["discount"] for l in lines
        )
        contact = billing or shipping
        parts.append(
            {
                "external_id": part_reference(order["orderId"], method, mixed),
                "name": str(order["orderId"]),
                "date_order": placed,
                "currency": "EUR",
                "fulfilment": "marketplace" if method == "FBB" else "merchant",
                "status": STATUS_LABELS[status],
                "cancelled": status == "CANCELLED",
                "shipped": method == "FBR" and status == "SHIPPED",
                "updated_at": latest_change(items),
                "prices_include_tax": True,
                # Bol's prices include VAT, but an order states no tax (rate or amount): the products'
                # VAT decides (mapped by the fiscal position of the buyer's country)
                "taxes_stated": False,
                "total": round(total, 2),
                "customer": {
                    "name": " ".join(filter(None, [contact.get("firstName"), contact.get("surname")]))
                    or None,
                    "email": contact.get("email") or shipping.get("email") or None,
                },
                "invoice_address": address(billing),
                "delivery_address": address(shipping, order.get("pickupPoint")),
                "customer_reference": (billing or {}).get("orderReference") or None,
                "lines": lines,
            }
        )
    return parts


# =============================================================================================
# returns
# =============================================================================================


def to_neutral_return(ret, order_refs=None):
    """A (reduced) Bol return -> a neutral return (schemas.returns.Return dict).

    `order_refs` maps Bol's order id to the reference of the Odoo order holding the items of
    this fulfilment method (the FBB part of a mixed order has its own). Handled returns (Bol or
    the retailer decided) are back in stock; unhandled FBR returns wait for the retailer, who
    tells Bol when the goods arrive (handle-return by RMA id)."""
    method = ret.get("fulfilmentMethod") or "FBR"
    items = ret.get("returnItems") or []
    handled = bool(items) and all(i.get("handled") for i in items)
    lines = []
    for item in items:
        quantity = int(item.get("expectedQuantity") or 0)
        if quantity <= 0:
            continue
        reason = item.get("returnReason") or {}
        order_id = str(item.get("orderId"))
        lines.append(
            {
                "external_id": str(item.get("rmaId")),
                "order_ref": (order_refs or {}).get(order_id, order_id),
                "barcode": item.get("ean") or None,
                "quantity": quantity,
                "reason": " - ".join(filter(None, [reason.get("mainReason"), reason.get("customerComments")]))
                or None,
            }
        )
    return {
        "external_id": str(ret["returnId"]),
        "date": ret.get("registrationDateTime"),
        "received": handled,
        "notify_on_receipt": not handled and method == "FBR",
        "lines": lines,
    }


# =============================================================================================
# offers
# =============================================================================================


def offers_from_csv(text):
    """The rows of Bol's offer export (CSV) -> neutral listing dicts."""
    listings = []
    for row in csv.DictReader(io.StringIO(text)):
        if not row.get("offerId"):
            continue
        try:
            price = float(row.get("bundlePricesPrice") or 0.0)
        except ValueError:
            price = 0.0
        listings.append(
            {
                "external_id": row["offerId"],
                "sku": (row.get("referenceCode") or "").strip() or None,
                "barcode": (row.get("ean") or "").strip() or None,
                "name": (row.get("referenceCode") or "").strip() or row.get("ean"),
                "price": price,
                "fulfilment": "marketplace"
                if (row.get("fulfilmentType") or "").upper() == "FBB"
                else "merchant",
            }
        )
    return listings


# =============================================================================================
# carriers
# =============================================================================================

# Words in an Odoo carrier's name -> Bol's transporter code (checked in this order).
CARRIER_WORDS = (
    ("postnl", "TNT"),
    ("tnt", "TNT"),
    ("dhl for you", "DHLFORYOU"),
    ("dhlforyou", "DHLFORYOU"),
    ("dhl", "DHL"),
    ("dpd be", "DPD-BE"),
    ("dpd", "DPD-NL"),
    ("bpost", "BPOST_BE"),
    ("ups", "UPS"),
    ("gls", "GLS"),
    ("fedex", "FEDEX_NL"),
    ("trunkrs", "TRUNKRS"),
    ("budbee", "BUDBEE"),
    ("briefpost", "BRIEFPOST"),
    ("cycloon", "CYCLOON"),
    ("dynalogic", "DYNALOGIC"),
)


def transporter_code(carrier_name, known_codes):
    """Bol's transporter code of an Odoo carrier: its name when it is a code, else the first
    known carrier word in it, else OTHER."""
    name = (carrier_name or "").strip()
    if name.upper() in known_codes:
        return name.upper()
    lowered = name.lower()
    for word, code in CARRIER_WORDS:
        if word in lowered:
            return code
    return "OTHER"
