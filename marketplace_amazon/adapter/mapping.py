"""Amazon SP-API orders -> the marketplace-neutral order of marketplace_base/schemas/order.py."""


def _money(value):
    return float(value["Amount"]) if value and value.get("Amount") not in (None, "") else 0.0


def _taxes(amount):
    return [{"amount": amount}] if amount else []


def _address(address, buyer, name_fallback):
    tax_info = buyer.get("BuyerTaxInfo") or {}
    vat = next((c.get("Value") for c in tax_info.get("TaxClassifications") or [] if c.get("Name") == "VATNumber"), None)
    return {
        "name": address.get("Name") or buyer.get("BuyerName") or name_fallback,
        "company": address.get("CompanyName") or tax_info.get("CompanyLegalName"),
        "street": address.get("AddressLine1"),
        "street2": " ".join(filter(None, [address.get("AddressLine2"), address.get("AddressLine3")])) or None,
        "city": address.get("City"),
        "zip": address.get("PostalCode"),
        "state_code": address.get("StateOrRegion") if (address.get("CountryCode") in ("US", "CA", "MX", "AU", "IN")) else None,
        "country_code": address.get("CountryCode"),
        "phone": address.get("Phone"),
        "email": buyer.get("BuyerEmail"),
        "vat": vat,
    }


def to_neutral_order(order, items, *, prices_include_tax, anonymous_name="Amazon Customer"):
    """A plain dict in the shape of schemas.order.Order.

    Offers are known by SKU alone: an FBA and an FBM offer of one product share its ASIN.

    Where the account may not read the buyer (no name, no email), the order goes to one
    anonymous customer per marketplace (`anonymous_name`), never to a half-known address."""
    buyer = order.get("BuyerInfo") or {}
    address = order.get("ShippingAddress") or {}
    identified = bool(address.get("Name") or buyer.get("BuyerEmail") or buyer.get("BuyerName"))
    currency = (order.get("OrderTotal") or {}).get("CurrencyCode") or next(
        (i["ItemPrice"]["CurrencyCode"] for i in items if i.get("ItemPrice")), "USD")
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
        lines.append({
            "external_id": item.get("OrderItemId"),
            "sku": item.get("SellerSKU"),
            "name": item.get("Title"),
            # A cancelled order's items come with no quantity; one keeps the line readable.
            "quantity": quantity or 1,
            "unit_price": price / quantity if quantity else 0.0,
            "discount": _money(item.get("PromotionDiscount")),
            "taxes": _taxes(_money(item.get("ItemTax"))),
            "gift_message": info.get("GiftMessageText"),
            "gift_wrap": {"amount": wrap, "taxes": _taxes(_money(info.get("GiftWrapTax"))),
                          "code": info.get("GiftWrapLevel")} if wrap else None,
        })
        shipping["amount"] += _money(item.get("ShippingPrice"))
        shipping["discount"] += _money(item.get("ShippingDiscount"))
        shipping["tax"] += _money(item.get("ShippingTax"))
    neutral = {
        "external_id": order["AmazonOrderId"],
        "name": order["AmazonOrderId"],
        "date_order": order.get("PurchaseDate"),
        "currency": currency,
        "fulfilment": "marketplace" if order.get("FulfillmentChannel") == "AFN" else "merchant",
        "status": order.get("OrderStatus"),
        "cancelled": cancelled,
        "prices_include_tax": prices_include_tax,
        "total": _money(order["OrderTotal"]) if order.get("OrderTotal") and not cancelled else None,
        "lines": lines,
        "marketplace_id": order.get("MarketplaceId"),
        "payment_gateway": "Amazon",
        "payment_status": "paid" if order.get("OrderStatus") in ("Unshipped", "PartiallyShipped", "Shipped") else None,
    }
    if shipping["amount"] or shipping["discount"]:
        neutral["shipping"] = {"amount": shipping["amount"], "discount": shipping["discount"],
                               "taxes": _taxes(shipping["tax"]), "code": order.get("ShipServiceLevel"),
                               "name": order.get("ShipServiceLevel")}
    if identified:
        name = address.get("Name") or buyer.get("BuyerName")
        neutral["customer"] = {"name": name, "email": buyer.get("BuyerEmail")}
        if address.get("Name"):
            neutral["delivery_address"] = _address(address, buyer, name)
            neutral["invoice_address"] = neutral["delivery_address"]
    else:
        neutral["customer"] = {"name": anonymous_name}
    return neutral
