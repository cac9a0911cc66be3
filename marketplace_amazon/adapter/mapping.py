"""Amazon SP-API payloads -> the marketplace-neutral structures of marketplace_base/schemas
(order.py: Order, Line, Charge, Tax, Address, Customer). Plain dicts in, plain dicts out; no Odoo.

Orders of both API versions map through one function: an Orders 2026-01-01 order is first put
in the shape of v0 (mapping_2026.py), so that the same Amazon order gives the same neutral order
whichever version read it.
"""

import math

from .mapping_2026 import from_2026, service_level

# Orders the import asks for: FBA (AFN) orders once Amazon shipped or cancelled them, FBM (MFN)
# orders as soon as they can ship. Pending orders carry no prices and are never imported.
IMPORT_STATUSES = {
    "AFN": ("Shipped", "Canceled"),
    "MFN": ("Unshipped", "PartiallyShipped", "Shipped", "Canceled"),
}
ALL_IMPORT_STATUSES = ["Unshipped", "PartiallyShipped", "Shipped", "Canceled"]
V2026 = "2026-01-01"

# Marketplaces whose prices exclude tax (sales tax comes on top); everywhere else Amazon's
# ItemPrice includes VAT/GST and ItemTax is the included part.
TAX_EXCLUDED_MARKETPLACES = {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}  # Amazon.com, Amazon.ca
CURRENCIES = {
    "ATVPDKIKX0DER": "USD",
    "A2EUQ1WTGCTBG2": "CAD",
    "A1AM78C64UM0Y8": "MXN",
    "A2Q3Y263D00KWC": "BRL",
    "A1PA6795UKMFR9": "EUR",
    "A13V1IB3VIYZZH": "EUR",
    "APJ6JRA9NG5V4": "EUR",
    "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR",
    "AMEN7PMS3EDWL": "EUR",
    "A28R8C7NBKEWEA": "EUR",
    "A1F83G8C2ARO7P": "GBP",
    "A2NODRKZP88ZB9": "SEK",
    "A1C3SOZRARQ6R3": "PLN",
    "A33AVAJ2PDY3EV": "TRY",
    "A2VIGQ35RCS4UG": "AED",
    "A17E79C6D8DWNP": "SAR",
    "ARBP9OOSHTCHU": "EGP",
    "A21TJRUUN4KGV": "INR",
    "AE08WJ6YKNBMC": "ZAR",
    "A1VC38T7YXB528": "JPY",
    "A39IBJ37TRP1C6": "AUD",
    "A19VAU5U5O7RUS": "SGD",
}
# Carriers Amazon knows by code; any other carrier is sent as "Other" with its exact name.
AMAZON_CARRIERS = {
    c.lower(): c
    for c in (
        "UPS",
        "USPS",
        "FedEx",
        "DHL",
        "DHL eCommerce",
        "Royal Mail",
        "Parcelforce",
        "DPD",
        "Hermes",
        "GLS",
        "TNT",
        "Chronopost",
        "Colissimo",
        "La Poste",
        "Deutsche Post",
        "PostNL",
        "Poste Italiane",
        "SEUR",
        "Correos",
        "Canada Post",
        "Australia Post",
        "Japan Post",
        "Yamato Transport",
        "Amazon Shipping",
    )
}
# Countries whose StateOrRegion is a state code (elsewhere it is a region's name).
_STATE_CODE_COUNTRIES = ("US", "CA", "MX", "AU", "IN", "BR")
# Payment methods whose buyer pays later (to the carrier): such an order is not paid when it ships.
UNPAID_METHODS = ("COD",)
PAID_STATUSES = ("Unshipped", "PartiallyShipped", "Shipped")


def prices_include_tax(marketplace_id):
    """Whether Amazon's prices include tax on this marketplace."""
    return marketplace_id not in TAX_EXCLUDED_MARKETPLACES


def is_importable(order):
    """Whether the import takes this order (v0 shape) in its current status (see IMPORT_STATUSES)."""
    return order.get("OrderStatus") in IMPORT_STATUSES.get(order.get("FulfillmentChannel"), ())


def order_header(raw, version="v0"):
    """(reference, LastUpdateDate ISO string, the order in v0 shape) of a listed order."""
    order = from_2026(raw)[0] if version == V2026 else raw
    return order["AmazonOrderId"], order.get("LastUpdateDate"), order


def payload_marketplace(payload):
    """The MarketplaceId of a queued payload ({"order", "items"} of v0, {"version", "order"} of 2026)."""
    order = payload.get("order") or {}
    return (
        (order.get("salesChannel") or {}).get("marketplaceId")
        if payload.get("version") == V2026
        else order.get("MarketplaceId")
    )


def payload_to_neutral(payload, included=None):
    """The neutral order of a queued payload, whichever API version read it; `included`: whether
    the marketplace's prices include tax (None: Amazon's usual rule for its marketplace)."""
    if payload.get("version") == V2026:
        order, items = from_2026(payload.get("order") or {})
    else:
        order, items = payload.get("order") or {}, payload.get("items") or []
    if included is None:
        included = prices_include_tax(order.get("MarketplaceId"))
    return to_neutral_order(order, items, prices_include_tax=included)


# ---------------------------------------------------------------------------------------------
# orders
# ---------------------------------------------------------------------------------------------


def _money(value):
    return float(value["Amount"]) if value and value.get("Amount") not in (None, "") else 0.0


def _taxes(amount, parts=1):
    """The neutral taxes of an amount of tax Amazon stated (`parts`: of how many items, each
    rounded to the cent)."""
    return [{"amount": round(amount, 2), "parts": max(parts, 1)}] if amount else []


def _vat(order, buyer):
    tax_info = buyer.get("BuyerTaxInfo") or {}
    return next(
        (
            c.get("Value")
            for c in tax_info.get("TaxClassifications") or []
            if c.get("Name") in ("VATNumber", "VatNumber", "VAT")
        ),
        (order.get("BuyerTaxInformation") or {}).get("BuyerTaxRegistrationId"),
    )


def _company(order, address, buyer):
    """A business buyer's legal name (Amazon Business orders, and orders whose buyer asked for a
    business invoice: BuyerTaxInformation, Turkey)."""
    invoicing = order.get("BuyerTaxInformation") or {}
    if not (order.get("IsBusinessOrder") or invoicing.get("BuyerLegalCompanyName")):
        return None
    tax_info = buyer.get("BuyerTaxInfo") or {}
    return (
        tax_info.get("CompanyLegalName")
        or invoicing.get("BuyerLegalCompanyName")
        or buyer.get("BuyerCompanyName")
        or address.get("CompanyName")
    )


def _destination(address):
    """Where an order whose buyer is hidden goes: country and region, for its fiscal position."""
    country = address.get("CountryCode")
    if not country:
        return None
    return {
        "country_code": country,
        "state_code": address.get("StateOrRegion") if country in _STATE_CODE_COUNTRIES else None,
        "state_name": None if country in _STATE_CODE_COUNTRIES else address.get("StateOrRegion"),
    }


def _address(order, address, buyer, name, company):
    country = address.get("CountryCode")
    return {
        "name": address.get("Name") or name,
        "company": company,
        "street": address.get("AddressLine1"),
        "street2": " ".join(filter(None, [address.get("AddressLine2"), address.get("AddressLine3")])) or None,
        "city": address.get("City"),
        "zip": address.get("PostalCode"),
        "state_code": address.get("StateOrRegion") if country in _STATE_CODE_COUNTRIES else None,
        "state_name": None if country in _STATE_CODE_COUNTRIES else address.get("StateOrRegion"),
        "country_code": country,
        "phone": address.get("Phone"),
        "email": buyer.get("BuyerEmail"),
        "vat": _vat(order, buyer) if company else None,
    }


def _facilitated(item):
    """Whether Amazon collects and remits this item's tax itself (marketplace facilitator,
    deemed reseller): the tax is Amazon's liability, not the seller's."""
    return (item.get("TaxCollection") or {}).get("Model") == "MarketplaceFacilitator"


def _unit_price(amount, quantity):
    """(unit price, extra discount) whose product is `amount` to the cent: a line amount that
    does not divide by its quantity gets the unit price rounded up and the difference as a
    discount, so that Odoo's line total is Amazon's."""
    cents = round(amount * 100)
    unit = math.ceil(cents / quantity) if quantity else 0
    return unit / 100.0, (unit * quantity - cents) / 100.0


def _item_amounts(item, included):
    """The item's amounts as the seller books them: with Amazon's tax as the seller's own, or,
    when Amazon collects it (facilitator), net of it where it was included, without taxes.
    Returns (amounts, tax Amazon keeps)."""
    info = item.get("BuyerInfo") or {}
    gross = {
        "item": ("ItemPrice", "ItemTax"),
        "promo": ("PromotionDiscount", "PromotionDiscountTax"),
        "wrap": ("GiftWrapPrice", "GiftWrapTax"),
        "ship": ("ShippingPrice", "ShippingTax"),
        "ship_disc": ("ShippingDiscount", "ShippingDiscountTax"),
    }
    values = {}
    for key, (price, tax) in gross.items():
        source = info if key == "wrap" else item
        values[key], values[key + "_tax"] = _money(source.get(price)), _money(source.get(tax))
    if not _facilitated(item):
        return values, 0.0
    kept = (
        values["item_tax"]
        + values["wrap_tax"]
        + values["ship_tax"]
        - values["promo_tax"]
        - values["ship_disc_tax"]
    )
    for key in gross:
        if included:
            values[key] -= values[key + "_tax"]
        values[key + "_tax"] = 0.0
    return values, kept


def _lines(items, included, cancelled, with_asin):
    """(neutral lines, shipping charge values, tax Amazon keeps) of an order's items."""
    lines, kept = [], 0.0
    shipping = {"amount": 0.0, "discount": 0.0, "tax": 0.0, "taxed": 0, "facilitated": []}
    for item in items:
        quantity = item.get("QuantityOrdered") or 0
        if not quantity and not cancelled:
            continue
        amounts, collected = _item_amounts(item, included)
        kept += collected
        facilitated = _facilitated(item)
        info = item.get("BuyerInfo") or {}
        unit, rounding = _unit_price(amounts["item"], quantity or 1)
        line = {
            "external_id": item.get("OrderItemId"),
            "sku": item.get("SellerSKU"),
            "name": item.get("Title"),
            "quantity": quantity or 1,
            "unit_price": unit,
            "discount": round(amounts["promo"] + rounding, 2),
            "taxes": _taxes(amounts["item_tax"]),
            "tax_collected_by_marketplace": facilitated,
            "gift_message": info.get("GiftMessageText"),
            "gift_wrap": {
                "amount": round(amounts["wrap"], 2),
                "taxes": _taxes(amounts["wrap_tax"]),
                "code": info.get("GiftWrapLevel"),
                "name": info.get("GiftWrapLevel"),
                "tax_collected_by_marketplace": facilitated,
            }
            if amounts["wrap"]
            else None,
        }
        if with_asin:
            line["product_external_id"] = item.get("ASIN")
        lines.append(line)
        shipping["amount"] += amounts["ship"]
        shipping["discount"] += amounts["ship_disc"]
        shipping["tax"] += amounts["ship_tax"]
        shipping["taxed"] += bool(amounts["ship_tax"])
        if amounts["ship"]:
            shipping["facilitated"].append(facilitated)
    return lines, shipping, kept


def _payment(order):
    """(gateway, payment status): a buyer who pays on delivery has not paid when the order ships."""
    method = order.get("PaymentMethod") or "Other"
    parts = [d.get("PaymentMethod") for d in order.get("PaymentExecutionDetail") or []]
    unpaid = method in UNPAID_METHODS or any(p in UNPAID_METHODS for p in parts)
    gateway = "Amazon" if method == "Other" else "Amazon %s" % method
    if unpaid:
        return gateway, "unpaid"
    return gateway, "paid" if order.get("OrderStatus") in PAID_STATUSES else None


def to_neutral_order(order, items, *, prices_include_tax, with_asin=False):
    """An Amazon order (getOrders/getOrder, v0 shape) and its items (getOrderItems) as a plain
    dict in the shape of schemas.order.Order.

    Buyer: the name, email and address Amazon showed (read with a Restricted Data Token); an
    Amazon Business order's buyer comes with its company (legal name, VAT number, purchase
    order number). When Amazon showed no buyer (no PII role, FBA orders), the order goes to the
    account's anonymous customer, with the destination's country and region as delivery
    address so that fiscal positions (EU one-stop shop) apply.

    Amounts: EU/UK-style marketplaces (`prices_include_tax`) give ItemPrice with VAT and ItemTax
    as its included part; the US gives ItemPrice without tax and ItemTax on top. A line's tax is
    the tax of its full price (ItemTax), its discount the PromotionDiscount; shipping is one
    charge summed over the items (ShippingPrice, ShippingDiscount, ShippingTax), gift wrap a
    charge per line (GiftWrapPrice, GiftWrapTax). Tax that Amazon collects and remits itself
    (TaxCollection MarketplaceFacilitator) is not the seller's: such items carry no tax and
    their net price, and the total is Amazon's less that tax, what the seller is owed. A
    cancelled order keeps its lines (quantity 1 where Amazon reports 0) and has no total.

    `with_asin` puts the ASIN in each line's product_external_id. It is off by default: an FBA
    and an FBM offer of one product share their ASIN, while listings are unique per
    (instance, external id), so offers are told apart by SKU."""
    buyer = order.get("BuyerInfo") or {}
    address = order.get("ShippingAddress") or {}
    company = _company(order, address, buyer)
    name = address.get("Name") or buyer.get("BuyerName")
    total = order.get("OrderTotal") or {}
    currency = total.get("CurrencyCode") or next(
        (i["ItemPrice"]["CurrencyCode"] for i in items if (i.get("ItemPrice") or {}).get("CurrencyCode")),
        CURRENCIES.get(order.get("MarketplaceId"), "USD"),
    )
    status = order.get("OrderStatus")
    cancelled = status == "Canceled"
    lines, shipping, kept = _lines(items, prices_include_tax, cancelled, with_asin)
    gateway, payment_status = _payment(order)
    neutral = {
        "external_id": order["AmazonOrderId"],
        "name": order["AmazonOrderId"],
        "date_order": order.get("PurchaseDate"),
        "currency": currency,
        "fulfilment": "marketplace" if order.get("FulfillmentChannel") == "AFN" else "merchant",
        "status": status,
        "cancelled": cancelled,
        "prices_include_tax": prices_include_tax,
        "total": round(_money(total) - kept, 2) if total and not cancelled else None,
        "lines": lines,
        "marketplace_id": order.get("MarketplaceId"),
        "payment_gateway": gateway,
        "payment_status": payment_status,
        "customer_reference": buyer.get("PurchaseOrderNumber") if company else None,
        "updated_at": order.get("LastUpdateDate"),
        # An FBM order first seen shipped was shipped outside Odoo: nothing left to deliver.
        "shipped": status == "Shipped" and order.get("FulfillmentChannel") != "AFN",
    }
    if shipping["amount"] or shipping["discount"]:
        level = order.get("ShipmentServiceLevelCategory") or service_level(order.get("ShipServiceLevel"))
        neutral["shipping"] = {
            "amount": round(shipping["amount"], 2),
            "discount": round(shipping["discount"], 2),
            "taxes": _taxes(shipping["tax"], shipping["taxed"]),
            "code": level,
            "name": level,
            "tax_collected_by_marketplace": bool(shipping["facilitated"]) and all(shipping["facilitated"]),
        }
    _buyer(neutral, order, name, company)
    return neutral


def _buyer(neutral, order, name, company):
    buyer, address = order.get("BuyerInfo") or {}, order.get("ShippingAddress") or {}
    email = buyer.get("BuyerEmail")
    if not (name or email or company):
        neutral["customer"] = {}  # the account's anonymous customer
        destination = _destination(address)
        if destination:
            neutral["delivery_address"] = destination
        return
    neutral["customer"] = {"name": name or company or email, "email": email}
    if address.get("CountryCode") or company:
        neutral["delivery_address"] = _address(order, address, buyer, name, company)
        neutral["invoice_address"] = dict(neutral["delivery_address"])


# ---------------------------------------------------------------------------------------------
# listings and shipments
# ---------------------------------------------------------------------------------------------


def to_neutral_listing(data, fulfilment=None, marketplace_id=None):
    """An FBA inventory summary (getInventorySummaries) or a listings item (searchListingsItems:
    sku, summaries, attributes, offers, fulfillmentAvailability) as a neutral listing dict:
    sku, external_id (the SKU: Amazon addresses a listing by seller and SKU), barcode (EAN),
    name, price (of `marketplace_id`, else the first offer), fulfilment (FBA when Amazon
    fulfils it), asin. The ASIN is not the external id (see to_neutral_order)."""
    if "sellerSku" in data:  # FBA inventory summary
        details = data.get("inventoryDetails") or {}
        return {
            "sku": data["sellerSku"],
            "name": data.get("productName"),
            "asin": data.get("asin"),
            "fnsku": data.get("fnSku"),
            "fulfilment": fulfilment or "marketplace",
            "quantity": details.get("fulfillableQuantity", data.get("totalQuantity", 0)),
            "total_quantity": data.get("totalQuantity", 0),
        }
    summaries = data.get("summaries") or [{}]
    summary = next((s for s in summaries if s.get("marketplaceId") == marketplace_id), summaries[0])
    offers = data.get("offers") or []
    offer = next((o for o in offers if o.get("marketplaceId") == marketplace_id), offers[0] if offers else {})
    identifiers = (data.get("attributes") or {}).get("externally_assigned_product_identifier") or []
    channels = [f.get("fulfillmentChannelCode") for f in data.get("fulfillmentAvailability") or []]
    return {
        "sku": data.get("sku"),
        "external_id": data.get("sku"),
        "name": summary.get("itemName"),
        "asin": summary.get("asin"),
        "barcode": next(
            (i.get("value") for i in identifiers if (i.get("type") or "").lower() in ("ean", "gtin", "upc")),
            None,
        ),
        "price": float((offer.get("price") or {}).get("amount") or 0) or None,
        "fulfilment": fulfilment
        or ("marketplace" if any(c and c != "DEFAULT" for c in channels) else "merchant"),
    }


def shipment_package(reference, carrier, tracking_number, ship_date, items):
    """The package of a confirmShipment call (see AmazonClient.confirm_shipment): carriers
    Amazon knows go by code, any other as "Other" with its name; items are
    [{order_item_id, quantity}]."""
    return {
        "package_reference_id": str(reference),
        "carrier_code": AMAZON_CARRIERS.get(carrier.lower(), "Other"),
        "carrier_name": carrier,
        "shipping_method": carrier,
        "tracking_number": tracking_number,
        "ship_date": ship_date,
        "items": items,
    }
