"""BigCommerce payloads in the suite's marketplace-neutral shapes, and the other pure rules of
the connector (weights, shipments, listings, inventory items). Imports nothing from Odoo.

An order payload is what Import Orders queues: ``{"order": <GET /v2/orders item with
include=consignments.line_items>, "taxes": <GET /v2/orders/{id}/taxes or None>}``.
"""

import re
from datetime import timezone
from email.utils import parsedate_to_datetime

# order statuses (GET /v2/order_statuses ids): BigCommerce's system statuses, (id, name, order)
STANDARD_STATUSES = (
    (0, "Incomplete", 0),
    (1, "Pending", 1),
    (7, "Awaiting Payment", 2),
    (11, "Awaiting Fulfillment", 3),
    (9, "Awaiting Shipment", 4),
    (8, "Awaiting Pickup", 5),
    (3, "Partially Shipped", 6),
    (10, "Completed", 7),
    (2, "Shipped", 8),
    (5, "Cancelled", 9),
    (6, "Declined", 10),
    (4, "Refunded", 11),
    (13, "Disputed", 12),
    (12, "Manual Verification Required", 13),
    (14, "Partially Refunded", 14),
)
AWAITING_FULFILLMENT = 11
CANCELLED_STATUSES = frozenset((4, 5, 6))  # Refunded, Cancelled, Declined
SHIPPED_STATUSES = frozenset((2, 10))  # Shipped, Completed: shipped outside Odoo when first seen
# payment statuses under which BigCommerce already shows the order as paid
PAID_PAYMENT_STATUSES = frozenset(("captured", "paid", "capture pending", "partially refunded", "refunded"))
# Weight units of the store (GET /v2/store weight_units), in kilograms.
WEIGHT_UNITS = {"LBS": 0.45359237, "KGS": 1.0, "OUNCES": 0.028349523125, "GRAMS": 0.001, "TONNES": 1000.0}
WEIGHT_ALIASES = {"LB": "LBS", "POUNDS": "LBS", "KG": "KGS", "OZ": "OUNCES", "G": "GRAMS", "T": "TONNES"}
# Carriers BigCommerce knows as tracking_carrier (AfterShip slugs), by the words of a carrier's name.
TRACKING_CARRIERS = (
    ("dhl express", "dhl"),
    ("dhl", "dhl-germany"),
    ("ups", "ups"),
    ("fedex", "fedex"),
    ("usps", "usps"),
    ("dpd", "dpd-de"),
    ("gls", "gls"),
    ("hermes", "hermes-de"),
    ("royal mail", "royal-mail"),
    ("postnl", "postnl"),
    ("colissimo", "colissimo"),
)
SHIPPING_PROVIDERS = frozenset(
    (
        "auspost",
        "canadapost",
        "endicia",
        "usps",
        "fedex",
        "ups",
        "upsready",
        "upsonline",
        "shipperhq",
        "royalmail",
    )
)
VAT_FIELD = re.compile(r"vat|ust|tax|steuer|btw|tva|iva", re.IGNORECASE)


# =============================================================================================
# values
# =============================================================================================


def money(value):
    """A v2 money string ('12.5000') or a number as a float; 0.0 when empty."""
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def parse_date(value):
    """An RFC 2822 date of the v2 API as an aware datetime (None when empty)."""
    if not value:
        return None
    moment = parsedate_to_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def weight_unit(name):
    """The store's weight unit as a key of WEIGHT_UNITS ('KGS', 'LBS'...); KGS when unknown."""
    key = (name or "").strip().upper()
    key = WEIGHT_ALIASES.get(key, key)
    return key if key in WEIGHT_UNITS else "KGS"


def to_kg(weight, unit):
    return (weight or 0.0) * WEIGHT_UNITS[weight_unit(unit)]


def from_kg(weight_kg, unit):
    return (weight_kg or 0.0) / WEIGHT_UNITS[weight_unit(unit)]


def listing_external_id(product_id, variant_id):
    """A listing's external id: the catalog product and its variant ("111:1001")."""
    return "%s:%s" % (product_id, variant_id)


def split_external_id(external_id):
    """(product id, variant id) of a listing's external id; (None, None) when not ours."""
    head, sep, tail = (external_id or "").partition(":")
    if not sep or not head.isdigit() or not tail.isdigit():
        return None, None
    return int(head), int(tail)


# =============================================================================================
# orders
# =============================================================================================


def order_products(order):
    """The order's line items: from its shipping consignments (include=consignments.line_items),
    each with the consignment's address id, else from a separate ``products`` list."""
    consignments = _consignments(order)
    items = [item for c in consignments for item in (c.get("line_items") or []) if "quantity" in item]
    if items:
        return sorted(items, key=lambda item: item["id"])  # the order's own line order
    products = order.get("products")
    return products if isinstance(products, list) else []


def _consignments(order):
    consignments = order.get("consignments")
    return (consignments.get("shipping") or []) if isinstance(consignments, dict) else []


def to_neutral_order(order, taxes=None, anonymous_name=None):
    """A GET /v2/orders order (with its consignments and line items) as a dict valid for the
    neutral Order schema; `taxes`: its GET /orders/{id}/taxes rows, when read."""
    inclusive = bool(order.get("is_tax_inclusive_pricing"))
    rates = _tax_rates(taxes)
    billing = order.get("billing_address") or {}
    consignments = _consignments(order)
    gift_certificate = money(order.get("gift_certificate_amount"))
    status_id = int(order.get("status_id") or 0)
    return {
        "external_id": str(order["id"]),
        "name": str(order["id"]),
        "date_order": parse_date(order.get("date_created")),
        "updated_at": parse_date(order.get("date_modified")),
        "currency": order.get("default_currency_code") or order.get("currency_code"),
        "status": order.get("status"),
        "cancelled": status_id in CANCELLED_STATUSES,
        "shipped": status_id in SHIPPED_STATUSES,
        "prices_include_tax": inclusive,
        "total": max(round(money(order.get("total_inc_tax")) - gift_certificate, 2), 0.0),
        "customer": {
            "external_id": str(order["customer_id"]) if order.get("customer_id") else None,
            "name": _person(billing) or anonymous_name,
            "email": billing.get("email") or None,
        },
        "invoice_address": _address(billing),
        "delivery_address": _address(consignments[0]) if consignments else None,
        "lines": [_line(item, inclusive, rates) for item in order_products(order)],
        "shipping": _shipping(order, consignments, inclusive, rates),
        "fees": _fees(order, inclusive),
        "gift_certificates": [{"amount": gift_certificate}] if gift_certificate > 0 else [],
        "payment_gateway": order.get("payment_method") or None,
        "payment_status": order.get("payment_status") or None,
        "notes": _notes(order, consignments),
    }


def _person(address):
    return " ".join(filter(None, (address.get("first_name"), address.get("last_name")))).strip()


def _address(address):
    vat = next(
        (
            str(f.get("value"))
            for f in address.get("form_fields") or []
            if VAT_FIELD.search(str(f.get("name") or "")) and f.get("value")
        ),
        None,
    )
    return {
        "name": _person(address) or None,
        "company": address.get("company") or None,
        "street": address.get("street_1") or None,
        "street2": address.get("street_2") or None,
        "city": address.get("city") or None,
        "zip": address.get("zip") or None,
        "state_name": address.get("state") or None,  # BigCommerce names the state ("Texas"), no code
        "country_code": address.get("country_iso2") or None,
        "phone": address.get("phone") or None,
        "email": address.get("email") or None,
        "vat": vat,
    }


def _tax_rates(taxes):
    """{(line item type, order product id or None): [(rate, name)]} of the /taxes rows."""
    rates = {}
    for row in taxes or []:
        key = (
            row.get("line_item_type") or "item",
            str(row["order_product_id"]) if row.get("order_product_id") else None,
        )
        entry = (money(row.get("rate")), row.get("name"))
        if entry not in rates.setdefault(key, []):
            rates[key].append(entry)
    return rates


def _taxes(amount, rates, kind, product_id=None, parts=1):
    """The neutral taxes of an amount of tax: the rates BigCommerce names for it (its own line,
    else the order-wide rate of its kind), else the amount alone (the engine finds the rate;
    `parts`: how many amounts rounded to the cent it adds up)."""
    found = rates.get((kind, product_id)) or rates.get((kind, None)) or []
    if len(found) == 1:
        rate, name = found[0]
        return [{"rate": rate, "amount": amount, "name": name}] if rate else []
    if found:  # several taxes on one line (e.g. state and county): their rates, amounts unknown
        return [{"rate": rate, "name": name} for rate, name in found if rate]
    return [{"amount": amount, "parts": parts}] if amount > 0 else []


def _item_tax(item):
    """(tax of the item's full price, how many rounded amounts it adds up). From the unit's
    price_tax (price_inc_tax - price_ex_tax, before any discount) times the quantity: the contract
    describes total_tax as the tax after a manual discount, while its example shows it before."""
    quantity = int(item.get("quantity") or 1)
    unit_tax = money(item.get("price_tax"))
    if unit_tax > 0:
        return round(unit_tax * quantity, 2), quantity
    return money(item.get("total_tax")), 1


def _line(item, inclusive, rates):
    custom = not item.get("product_id")
    price = money(item.get("price_inc_tax") if inclusive else item.get("price_ex_tax"))
    tax, parts = _item_tax(item)
    line = {
        "external_id": str(item["id"]),
        "sku": item.get("sku") or None,
        "barcode": item.get("upc") or None,
        "product_external_id": None
        if custom
        else listing_external_id(item["product_id"], item.get("variant_id")),
        "name": item.get("name") or item.get("name_customer") or item.get("sku"),
        "quantity": item["quantity"],
        "unit_price": price,
        "discount": round(sum(money(d.get("amount")) for d in item.get("applied_discounts") or []), 2),
        "taxes": _taxes(tax, rates, "item", str(item["id"]), parts),
        "gift_message": item.get("wrapping_message") or None,
        "custom": custom,
        # a custom item that ships (physical, with a weight) goes on the Custom Storable Product
        "storable": custom and item.get("type", "physical") == "physical" and money(item.get("weight")) > 0,
    }
    wrapping = money(item.get("wrapping_cost_inc_tax") if inclusive else item.get("wrapping_cost_ex_tax"))
    if wrapping > 0:
        line["gift_wrap"] = {
            "amount": wrapping,
            "name": item.get("wrapping_name") or None,
            "taxes": _taxes(money(item.get("wrapping_cost_tax")), rates, "gift-wrapping"),
        }
    return line


def _shipping(order, consignments, inclusive, rates):
    """Shipping and handling of every consignment as one charge (the order's totals without
    consignments)."""
    suffix = "inc_tax" if inclusive else "ex_tax"
    if consignments:
        amount = sum(
            money(c.get("cost_" + suffix)) + money(c.get("handling_cost_" + suffix)) for c in consignments
        )
        shipping_tax = sum(money(c.get("cost_tax")) for c in consignments)
        handling_tax = sum(money(c.get("handling_cost_tax")) for c in consignments)
        name = consignments[0].get("shipping_method")
    else:
        amount = money(order.get("shipping_cost_" + suffix)) + money(order.get("handling_cost_" + suffix))
        shipping_tax, handling_tax = (
            money(order.get("shipping_cost_tax")),
            money(order.get("handling_cost_tax")),
        )
        name = None
    if amount <= 0:
        return None
    taxes = _taxes(shipping_tax, rates, "shipping")
    if handling_tax and not taxes:
        taxes = _taxes(handling_tax, rates, "handling")
    elif handling_tax and "amount" in taxes[0]:
        taxes[0]["amount"] = round(taxes[0]["amount"] + handling_tax, 2)
    return {"amount": round(amount, 2), "taxes": taxes, "name": name or None}


def _fees(order, inclusive):
    """The order's fees (include=fees), each a charge with the tax BigCommerce charged on it (the
    tax rows name no fee: the rate comes from the amounts)."""
    fees = order.get("fees")
    charges = []
    for fee in fees if isinstance(fees, list) else []:
        # cost_exc_tax: as a fee of the contract's own example spells it
        amount = money(
            fee.get("cost_inc_tax") if inclusive else fee.get("cost_ex_tax", fee.get("cost_exc_tax"))
        )
        if amount > 0:
            tax = money(fee.get("cost_tax"))
            charges.append(
                {
                    "amount": round(amount, 2),
                    "taxes": [{"amount": tax}] if tax > 0 else [],
                    "name": fee.get("display_name_customer") or fee.get("display_name_merchant") or None,
                }
            )
    return charges


def _notes(order, consignments):
    """What the people handling the order must read: the buyer's comment, and where each item
    goes when the order ships to several addresses."""
    notes = []
    if order.get("customer_message"):
        notes.append("Customer: %s" % order["customer_message"])
    if len(consignments) > 1:
        for consignment in consignments:
            items = ", ".join(
                "%s x %s" % (item.get("quantity"), item.get("sku") or item.get("name"))
                for item in consignment.get("line_items") or []
                if isinstance(item, dict)
            )
            where = ", ".join(
                filter(
                    None,
                    (
                        _person(consignment),
                        consignment.get("street_1"),
                        consignment.get("zip"),
                        consignment.get("city"),
                        consignment.get("country_iso2"),
                    ),
                )
            )
            notes.append("Ship %s to %s" % (items, where))
    return notes


# =============================================================================================
# shipments
# =============================================================================================


def shipment_bodies(products, quantities, tracking_number, carrier_name, provider=None):
    """POST /v2/orders/{id}/shipments bodies for a delivery: one per shipping address
    (BigCommerce refuses items of another address), each item capped at what BigCommerce has
    not shipped yet. `products`: the order's GET /products rows; `quantities`: {order product id
    (str): quantity}. Returns (bodies, {order product id: quantity already shipped on BigCommerce})."""
    by_address, skipped = {}, {}
    for row in products:
        wanted = int(quantities.get(str(row["id"]), 0))
        if not wanted:
            continue
        remaining = int(row.get("quantity") or 0) - int(row.get("quantity_shipped") or 0)
        quantity = min(wanted, max(remaining, 0))
        if quantity < wanted:
            skipped[str(row["id"])] = wanted - quantity
        if quantity:
            by_address.setdefault(row.get("order_address_id"), []).append(
                {"order_product_id": row["id"], "quantity": quantity}
            )
    slug = tracking_carrier(carrier_name)
    bodies = [
        {
            "order_address_id": address,
            "items": items,
            "tracking_number": (tracking_number or "")[:50],
            "shipping_provider": provider if provider in SHIPPING_PROVIDERS else "",
            "tracking_carrier": slug,
            "shipping_method": (carrier_name or "")[:250],
        }
        for address, items in sorted(by_address.items(), key=lambda item: item[0] or 0)
    ]
    return bodies, skipped


def tracking_carrier(carrier_name):
    """The AfterShip slug BigCommerce expects as tracking_carrier for a carrier name ('' when
    none fits: BigCommerce then shows the tracking number without a link)."""
    name = (carrier_name or "").lower()
    return next((slug for words, slug in TRACKING_CARRIERS if words in name), "")


def shipped_quantities(products):
    """{order product id (str): quantity BigCommerce counts as shipped}."""
    return {str(row["id"]): int(row.get("quantity_shipped") or 0) for row in products}


# =============================================================================================
# catalog
# =============================================================================================


def listing_items(product, weight_units="KGS"):
    """The listings of a catalog product (GET /v3/catalog/products?include=variants,images):
    one per variant (a product without options has one, its base variant)."""
    variants = product.get("variants") or [
        {
            "id": product.get("base_variant_id"),
            "sku": product.get("sku"),
            "option_values": [],
            "upc": product.get("upc"),
        }
    ]
    tracking = product.get("inventory_tracking") or "none"
    images = [
        image.get("url_standard")
        for image in sorted(
            product.get("images") or [], key=lambda i: (not i.get("is_thumbnail"), i.get("sort_order", 0))
        )
    ]
    items = []
    for variant in variants:
        options = [
            (value.get("option_display_name"), value.get("label"))
            for value in variant.get("option_values") or []
        ]
        weight = variant.get("weight") if variant.get("weight") is not None else product.get("weight")
        price = variant.get("price") if variant.get("price") is not None else product.get("price")
        items.append(
            {
                "sku": variant.get("sku") or None,
                "external_id": listing_external_id(product["id"], variant["id"]),
                "bigcommerce_product_id": product["id"],
                "bigcommerce_variant_id": variant["id"],
                "barcode": variant.get("gtin") or variant.get("upc") or None,
                "name": product.get("name"),
                "variant_name": ", ".join(label for _name, label in options if label),
                "options": options,
                "price": price,
                "weight_kg": round(to_kg(weight or 0.0, weight_units), 4),
                "inventory_tracking": tracking,
                "categories": product.get("categories") or [],
                "brand_id": product.get("brand_id") or None,
                "image_url": images[0] if images else None,
            }
        )
    return items


def adjustment_item(listing, location_id, quantity):
    """One absolute adjustment item: by variant for variant-tracked listings, by product for
    product-tracked ones (BigCommerce refuses the other); None when it tracks no stock.
    `listing`: (inventory tracking, product id, variant id)."""
    tracking, product_id, variant_id = listing
    if tracking == "variant" and variant_id:
        return {"location_id": int(location_id), "variant_id": int(variant_id), "quantity": int(quantity)}
    if tracking == "product" and product_id:
        return {"location_id": int(location_id), "product_id": int(product_id), "quantity": int(quantity)}
    return None


IDENTITY = re.compile(r"(variant_id|product_id|sku)\s+([^\]\s,]+)")


def refused_identities(message):
    """The items a 422 of the Inventory API names ("Items with identity: [variant_id 1001] not
    found"): [(kind, value)]."""
    return [(kind, value) for kind, value in IDENTITY.findall(message or "")]
