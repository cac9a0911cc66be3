"""The `/_sim` view (`GET /_sim/state`) and control actions (`POST /_sim/bol/<action>`) of the
Bol.com simulator.

Invoices (invoices.py):
- `issue_invoice` {until?, issued?} (epoch seconds, default now): closes the current period
  into an ALL_IN_ONE invoice of what is not invoiced yet (shipped units, labels, refunded
  returns, corrections); answers its id, payableAmount and lines.
- `add_invoice_correction` {type="CORRECTION_CORRECTION", amount, tax?, order_item_id?,
  quantity=1, description?}: a line of the current period; `amount` excluding VAT and signed as
  on the invoice (positive: the retailer pays), `tax` defaults to the type's VAT.
- `invoices`: every invoice with its lines; `invoice_page_size` {lines}: specification lines
  per page (25,000 by default, as bol documents).
"""

import json
import time

from ..core import Response
from .data import ORDER_STATUSES, RETURN_REASONS, STATUS_ALIASES, _money, iso


class ControlMixin:
    """The state view and control actions of BolAPI."""

    def state(self):
        self._settle()
        by_status, by_method = {}, {}
        for o in self.order_list:
            st = self._order_status(o)
            by_status[st] = by_status.get(st, 0) + 1
            methods = {it["m"] for it in o["items"]}
            m = methods.pop() if len(methods) == 1 else "MIXED"
            by_method[m] = by_method.get(m, 0) + 1
        offers = (
            self.offer_list if len(self.offer_list) <= 2000 else [self.offers[i] for i in self.offers_touched]
        )
        return {
            "client_id": self.client_id,
            "orders": len(self.order_list),
            "orders_by_status": by_status,
            "orders_by_fulfilment_method": by_method,
            "shipments": [self._shipment_state(s) for s in self.shipments],
            "offers": {o["id"]: self._offer_state(o) for o in offers},
            "offers_updated": list(self.offers_touched),
            "process_statuses": [self._ps_public(p) for p in self.process_list[-500:]],
            "returns": len(self.returns),
            "returns_unhandled": sum(1 for r in self.returns for i in r["items"] if not i["handled"]),
            "fbb_inventory": sum(1 for o in self.offer_list if o["m"] == "FBB"),
            "invoices": len(self.invoices),
            "tokens_issued": len(self.tokens),
            "token_lifetime": self.token_lifetime,
            "token_grant_in": getattr(self, "token_grant_in", None),
        }

    @staticmethod
    def _offer_state(o):
        return {
            "ean": o["ean"],
            "reference": o["ref"],
            "sku": o["sku"],
            "fulfilmentMethod": o["m"],
            "stock": o["stock"],
            "managedByRetailer": o["mbr"],
            "reservedByOpenOrders": o["reserved"],
            "price": _money(o["bundle"][0][1]),
            "bundlePrices": [{"quantity": q, "unitPrice": _money(p)} for q, p in o["bundle"]],
            "onHoldByRetailer": o["hold"],
            "deleted": o["deleted"],
            **({"fbbRegularStock": o["regular"], "fbbGradedStock": o["graded"]} if o["m"] == "FBB" else {}),
        }

    @staticmethod
    def _shipment_state(s):
        return {
            "shipmentId": s["id"],
            "orderId": s["order"]["id"],
            "shipmentReference": s["ref"],
            "shipmentDateTime": iso(s["t"]),
            "orderItems": [{"orderItemId": it["id"], "quantity": q} for it, q in s["items"]],
            "transport": dict(s["transport"]),
            "source": s["source"],
        }

    def _json(self, status, obj):
        return Response(status, json.dumps(obj).encode(), {"Content-Type": "application/json"})

    def control(self, action, payload):
        answer = self._invoice_control(action, payload)
        if answer is not None:
            return answer
        if action == "add_orders":
            return self._control_add_orders(payload)
        if action == "set_order_status":
            order = self.orders.get(str(payload.get("order_id") or ""))
            if order is None:
                return self._json(404, {"error": "unknown order %s" % payload.get("order_id")})
            raw = str(payload.get("status") or "")
            status = STATUS_ALIASES.get(raw.lower(), raw.upper())
            if status not in ORDER_STATUSES:
                return self._json(400, {"error": "status must be one of %s" % ", ".join(ORDER_STATUSES)})
            ids = payload.get("order_item_ids")
            before = {it["id"]: it["s"] for it in order["items"]}
            error = self._apply_status(
                order,
                status,
                int(time.time()),
                set(map(str, ids)) if ids else None,
                customer=payload.get("customer", True),
            )
            if error:
                return self._json(400, {"error": error})
            shipped = [
                (it, it["s"] - before[it["id"]]) for it in order["items"] if it["s"] > before[it["id"]]
            ]
            if shipped:  # shipped outside the API (by bol for FBB, or by hand): Bol lists a shipment too
                self._record_shipment(
                    order,
                    shipped,
                    payload.get("shipment_reference"),
                    {
                        "transporterCode": payload.get("transporter_code", "TNT"),
                        "trackAndTrace": payload.get("track_and_trace", "3SSIM%09d" % (self._ship_seq + 1)),
                    },
                    None,
                    "control",
                )
            self._touch()
            return self._json(200, {"order": self._render_order(order), "status": self._order_status(order)})
        if action == "get_order":
            order = self.orders.get(str(payload.get("order_id") or ""))
            if order is None:
                return self._json(404, {"error": "unknown order"})
            return self._json(
                200,
                {
                    "order": self._render_order(order),
                    "status": self._order_status(order),
                    "shipments": [self._shipment_state(s) for s in self.shipments if s["order"] is order],
                },
            )
        if action in ("token_lifetime", "set_token_lifetime"):
            self.token_lifetime = int(
                payload.get("seconds", payload.get("lifetime", type(self).token_lifetime))
            )
            return self._json(200, {"seconds": self.token_lifetime})
        if action == "expire_tokens":
            self.expire_tokens()
            return self._json(200, {"expired": len(self.tokens)})
        if action == "process_timing":
            self.process_polls = int(payload.get("polls", self.process_polls))
            self.process_seconds = float(payload.get("seconds", self.process_seconds))
            return self._json(200, {"polls": self.process_polls, "seconds": self.process_seconds})
        if action == "credentials":
            self.client_id = payload.get("client_id", self.client_id)
            self.client_secret = payload.get("client_secret", self.client_secret)
            return self._json(200, {"client_id": self.client_id})
        if action == "set_fbb_stock":
            offer = self._find_offer(payload)
            if offer is None or offer["m"] != "FBB":
                return self._json(404, {"error": "no FBB offer for %s" % payload})
            offer["regular"] = int(payload.get("regularStock", offer["regular"]))
            offer["graded"] = int(payload.get("gradedStock", offer["graded"]))
            return self._json(200, self._offer_state(offer))
        if action == "add_return":
            found = self.items.get(str(payload.get("order_item_id") or ""))
            if found is None:
                return self._json(404, {"error": "unknown order item"})
            order, it = found
            reason = int(payload.get("reason", 0)) % len(RETURN_REASONS)
            ret = self._add_return(
                order,
                it,
                int(payload.get("quantity", 1)),
                time.time(),
                reason,
                bool(payload.get("handled", False)),
                track=True,
            )
            return self._json(201, self._render_return(ret))
        if action == "offers":
            return self._json(
                200, {"offers": [self._offer_state(o) | {"offerId": o["id"]} for o in self.offer_list]}
            )
        return self._json(404, {"error": "unknown action %s" % action})

    def _find_offer(self, spec):
        if spec.get("offer_id"):
            return self.offers.get(str(spec["offer_id"]))
        if spec.get("ean"):
            return self.offers_by_ean.get(str(spec["ean"]))
        ref = spec.get("reference") or spec.get("sku")
        return self.offers_by_ref.get(str(ref)) if ref else None

    def _control_add_orders(self, payload):
        specs = list(payload.get("orders") or [])
        count = int(payload.get("count", 0 if specs else 1))
        shared = {k: v for k, v in payload.items() if k not in ("orders", "count")}
        specs.extend({} for _ in range(count))
        now = int(time.time())
        rng = self.rng
        created = []
        for spec in specs:
            spec = dict(shared, **spec)
            method = str(spec.get("fulfilment_method") or spec.get("fulfilment-method") or "FBR").upper()
            if method not in ("FBR", "FBB", "MIXED"):
                return self._json(400, {"error": "fulfilment_method must be FBR, FBB or MIXED"})
            raw = str(spec.get("status") or "OPEN")
            status = STATUS_ALIASES.get(raw.lower(), raw.upper())
            if status not in ORDER_STATUSES:
                return self._json(400, {"error": "status must be one of %s" % ", ".join(ORDER_STATUSES)})
            lines = spec.get("lines", 1)
            if isinstance(lines, int):
                lines = [{} for _ in range(lines)]
            placed = now - int(spec.get("minutes_ago", 1)) * 60
            order_id = str(spec.get("order_id") or self._new_order_id())
            if order_id in self.orders:
                return self._json(409, {"error": "order %s exists" % order_id})
            items = []
            for j, line in enumerate(lines):
                offer = self._find_offer(line)
                if offer is None and any(line.get(k) for k in ("offer_id", "ean", "reference", "sku")):
                    return self._json(400, {"error": "no offer for %s" % line})
                if offer is None:
                    fbb = method == "FBB" or (method == "MIXED" and j % 2)
                    pool = self.fbb_offers if fbb else self.fbr_offers
                    offer = pool[(len(self.order_list) + j) % len(pool)]
                up = (
                    int(round(float(line["unit_price"]) * 100))
                    if line.get("unit_price") is not None
                    else offer["bundle"][0][1]
                )
                q = int(line.get("quantity", 1))
                disc = int(round(float(line.get("discount", 0)) * 100))
                items.append(
                    {
                        "id": str(line.get("order_item_id") or self._new_item_id()),
                        "o": offer,
                        "m": offer["m"],
                        "q": q,
                        "s": 0,
                        "c": 0,
                        "cr": False,
                        "up": up,
                        "disc": disc,
                        "u": placed,
                        "tf": line.get("time_frame", "REGULAR"),
                    }
                )
            order = {"id": order_id, "p": placed, "k": rng.getrandbits(48), "items": items}
            flags = {k: spec[k] for k in ("country", "b2b", "pickup_point") if k in spec}
            if flags:
                order["f"] = flags
            if spec.get("shipment_details"):
                order["sd"] = dict(spec["shipment_details"])
            if "billing_details" in spec:
                order["bd"] = None if spec["billing_details"] is None else dict(spec["billing_details"])
            for it in items:
                if it["m"] == "FBR":
                    it["o"]["reserved"] += it["q"]
                self.items[it["id"]] = (order, it)
            if status != "OPEN":
                error = self._apply_status(order, status, now, customer=spec.get("customer", True))
                if error:
                    return self._json(400, {"error": error})
            self.orders[order_id] = order
            self.order_list.append(order)
            created.append(order)
        self._touch()
        return self._json(
            201,
            {
                "orders": [o["id"] for o in created],
                "order_items": {o["id"]: [it["id"] for it in o["items"]] for o in created},
            },
        )
