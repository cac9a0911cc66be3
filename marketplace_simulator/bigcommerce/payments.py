"""Payments (v3): order transactions, capture and void."""

import json
import time

from .data import iso8601, PAYMENT_METHODS, PM_GC, STATUS_NAME, _ApiError

SEG = r"([^/]+)"  # one path segment of a route pattern


class PaymentsMixin:
    """The v3 transaction and payment action handlers of BigCommerceAPI."""

    def _routes_payments(self):
        return [
            ("v3", "GET", "/orders/%s/transactions" % SEG, "getOrderTransactions", self._get_transactions),
            ("v3", "POST", "/orders/%s/payment_actions/capture" % SEG, "captureOrderPayment", self._capture),
            ("v3", "POST", "/orders/%s/payment_actions/void" % SEG, "voidOrderPayment", self._void),
        ]

    # ========================================================================================
    # v3: order transactions and payment actions
    # ========================================================================================
    def _tx(self, o, k, event, method, gateway, amount, status="ok", **extra):
        out = {
            "id": o["id"] * 100 + k,
            "order_id": str(o["id"]),
            "event": event,
            "method": method,
            "amount": round(amount / 100.0, 2),
            "currency": o.get("cur", self.store_currency),
            "gateway": gateway,
            "gateway_transaction_id": "%s-%d-%d" % (gateway, o["id"], k),
            "payment_method_id": "%s.%s" % (gateway, "card" if method == "credit_card" else method),
            "status": status,
            "test": gateway == "testgateway",
            "fraud_review": False,
            "date_created": iso8601(o["c"] + 60 * k),
            "avs_result": {"code": "", "message": "", "street_match": "", "postal_match": ""},
            "cvv_result": {"code": "", "message": ""},
            "offline": None,
            "custom": None,
            "gift_certificate": None,
            "store_credit": None,
            "payment_instrument_token": None,
        }
        if method == "credit_card":
            out["credit_card"] = {
                "card_type": "visa" if o["id"] % 2 else "master",
                "card_iin": "411111",
                "card_last4": "%04d" % (o["id"] * 37 % 10000),
                "card_expiry_month": 1 + o["id"] % 12,
                "card_expiry_year": 2028,
            }
        if method == "offline":
            out["offline"] = {"display_name": PAYMENT_METHODS[o["pm"]][0]}
        out.update(extra)
        return out

    def _transactions(self, o):
        a = self._amounts(o)
        name, gateway, method, offline = PAYMENT_METHODS[o["pm"]]
        out = []
        k = 1
        if a["gc"]:
            out.append(
                self._tx(
                    o,
                    k,
                    "purchase",
                    "gift_certificate",
                    "giftcertificate",
                    a["gc"],
                    gift_certificate={
                        "code": "GC-%06d" % (o["id"] * 13 % 10**6),
                        "original_balance": 50.0,
                        "starting_balance": 50.0,
                        "remaining_balance": round(max(0, 5000 - a["gc"]) / 100.0, 2),
                        "status": "active",
                    },
                )
            )
            k += 1
        if a["sc"]:
            out.append(
                self._tx(
                    o,
                    k,
                    "purchase",
                    "store_credit",
                    "storecredit",
                    a["sc"],
                    store_credit={"remaining_balance": 0.0},
                )
            )
            k += 1
        paid = a["paid"]
        ps0 = o["ps0"]
        if paid > 0 and o["pm"] != PM_GC:
            if ps0 in ("captured", "refunded", "partially refunded", "held for review") or (
                offline and ps0 == "paid"
            ):
                out.append(self._tx(o, k, "purchase", method, gateway, paid))
                k += 1
            elif ps0 in ("authorized", "void"):
                out.append(self._tx(o, k, "authorization", method, gateway, paid))
                k += 1
                if ps0 == "void":
                    out.append(self._tx(o, k, "void", method, gateway, paid))
                    k += 1
            elif ps0 == "declined":
                out.append(self._tx(o, k, "authorization", method, gateway, paid, status="error"))
                k += 1
            generated = sum(
                p["amount"]
                for r in self.refunds_by_order.get(o["id"], ())
                if r["generated"]
                for p in r["payments"]
                if p["provider_id"] == gateway
            )
            if ps0 in ("refunded", "partially refunded") and generated:
                out.append(self._tx(o, k, "refund", method, gateway, generated))
                k += 1
        for extra in o["tx"]:
            out.append(
                self._tx(
                    o,
                    50 + extra["k"],
                    extra["event"],
                    method if extra["event"] != "purchase" or not offline else "offline",
                    gateway,
                    extra["amount"],
                    date_created=extra["date"],
                )
            )
        return out

    def _add_tx(self, order, event, amount):
        order["tx"].append(
            {"k": len(order["tx"]) + 1, "event": event, "amount": amount, "date": iso8601(time.time())}
        )

    def _get_transactions(self, req, order_id):
        order = self._order_or_404(order_id)
        txs = self._transactions(order)
        if not txs:
            return self._no_content()
        return self._json(200, {"data": txs, "meta": self._meta(len(txs), 1, max(50, len(txs)), len(txs))})

    def _payment_action(self, req, order_id, action):
        order = self._order_or_404(order_id)
        if req.body:
            try:
                json.loads(req.body)
            except ValueError:
                raise _ApiError(400, "Input is invalid.")
        if order["ps"] != "authorized":
            raise _ApiError(
                422,
                "The payment of order %d cannot be %s: payment status is '%s', not 'authorized'."
                % (order["id"], "captured" if action == "capture" else "voided", order["ps"]),
                {"payment_status": order["ps"] or "none"},
            )
        order["ps"] = "capture pending" if action == "capture" else "void pending"
        self._touch(order)
        self.pending_captures.append((time.time() + self.capture_delay, order, action))
        self.payments.append(
            {
                "order_id": order["id"],
                "via": action,
                "status": STATUS_NAME[order["st"]],
                "payment_status": order["ps"],
                "at": iso8601(time.time()),
            }
        )
        if self.capture_delay <= 0:
            self._apply_due()
        return self._json(201, {})

    def _settle_payment(self, order, action):
        if action == "capture":
            order["ps"] = "captured"
            self._add_tx(order, "capture", self._amounts(order)["paid"])
            if order["st"] in (7, 1):
                self._set_status(order, 11, "capture")
        else:
            order["ps"] = "void"
            self._add_tx(order, "void", self._amounts(order)["paid"])
        for p in reversed(self.payments):
            if p["order_id"] == order["id"] and p["via"] == action:
                p["payment_status"] = order["ps"]
                break
        self._touch(order)

    def _capture(self, req, order_id):
        return self._payment_action(req, order_id, "capture")

    def _void(self, req, order_id):
        return self._payment_action(req, order_id, "void")
