"""Orders: lists (with their filters and the `{ }` empty page), details, cancellations."""

import bisect
import calendar
import time

from .data import CANCEL_REASONS, PAGE_SIZE, _ams_offset, iso


class OrdersMixin:
    """The order handlers of BolAPI."""

    @staticmethod
    def _item_ok(it, method, status, vvb):
        if method != "ALL" and it["m"] != method:
            return False
        if status == "OPEN" and it["q"] - it["s"] - it["c"] <= 0:
            return False
        if status == "SHIPPED" and not it["s"]:
            return False
        if vvb and it["o"].get("dc") != "VVB":
            return False
        return True

    def _matching(self, method, status, vvb):
        key = (method, status, vvb)
        hit = self._cache.get(key)
        if hit is None:
            ok = self._item_ok
            hit = [o for o in self.order_list if any(ok(it, method, status, vvb) for it in o["items"])]
            hit.sort(key=lambda o: o["p"], reverse=True)
            self._cache[key] = hit
        return hit

    def _changed_since(self, since):
        """The orders with an item changed at or after `since`, from an index of orders by their
        latest change (built once per state version, then a bisection)."""
        index = self._cache.get("by_change")
        if index is None:
            pairs = sorted(
                ((-max(it["u"] for it in o["items"]), o) for o in self.order_list), key=lambda p: p[0]
            )
            index = self._cache["by_change"] = ([p[0] for p in pairs], [p[1] for p in pairs])
        keys, orders = index
        return orders[: bisect.bisect_right(keys, -since)]

    def _get_orders(self, req):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        method = self._q_enum(req, "fulfilment-method", ("FBR", "FBB", "ALL"), "FBR", v)
        status = self._q_enum(req, "status", ("OPEN", "SHIPPED", "ALL"), "OPEN", v)
        interval = self._q_int(req, "change-interval-minute", None, v, minimum=1, maximum=60)
        vvb = self._q_bool(req, "vvb-only", False, v)
        day = req.arg("latest-change-date")
        if day:
            try:
                day_start = calendar.timegm(time.strptime(day, "%Y-%m-%d"))
                day_start -= _ams_offset(day_start)
            except ValueError:
                v.append(
                    {
                        "name": "latest-change-date",
                        "reason": "Request contains invalid value(s): '%s'; "
                        "expected a date as yyyy-MM-dd." % day,
                    }
                )
            else:
                if day_start < time.time() - 92 * 86400:
                    v.append(
                        {"name": "latest-change-date", "reason": "Up to 3 months of history is supported."}
                    )
        if v:
            return self.bad_request(v)
        self._settle()
        ok = self._item_ok
        if interval or day:
            lo = time.time() - interval * 60 if interval else None
            if day:
                day_end = day_start + 86400

            def changed(it):
                return (lo is None or it["u"] >= lo) and (not day or day_start <= it["u"] < day_end)

            candidates = self._changed_since(max(lo or 0, day_start if day else 0))
            orders = [
                o for o in candidates if any(ok(it, method, status, vvb) and changed(it) for it in o["items"])
            ]
            orders.sort(key=lambda o: o["p"], reverse=True)
        else:
            orders = self._matching(method, status, vvb)
            changed = None
        start = (page - 1) * PAGE_SIZE
        chunk = orders[start : start + PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        out = []
        for o in chunk:
            items = [
                self._reduced_item(it)
                for it in o["items"]
                if ok(it, method, status, vvb) and (changed is None or changed(it))
            ]
            out.append({"orderId": o["id"], "orderPlacedDateTime": iso(o["p"]), "orderItems": items})
        return self._ok(200, {"orders": out})

    def _get_order(self, req, order_id):
        self._settle()
        order = self.orders.get(order_id)
        if order is None:
            return self.problem(404, "Not Found", "Order with id %s does not exist." % order_id)
        return self._ok(200, self._render_order(order))

    def _cancel_items(self, req):
        body = req.json()
        v = []
        lines = body.get("orderItems") if isinstance(body, dict) else None
        if not isinstance(lines, list) or not lines:
            v.append({"name": "orderItems", "reason": "must not be empty"})
            lines = []
        for i, line in enumerate(lines):
            if (
                not isinstance(line, dict)
                or not isinstance(line.get("orderItemId"), str)
                or not line.get("orderItemId")
            ):
                v.append({"name": "orderItems[%d].orderItemId" % i, "reason": "must not be blank"})
            elif line.get("reasonCode") not in CANCEL_REASONS:
                v.append(
                    {
                        "name": "orderItems[%d].reasonCode" % i,
                        "reason": "Request contains invalid value(s): '%s', "
                        "allowed values: %s." % (line.get("reasonCode"), ", ".join(CANCEL_REASONS)),
                    }
                )
        if v:
            return self.bad_request(v)
        wanted = [(line["orderItemId"], line["reasonCode"]) for line in lines]

        def apply():
            found = []
            for item_id, _reason in wanted:
                hit = self.items.get(item_id)
                if hit is None:
                    return "Order item %s does not exist." % item_id
                found.append(hit)
            if len({id(o) for o, _ in found}) > 1:
                return "Order item id's must belong to the same order."
            for order, it in found:
                if it["m"] == "FBB":
                    return (
                        "Order item %s is fulfilled by bol.com and cannot be cancelled by the retailer."
                        % it["id"]
                    )
                if it["q"] - it["s"] - it["c"] <= 0:
                    return "Order item %s has no open quantity to cancel." % it["id"]
            now = int(time.time())
            for order, it in found:
                self._set_item(it, it["s"], it["q"] - it["s"], now)
            self._touch()
            return None

        ps = self._new_process(
            req, "CANCEL_ORDER", wanted[0][0], "Cancel order item %s." % wanted[0][0], apply
        )
        return self._ok(202, self._ps_public(ps))
