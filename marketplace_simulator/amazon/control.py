"""The control API (`POST /_sim/amazon/<action>`) and `GET /_sim/state`.

Actions: add_orders, set_order_status, get_order (everything, PII included), expire_tokens,
set_token_ttl, set_fba_stock, feed_timing, feed_report, and the account's permissions and
marketplaces: ``pii_role {"granted": false}`` (the app lacks the restricted-data role: every
RDT is refused), ``orders_api {"2026-01-01": false}`` (the app may not call Orders
2026-01-01: 403), ``set_participations {"marketplaces": [ids]}``.

add_orders: ``{"count": n, "marketplace_id", "fulfillment_channel", "status"}`` or ``{"orders":
[spec]}``; a spec may give marketplace_id, fulfillment_channel (AFN/MFN), status, lines (a
number, or [{sku, quantity, price, shipping}]), purchase_date, amazon_order_id,
seller_order_id, business, vat (a business buyer's VAT number, "" for none), gift, ship_to (a
country code of the simulator's addresses), payment_method (Other, COD, CVS), facilitator
(Amazon collects the tax of the order: true/false), tax_rate (percent: the tax of every item, 0 for
none; else the destination's, data.TAX_BY_COUNTRY); a line may give its own tax_rate (7 on books).
An item without tax shows ItemTax 0.00 and none of the other tax amounts (ShippingTax, ...), as
Amazon leaves out what does not apply.

Finances v0 (finances.py; amounts are numbers or decimal strings, exact to the cent; answers'
totals are strings with two decimals; a bad payload is 400 {"error"}, an unknown order or group 404):

* ``finances_close {}``: closes the open group of the seller's first marketplace's currency
  (``"currency": "GBP"``, ``"marketplace_id"`` or ``"all": true`` for others): Closed,
  FundTransferStatus Succeeded, FundTransferDate and FinancialEventGroupEnd now, OriginalTotal
  final; the next group opens at that moment with its Subscription fee. ``"reserve": "100.00"``
  holds that much back (a ReserveEvent in the closed group) and releases it in the next. Answers
  {"group_id", "total", "currency", "events" (count), "opened" (the next group's id), "closed":
  [{"id", "currency", "status", "start", "end", "total", "events"}, ...]}.
* ``finances_refund {"order_id", "items": [{"order_item_id" or "sku", "quantity"}], "shipping":
  true/false, "amount": goodwill, "kind": "refund" | "chargeback" | "guarantee_claim"}``: a
  RefundEvent (ChargebackEvent, GuaranteeClaimEvent) in the open group of the order's currency for
  units shipped and not refunded yet (quantity defaults to all of them; "shipping" gives back the
  shipping of those units; "amount" alone is a goodwill refund). Answers {"event" (as the API shows
  it), "list", "posted", "group_id", "total" (negative)}.
* ``finances_correct {"group_id", "adjustment": amount, "type"}`` or ``{"group_id", "add": [{"type",
  "amount", "sku", "quantity"}]}``: Amazon corrects a group (closed ones too): AdjustmentEvents
  posted now in it (type one of finances_control.ADJUSTMENT_TYPES; default FBAInventoryReimbursement
  for a credit, ReimbursementClawback for a debit); its OriginalTotal follows. Answers the group
  ({"group_id", "status", "total", "events", ...}) and the events "added".
* No ``finances_ship``: an order's units get their ShipmentEvent when they ship: add_orders with a
  shipped status, ``set_order_status`` Shipped (AFN or MFN), or an accepted confirmShipment.
* ``GET /_sim/state?marketplace=amazon`` has "finances": {"groups": [{"id", "currency", "status",
  "start", "end", "total", "events"}], "open": {currency: id}, "events": count}.
* reset ``sizes``: ``orders`` (generated, default 250), ``order_days`` (their purchase dates' span,
  default 60), ``settlement_days`` (a group's period, default 14).
"""

import time

from ..core import json_response
from .buyers import BUYER_INFO, SHIPPING_ADDRESS
from .data import ADDRESSES, LWA_DEFAULT_TTL, MARKETPLACES, ORDER_STATUSES, parse_iso
from .orders import PAYMENT_METHODS

EVERYTHING = frozenset((BUYER_INFO, SHIPPING_ADDRESS))


class ControlMixin:
    def state(self):
        by_status, by_channel, by_marketplace = {}, {}, {}
        for o in self.order_list:
            by_status[o["st"]] = by_status.get(o["st"], 0) + 1
            by_channel[o["ch"]] = by_channel.get(o["ch"], 0) + 1
            by_marketplace[o["mp"]] = by_marketplace.get(o["mp"], 0) + 1

        def offer_view(sku):
            return {
                mp: {
                    "price": "%.2f" % (o["price"] / 100.0),
                    "currency": MARKETPLACES[mp][2],
                    "quantity": o["quantity"],
                    **({"deleted": True} if o.get("deleted") else {}),
                }
                for mp, o in self.offers[sku].items()
            }

        skus = self.sku_list if len(self.sku_list) <= 2000 else sorted(self.offers_touched)
        return {
            "seller_id": self.seller_id,
            "marketplaces": list(self.participations),
            "orders": len(self.order_list),
            "orders_by_status": by_status,
            "orders_by_channel": by_channel,
            "orders_by_marketplace": by_marketplace,
            "products": len(self.products),
            "shipments_confirmed": len(self.shipments),
            "shipments": self.shipments,
            "feeds": [self._feed_state(f) for f in self.feed_list],
            "offers": {sku: offer_view(sku) for sku in skus},
            "offers_updated": sorted(self.offers_touched),
            "fba_inventory": {sku: dict(q) for sku, q in self.fba.items()}
            if len(self.fba) <= 2000
            else len(self.fba),
            "returns": self.returns if len(self.returns) <= 2000 else len(self.returns),
            "reports": [
                {"reportId": r["reportId"], "reportType": r["reportType"], "status": r["status"]}
                for r in self.reports.values()
            ],
            "tokens_issued": len(self.tokens),
            "rdts_issued": len(self.rdts),
            "pii_role": self.pii_role,
            "orders_2026": self.orders_2026,
            "finances": self._fin_state(),
        }

    @staticmethod
    def _feed_state(feed):
        return {
            "feedId": feed["feedId"],
            "feedType": feed["feedType"],
            "marketplaceIds": feed["marketplaceIds"],
            "processingStatus": feed["status"],
            "messagesAccepted": feed.get("accepted", 0),
            "messagesInvalid": feed.get("invalid", 0),
            "rejectedSkus": feed.get("rejected", []),
            "polls": feed["polls"],
        }

    # -- control -----------------------------------------------------------------------------
    def control(self, action, payload):
        handler = getattr(self, "_control_%s" % action, None)
        if handler is None:
            return json_response(404, {"error": "unknown action %s" % action})
        return handler(payload)

    def _control_add_orders(self, payload):
        try:
            return self._add_orders(payload)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            return json_response(400, {"error": "bad add_orders payload: %r" % err})

    def _control_set_order_status(self, payload):
        order = self.orders.get(payload.get("amazon_order_id") or payload.get("order_id") or "")
        status = payload.get("status")
        if order is None:
            return json_response(404, {"error": "unknown order"})
        if status not in ORDER_STATUSES:
            return json_response(400, {"error": "status must be one of %s" % ", ".join(ORDER_STATUSES)})
        self._set_status(order, status)
        return json_response(200, {"order": self._render_order(order, EVERYTHING)})

    def _control_get_order(self, payload):
        order = self.orders.get(payload.get("amazon_order_id") or payload.get("order_id") or "")
        if order is None:
            return json_response(404, {"error": "unknown order"})
        return json_response(
            200,
            {
                "order": self._render_order(order, EVERYTHING),
                "items": [self._render_item(order, it, EVERYTHING) for it in order["items"]],
                "shipments": [s for s in self.shipments if s["amazonOrderId"] == order["id"]],
            },
        )

    def _control_expire_tokens(self, payload):
        self.expire_tokens()
        return json_response(200, {"expired": len(self.tokens) + len(self.rdts)})

    def _control_set_token_ttl(self, payload):
        self.token_ttl = int(payload.get("seconds", LWA_DEFAULT_TTL))
        return json_response(200, {"seconds": self.token_ttl})

    def _control_set_fba_stock(self, payload):
        sku = payload.get("sku")
        if sku not in self.fba:
            return json_response(404, {"error": "not an FBA SKU"})
        for key, value in payload.items():
            if key in self.fba[sku]:
                self.fba[sku][key] = int(value)
        self.fba[sku]["updated"] = time.time()
        return json_response(200, {"sku": sku, "fba": self.fba[sku]})

    def _control_feed_timing(self, payload):
        self.feed_stage_seconds = float(payload.get("stage_seconds", self.feed_stage_seconds))
        return json_response(200, {"stage_seconds": self.feed_stage_seconds})

    def _control_feed_report(self, payload):  # {"issue_skus": false}: issues name their messageId only
        self.issue_skus = bool(payload.get("issue_skus", True))
        return json_response(200, {"issue_skus": self.issue_skus})

    def _control_pii_role(self, payload):
        self.pii_role = bool(payload.get("granted", True))
        return json_response(200, {"granted": self.pii_role})

    def _control_orders_api(self, payload):
        self.orders_2026 = bool(payload.get("2026-01-01", True))
        return json_response(200, {"2026-01-01": self.orders_2026})

    def _control_set_participations(self, payload):
        problem = self._set_participations(list(payload.get("marketplaces") or []))
        if problem:
            return json_response(400, {"error": problem})
        return json_response(200, {"marketplaces": self.participations})

    # -- add_orders ------------------------------------------------------------------------------
    def _add_orders(self, payload):
        specs = list(payload.get("orders") or [])
        count = int(payload.get("count", 0 if specs else 1))
        defaults = {
            k: payload[k] for k in ("marketplace_id", "fulfillment_channel", "status") if k in payload
        }
        specs.extend(dict(defaults) for _ in range(count))
        created = []
        for spec in specs:
            for key, value in defaults.items():
                spec.setdefault(key, value)
            order = self._add_order(spec)
            if not isinstance(order, dict):
                return order  # an error answer
            created.append(order["id"])
        return json_response(201, {"orders": created})

    def _add_order(self, spec):
        now = int(time.time())
        mp_id = (
            spec.get("marketplace_id") or self.participations[len(self.order_list) % len(self.participations)]
        )
        afn = (spec.get("fulfillment_channel") or "MFN").upper() == "AFN"
        status = spec.get("status") or "Unshipped"
        problem = (
            mp_id not in MARKETPLACES
            and "unknown marketplace_id %s" % mp_id
            or status not in ORDER_STATUSES
            and "unknown status %s" % status
            or spec.get("ship_to")
            and spec["ship_to"] not in ADDRESSES
            and "ship_to must be one of %s" % ", ".join(ADDRESSES)
            or (spec.get("payment_method") or "Other") not in PAYMENT_METHODS
            and "payment_method must be one of %s" % ", ".join(PAYMENT_METHODS)
        )
        lines = spec.get("lines") if isinstance(spec.get("lines"), list) else []
        rates = [spec.get("tax_rate")] + [line.get("tax_rate") for line in lines if isinstance(line, dict)]
        if any(
            r is not None and (isinstance(r, bool) or not isinstance(r, (int, float)) or r < 0) for r in rates
        ):
            problem = "tax_rate must be a percentage (a number, 0 or more)"
        if problem:
            return json_response(400, {"error": problem})
        lines = spec.get("lines")
        if isinstance(lines, int):
            pool = self.fba_skus if afn else self.sku_list
            lines = [
                {"sku": pool[(len(self.order_list) + k) % len(pool)], "quantity": 1} for k in range(lines)
            ]
        purchase = parse_iso(spec.get("purchase_date")) if spec.get("purchase_date") else now - 60
        if purchase is None:
            return json_response(
                400, {"error": "purchase_date is not ISO 8601: %s" % spec.get("purchase_date")}
            )
        if spec.get("amazon_order_id") in self.orders:
            return json_response(409, {"error": "order %s exists" % spec["amazon_order_id"]})
        return self._make_order(
            mp_id,
            afn,
            status,
            int(purchase),
            lines,
            self.fba_skus if afn else self.sku_list,
            b2b=spec.get("business"),
            gift=spec.get("gift"),
            order_id=spec.get("amazon_order_id"),
            updated=None if spec.get("purchase_date") else now,
            ship_to=spec.get("ship_to"),
            payment=spec.get("payment_method"),
            facilitator=spec.get("facilitator"),
            vat=spec.get("vat"),
            seller_order_id=spec.get("seller_order_id"),
            tax_rate=spec.get("tax_rate"),
        )
