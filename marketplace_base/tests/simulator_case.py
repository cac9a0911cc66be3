"""The base of every connector's tests: one marketplace of the local simulator, over real HTTP
(no API is patched), reset to a known state before each test."""

import os
import sys

import requests

from odoo.tests import TransactionCase

# The simulator is a plain package at the repository's root, next to the addons.
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.append(REPO)

from marketplace_simulator.core import serve_in_thread  # noqa: E402

from .feedback_common import JobFeedbackMixin  # noqa: E402


class SimulatorCase(JobFeedbackMixin, TransactionCase):
    """MARKETPLACE names the simulator's part (amazon, bigcommerce, bol); SEED and SIZES its
    generated state (orders, products); MAX_WAIT the seconds the connector may wait out a 429,
    RATE_SCALE how much faster than documented its client may call (the simulator answers with
    rate limits off). The test's instance is `self.instance`."""

    MARKETPLACE = None
    SEED = 1
    SIZES = {}
    MAX_WAIT = 10
    RATE_SCALE = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server, cls.sim_url = serve_in_thread(port=0, rate_limits=False)
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        params = cls.env["ir.config_parameter"]
        params.set_param("marketplace_%s.max_wait" % cls.MARKETPLACE, str(cls.MAX_WAIT))
        if cls.RATE_SCALE:
            params.set_param("marketplace_%s.rate_scale" % cls.MARKETPLACE, str(cls.RATE_SCALE))

    def setUp(self):
        super().setUp()
        self.sim(
            "POST",
            "/_sim/reset",
            {"seed": self.SEED, "sizes": {self.MARKETPLACE: self.SIZES}, "rate_limits": False},
        )

    # simulator ----------------------------------------------------------------------------------
    def sim(self, method, path, payload=None):
        response = requests.request(method, self.sim_url + path, json=payload, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def sim_state(self):
        return self.sim("GET", "/_sim/state?marketplace=%s" % self.MARKETPLACE)[self.MARKETPLACE]

    def fault(self, operation, kind, count=1, **extra):
        self.sim(
            "POST",
            "/_sim/faults",
            dict(marketplace=self.MARKETPLACE, operation=operation, kind=kind, count=count, **extra),
        )

    # Odoo ---------------------------------------------------------------------------------------
    def job(self, code):
        return self.instance.job_ids.filtered(lambda j: j.job == code)

    def import_orders(self):
        """Import Orders then Process Queues; the instance's sale orders."""
        self.instance.action_import_orders()
        self.instance.action_process_queues()
        return self.orders()

    def orders(self):
        return self.env["sale.order"].search([("marketplace_instance_id", "=", self.instance.id)])

    def order(self, reference):
        return self.env["sale.order"].search(
            [
                ("marketplace_instance_id", "=", self.instance.id),
                ("marketplace_order_ref", "=", str(reference)),
            ]
        )

    def last_log(self, job):
        return self.env["marketplace.log"].search(
            [("instance_id", "=", self.instance.id), ("job", "=", job)], order="id desc", limit=1
        )

    def queue_lines(self, kind="order"):
        return self.env["marketplace.queue.line"].search(
            [("instance_id", "=", self.instance.id), ("kind", "=", kind)]
        )

    def exports(self):
        return self.env["marketplace.export"].search([("instance_id", "=", self.instance.id)])
