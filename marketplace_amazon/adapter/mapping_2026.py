"""An Orders 2026-01-01 order (searchOrders, getOrder) in the shape of Orders v0 (getOrder +
getOrderItems), so that both versions go through one mapping (mapping.py) to the same neutral
order. Plain dicts in, plain dicts out; no Odoo.

What moves where:

* orderId, createdTime, lastUpdatedTime, salesChannel.marketplaceId -> AmazonOrderId,
  PurchaseDate, LastUpdateDate, MarketplaceId; fulfillment.fulfillmentStatus and fulfilledBy ->
  OrderStatus and FulfillmentChannel; fulfillmentServiceLevel -> ShipmentServiceLevelCategory;
  programs AMAZON_BUSINESS -> IsBusinessOrder; proceeds.grandTotal -> OrderTotal;
  payment.paymentExecutions -> PaymentMethod (CashOnDelivery -> COD, ConvenienceStore -> CVS);
* buyer (buyerName, buyerEmail, buyerCompanyName, buyerPurchaseOrderNumber) and the BUYER's tax
  registration (legalName, VAT number) -> BuyerInfo with BuyerTaxInfo;
  recipient.deliveryAddress -> ShippingAddress;
* each item's proceeds breakdowns: ITEM -> ItemPrice, SHIPPING -> ShippingPrice, GIFT_WRAP ->
  GiftWrapPrice, DISCOUNT (negative) by ITEM / SHIPPING -> PromotionDiscount /
  ShippingDiscount, TAX by ITEM, SHIPPING, GIFT_WRAP -> ItemTax, ShippingTax, GiftWrapTax (its
  DISCOUNT part is the discounts' tax, shared between them by amount); packing.giftOption ->
  GiftMessageText, GiftWrapLevel; tax.taxCollections MARKETPLACE_FACILITATOR -> TaxCollection.
"""

STATUSES = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
PAYMENT_METHODS = {"CashOnDelivery": "COD", "ConvenienceStore": "CVS"}
ADDRESS_KEYS = (
    ("name", "Name"),
    ("companyName", "CompanyName"),
    ("addressLine1", "AddressLine1"),
    ("addressLine2", "AddressLine2"),
    ("addressLine3", "AddressLine3"),
    ("city", "City"),
    ("districtOrCounty", "County"),
    ("stateOrRegion", "StateOrRegion"),
    ("postalCode", "PostalCode"),
    ("countryCode", "CountryCode"),
    ("phone", "Phone"),
)


def service_level(value):
    """STANDARD -> Standard, FREE_ECONOMY -> FreeEconomy (v0's ShipmentServiceLevelCategory)."""
    return "".join(part.capitalize() for part in (value or "").split("_")) or None


def _money(value):
    if not value or value.get("amount") in (None, ""):
        return None
    return {"Amount": "%.2f" % float(value["amount"]), "CurrencyCode": value.get("currencyCode")}


def _cents(value):
    return round(float(value["amount"]) * 100) if value and value.get("amount") not in (None, "") else 0


def _amount(cents, currency):
    return {"Amount": "%.2f" % (cents / 100.0), "CurrencyCode": currency}


def from_2026(order):
    """(order, items) in the v0 shape of a 2026-01-01 order read with the connector's includedData."""
    fulfillment = order.get("fulfillment") or {}
    proceeds = order.get("proceeds") or {}
    v0 = {
        "AmazonOrderId": order["orderId"],
        "PurchaseDate": order.get("createdTime"),
        "LastUpdateDate": order.get("lastUpdatedTime"),
        "OrderStatus": STATUSES.get(fulfillment.get("fulfillmentStatus")),
        "FulfillmentChannel": "AFN" if fulfillment.get("fulfilledBy") == "AMAZON" else "MFN",
        "MarketplaceId": (order.get("salesChannel") or {}).get("marketplaceId"),
        "ShipmentServiceLevelCategory": service_level(fulfillment.get("fulfillmentServiceLevel")),
        "IsBusinessOrder": "AMAZON_BUSINESS" in (order.get("programs") or []),
        "PaymentMethod": _payment_method(order),
    }
    if _money(proceeds.get("grandTotal")):
        v0["OrderTotal"] = _money(proceeds["grandTotal"])
    address = (order.get("recipient") or {}).get("deliveryAddress") or {}
    if address:
        v0["ShippingAddress"] = {new: address[old] for old, new in ADDRESS_KEYS if address.get(old)}
    buyer = _buyer(order)
    if buyer:
        v0["BuyerInfo"] = buyer
    return v0, [_item(item) for item in order.get("orderItems") or []]


def _payment_method(order):
    methods = [e.get("paymentMethod") for e in (order.get("payment") or {}).get("paymentExecutions") or []]
    return next((PAYMENT_METHODS[m] for m in methods if m in PAYMENT_METHODS), "Other")


def _buyer(order):
    buyer = order.get("buyer") or {}
    out = {
        key: buyer[old]
        for old, key in (
            ("buyerEmail", "BuyerEmail"),
            ("buyerName", "BuyerName"),
            ("buyerCompanyName", "BuyerCompanyName"),
            ("buyerPurchaseOrderNumber", "PurchaseOrderNumber"),
        )
        if buyer.get(old)
    }
    registration = next(
        (r for r in (order.get("tax") or {}).get("taxRegistrations") or [] if r.get("entityType") == "BUYER"),
        None,
    )
    if registration:
        tax = {"CompanyLegalName": registration.get("legalName")}
        if registration.get("taxRegistrationNumber"):
            kind = registration.get("taxRegistrationType")
            tax["TaxClassifications"] = [
                {
                    "Name": "VATNumber" if kind in (None, "VAT") else kind,
                    "Value": registration["taxRegistrationNumber"],
                }
            ]
        out["BuyerTaxInfo"] = tax
    return out


def _item(item):
    product = item.get("product") or {}
    fulfillment = item.get("fulfillment") or {}
    out = {
        "OrderItemId": item.get("orderItemId"),
        "SellerSKU": product.get("sellerSku"),
        "ASIN": product.get("asin"),
        "Title": product.get("title"),
        "QuantityOrdered": item.get("quantityOrdered") or 0,
        "QuantityShipped": fulfillment.get("quantityFulfilled") or 0,
    }
    out.update(_item_money(item))
    gift = ((fulfillment.get("packing") or {}).get("giftOption")) or {}
    if gift:
        info = out.setdefault("BuyerInfo", {})
        if gift.get("giftMessage"):
            info["GiftMessageText"] = gift["giftMessage"]
        if gift.get("giftWrapLevel"):
            info["GiftWrapLevel"] = gift["giftWrapLevel"]
    collections = (item.get("tax") or {}).get("taxCollections") or []
    if any(c.get("model") == "MARKETPLACE_FACILITATOR" for c in collections):
        out["TaxCollection"] = {
            "Model": "MarketplaceFacilitator",
            "ResponsibleParty": collections[0].get("responsibleParty"),
        }
    return out


def _item_money(item):
    """ItemPrice, ItemTax, ShippingPrice... of the item's proceeds breakdowns (none before Amazon
    priced the order)."""
    breakdowns = {b.get("type"): b for b in (item.get("proceeds") or {}).get("breakdowns") or []}
    if not breakdowns:
        return {}
    currency = next(
        (b["subtotal"].get("currencyCode") for b in breakdowns.values() if b.get("subtotal")), None
    )

    def part(kind, subtype=None):
        entry = breakdowns.get(kind) or {}
        if subtype is None:
            return _cents(entry.get("subtotal"))
        return sum(
            _cents(d.get("value"))
            for d in entry.get("detailedBreakdowns") or []
            if d.get("subtype") == subtype
        )

    promo, ship_disc = -part("DISCOUNT", "ITEM"), -part("DISCOUNT", "SHIPPING")
    discount_tax = -part("TAX", "DISCOUNT")
    promo_tax = round(discount_tax * promo / (promo + ship_disc)) if promo + ship_disc else 0
    cents = {
        "ItemPrice": part("ITEM"),
        "ItemTax": part("TAX", "ITEM"),
        "ShippingPrice": part("SHIPPING"),
        "ShippingTax": part("TAX", "SHIPPING"),
        "PromotionDiscount": promo,
        "PromotionDiscountTax": promo_tax,
        "ShippingDiscount": ship_disc,
        "ShippingDiscountTax": discount_tax - promo_tax,
    }
    out = {key: _amount(value, currency) for key, value in cents.items()}
    if part("GIFT_WRAP"):
        out["BuyerInfo"] = {
            "GiftWrapPrice": _amount(part("GIFT_WRAP"), currency),
            "GiftWrapTax": _amount(part("TAX", "GIFT_WRAP"), currency),
        }
    return out
