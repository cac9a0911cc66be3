"""Orders v0: getOrders, getOrder, getOrderItems, getOrderItemsBuyerInfo, getOrderAddress,
getOrderBuyerInfo, each showing the buyer as the request's token allows (buyers.py)."""

import base64
import os
import time

from .data import MARKETPLACES, ORDER_STATUSES, iso, money, parse_iso
from .orders import RESPONSIBLE_PARTY

DAY = 86400
PAYMENT_DETAILS = {"Other": ["Standard"], "COD": ["CashOnDelivery"], "CVS": ["ConvenienceStore"]}


class OrdersV0Mixin:
    def _render_order(self, order, pii=frozenset()):
        mp = MARKETPLACES[order["mp"]]
        status = order["st"]
        live = [] if status == "Canceled" else order["items"]
        p = order["p"]
        out = {
            "AmazonOrderId": order["id"],
            "PurchaseDate": iso(p),
            "LastUpdateDate": iso(order["u"]),
            "OrderStatus": status,
            "FulfillmentChannel": order["ch"],
            "SalesChannel": mp[1],
            "ShipServiceLevel": ("%s %s" % ("Exp" if order["level"] == "Expedited" else "Std", mp[0])),
        }
        if self._priced(order) and status != "Canceled":
            out["OrderTotal"] = money(mp[2], self._order_amounts(order))
            if order["payment"] != "Other":
                out["PaymentExecutionDetail"] = [
                    {"Payment": out["OrderTotal"], "PaymentMethod": order["payment"]}
                ]
        out.update(
            {
                "NumberOfItemsShipped": sum(it["shipped"] for it in live),
                "NumberOfItemsUnshipped": sum(it["qty"] - it["shipped"] for it in live),
                "PaymentMethod": order["payment"],
                "PaymentMethodDetails": PAYMENT_DETAILS[order["payment"]],
                "MarketplaceId": order["mp"],
                "ShipmentServiceLevelCategory": order["level"],
                "OrderType": "StandardOrder",
                "EarliestShipDate": iso(p + DAY),
                "LatestShipDate": iso(p + 2 * DAY),
                "EarliestDeliveryDate": iso(p + 3 * DAY),
                "LatestDeliveryDate": iso(p + 6 * DAY),
                "IsBusinessOrder": order["b2b"],
                "IsPrime": order["prime"],
                "IsPremiumOrder": False,
                "IsGlobalExpressEnabled": False,
                "IsReplacementOrder": False,
                "IsSoldByAB": False,
                "IsISPU": False,
                "IsAccessPointOrder": False,
            }
        )
        if order["seller_order_id"]:
            out["SellerOrderId"] = order["seller_order_id"]
        if order["ch"] == "MFN":
            out["AutomatedShippingSettings"] = {"HasAutomatedShippingSettings": False}
        if status != "Canceled":
            out["ShippingAddress"] = self._address(order, pii)
        buyer = self._buyer_info(order, pii)
        if buyer:
            out["BuyerInfo"] = buyer
        return out

    def _render_item(self, order, it, pii=frozenset()):
        cur = MARKETPLACES[order["mp"]][2]
        product = self.products.get(it["sku"])
        canceled = order["st"] == "Canceled"
        out = {
            "ASIN": product["asin"] if product else "B000000000",
            "SellerSKU": it["sku"],
            "OrderItemId": it["id"],
            "Title": product["title"] if product else it["sku"],
            "QuantityOrdered": 0 if canceled else it["qty"],
            "QuantityShipped": it["shipped"],
            "ProductInfo": {"NumberOfItems": "1"},
        }
        if self._priced(order) and not canceled:
            out.update(self._item_money(order, it, cur, pii))
        out.update(
            {
                "ConditionId": "New",
                "ConditionSubtypeId": "New",
                "IsTransparency": False,
                "SerialNumberRequired": False,
            }
        )
        if canceled:
            out["BuyerRequestedCancel"] = {
                "IsBuyerRequestedCancel": "true",
                "BuyerCancelReason": "Found cheaper somewhere else.",
            }
        return out

    def _item_money(self, order, it, cur, pii):
        a = self._item_amounts(order, it)
        out = {
            "ItemPrice": money(cur, a["item"]),
            "ItemTax": money(cur, a["item_tax"]),
            "ShippingPrice": money(cur, a["ship"]),
            "ShippingTax": money(cur, a["ship_tax"]),
            "ShippingDiscount": money(cur, a["ship_disc"]),
            "ShippingDiscountTax": money(cur, a["ship_disc_tax"]),
            "PromotionDiscount": money(cur, a["promo"]),
            "PromotionDiscountTax": money(cur, a["promo_tax"]),
            "IsGift": "true" if order["gift"] else "false",
        }
        if not it["rate"]:
            # an item without tax: Amazon leaves out the tax amounts that do not apply (all optional
            # in the contract), ItemTax stays at 0.00
            for key in ("ShippingTax", "ShippingDiscountTax", "PromotionDiscountTax"):
                del out[key]
        if it["promo_id"]:
            out["PromotionIds"] = [it["promo_id"]]
        if order["gift"]:
            buyer = {"GiftWrapPrice": money(cur, a["wrap"]), "GiftWrapLevel": "Classic"}
            if it["rate"]:
                buyer["GiftWrapTax"] = money(cur, a["wrap_tax"])
            message = self._gift_message(it, pii)
            if message:
                buyer["GiftMessageText"] = message
            out["BuyerInfo"] = buyer
        if order["facilitator"]:
            # v0 knows one responsible party (its enum); elsewhere the deemed-reseller category says it
            out["TaxCollection"] = {
                "Model": "MarketplaceFacilitator",
                "ResponsibleParty": "Amazon Services, Inc.",
            }
            if order["mp"] not in RESPONSIBLE_PARTY:
                out["DeemedResellerCategory"] = (
                    "UOSS" if order["country"] == MARKETPLACES[order["mp"]][0] else "IOSS"
                )
        if order["b2b"]:
            out["PriceDesignation"] = "BusinessPrice"
        return out

    def _marketplace_ids(self, req, name="MarketplaceIds"):
        """The marketplace ids of the request, or an error Response."""
        ids = req.args(name)
        if not ids:
            return None, self.error_response(400, "Missing required parameter: %s" % name)
        if len(ids) > 50:
            return None, self.error_response(400, "%s may contain at most 50 values" % name)
        for mp_id in ids:
            if mp_id not in self.participations:
                return None, self.error_response(400, "Invalid Marketplace id: %s" % mp_id)
        return ids, None

    def _get_orders(self, req):
        ids, err = self._marketplace_ids(req)
        if err:
            return err
        token = req.arg("NextToken")
        if token:
            cursor = self.cursors.get(token)
            if cursor is None:
                return self.error_response(400, "Invalid NextToken: the token is unknown or expired")
            matched, offset, page_size, extra = cursor
            del self.cursors[token]
            return self._orders_page(matched, offset, page_size, extra, req.pii)
        now = time.time()
        bounds = {}
        for name in ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore"):
            value = req.arg(name)
            if value is not None:
                ts = parse_iso(value)
                if ts is None:
                    return self.error_response(400, "%s is not a valid ISO 8601 date: %s" % (name, value))
                bounds[name] = ts
        amazon_ids = req.args("AmazonOrderIds")
        if "CreatedAfter" not in bounds and "LastUpdatedAfter" not in bounds and not amazon_ids:
            return self.error_response(400, "Either CreatedAfter or LastUpdatedAfter must be specified")
        if "CreatedAfter" in bounds and ("LastUpdatedAfter" in bounds or "LastUpdatedBefore" in bounds):
            return self.error_response(
                400, "LastUpdatedAfter and LastUpdatedBefore cannot be set when CreatedAfter is set"
            )
        if "LastUpdatedAfter" in bounds and "CreatedBefore" in bounds:
            return self.error_response(
                400, "CreatedAfter or CreatedBefore cannot be set when LastUpdatedAfter is set"
            )
        for after, before in (("CreatedAfter", "CreatedBefore"), ("LastUpdatedAfter", "LastUpdatedBefore")):
            if before in bounds and after in bounds and bounds[before] < bounds[after]:
                return self.error_response(400, "%s must be equal to or after %s" % (before, after))
            if after in bounds and bounds[after] > now:
                return self.error_response(400, "%s date is in the future" % after)
        statuses = req.args("OrderStatuses")
        for status in statuses:
            if status not in ORDER_STATUSES:
                return self.error_response(400, "Invalid OrderStatuses value: %s" % status)
        channels = req.args("FulfillmentChannels")
        for channel in channels:
            if channel not in ("AFN", "MFN"):
                return self.error_response(400, "Invalid FulfillmentChannels value: %s" % channel)
        methods = req.args("PaymentMethods")
        page_size = req.arg("MaxResultsPerPage", "100")
        try:
            page_size = int(page_size)
        except ValueError:
            page_size = 0
        if not 1 <= page_size <= 100:
            return self.error_response(400, "MaxResultsPerPage must be between 1 and 100")
        if len(amazon_ids) > 50:
            return self.error_response(400, "AmazonOrderIds may contain at most 50 values")

        mp_set = set(ids)
        status_set = set(statuses)
        channel_set = set(channels)
        buyer_email = req.arg("BuyerEmail")
        seller_order_id = req.arg("SellerOrderId")
        if "CreatedAfter" in bounds:
            key, lo, hi = "p", bounds["CreatedAfter"], bounds.get("CreatedBefore", now)
            extra = {"CreatedBefore": iso(hi)}
        elif "LastUpdatedAfter" in bounds:
            key, lo, hi = "u", bounds["LastUpdatedAfter"], bounds.get("LastUpdatedBefore", now)
            extra = {"LastUpdatedBefore": iso(hi)}
        else:
            key, lo, hi, extra = "p", 0, now, {}
        if amazon_ids:
            source = [o for o in (self.orders.get(i) for i in amazon_ids) if o and lo <= o[key] <= hi]
        else:
            source = self._candidates(key, lo, hi)
        matched = [
            o
            for o in source
            if o["mp"] in mp_set
            and (not status_set or o["st"] in status_set)
            and (not channel_set or o["ch"] in channel_set)
        ]
        if methods:
            matched = [o for o in matched if o["payment"] in methods]
        if buyer_email:
            matched = [o for o in matched if o["ch"] == "MFN" and self._buyer_email(o) == buyer_email]
        if seller_order_id:
            matched = [o for o in matched if o["seller_order_id"] == seller_order_id]
        return self._orders_page(matched, 0, page_size, extra, req.pii)

    def _orders_page(self, matched, offset, page_size, extra, pii):
        page = matched[offset : offset + page_size]
        payload = {"Orders": [self._render_order(o, pii) for o in page]}
        if offset + page_size < len(matched):
            token = base64.b64encode(os.urandom(27)).decode()
            self.cursors[token] = (matched, offset + page_size, page_size, extra)
            while len(self.cursors) > 2000:
                self.cursors.popitem(last=False)
            payload["NextToken"] = token
        payload.update(extra)
        return self._ok(200, {"payload": payload})

    def _order_or_404(self, order_id):
        order = self.orders.get(order_id)
        if order is None:
            return None, self.error_response(404, "Order not found: %s" % order_id, "NotFound")
        return order, None

    def _get_order(self, req, order_id):
        order, err = self._order_or_404(order_id)
        return err or self._ok(200, {"payload": self._render_order(order, req.pii)})

    def _item_page(self, req, order):
        token = req.arg("NextToken")
        offset = 0
        if token:
            try:
                oid, _, off = base64.b64decode(token.encode(), validate=True).decode().rpartition(":")
                offset = int(off)
                if oid != order["id"] or offset <= 0:
                    raise ValueError
            except ValueError:
                return None, None, self.error_response(400, "Invalid NextToken")
        end = offset + self.ORDER_ITEMS_PAGE
        nxt = None
        if end < len(order["items"]):
            nxt = base64.b64encode(("%s:%d" % (order["id"], end)).encode()).decode()
        return order["items"][offset:end], nxt, None

    def _items_answer(self, req, order_id, render):
        """A page of an order's items, each rendered by `render(order, item)`, with NextToken."""
        order, err = self._order_or_404(order_id)
        if err:
            return err
        items, nxt, err = self._item_page(req, order)
        if err:
            return err
        payload = {"AmazonOrderId": order["id"], "OrderItems": [render(order, it) for it in items]}
        if nxt:
            payload["NextToken"] = nxt
        return self._ok(200, {"payload": payload})

    def _get_order_items(self, req, order_id):
        return self._items_answer(req, order_id, lambda order, it: self._render_item(order, it, req.pii))

    def _get_order_items_buyer_info(self, req, order_id):
        def render(order, it):
            row = {"OrderItemId": it["id"]}
            if order["gift"]:
                row["GiftWrapPrice"] = money(MARKETPLACES[order["mp"]][2], it["wrap"])
                row["GiftWrapLevel"] = "Classic"
                if self._gift_message(it, req.pii):
                    row["GiftMessageText"] = it["msg"]
            return row

        return self._items_answer(req, order_id, render)

    def _get_order_address(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        payload = {"AmazonOrderId": order["id"]}
        if order["st"] != "Canceled":
            payload["ShippingAddress"] = self._address(order, req.pii)
        return self._ok(200, {"payload": payload})

    def _get_order_buyer_info(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        payload = {"AmazonOrderId": order["id"]}
        payload.update(self._buyer_info(order, req.pii))
        return self._ok(200, {"payload": payload})
