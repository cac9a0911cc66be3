"""Amazon SP-API payloads -> the marketplace-neutral structures of marketplace_base/schemas
(order.py: Order, Line, Charge, Tax, Address, Customer). Plain dicts in, plain dicts out; no Odoo."""

# Orders the import asks for: FBA (AFN) orders once Amazon shipped or cancelled them, FBM (MFN)
# orders as soon as they can ship. Pending orders carry no prices and are never imported.
IMPORT_STATUSES = {
    "AFN": ("Shipped", "Canceled"),
    "MFN": ("Unshipped", "PartiallyShipped", "Shipped", "Canceled"),
}
ALL_IMPORT_STATUSES = ["Unshipped", "PartiallyShipped", "Shipped", "Canceled"]

# Marketplaces whose prices exclude tax (sales tax comes on top); everywhere else Amazon's
# ItemPrice includes VAT/GST and ItemTax is the included part.
TAX_EXCLUDED_MARKETPLACES = {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}  # Amazon.com, Amazon.ca
CURRENCIES = {
    "ATVPDKIKX0DER": "USD", "A2EUQ1WTGCTBG2": "CAD", "A1AM78C64UM0Y8": "MXN", "A2Q3Y263D00KWC": "BRL",
    "A1PA6795UKMFR9": "EUR", "A13V1IB3VIYZZH": "EUR", "APJ6JRA9NG5V4": "EUR", "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR", "AMEN7PMS3EDWL": "EUR", "A28R8C7NBKEWEA": "EUR", "A1F83G8C2ARO7P": "GBP",
    "A2NODRKZP88ZB9": "SEK", "A1C3SOZRARQ6R3": "PLN", "A33AVAJ2PDY3EV": "TRY", "A2VIGQ35RCS4UG": "AED",
    "A17E79C6D8DWNP": "SAR", "ARBP9OOSHTCHU": "EGP", "A21TJRUUN4KGV": "INR", "AE08WJ6YKNBMC": "ZAR",
    "A1VC38T7YXB528": "JPY", "A39IBJ37TRP1C6": "AUD", "A19VAU5U5O7RUS": "SGD",
}
# Carriers Amazon knows by code; any other carrier is sent as "Other" with its exact name.
AMAZON_CARRIERS = {
    c.lower(): c for c in (
        "UPS", "USPS", "FedEx", "DHL", "DHL eCommerce", "Royal Mail", "Parcelforce", "DPD", "Hermes",
        "GLS", "TNT", "Chronopost", "Colissimo", "La Poste", "Deutsche Post", "PostNL", "Poste Italiane",
        "SEUR", "Correos", "Canada Post", "Australia Post", "Japan Post", "Yamato Transport", "Amazon Shipping",
    )
}
# Countries whose StateOrRegion is a state code (elsewhere it is a region's name).
_STATE_CODE_COUNTRIES = ("US", "CA", "MX", "AU", "IN", "BR")


def prices_include_tax(marketplace_id):
    """Whether Amazon's prices include tax on this marketplace."""
    return marketplace_id not in TAX_EXCLUDED_MARKETPLACES


def is_importable(order):
    """Whether the import takes this order in its current status (see IMPORT_STATUSES)."""
    return order.get("OrderStatus") in IMPORT_STATUSES.get(order.get("FulfillmentChannel"), ())


def _money(value):
    return float(value["Amount"]) if value and value.get("Amount") not in (None, "") else 0.0


def _taxes(amount):
    return [{"amount": round(amount, 2)}] if amount else []


def _vat(buyer):
    tax_info = buyer.get("BuyerTaxInfo") or {}
    return next((c.get("Value") for c in tax_info.get("TaxClassifications") or []
                 if c.get("Name") in ("VATNumber", "VatNumber", "VAT")), None)


def _company(address, buyer):
    tax_info = buyer.get("BuyerTaxInfo") or {}
    return address.get("CompanyName") or buyer.get("BuyerCompanyName") or tax_info.get("CompanyLegalName")


def _address(address, buyer, name):
    country = address.get("CountryCode")
    return {
        "name": address.get("Name") or name,
        "company": _company(address, buyer),
        "street": address.get("AddressLine1"),
        "street2": " ".join(filter(None, [address.get("AddressLine2"), address.get("AddressLine3")])) or None,
        "city": address.get("City"),
        "zip": address.get("PostalCode"),
        "state_code": address.get("StateOrRegion") if country in _STATE_CODE_COUNTRIES else None,
        "country_code": country,
        "phone": address.get("Phone"),
        "email": buyer.get("BuyerEmail"),
        "vat": _vat(buyer),
    }


def to_neutral_order(order, items, *, prices_include_tax, anonymous=False, anonymous_name="Amazon Customer",
                     with_asin=False):
    """An Amazon order (getOrders/getOrder) and its items (getOrderItems) as a plain dict in the
    shape of schemas.order.Order.

    The buyer (BuyerInfo) and the address (ShippingAddress) are used when the account may read
    them; with `anonymous`, or when Amazon gave neither a name nor an email (no PII role, FBA
    orders), the order goes to one anonymous customer (`anonymous_name`), never to a half-known
    address.

    `with_asin` puts the ASIN in each line's product_external_id. It is off by default: an FBA
    and an FBM offer of one product share their ASIN, while listings are unique per
    (instance, external id), so offers are told apart by SKU.

    Amounts: EU/UK-style marketplaces (`prices_include_tax`) give ItemPrice with VAT and ItemTax
    as its included part; the US gives ItemPrice without tax and ItemTax on top. A line's tax is
    the tax of its full price (ItemTax), its discount the PromotionDiscount; shipping is one
    charge summed over the items (ShippingPrice, ShippingDiscount, ShippingTax), gift wrap a
    charge per line (GiftWrapPrice, GiftWrapTax). A cancelled order keeps its lines (quantity 1
    where Amazon reports 0) and has no total."""
    buyer = order.get("BuyerInfo") or {}
    address = order.get("ShippingAddress") or {}
    name = address.get("Name") or buyer.get("BuyerName")
    identified = not anonymous and bool(name or buyer.get("BuyerEmail"))
    total = order.get("OrderTotal") or {}
    currency = total.get("CurrencyCode") or next(
        (i["ItemPrice"]["CurrencyCode"] for i in items if (i.get("ItemPrice") or {}).get("CurrencyCode")),
        CURRENCIES.get(order.get("MarketplaceId"), "USD"))
    cancelled = order.get("OrderStatus") == "Canceled"
    lines = []
    shipping = {"amount": 0.0, "discount": 0.0, "tax": 0.0}
    for item in items:
        quantity = item.get("QuantityOrdered") or 0
        if not quantity and not cancelled:
            continue
        price = _money(item.get("ItemPrice"))
        info = item.get("BuyerInfo") or {}
        wrap = _money(info.get("GiftWrapPrice"))
        line = {
            "external_id": item.get("OrderItemId"),
            "sku": item.get("SellerSKU"),
            "name": item.get("Title"),
            "quantity": quantity or 1,
            "unit_price": price / quantity if quantity else 0.0,
            "discount": _money(item.get("PromotionDiscount")),
            "taxes": _taxes(_money(item.get("ItemTax"))),
            "gift_message": info.get("GiftMessageText"),
            "gift_wrap": {"amount": wrap, "taxes": _taxes(_money(info.get("GiftWrapTax"))),
                          "code": info.get("GiftWrapLevel"), "name": info.get("GiftWrapLevel")} if wrap else None,
        }
        if with_asin:
            line["product_external_id"] = item.get("ASIN")
        lines.append(line)
        shipping["amount"] += _money(item.get("ShippingPrice"))
        shipping["discount"] += _money(item.get("ShippingDiscount"))
        shipping["tax"] += _money(item.get("ShippingTax"))
    status = order.get("OrderStatus")
    neutral = {
        "external_id": order["AmazonOrderId"],
        "name": order["AmazonOrderId"],
        "date_order": order.get("PurchaseDate"),
        "currency": currency,
        "fulfilment": "marketplace" if order.get("FulfillmentChannel") == "AFN" else "merchant",
        "status": status,
        "cancelled": cancelled,
        "prices_include_tax": prices_include_tax,
        "total": _money(total) if total and not cancelled else None,
        "lines": lines,
        "marketplace_id": order.get("MarketplaceId"),
        "payment_gateway": "Amazon",
        "payment_status": "paid" if status in ("Unshipped", "PartiallyShipped", "Shipped") else None,
        "updated_at": order.get("LastUpdateDate"),
        # An FBM order first seen shipped was shipped outside Odoo: nothing left to deliver.
        "shipped": status == "Shipped" and order.get("FulfillmentChannel") != "AFN",
    }
    if shipping["amount"] or shipping["discount"]:
        neutral["shipping"] = {"amount": round(shipping["amount"], 2), "discount": round(shipping["discount"], 2),
                               "taxes": _taxes(shipping["tax"]), "code": order.get("ShipServiceLevel"),
                               "name": order.get("ShipServiceLevel")}
    if identified:
        neutral["customer"] = {"name": name or buyer.get("BuyerEmail"), "email": buyer.get("BuyerEmail")}
        if address.get("Name"):
            neutral["delivery_address"] = _address(address, buyer, name)
            neutral["invoice_address"] = dict(neutral["delivery_address"])
    else:
        neutral["customer"] = {"name": anonymous_name}
    return neutral


def to_neutral_listing(data, fulfilment=None):
    """An FBA inventory summary (getInventorySummaries) or a listings item (Listings Items API:
    sku, summaries[]) as a neutral listing dict: sku, name, asin, fulfilment, and for FBA
    summaries the fulfillable and total quantities. The ASIN is not the external id (see
    to_neutral_order)."""
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
    summary = (data.get("summaries") or [{}])[0]
    return {
        "sku": data.get("sku"),
        "name": summary.get("itemName"),
        "asin": summary.get("asin"),
        "fulfilment": fulfilment or "merchant",
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
