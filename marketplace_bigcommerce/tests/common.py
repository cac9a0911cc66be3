import os
import sys

import requests

from odoo.tests import TransactionCase

# The simulator is a plain package at the repository's root, next to the addons.
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.append(REPO)

from marketplace_simulator.core import serve_in_thread  # noqa: E402


class BigCommerceCase(TransactionCase):
    """A BigCommerce store on a local simulator over real HTTP (no API is patched)."""

    SIZES = {"orders": 30, "products": 12}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server, cls.sim_url = serve_in_thread(port=0, rate_limits=False)
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["ir.config_parameter"].set_param("marketplace_bigcommerce.max_wait", "10")
        cls.env.ref("base.EUR").active = True

    def setUp(self):
        super().setUp()
        self.sim("POST", "/_sim/reset", {"seed": 7, "sizes": {"bigcommerce": self.SIZES}, "rate_limits": False})
        self.instance = self.env["marketplace.instance"].create({
            "name": "BigCommerce Test Store",
            "marketplace": "bigcommerce",
            "bigcommerce_store_hash": "simstore",
            "bigcommerce_access_token": "sim-token",
            "api_base_url": self.sim_url + "/bigcommerce",
            "log_level": "all",
        })

    # simulator ----------------------------------------------------------------------------------
    def sim(self, method, path, payload=None):
        response = requests.request(method, self.sim_url + path, json=payload, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def sim_state(self):
        return self.sim("GET", "/_sim/state?marketplace=bigcommerce")["bigcommerce"]

    def sim_order(self, order_id):
        return self.sim("POST", "/_sim/bigcommerce/get_order", {"order_id": order_id})

    def add_orders(self, *specs, **defaults):
        return self.sim("POST", "/_sim/bigcommerce/add_orders", dict(defaults, orders=list(specs)))["orders"]

    def fault(self, operation, kind, count=1, **extra):
        self.sim("POST", "/_sim/faults", dict(marketplace="bigcommerce", operation=operation, kind=kind, count=count,
                                              **extra))

    # Odoo --------------------------------------------------------------------------------------------
    def confirm(self):
        self.instance.action_confirm()
        self.job("import_orders").cursor = "2020-01-01 00:00:00"

    def job(self, code):
        return self.instance.job_ids.filtered(lambda j: j.job == code)

    def statuses(self, *names):
        return self.env["marketplace.order.status"].search([("marketplace", "=", "bigcommerce"), ("name", "in", names)])

    def import_orders(self):
        self.instance.action_import_orders()
        self.instance.action_process_queues()
        return self.orders()

    def orders(self):
        return self.env["sale.order"].search([("marketplace_instance_id", "=", self.instance.id)])

    def order(self, reference):
        return self.orders().filtered(lambda o: o.marketplace_order_ref == str(reference))

    def last_log(self, job):
        return self.env["marketplace.log"].search(
            [("instance_id", "=", self.instance.id), ("job", "=", job)], order="id desc", limit=1)

    def queue_lines(self, kind="order"):
        return self.env["marketplace.queue.line"].search([("instance_id", "=", self.instance.id), ("kind", "=", kind)])

    def product(self, sku, **vals):
        return self.env["product.product"].create(dict({"name": sku, "default_code": sku, "type": "product"}, **vals))
