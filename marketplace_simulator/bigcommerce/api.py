"""BigCommerceAPI: the roles put together, its state, `GET /_sim/state` and the control actions."""

import random
import threading
import time

from ..core import Marketplace
from .catalogue import CatalogueMixin
from .inventory import InventoryMixin
from .orders import OrdersMixin
from .orders_api import OrdersApiMixin
from .payments import PaymentsMixin
from .refunds import RefundsMixin
from .routes import RoutesMixin
from .shipments import ShipmentsMixin
from .store import StoreMixin
from .data import money_float, SCOPES, WEIGHT_UNITS, ORDER_STATUSES, STATUS_NAME, _int_arg


class BigCommerceAPI(
    RoutesMixin,
    StoreMixin,
    OrdersMixin,
    OrdersApiMixin,
    ShipmentsMixin,
    CatalogueMixin,
    InventoryMixin,
    PaymentsMixin,
    RefundsMixin,
    Marketplace,
):
    name = "bigcommerce"

    # default credentials (flags may set others)
    store_hash = "simstore"
    access_token = "sim-token"

    # Plus & Standard plan: 20k per hour, i.e. 150 requests per 30 s window, shared by the store
    rate_quota = 150
    rate_window_ms = 30000

    default_sizes = {"orders": 250, "products": 40}
    ORDERS_MAX_LIMIT = 250
    CATALOG_MAX_LIMIT = 250
    INVENTORY_MAX_ITEMS = 2000
    PRODUCTS_BATCH = 10
    VARIANTS_BATCH = 50

    def __init__(self, sim):
        super().__init__(sim)
        self._tls = threading.local()
        self._rl_lock = threading.Lock()
        self._refund_lock = threading.RLock()  # one refund at a time, as documented
        self._rl_window_end = 0.0
        self._rl_used = 0
        self._rl_marker = None
        self._deny_once = False
        self._routes = self._build_routes()

    # ========================================================================================
    # state
    # ========================================================================================
    def reset(self, seed, sizes):
        sizes = dict(sizes or {})
        n_orders = int(sizes.get("orders", self.default_sizes["orders"]))
        n_products = max(3, int(sizes.get("products", self.default_sizes["products"])))
        self.seed = seed
        self.rng = random.Random("bigcommerce-%s" % seed)
        self.now = float(sizes.get("now") or time.time())
        self.inventory_delay = float(sizes.get("inventory_delay", 0.0))
        self.capture_delay = float(sizes.get("capture_delay", 0.0))
        self.store_currency = str(sizes.get("currency", "EUR"))
        self.weight_units = str(sizes.get("weight_units", "KGS"))
        self.scopes = set(SCOPES)  # the access token's OAuth scopes (control action "scopes")
        # the store's quota: the plan's (150 per 30 s) unless a test asks for a smaller window
        self.rate_quota = int(sizes.get("rate_quota", type(self).rate_quota))
        self.rate_window_ms = int(sizes.get("rate_window_ms", type(self).rate_window_ms))
        self.orders = {}
        self.order_list = []  # ascending id
        self._visible = None  # orders listed without status filter (not Incomplete)
        self._by_status = None
        self._by_m = None  # [(date_modified, order)] ascending, built on demand, stale entries skipped
        self._by_c = None
        self._pid = 1000  # next order product id
        self._aid = 500  # next order address id
        self._next_order = 100
        self._units = None
        self._shipment_seq = 5000000
        self._txn_seq = 90000000
        self.shipments = []  # shipments the connector created (as rendered)
        self.status_changes = []
        self.payments = []  # captures, voids and orders marked paid
        self.price_updates = []
        self.prices_touched = set()
        self.adjustments = []  # inventory transactions
        self.pending_adjustments = []
        self.pending_captures = []
        self.stock_touched = set()
        self.refunds = []  # ascending id (see refunds.py)
        self.refunds_by_order = {}
        self._refund_seq = 0
        self._refund_payment_seq = 0
        self._deny_once = False
        with self._rl_lock:
            self._rl_window_end = 0.0
            self._rl_used = 0
        self._build_catalogue(n_products)
        self._generate_orders(n_orders, self.now - 60 * 86400, self.now - 300)

    # -- state and control -----------------------------------------------------------------------
    def state(self):
        self._apply_due()
        by_status = {}
        by_payment = {}
        for o in self.order_list:
            name = STATUS_NAME[o["st"]]
            by_status[name] = by_status.get(name, 0) + 1
            by_payment[o["ps"]] = by_payment.get(o["ps"], 0) + 1
        small = len(self.variant_list) <= 2000
        stock_keys = self.stock if small else {k: None for k in self.stock if k in self.stock_touched}
        inventory = {}
        for vid, loc in stock_keys:
            variant = self.variants[vid]
            inventory.setdefault(variant["sku"], {})[str(loc)] = self.stock[(vid, loc)]
        price_variants = (
            self.variant_list if small else [self.variants[v] for v in sorted(self.prices_touched)]
        )
        prices = {}
        for v in price_variants:
            price, sale = self._variant_price(v)
            prices[v["sku"]] = {
                "price": money_float(price),
                "sale_price": money_float(sale),
                "calculated_price": money_float(self._unit_price(v)),
            }
        return {
            "store_hash": self.store_hash,
            "orders": len(self.order_list),
            "orders_by_status": by_status,
            "orders_by_payment_status": by_payment,
            "products": len(self.product_list),
            "variants": len(self.variant_list),
            "shipments": self.shipments,
            "status_changes": self.status_changes,
            "payments": self.payments,
            "paid_orders": {str(p["order_id"]): self.orders[p["order_id"]]["ps"] for p in self.payments},
            "refunds": len(self.refunds),
            "refunds_by_order": {
                str(oid): [self._render_refund(r) for r in refunds]
                for oid, refunds in self.refunds_by_order.items()
                if not all(r["generated"] for r in refunds)
            },
            "inventory": inventory,
            "inventory_adjustments": self.adjustments,
            "inventory_pending": len(self.pending_adjustments),
            "prices": prices,
            "price_updates": self.price_updates,
            "rate_limit": {"quota": self._quota(), "window_ms": self.rate_window_ms, "used": self._rl_used},
        }

    def control(self, action, payload):
        try:
            if action == "add_orders":
                return self._control_add_orders(payload)
            if action == "refund":
                return self._control_refund(payload)
            if action == "set_order_status":
                order = self.orders.get(_int_arg(payload.get("order_id")))
                if order is None:
                    return self._json(404, {"error": "unknown order %r" % payload.get("order_id")})
                status = self._status_arg(payload.get("status", payload.get("status_id")))
                if status is None:
                    return self._json(
                        400,
                        {
                            "error": "status must be one of %s (or their ids)"
                            % ", ".join(s[1] for s in ORDER_STATUSES)
                        },
                    )
                self._control_set_status(order, status, payload.get("payment_status"))
                return self._json(200, {"order": self._render_order(order, self._host(None))})
            if action == "get_order":
                order = self.orders.get(_int_arg(payload.get("order_id")))
                if order is None:
                    return self._json(404, {"error": "unknown order %r" % payload.get("order_id")})
                host = self._host(None)
                return self._json(
                    200,
                    {
                        "order": self._render_order(order, host),
                        "products": [
                            self._render_product_line(order, k, host) for k in range(len(order["lines"]))
                        ],
                        "shipping_addresses": [
                            self._render_address(order, k, host) for k in range(order["na"])
                        ],
                        "shipments": [self._render_shipment(order, s) for s in self._order_shipments(order)],
                        "transactions": self._transactions(order),
                    },
                )
            if action == "timing":
                if "inventory_delay" in payload:
                    self.inventory_delay = float(payload["inventory_delay"])
                if "capture_delay" in payload:
                    self.capture_delay = float(payload["capture_delay"])
                return self._json(
                    200, {"inventory_delay": self.inventory_delay, "capture_delay": self.capture_delay}
                )
            if action == "set_stock":
                key = self._control_item(payload)
                self.stock[key] = int(payload["quantity"])
                self.stock_touched.add(key)
                return self._json(
                    200,
                    {"sku": self.variants[key[0]]["sku"], "location_id": key[1], "quantity": self.stock[key]},
                )
            if action == "expire_tokens":
                self.expire_tokens()
                return self._json(200, {"revoked_once": True})
            if action == "store":
                if payload.get("weight_units"):
                    if payload["weight_units"] not in WEIGHT_UNITS:
                        return self._json(
                            400, {"error": "weight_units must be one of %s" % ", ".join(WEIGHT_UNITS)}
                        )
                    self.weight_units = payload["weight_units"]
                if payload.get("currency"):
                    self.store_currency = str(payload["currency"]).upper()
                return self._json(200, {"weight_units": self.weight_units, "currency": self.store_currency})
            if action == "scopes":
                # the access token's scopes from now on (null: every scope again)
                scopes = payload.get("scopes")
                self.scopes = set(SCOPES) if scopes is None else set(scopes)
                return self._json(200, {"scopes": sorted(self.scopes)})
            if action == "set_product":
                product = self.products[int(payload["product_id"])]
                for key in ("inventory_tracking", "weight"):
                    if key in payload:
                        product["tracking" if key == "inventory_tracking" else key] = payload[key]
                return self._json(200, {"product_id": product["id"]})
            if action == "credentials":
                if payload.get("access_token"):
                    self.access_token = str(payload["access_token"])
                if payload.get("store_hash"):
                    self.store_hash = str(payload["store_hash"])
                return self._json(200, {"store_hash": self.store_hash, "access_token": self.access_token})
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            return self._json(400, {"error": "bad %s payload: %r" % (action, err)})
        return self._json(404, {"error": "unknown action %s" % action})

    def _apply_due(self):
        """Apply inventory adjustments and payment captures whose time has come."""
        if not (self.pending_adjustments or self.pending_captures):
            return
        now = time.time()
        if self.pending_adjustments:
            keep = []
            for due, txn, changes in self.pending_adjustments:
                if due > now:
                    keep.append((due, txn, changes))
                    continue
                for key, qty, relative in changes:
                    self.stock[key] = self.stock.get(key, 0) + qty if relative else qty
                    self.stock_touched.add(key)
                txn["status"] = "applied"
            self.pending_adjustments = keep
        if self.pending_captures:
            keep = []
            for due, order, action in self.pending_captures:
                if due > now:
                    keep.append((due, order, action))
                    continue
                self._settle_payment(order, action)
            self.pending_captures = keep
