"""Orders 2026-01-01: searchOrders and getOrder (orders_2026-01-01.json).

searchOrders answers up to 100 orders per call, each with its items and the datasets asked for
in `includedData` (BUYER, RECIPIENT, PROCEEDS, FULFILLMENT, TAX, PAYMENT, PROMOTION,
CANCELLATION, PACKAGES, ...), where Orders v0 needs one getOrderItems call per order. Its usage
plan is 0.0056 requests per second, burst 20; getOrder's (here "getOrder2026") 0.5, burst 30.
A page token must come back with the filters of the request that gave it (maxResultsPerPage and
includedData may change), else 400.

Money follows v0's (orders.py `_item_amounts`): the item's proceeds break down into ITEM
(ItemPrice), SHIPPING, GIFT_WRAP, DISCOUNT (negative: ITEM and SHIPPING promotions) and TAX
(detailed by ITEM, SHIPPING, GIFT_WRAP and DISCOUNT). Where the marketplace's prices include VAT,
TAX is the VAT inside the other categories and is not added again; elsewhere it comes on top.
`grandTotal` is v0's OrderTotal. Restricted data (buyer, delivery address, gift messages, the
buyer's tax registration) show as the request's token allows (buyers.py).
"""

import base64
import os
import time

from .buyers import BUYER_INFO
from .data import ADDRESSES, MARKETPLACES, NAMES, iso, parse_iso
from .orders import RESPONSIBLE_PARTY

FULFILLMENT_STATUS = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
    "InvoiceUnconfirmed": "SHIPPED",
}
INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
FILTERS = (
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "fulfillmentStatuses",
    "marketplaceIds",
    "fulfilledBy",
)
PAYMENT_METHOD = {"Other": "Other", "COD": "CashOnDelivery", "CVS": "ConvenienceStore"}
EU_RESPONSIBLE_PARTY = "Amazon Services Europe S.a.r.L."


def money26(currency, cents):
    return {"amount": "%.2f" % (cents / 100.0), "currencyCode": currency}


class Orders2026Mixin:
    # -- handlers ---------------------------------------------------------------------------------
    def _search_orders(self, req):
        if not self.orders_2026:
            return self._errors(
                403,
                [
                    {
                        "code": "Unauthorized",
                        "message": "Access to requested resource is denied.",
                        "details": "The application is not authorized for Orders API 2026-01-01.",
                    }
                ],
            )
        included, err = self._included_data(req)
        if err:
            return err
        size, err = self._page_size(req)
        if err:
            return err
        filters = {name: sorted(req.args(name)) for name in FILTERS if req.args(name)}
        token = req.arg("paginationToken")
        if token:
            cursor = self.search_cursors.get(token)
            if cursor is None:
                return self.error_response(400, "Invalid paginationToken: the token is unknown or expired")
            if cursor["filters"] != filters:
                return self.error_response(
                    400,
                    "A paginationToken must come with the filters of the request that "
                    "gave it (only maxResultsPerPage and includedData may change)",
                )
            del self.search_cursors[token]
            return self._search_page(
                cursor["matched"], cursor["offset"], size, cursor["extra"], filters, included, req.pii
            )
        matched, extra, err = self._search_match(req)
        if err:
            return err
        return self._search_page(matched, 0, size, extra, filters, included, req.pii)

    def _get_order_2026(self, req, order_id):
        if not self.orders_2026:
            return self._errors(
                403,
                [
                    {
                        "code": "Unauthorized",
                        "message": "Access to requested resource is denied.",
                        "details": "The application is not authorized for Orders API 2026-01-01.",
                    }
                ],
            )
        included, err = self._included_data(req)
        if err:
            return err
        order, err = self._order_or_404(order_id)
        return err or self._ok(200, {"order": self._render_order_2026(order, included, req.pii)})

    def _included_data(self, req):
        included = req.args("includedData")
        unknown = [value for value in included if value not in INCLUDED_DATA]
        if unknown:
            return None, self.error_response(400, "Invalid includedData value(s): %s" % ", ".join(unknown))
        return frozenset(included), None

    def _page_size(self, req):
        try:
            size = int(req.arg("maxResultsPerPage", "100"))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return None, self.error_response(400, "maxResultsPerPage must be between 1 and 100")
        return size, None

    def _search_match(self, req):
        """(orders matching the first request's filters, the bound to answer, None) or an error."""
        now = time.time()
        bounds = {}
        for name in FILTERS[:4]:
            if req.arg(name) is not None:
                bounds[name] = parse_iso(req.arg(name))
                if bounds[name] is None:
                    return None, None, self.error_response(400, "%s is not a valid ISO 8601 date-time" % name)
        problem = self._search_bounds_problem(bounds, now)
        statuses, channels = set(req.args("fulfillmentStatuses")), set(req.args("fulfilledBy"))
        ids = req.args("marketplaceIds") or list(self.participations)
        problem = problem or (
            statuses - set(FULFILLMENT_STATUS.values())
            and "Invalid fulfillmentStatuses value(s)"
            or channels - {"MERCHANT", "AMAZON"}
            and "Invalid fulfilledBy value(s)"
            or len(ids) > 50
            and "marketplaceIds may contain at most 50 values"
            or any(m not in self.participations for m in ids)
            and "Invalid marketplaceIds: %s" % ids
        )
        if problem:
            return None, None, self.error_response(400, problem)
        if "createdAfter" in bounds:
            key, lo, hi = "p", bounds["createdAfter"], bounds.get("createdBefore", now)
            extra = {"createdBefore": iso(hi)}
        else:
            key, lo, hi = "u", bounds["lastUpdatedAfter"], bounds.get("lastUpdatedBefore", now)
            extra = {"lastUpdatedBefore": iso(hi)}
        mps = set(ids)
        matched = [
            o
            for o in self._candidates(key, lo, hi)
            if o["mp"] in mps
            and (not statuses or FULFILLMENT_STATUS[o["st"]] in statuses)
            and (not channels or ("AMAZON" if o["ch"] == "AFN" else "MERCHANT") in channels)
        ]
        return matched, extra, None

    @staticmethod
    def _search_bounds_problem(bounds, now):
        if ("createdAfter" in bounds) == ("lastUpdatedAfter" in bounds):
            return "Exactly one of createdAfter and lastUpdatedAfter must be provided"
        if "createdAfter" in bounds and ({"lastUpdatedAfter", "lastUpdatedBefore"} & set(bounds)):
            return "lastUpdatedAfter and lastUpdatedBefore cannot be set when createdAfter is set"
        if "lastUpdatedAfter" in bounds and "createdBefore" in bounds:
            return "createdBefore cannot be set when lastUpdatedAfter is set"
        for after, before in (("createdAfter", "createdBefore"), ("lastUpdatedAfter", "lastUpdatedBefore")):
            if before in bounds and after in bounds and bounds[before] < bounds[after]:
                return "%s must be equal to or after %s" % (before, after)
            if after in bounds and bounds[after] > now:
                return "%s is in the future" % after
        return None

    def _search_page(self, matched, offset, size, extra, filters, included, pii):
        out = {"orders": [self._render_order_2026(o, included, pii) for o in matched[offset : offset + size]]}
        if offset + size < len(matched):
            token = base64.urlsafe_b64encode(os.urandom(24)).decode()
            self.search_cursors[token] = {
                "matched": matched,
                "offset": offset + size,
                "extra": extra,
                "filters": filters,
            }
            while len(self.search_cursors) > 2000:
                self.search_cursors.popitem(last=False)
            out["pagination"] = {"nextToken": token}
        out.update(extra)
        return self._ok(200, out)

    # -- rendering --------------------------------------------------------------------------------
    def _render_order_2026(self, order, included, pii):
        mp = MARKETPLACES[order["mp"]]
        out = {
            "orderId": order["id"],
            "createdTime": iso(order["p"]),
            "lastUpdatedTime": iso(order["u"]),
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": order["mp"], "marketplaceName": mp[1]},
            "orderItems": [self._render_item_2026(order, it, included, pii) for it in order["items"]],
        }
        if order["seller_order_id"]:
            out["orderAliases"] = [{"aliasId": order["seller_order_id"], "aliasType": "SELLER_ORDER_ID"}]
        programs = (["AMAZON_BUSINESS"] if order["b2b"] else []) + (["PRIME"] if order["prime"] else [])
        if programs:
            out["programs"] = programs
        canceled = order["st"] == "Canceled"
        if "BUYER" in included and self._buyer_2026(order, pii):
            out["buyer"] = self._buyer_2026(order, pii)
        if "RECIPIENT" in included and not canceled:
            out["recipient"] = {"deliveryAddress": self._delivery_address_2026(order, pii)}
        priced = self._priced(order) and not canceled
        if "PROCEEDS" in included and priced:
            out["proceeds"] = self._order_proceeds(order)
        if "FULFILLMENT" in included:
            out["fulfillment"] = self._order_fulfillment(order)
        if "TAX" in included and order["b2b"] and BUYER_INFO in pii:
            out["tax"] = {"taxRegistrations": [self._buyer_registration(order)]}
        if "PAYMENT" in included and priced:
            out["payment"] = {
                "paymentExecutions": [
                    {
                        "paymentMethod": PAYMENT_METHOD[order["payment"]],
                        "paymentAmount": money26(mp[2], self._order_amounts(order)),
                    }
                ]
            }
        if "PACKAGES" in included and order["ch"] == "MFN":
            out["packages"] = self._packages_2026(order)
        return out

    def _buyer_2026(self, order, pii):
        if BUYER_INFO not in pii:
            return {}
        buyer = {}
        if order["ch"] == "MFN":
            buyer.update(buyerName=NAMES[order["buyer"]], buyerEmail=self._buyer_email(order))
        if order["b2b"]:
            buyer.update(
                buyerCompanyName=order["company"], buyerPurchaseOrderNumber=self._purchase_order(order)
            )
        return buyer

    def _delivery_address_2026(self, order, pii):
        v0 = self._address(order, pii)
        keys = (
            ("Name", "name"),
            ("CompanyName", "companyName"),
            ("AddressLine1", "addressLine1"),
            ("AddressLine2", "addressLine2"),
            ("City", "city"),
            ("StateOrRegion", "stateOrRegion"),
            ("PostalCode", "postalCode"),
            ("CountryCode", "countryCode"),
            ("Phone", "phone"),
        )
        out = {new: v0[old] for old, new in keys if v0.get(old)}
        if v0.get("AddressType"):
            out["addressType"] = v0["AddressType"].upper()
        return out

    def _buyer_registration(self, order):
        parts = ADDRESSES[order["country"]][order["addr"]]
        registration = {
            "entityType": "BUYER",
            "legalName": order["company"],
            "taxRegistrationAddress": {
                "companyName": order["company"],
                "addressLine1": parts[0],
                "city": parts[2],
                "postalCode": parts[4],
                "countryCode": order["country"],
            },
        }
        if order["vat"]:
            registration.update(taxRegistrationType="VAT", taxRegistrationNumber=order["vat"])
        return registration

    def _order_fulfillment(self, order):
        p = order["p"]
        return {
            "fulfillmentStatus": FULFILLMENT_STATUS[order["st"]],
            "fulfilledBy": "AMAZON" if order["ch"] == "AFN" else "MERCHANT",
            "fulfillmentServiceLevel": order["level"].upper(),
            "shipByWindow": {"earliestDateTime": iso(p + 86400), "latestDateTime": iso(p + 2 * 86400)},
        }

    def _order_proceeds(self, order):
        currency = MARKETPLACES[order["mp"]][2]
        totals = {}
        for it in order["items"]:
            for entry in self._item_breakdowns(order, it, currency):
                totals[entry["type"]] = totals.get(entry["type"], 0) + round(
                    float(entry["subtotal"]["amount"]) * 100
                )
        return {
            "grandTotal": money26(currency, self._order_amounts(order)),
            "breakdowns": [
                {"type": kind, "subtotal": money26(currency, cents)} for kind, cents in totals.items()
            ],
        }

    def _packages_2026(self, order):
        return [
            {
                "packageReferenceId": s["packageReferenceId"],
                "carrier": s["carrierCode"],
                "shipTime": s["shipDate"],
                "trackingNumber": s["trackingNumber"],
                "packageItems": [
                    {"orderItemId": i["orderItemId"], "quantity": i["quantity"]} for i in s["orderItems"]
                ],
            }
            for s in self.shipments
            if s["amazonOrderId"] == order["id"]
        ]

    def _render_item_2026(self, order, it, included, pii):
        mp = MARKETPLACES[order["mp"]]
        product = self.products.get(it["sku"]) or {}
        canceled = order["st"] == "Canceled"
        priced = self._priced(order) and not canceled
        item = {
            "orderItemId": it["id"],
            "quantityOrdered": 0 if canceled else it["qty"],
            "product": {
                "asin": product.get("asin", "B000000000"),
                "title": product.get("title", it["sku"]),
                "sellerSku": it["sku"],
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            },
        }
        if priced:
            item["product"]["price"] = {"unitPrice": money26(mp[2], it["unit"])}
            if order["b2b"]:
                item["product"]["price"]["priceDesignation"] = "BUSINESS_PRICE"
        if "PROCEEDS" in included and priced:
            breakdowns = self._item_breakdowns(order, it, mp[2])
            total = sum(
                round(float(b["subtotal"]["amount"]) * 100)
                for b in breakdowns
                if b["type"] != "TAX" or not mp[8]
            )
            item["proceeds"] = {"proceedsTotal": money26(mp[2], total), "breakdowns": breakdowns}
        if "FULFILLMENT" in included:
            item["fulfillment"] = self._item_fulfillment(order, it, pii)
        if "PROMOTION" in included and it["promo_id"]:
            item["promotion"] = {"breakdowns": [{"promotionId": it["promo_id"]}]}
        if "TAX" in included and order["facilitator"] and priced:
            item["tax"] = self._item_tax_2026(order)
        if "CANCELLATION" in included and canceled:
            item["cancellation"] = {
                "cancellationRequest": {"requester": "BUYER", "cancelReason": "Found cheaper somewhere else."}
            }
        return item

    def _item_fulfillment(self, order, it, pii):
        shipped = 0 if order["st"] == "Canceled" else it["shipped"]
        out = {
            "quantityFulfilled": shipped,
            "quantityUnfulfilled": 0 if order["st"] == "Canceled" else it["qty"] - shipped,
        }
        if order["gift"]:
            gift = {"giftWrapLevel": "Classic"}
            if self._gift_message(it, pii):
                gift["giftMessage"] = it["msg"]
            out["packing"] = {"giftOption": gift}
        return out

    def _item_tax_2026(self, order):
        party = RESPONSIBLE_PARTY.get(order["mp"], EU_RESPONSIBLE_PARTY)
        out = {"taxCollections": [{"model": "MARKETPLACE_FACILITATOR", "responsibleParty": party}]}
        if order["mp"] not in RESPONSIBLE_PARTY:
            scheme = "UOSS" if order["country"] == MARKETPLACES[order["mp"]][0] else "IOSS"
            out["taxCalculationBreakdowns"] = [{"reportingScheme": scheme}]
        return out

    def _item_breakdowns(self, order, it, currency):
        a = self._item_amounts(order, it)
        out = [{"type": "ITEM", "subtotal": money26(currency, a["item"])}]
        if a["ship"]:
            out.append({"type": "SHIPPING", "subtotal": money26(currency, a["ship"])})
        if a["wrap"]:
            out.append({"type": "GIFT_WRAP", "subtotal": money26(currency, a["wrap"])})
        if a["promo"] or a["ship_disc"]:
            out.append(
                {
                    "type": "DISCOUNT",
                    "subtotal": money26(currency, -a["promo"] - a["ship_disc"]),
                    "detailedBreakdowns": [
                        {"subtype": sub, "value": money26(currency, -cents)}
                        for sub, cents in (("ITEM", a["promo"]), ("SHIPPING", a["ship_disc"]))
                        if cents
                    ],
                }
            )
        taxes = [
            ("ITEM", a["item_tax"]),
            ("SHIPPING", a["ship_tax"]),
            ("GIFT_WRAP", a["wrap_tax"]),
            ("DISCOUNT", -a["promo_tax"] - a["ship_disc_tax"]),
        ]
        out.append(
            {
                "type": "TAX",
                "subtotal": money26(currency, sum(cents for _sub, cents in taxes)),
                "detailedBreakdowns": [
                    {"subtype": sub, "value": money26(currency, cents)} for sub, cents in taxes if cents
                ],
            }
        )
        return out
