import os
import sys

import requests

from odoo import fields
from odoo.tests import TransactionCase

# The simulator is a plain package at the repository's root, next to the addons.
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.append(REPO)

from marketplace_simulator.core import serve_in_thread  # noqa: E402

from ..adapter import client as client_module  # noqa: E402


class BolCase(TransactionCase):
    """A Bol.com retailer account (FBR & FBB) on a local simulator over real HTTP (no API is
    patched). The simulated account starts without orders: each test adds the ones it needs,
    and the import reads the last minutes of changes."""

    SIZES = {"orders": 0, "products": 24}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server, cls.sim_url = serve_in_thread(port=0, rate_limits=False)
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        params = cls.env["ir.config_parameter"]
        params.set_param("marketplace_bol.max_wait", "20")
        # The simulator answers with rate limits off: the client's own pacing may go 1000x faster.
        params.set_param("marketplace_bol.rate_scale", "1000")

    def setUp(self):
        super().setUp()
        client_module.reset_rate_limits()
        client_module.forget_tokens()
        self.sim("POST", "/_sim/reset", {"seed": 5, "sizes": {"bol": self.SIZES}, "rate_limits": False})
        self.sim("POST", "/_sim/bol/process_timing", {"polls": 1, "seconds": 0})
        self.offers = self.sim("POST", "/_sim/bol/offers", {})["offers"]
        self.fbr_offers = [o for o in self.offers if o["fulfilmentMethod"] == "FBR"]
        self.fbb_offers = [o for o in self.offers if o["fulfilmentMethod"] == "FBB"]
        # every offer has its product in Odoo (by EAN), but the last FBR one
        self.unknown = self.fbr_offers[-1]
        self.products = self.env["product.product"].create([{
            "name": o["sku"], "barcode": o["ean"], "default_code": o["sku"], "type": "product", "list_price": 10,
        } for o in self.offers if o is not self.unknown])
        self.instance = self.env["marketplace.instance"].create({
            "name": "Bol Test Account",
            "marketplace": "bol",
            "bol_client_id": "sim-bol-client",
            "bol_client_secret": "sim-bol-secret",
            "bol_fulfilment": "ALL",
            "api_base_url": self.sim_url + "/bol",
            "order_prefix": "BOL-",
            "marketplace_order_prefix": "BOLFBB-",
            "log_level": "all",
            "workflow_id": self.env["marketplace.workflow"].create({"name": "Confirm", "confirm_order": True}).id,
            "marketplace_workflow_id": self.env["marketplace.workflow"].create(
                {"name": "Confirm FBB", "confirm_order": True}).id,
        })

    # simulator ----------------------------------------------------------------------------------
    def sim(self, method, path, payload=None):
        response = requests.request(method, self.sim_url + path, json=payload, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def sim_state(self):
        return self.sim("GET", "/_sim/state?marketplace=bol")["bol"]

    def fault(self, operation, kind, count=1, **extra):
        self.sim("POST", "/_sim/faults", dict(marketplace="bol", operation=operation, kind=kind, count=count, **extra))

    def add_orders(self, **spec):
        return self.sim("POST", "/_sim/bol/add_orders", spec)

    def set_status(self, order_id, status, **extra):
        return self.sim("POST", "/_sim/bol/set_order_status", dict(order_id=order_id, status=status, **extra))

    def sim_order(self, order_id):
        return self.sim("POST", "/_sim/bol/get_order", {"order_id": order_id})

    # Odoo --------------------------------------------------------------------------------------------
    def confirm(self):
        self.instance.action_confirm()
        self.rewind()

    def rewind(self, minutes=10):
        """Import Orders reads the changes of the last minutes again."""
        self.job("import_orders").cursor = fields.Datetime.subtract(fields.Datetime.now(), minutes=minutes)

    def job(self, code):
        return self.instance.job_ids.filtered(lambda j: j.job == code)

    def exports(self):
        return self.env["marketplace.export"].search([("instance_id", "=", self.instance.id)])

    def import_orders(self):
        self.instance.action_import_orders()
        self.instance.action_process_queues()
        return self.orders()

    def orders(self):
        return self.env["sale.order"].search([("marketplace_instance_id", "=", self.instance.id)])

    def order(self, ref):
        return self.orders().filtered(lambda o: o.marketplace_order_ref == ref)

    def last_log(self, job):
        return self.env["marketplace.log"].search(
            [("instance_id", "=", self.instance.id), ("job", "=", job)], order="id desc", limit=1)

    def queue_lines(self, kind="order"):
        return self.env["marketplace.queue.line"].search(
            [("instance_id", "=", self.instance.id), ("kind", "=", kind)])

    def product(self, offer):
        return self.products.filtered(lambda p: p.barcode == offer["ean"])
