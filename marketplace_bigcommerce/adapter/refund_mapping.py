"""BigCommerce refunds as the suite's neutral settlement lines (schemas/settlement.py). Pure
Python, no Odoo, no API call.

BigCommerce takes no fees and pays nothing out (the store's payment gateway does), so its money
after the sale is its refunds: one always-open settlement of refund lines, one line per refund
(GET /v3/orders/payment_actions/refunds), signed from the seller's side (a refund is negative):

* ``items``: the refunded products (``PRODUCT``: the order product id is the neutral order line's
  ``external_id``), each with its quantity and what its units came to, taxes included;
* ``shipping``: shipping and handling refunded (``SHIPPING``, ``HANDLING``), taxes included;
* ``gift_wrap``: gift wrapping refunded (``GIFT_WRAPPING``), taxes included;
* the rest of the amount (``ORDER`` amounts, which BigCommerce refunds tax-exempt, fees, tax
  refunds, a merchant's override) is in ``amount`` only: the engine books it as an amount-only
  line, so that the credit note comes to the refund to the cent;
* ``tax``: all the tax the refund gives back; ``principal``: the amount less shipping and
  wrapping.

A refund states the amounts of its amount-bound items (``requested_amount``) but not those of its
products: they get what the refund's total leaves after the amount-bound items. Several products
share it in proportion to what their units cost on the order (GET /v2/orders/{id}/products,
after the order's discounts), the last one taking what rounding left; without the order's
products, in proportion to their quantities.
"""

import re
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

QUANTITY_TYPES = ("PRODUCT", "GIFT_WRAPPING")
SHIPPING_TYPES = ("SHIPPING", "HANDLING")
CENT = Decimal("0.01")
OUTSIDE_GATEWAY = ("storecredit", "custom")
# the label tells what went back through the gateway (the refund_booked hook reads it back)
# (anchored: a buyer's reason after it cannot pass for it)
GATEWAY_NOTE = re.compile(
    r"^BigCommerce refund \d+ of order \d+ \((\d+\.\d\d) back through the payment gateway\)"
)


class RefundMappingError(ValueError):
    """A refund that cannot be one neutral line (its items come to more than its total...)."""


def _dec(value):
    """A number or money string as Decimal cents-exact; 0 for None or ''."""
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except ArithmeticError as err:
        raise RefundMappingError("%r is not an amount" % (value,)) from err


def _float(amount):
    return float(amount.quantize(CENT, ROUND_HALF_UP))


def _neg(amount):
    """-amount as a float, signed from the seller's side (0.0, never -0.0)."""
    return -_float(amount) or 0.0


def parse_created(value):
    """A refund's `created` (RFC 3339) as an aware datetime; None when missing or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def gateway_share(refund):
    """What of the refund went back through the order's payment gateway (Decimal): payments
    online, not declined. Store credit and amounts marked refunded outside BigCommerce
    ('custom', and offline methods: bank deposit, cash on delivery) are not."""
    return sum(
        (
            _dec(pay.get("amount"))
            for pay in refund.get("payments") or []
            if pay.get("provider_id") not in OUTSIDE_GATEWAY
            and not pay.get("offline")
            and not pay.get("is_declined")
        ),
        Decimal(0),
    )


def declined(refund):
    """True when every payment of the refund was declined by its provider: nothing went back."""
    payments = refund.get("payments") or []
    return bool(payments) and all(pay.get("is_declined") for pay in payments)


def products_of(products):
    """{order product id (str): (what one unit cost after discounts, its tax per unit, units)}
    of GET /v2/orders/{id}/products rows (taxes included, Decimal)."""
    out = {}
    for row in products or []:
        quantity = Decimal(str(row.get("quantity") or 0))
        if quantity <= 0:
            continue
        total = _dec(row.get("discounted_total_inc_tax") or row.get("total_inc_tax"))
        tax = _dec(row.get("total_tax"))
        wrap = _dec(row.get("wrapping_cost_inc_tax"))
        out[str(row["id"])] = (total / quantity, tax / quantity, wrap / quantity)
    return out


def _estimates(items, prices):
    """What each quantity-bound item costs on the order (Decimal), or None when unknown."""
    out = []
    for item in items:
        price = prices.get(str(item.get("item_id")))
        if price is None:
            return None
        unit = price[0] if item["item_type"] == "PRODUCT" else price[2]
        adjustments = sum((_dec(a.get("amount")) for a in item.get("adjustments") or []), Decimal(0))
        out.append(max(unit * Decimal(str(item.get("quantity") or 0)) + adjustments, Decimal(0)))
    return out


def _allocate(pool, weights):
    """`pool` split in proportion to `weights`, each rounded to the cent, the last one taking
    what rounding left (so that the parts add up to `pool` exactly)."""
    whole = sum(weights, Decimal(0))
    parts, given = [], Decimal(0)
    for n, weight in enumerate(weights):
        if n == len(weights) - 1:
            parts.append(pool - given)
        else:
            part = (pool * weight / whole).quantize(CENT, ROUND_HALF_UP) if whole else Decimal(0)
            parts.append(part)
            given += part
    return parts


def _item_amounts(refund, quantity_items, rest, products):
    """The amounts of the refund's quantity-bound items (Decimal, in their order)."""
    if not quantity_items:
        return []
    if rest < 0:
        raise RefundMappingError(
            "refund %s: its amount-bound items come to more than its total (%s)"
            % (refund.get("id"), _dec(refund.get("total_amount")))
        )
    estimates = _estimates(quantity_items, products_of(products)) if products else None
    if not estimates or not sum(estimates):
        estimates = [Decimal(str(item.get("quantity") or 1)) for item in quantity_items]
    return _allocate(rest, estimates)


def refund_line(refund, products=None):
    """One refund (the Refund object of the v3 payment actions) as a dict valid for the neutral
    SettlementLine (kind "refund"); `products`: the order's GET /v2/orders/{id}/products rows,
    to share the refund among several products (optional, see the module docstring)."""
    refund_id, order_id = refund.get("id"), refund.get("order_id")
    if refund_id in (None, "") or order_id in (None, ""):
        raise RefundMappingError("a refund without its id or its order's: %r" % (refund,))
    total = _dec(refund.get("total_amount"))
    if total < 0:
        raise RefundMappingError("refund %s: a negative total (%s)" % (refund_id, total))
    items = [i for i in refund.get("items") or [] if isinstance(i, dict)]
    quantity_items = [i for i in items if i.get("item_type") in QUANTITY_TYPES]
    stated = {kind: Decimal(0) for kind in ("SHIPPING", "HANDLING", "ORDER", "FEE", "OTHER")}
    for item in items:
        if item.get("item_type") not in QUANTITY_TYPES:
            kind = item.get("item_type") if item.get("item_type") in stated else "OTHER"
            stated[kind] += _dec(item.get("requested_amount"))
    rest = total - sum(stated.values(), Decimal(0))
    amounts = _item_amounts(refund, quantity_items, rest, products)
    prices = products_of(products)
    neutral_items, wrap = [], Decimal(0)
    for item, amount in zip(quantity_items, amounts):
        if item["item_type"] == "GIFT_WRAPPING":
            wrap += amount
            continue
        price = prices.get(str(item.get("item_id")))
        tax = Decimal(0)
        if price and price[0]:
            tax = (amount * price[1] / price[0]).quantize(CENT, ROUND_HALF_UP)
        neutral_items.append(
            {
                "order_line_ref": str(item.get("item_id")),
                "quantity": float(item.get("quantity") or 0),
                "amount": _float(amount),
                "tax": _float(tax),
            }
        )
    shipping = stated["SHIPPING"] + stated["HANDLING"]
    return {
        "external_id": str(refund_id),
        "kind": "refund",
        "amount": _neg(total),
        "date": parse_created(refund.get("created")),
        "order_ref": str(order_id),
        "refund_ref": str(refund_id),
        "label": _label(refund),
        "principal": _neg(total - shipping - wrap),
        "tax": _neg(_dec(refund.get("total_tax"))),
        "shipping": _neg(shipping),
        "gift_wrap": _neg(wrap),
        "items": neutral_items,
    }


def _label(refund):
    """What the statement and the credit note call the refund, with what went back through the
    payment gateway (see `paid_through_gateway`)."""
    label = "BigCommerce refund %s of order %s" % (refund.get("id"), refund.get("order_id"))
    through = gateway_share(refund)
    if through:
        label += " (%s back through the payment gateway)" % through
    reason = (refund.get("reason") or "").strip()
    return "%s: %s" % (label, reason[:200]) if reason else label


def paid_through_gateway(label):
    """What a refund line's label says went back through the payment gateway (Decimal, 0 when
    nothing did: store credit, refunded outside BigCommerce)."""
    found = GATEWAY_NOTE.match(label or "")
    return Decimal(found.group(1)) if found else Decimal(0)


def needs_products(refund):
    """Whether sharing the refund among its items needs the order's products (several
    quantity-bound items)."""
    return sum(1 for i in refund.get("items") or [] if i.get("item_type") in QUANTITY_TYPES) > 1
