"""Refunds (v3 payment actions): refund quotes, refunds, the refunds of an order and of the store.

What a refund may take is what is left of each part of the order: a product line's units (its
total after the order discount, taxes included, refunded in proportion to the units, the last
units taking what rounding left), its gift wrapping, the shipping and handling of an address, a
fee, an amount at the order level (tax-exempt: tax is not recalculated) and tax alone (``TAX``
items, ``tax_adjustment_amount``). A refund beyond what is left is a 422, as documented; the
payments of a refund must add up to its amount, through a method the order's quote offers. A
refund moves the order to Partially Refunded, or Refunded once nothing is left, with its
payment status, ``refunded_amount`` and the products' ``quantity_refunded`` following.

Amounts are cents inside, numbers with two decimals outside. The orders generated as Refunded or
Partially Refunded carry the refund that made them so (everything; one unit of the first line).
"""

import re
import time

from .data import (
    iso8601,
    parse_date,
    PAYMENT_METHODS,
    split_tax,
    V3_ERROR_TYPE,
    _ApiError,
    _int_arg,
    _is_number,
)

SEG = r"([^/]+)"  # one path segment of a route pattern
QUANTITY_TYPES = ("PRODUCT", "GIFT_WRAPPING")
AMOUNT_TYPES = ("SHIPPING", "HANDLING", "ORDER", "TAX", "FEE")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
REFUNDABLE_PAYMENT = frozenset(("captured", "paid", "partially refunded", "refunded"))
REFUNDS_MAX_LIMIT = 250


def _cents(value):
    return int(round(float(value) * 100))


def _money(cents):
    return round(cents / 100.0, 2)


def _share(total, part, whole):
    """`total` * part / whole, rounded half up (cents)."""
    return (2 * total * part + whole) // (2 * whole) if whole else 0


class RefundsMixin:
    """The v3 refund handlers of BigCommerceAPI and the refunds of each order."""

    def _routes_refunds(self):
        return [
            (
                "v3",
                "POST",
                "/orders/%s/payment_actions/refund_quotes" % SEG,
                "createOrderRefundQuotes",
                self._post_refund_quote,
            ),
            (
                "v3",
                "POST",
                "/orders/%s/payment_actions/refunds" % SEG,
                "createOrderRefund",
                self._post_refund,
            ),
            (
                "v3",
                "GET",
                "/orders/%s/payment_actions/refunds" % SEG,
                "getOrderRefunds",
                self._get_order_refunds,
            ),
            ("v3", "GET", "/orders/payment_actions/refunds/%s" % SEG, "getOrderRefund", self._get_refund),
            ("v3", "GET", "/orders/payment_actions/refunds", "getOrdersRefunds", self._get_refunds),
        ]

    # ========================================================================================
    # what is left to refund
    # ========================================================================================
    def _order_refunds(self, o):
        return self.refunds_by_order.get(o["id"], [])

    def _refund_parts(self, o, a=None):
        """{(item type, item id): (amount, tax, units)} of everything an order may refund, in
        cents, taxes included (units: None for amount-bound parts)."""
        a = a or self._amounts(o)
        parts = {}
        for k, ln in enumerate(o["lines"]):
            _p_ex, _p_inc, _p_tax, _t_ex, t_inc, t_tax, w, w_ex, w_inc = a["lines"][k]
            _d_ex, d_inc, d_tax = split_tax(a["shares"][k], a["rates"][k], o["inc"])
            opid = o["pid"] + k
            parts[("PRODUCT", opid)] = (t_inc - d_inc, t_tax - d_tax, ln[1])
            if w:
                parts[("GIFT_WRAPPING", opid)] = (w_inc, w_inc - w_ex, ln[1])
        for k in range(o["na"]):
            ship, hand = (a["ship"], a["hand"]) if k == 0 else ((0,) * 4, (0,) * 4)
            parts[("SHIPPING", o["aid"] + k)] = (ship[2], ship[3], None)
            parts[("HANDLING", o["aid"] + k)] = (hand[2], hand[3], None)
        for n, fee in enumerate(a["fees"]):
            parts[("FEE", o["id"] * 10 + n + 1)] = (fee[4], fee[5], None)
        return parts

    def _refunded(self, o):
        """What the order's refunds took: ({(type, id): [amount, tax, units]}, total, tax)."""
        taken, total, tax = {}, 0, 0
        for refund in self._order_refunds(o):
            total += refund["total"]
            tax += refund["tax"]
            for item in refund["items"]:
                row = taken.setdefault((item["type"], item["id"]), [0, 0, 0])
                row[0] += item["amount"]
                row[1] += item["tax"]
                row[2] += item.get("quantity") or 0
        return taken, total, tax

    def _refunded_quantity(self, o, k):
        taken = self._refunded(o)[0].get(("PRODUCT", o["pid"] + k))
        return taken[2] if taken else 0

    # ========================================================================================
    # a refund request, priced
    # ========================================================================================
    def _price_refund(self, o, body, settled=False):
        """The items of a quote or refund request with their amounts and taxes (cents), and
        the refund's (total, tax); raises 422 as the service does. `settled`: the store refunds
        an order it has just marked refunded (generation, control actions)."""
        if not isinstance(body, dict):
            raise _ApiError(422, "JSON data is missing or invalid", {"body": "error.expected.jsobject"})
        if not settled and o["ps"] not in REFUNDABLE_PAYMENT:
            raise _ApiError(
                422,
                "Order %d has no settled payment to refund (payment status '%s')."
                % (o["id"], o["ps"] or "none"),
                {"order_id": "not refundable"},
            )
        a = self._amounts(o)
        parts = self._refund_parts(o, a)
        taken, refunded_total, refunded_tax = self._refunded(o)
        items = []
        if "tax_adjustment_amount" in body and "items" not in body:
            amount = self._amount_arg(body["tax_adjustment_amount"], "tax_adjustment_amount")
            items.append({"type": "TAX", "id": o["id"], "amount": amount, "tax": amount, "listed": False})
        else:
            raw = body.get("items")
            if not isinstance(raw, list) or not raw:
                raise _ApiError(422, "JSON data is missing or invalid", {"items": "error.expected.jsarray"})
            for n, item in enumerate(raw):
                items.append(self._price_item(o, item, n, parts, taken))
        total = sum(i["amount"] for i in items)
        tax = sum(i["tax"] for i in items)
        tax_items = sum(i["amount"] for i in items if i["type"] == "TAX")
        if tax_items > a["total_tax"] - refunded_tax:
            raise _ApiError(
                422, "Refund amount is greater than remaining amount", {"TAX": "exceeds remaining tax"}
            )
        if total <= 0:
            raise _ApiError(422, "The refund amount must be greater than 0.", {"items": "nothing to refund"})
        if total > a["total_inc"] - refunded_total:
            raise _ApiError(
                422,
                "Refund amount is greater than remaining amount",
                {"amount": "%.2f left to refund" % _money(a["total_inc"] - refunded_total)},
            )
        return items, total, tax

    def _amount_arg(self, value, where):
        if not _is_number(value) or value <= 0 or abs(value * 100 - round(value * 100)) > 1e-6:
            raise _ApiError(
                422,
                "JSON data is missing or invalid",
                {where: "must be a positive amount with at most 2 decimal places"},
            )
        return _cents(value)

    def _price_item(self, o, item, n, parts, taken):
        """One request item priced against what is left of its part; `taken` grows with it, so
        that two items of one request share what is left."""
        where = "items[%d]" % n
        if not isinstance(item, dict) or item.get("item_type") not in QUANTITY_TYPES + AMOUNT_TYPES:
            raise _ApiError(
                422,
                "JSON data is missing or invalid",
                {where + ".item_type": "must be one of %s" % ", ".join(QUANTITY_TYPES + AMOUNT_TYPES)},
            )
        kind, item_id = item["item_type"], _int_arg(item.get("item_id"))
        if item_id is None:
            raise _ApiError(
                422, "JSON data is missing or invalid", {where + ".item_id": "error.expected.jsnumber"}
            )
        reason = item.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
            raise _ApiError(
                422, "JSON data is missing or invalid", {where + ".reason": "at most 1000 characters"}
            )
        out = {"type": kind, "id": item_id, "reason": reason or "", "listed": kind != "TAX"}
        if kind in ("ORDER", "TAX"):
            if item_id != o["id"]:
                raise _ApiError(
                    422, "Item %s %d is not part of order %d." % (kind, item_id, o["id"]), {where: "unknown"}
                )
            amount = self._amount_arg(item.get("amount"), where + ".amount")
            out.update(amount=amount, tax=amount if kind == "TAX" else 0, requested=amount)
            return out
        part = parts.get((kind, item_id))
        if part is None:
            raise _ApiError(
                422, "Item %s %d is not part of order %d." % (kind, item_id, o["id"]), {where: "unknown"}
            )
        total, tax, units = part
        row = taken.setdefault((kind, item_id), [0, 0, 0])
        if units is None:
            amount = self._amount_arg(item.get("amount"), where + ".amount")
            if amount > total - row[0]:
                raise _ApiError(
                    422,
                    "Refund amount is greater than remaining amount",
                    {where: "%.2f left to refund" % _money(total - row[0])},
                )
            item_tax = _share(tax, row[0] + amount, total) - row[1]
            out.update(amount=amount, tax=item_tax, requested=amount)
        else:
            quantity = item.get("quantity")
            if _int_arg(quantity) is None or isinstance(quantity, str) or quantity <= 0:
                raise _ApiError(
                    422,
                    "JSON data is missing or invalid",
                    {where + ".quantity": "must be a positive integer"},
                )
            if row[2] + quantity > units:
                raise _ApiError(
                    422,
                    "Quantity to refund is more than remaining quantity",
                    {where + ".quantity": "%d left to refund" % (units - row[2])},
                )
            amount = _share(total, row[2] + quantity, units) - row[0]
            item_tax = _share(tax, row[2] + quantity, units) - row[1]
            adjustments = self._adjustments(item.get("adjustments"), where)
            if adjustments:
                cut = -sum(_cents(adj["amount"]) for adj in adjustments)
                if cut >= amount:
                    raise _ApiError(
                        422, "The adjustments take more than the item's amount.", {where: "adjustments"}
                    )
                item_tax = _share(item_tax, amount - cut, amount)
                amount -= cut
            out.update(amount=amount, tax=item_tax, quantity=quantity, adjustments=adjustments)
        row[0] += out["amount"]
        row[1] += out["tax"]
        row[2] += out.get("quantity") or 0
        return out

    def _adjustments(self, raw, where):
        if raw is None:
            return []
        ok = isinstance(raw, list) and all(
            isinstance(adj, dict) and _is_number(adj.get("amount")) and adj["amount"] < 0 for adj in raw
        )
        if not ok:
            raise _ApiError(
                422,
                "JSON data is missing or invalid",
                {where + ".adjustments": "each adjustment is {amount < 0, description}"},
            )
        return [
            {"amount": adj["amount"], "description": str(adj.get("description") or "")[:255]} for adj in raw
        ]

    # ========================================================================================
    # how an order may be refunded
    # ========================================================================================
    def _refund_methods(self, o, total):
        """The quote's refund methods: the order's gateway, store credit (registered customers),
        and an amount marked as refunded outside BigCommerce ("custom")."""
        name, gateway, _method, offline = PAYMENT_METHODS[o["pm"]]
        methods = []
        if gateway != "giftcertificate":
            methods.append([self._payment_option(gateway, name, total, offline, offline)])
        if o["cust"]:
            methods.append([self._payment_option("storecredit", "Store Credit", total, False, False)])
        methods.append([self._payment_option("custom", "Custom", total, True, True)])
        return methods

    @staticmethod
    def _payment_option(provider, description, cents, offline, offline_provider):
        return {
            "provider_id": provider,
            "provider_description": description,
            "amount": _money(cents),
            "offline": offline,
            "offline_provider": offline_provider,
            "offline_reason": "This is an offline payment provider." if offline_provider else "",
        }

    def _refund_payments(self, o, body, total):
        """The payments of a refund request, checked against the order's refund methods."""
        raw = body.get("payments")
        if not isinstance(raw, list) or not raw:
            raise _ApiError(422, "JSON data is missing or invalid", {"payments": "error.expected.jsarray"})
        allowed = {opt["provider_id"]: opt for method in self._refund_methods(o, total) for opt in method}
        payments = []
        for n, pay in enumerate(raw):
            where = "payments[%d]" % n
            if not isinstance(pay, dict) or not isinstance(pay.get("provider_id"), str):
                raise _ApiError(
                    422,
                    "JSON data is missing or invalid",
                    {where + ".provider_id": "error.expected.jsstring"},
                )
            if pay["provider_id"] == "storecredit" and not o["cust"]:
                raise _ApiError(422, "Unable to provide store credit for a guest customer.")
            option = allowed.get(pay["provider_id"])
            if option is None:
                raise _ApiError(
                    422,
                    "Payment provider %s cannot refund order %d." % (pay["provider_id"], o["id"]),
                    {where + ".provider_id": "one of %s" % ", ".join(sorted(allowed))},
                )
            amount = _cents(pay["amount"]) if _is_number(pay.get("amount")) and pay["amount"] >= 0 else None
            if amount is None:
                raise _ApiError(
                    422, "JSON data is missing or invalid", {where + ".amount": "error.expected.jsnumber"}
                )
            offline = bool(pay.get("offline")) or option["offline_provider"]
            payments.append({"provider_id": pay["provider_id"], "amount": amount, "offline": offline})
        if sum(p["amount"] for p in payments) != total:
            raise _ApiError(
                422,
                "The payments (%.2f) do not add up to the refund amount (%.2f)."
                % (_money(sum(p["amount"] for p in payments)), _money(total)),
                {"payments": "must add up to %.2f" % _money(total)},
            )
        return payments

    # ========================================================================================
    # handlers
    # ========================================================================================
    def _post_refund_quote(self, req, order_id):
        o = self._order_or_404(order_id)
        body = self._body(req)
        with self._refund_lock:
            items, total, tax = self._price_refund(o, body)
        quote = {
            "order_id": o["id"],
            "total_refund_amount": _money(total),
            "total_refund_tax_amount": _money(tax),
            "order_level_refund_amount": _money(sum(i["amount"] for i in items if i["type"] == "ORDER")),
            "rounding": 0,
            "adjustment": 0,
            "tax_inclusive": True,
            "refund_methods": self._refund_methods(o, total),
        }
        return self._json(201, {"data": quote, "meta": {}})

    def _post_refund(self, req, order_id):
        """Create a refund; a 422 answers in this operation's documented shape ({"data": [...]})."""
        o = self._order_or_404(order_id)
        try:
            body = self._body(req)
            with self._refund_lock:
                items, total, tax = self._price_refund(o, body)
                override = body.get("merchant_calculated_override")
                if override is not None:
                    total, tax = self._override(o, override, total)
                payments = self._refund_payments(o, body, total)
                refund = self._record_refund(o, items, total, tax, payments, override is not None)
        except _ApiError as err:
            if err.status != 422:
                raise
            error = {"status": 422, "title": err.message, "type": V3_ERROR_TYPE}
            if err.errors:
                error["errors"] = err.errors
            return self._json(422, {"data": [error]})
        return self._json(201, {"data": self._render_refund(refund), "meta": {}})

    def _override(self, o, override, total):
        ok = (
            isinstance(override, dict)
            and _is_number(override.get("total_amount"))
            and override["total_amount"] >= 0
            and _is_number(override.get("total_tax"))
        )
        if not ok:
            raise _ApiError(
                422,
                "JSON data is missing or invalid",
                {"merchant_calculated_override": "total_amount and total_tax are required"},
            )
        a = self._amounts(o)
        amount = _cents(override["total_amount"])
        if amount > a["total_inc"] - self._refunded(o)[1]:
            raise _ApiError(
                422,
                "Refund amount is greater than remaining amount",
                {"merchant_calculated_override": "too much"},
            )
        return amount, _cents(override["total_tax"])

    def _record_refund(self, o, items, total, tax, payments, override=False, created=None, generated=False):
        """Book a refund on its order: payments (a refund transaction for each one through the
        gateway), the order's status and payment status."""
        self._refund_seq += 1
        gateway = PAYMENT_METHODS[o["pm"]][1]
        for pay in payments:
            self._refund_payment_seq += 1
            pay.update(
                id=self._refund_payment_seq, is_declined=False, declined_message="", transaction_id=None
            )
            if pay["provider_id"] == gateway and not pay["offline"] and not generated and pay["amount"]:
                self._add_tx(o, "refund", pay["amount"])
                pay["transaction_id"] = str(o["id"] * 100 + 50 + o["tx"][-1]["k"])
        reason = next((i["reason"] for i in items if i.get("reason")), "")
        refund = {
            "id": self._refund_seq,
            "order_id": o["id"],
            "created": created or time.time(),
            "reason": reason,
            "total": total,
            "tax": tax,
            "override": override,
            "items": items,
            "payments": payments,
            "generated": generated,
        }
        self.refunds.append(refund)
        self.refunds_by_order.setdefault(o["id"], []).append(refund)
        left = self._amounts(o)["total_inc"] - self._refunded(o)[1]
        if not generated:
            self._set_status(o, 4 if left <= 0 else 14, "refund")
            o["ps"] = "refunded" if left <= 0 else "partially refunded"
            self._touch(o)
        return refund

    def _render_refund(self, refund, single=False):
        """A refund as the Refund schema has it; `single`: as GET .../refunds/{id} (RefundID_Get:
        requested amounts as strings, null for quantity-bound items)."""
        items = []
        for item in refund["items"]:
            if not item.get("listed", True):
                continue  # tax alone: in total_tax, no item (the documented item types have none)
            out = {"item_type": item["type"], "item_id": item["id"], "reason": item.get("reason") or ""}
            if item["type"] == "PRODUCT":
                out["quantity"] = item["quantity"]
            if item["type"] in QUANTITY_TYPES:
                if item.get("adjustments"):
                    out["adjustments"] = item["adjustments"]
                if single:
                    out["requested_amount"] = None
            else:
                requested = _money(item["requested"])
                out["requested_amount"] = "%.2f" % requested if single else requested
            items.append(out)
        return {
            "id": refund["id"],
            "order_id": refund["order_id"],
            "user_id": 0,
            "created": iso8601(refund["created"]),
            "reason": refund["reason"],
            "total_amount": _money(refund["total"]),
            "total_tax": _money(refund["tax"]),
            "uses_merchant_override_values": refund["override"],
            "items": items,
            "payments": [
                {
                    key: (_money(pay[key]) if key == "amount" else pay[key])
                    for key in ("id", "provider_id", "amount", "offline", "is_declined", "declined_message")
                }
                | ({"transaction_id": pay["transaction_id"]} if pay["transaction_id"] and not single else {})
                for pay in refund["payments"]
            ],
        }

    def _get_order_refunds(self, req, order_id):
        o = self._order_or_404(order_id)
        refunds = self._order_refunds(o)
        txn = req.arg("transaction_id")
        if txn:
            refunds = [r for r in refunds if any(p["transaction_id"] == txn for p in r["payments"])]
        return self._json(200, {"data": [self._render_refund(r) for r in refunds], "meta": {}})

    def _get_refund(self, req, refund_id):
        number = _int_arg(refund_id)
        refund = self.refunds[number - 1] if number and 0 < number <= len(self.refunds) else None
        if refund is None:
            raise _ApiError(404, "Refund not found")
        return self._json(200, {"data": self._render_refund(refund, single=True), "meta": {}})

    def _ids_filter(self, req, name):
        values = req.args(name)
        ids = {_int_arg(v) for v in values}
        if None in ids:
            raise _ApiError(
                422, "The filter(s): %s are not valid filter parameter(s)." % name, {name: "must be integers"}
            )
        return ids

    def _created_filter(self, req, name):
        value = req.arg(name)
        if value is None:
            return None
        if not RFC3339.match(value):
            raise _ApiError(
                422,
                "The filter(s): %s are not valid filter parameter(s)." % name,
                {name: "must be an url-encoded RFC 3339 date-time, e.g. 2020-01-15T01:02:34+01:00"},
            )
        return parse_date(value)

    def _get_refunds(self, req):
        """GET /v3/orders/payment_actions/refunds: refund id ascending, filtered, paged."""
        page, limit = self._page_limit(req, 50, REFUNDS_MAX_LIMIT)
        orders, ids = self._ids_filter(req, "order_id:in"), self._ids_filter(req, "id:in")
        lo, hi = self._created_filter(req, "created:min"), self._created_filter(req, "created:max")
        txn = req.arg("transaction_id")
        rows = [
            r
            for r in self.refunds
            if (not orders or r["order_id"] in orders)
            and (not ids or r["id"] in ids)
            and (lo is None or r["created"] >= lo)
            and (hi is None or r["created"] <= hi)
            and (not txn or any(p["transaction_id"] == txn for p in r["payments"]))
        ]
        chunk = rows[(page - 1) * limit : page * limit]
        data = [self._render_refund(r) for r in chunk]
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    # ========================================================================================
    # refunds made by the store itself (generated orders, control actions)
    # ========================================================================================
    def _store_refund(self, o, spec, created=None, generated=False, settled=False):
        """A refund the merchant made in the control panel: priced as the API prices it, paid
        back through the order's gateway (gift certificates and store credit to store credit)."""
        with self._refund_lock:
            items, total, tax = self._price_refund(o, spec, settled)
            a = self._amounts(o)
            credit = min(total, a["gc"] + a["sc"])
            gateway = PAYMENT_METHODS[o["pm"]]
            payments = []
            if total > credit or not credit:
                payments.append({"provider_id": gateway[1], "amount": total - credit, "offline": gateway[3]})
            if credit:
                payments.append({"provider_id": "storecredit", "amount": credit, "offline": False})
            return self._record_refund(o, items, total, tax, payments, created=created, generated=generated)

    def _everything_left(self, o):
        """A refund request for everything the order has left to refund."""
        parts = self._refund_parts(o)
        taken = self._refunded(o)[0]
        items = []
        for (kind, item_id), (total, _tax, units) in sorted(parts.items(), key=lambda kv: kv[0][1]):
            done = taken.get((kind, item_id), [0, 0, 0])
            if units is not None and units - done[2] > 0:
                items.append({"item_type": kind, "item_id": item_id, "quantity": units - done[2]})
            elif units is None and total - done[0] > 0:
                items.append({"item_type": kind, "item_id": item_id, "amount": _money(total - done[0])})
        return {"items": items}

    def _generated_refund(self, o, full, generated=True):
        """The refund behind an order generated (`generated`) or set by the control API as
        Refunded or Partially Refunded: everything left, or one unit of its first line (an
        order-level amount when that unit is all there is)."""
        if full:
            spec = self._everything_left(o)
        else:
            a = self._amounts(o)
            line_total = self._refund_parts(o, a)[("PRODUCT", o["pid"])][0]
            unit = line_total // max(1, o["lines"][0][1])
            if 0 < unit < a["total_inc"]:
                spec = {"items": [{"item_type": "PRODUCT", "item_id": o["pid"], "quantity": 1}]}
            else:
                spec = {
                    "items": [
                        {"item_type": "ORDER", "item_id": o["id"], "amount": _money(a["total_inc"] // 2)}
                    ]
                }
        if not spec.get("items") or not self._amounts(o)["total_inc"]:
            return None
        created = min(o["m"], self.now) if generated else None
        try:
            return self._store_refund(o, spec, created=created, generated=generated, settled=True)
        except _ApiError:  # order-level refunds took what the parts had left
            return None

    def _control_refund(self, payload):
        """POST /_sim/bigcommerce/refund {order_id, items | tax_adjustment_amount | "all", reason,
        created}: a refund made in the store's control panel."""
        o = self.orders.get(_int_arg(payload.get("order_id")))
        if o is None:
            return self._json(404, {"error": "unknown order %r" % payload.get("order_id")})
        spec = self._everything_left(o) if payload.get("items") == "all" else dict(payload)
        if payload.get("reason") and spec.get("items"):
            spec["items"] = [
                dict(item, reason=item.get("reason") or payload["reason"]) for item in spec["items"]
            ]
        created = parse_date(payload["created"]) if payload.get("created") else None
        try:
            refund = self._store_refund(o, spec, created=created)
        except _ApiError as err:
            return self._json(err.status, {"error": err.message, "errors": err.errors})
        return self._json(201, {"refund": self._render_refund(refund)})
