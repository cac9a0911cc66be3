import os
import signal
import subprocess
import sys
import threading
import time

import requests

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import config

from odoo.addons.marketplace_base.tests.simulator_case import REPO, serve_in_thread

ORDERS = 24

# A separate Odoo process importing orders, as a cron worker would (it commits as it goes).
WORKER = """
import sys
import odoo
from odoo.tools import config
config.parse_config(sys.argv[1:-1])
registry = odoo.registry(config["db_name"])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"marketplace_auto_commit": True})
    env["marketplace.instance"].browse(int(sys.argv[-1])).action_import_orders()
"""


@tagged("post_install", "-at_install")
class TestAmazonImportConcurrency(BaseCase):
    """Imports on real, separate database connections and processes, with committed data
    (removed at the end): two workers at once, and a worker killed in the middle of a run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.server, cls.sim_url = serve_in_thread(port=0, rate_limits=False)
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)

    def setUp(self):
        super().setUp()
        self.sim(
            "/_sim/reset",
            {"seed": 5, "sizes": {"amazon": {"orders": 0, "products": 10}}, "rate_limits": False},
        )
        self.refs = self.sim(
            "/_sim/amazon/add_orders", {"count": ORDERS, "fulfillment_channel": "MFN", "status": "Unshipped"}
        )["orders"]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            params = env["ir.config_parameter"]
            self.saved_params = {
                k: params.get_param(k)
                for k in ("marketplace_amazon.rate_scale", "marketplace.import_commit_seconds")
            }
            params.set_param("marketplace_amazon.rate_scale", "100")
            instance = env["marketplace.instance"].create(
                {
                    "name": "Amazon Concurrency",
                    "marketplace": "amazon",
                    "amazon_seller_id": "SIMSELLER1",
                    "amazon_refresh_token": "sim-refresh-token",
                    "amazon_lwa_client_id": "sim-lwa-client",
                    "amazon_lwa_client_secret": "sim-lwa-secret",
                    "api_base_url": self.sim_url + "/amazon",
                    "log_level": "all",
                }
            )
            instance.action_confirm()
            instance._job("import_orders").cursor = "2020-01-01 00:00:00"
            self.instance_id = instance.id
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["marketplace.instance"].browse(self.instance_id).unlink()
            for key, value in self.saved_params.items():
                env["ir.config_parameter"].set_param(key, value or False)

    def sim(self, path, payload):
        response = requests.post(self.sim_url + path, json=payload, timeout=30)
        response.raise_for_status()
        return response.json()

    def _lines(self, env):
        return env["marketplace.queue.line"].search([("instance_id", "=", self.instance_id)])

    def _import_in_thread(self, barrier, errors):
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"marketplace_auto_commit": True})
                barrier.wait(timeout=30)
                env["marketplace.instance"].browse(self.instance_id).action_import_orders()
        except Exception as err:  # reported to the test thread
            errors.append(err)

    def test_two_workers_importing_at_once_queue_each_order_once(self):
        barrier, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=self._import_in_thread, args=(barrier, errors)) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines = self._lines(env)
            self.assertEqual(
                sorted(lines.mapped("name")), sorted(self.refs), "every order queued exactly once"
            )
            logs = env["marketplace.log"].search(
                [("instance_id", "=", self.instance_id), ("job", "=", "import_orders")]
            )
            self.assertEqual(len(logs), 1, "the second worker saw the job running and stepped aside")
            # Processing them gives one sale order per Amazon order (not committed).
            instance = env["marketplace.instance"].browse(self.instance_id)
            instance.action_process_queues()
            orders = env["sale.order"].search([("marketplace_instance_id", "=", self.instance_id)])
            self.assertEqual(sorted(orders.mapped("marketplace_order_ref")), sorted(self.refs))
            cr.rollback()

    def test_killed_import_keeps_what_it_queued_and_the_next_run_finishes(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param("marketplace.import_commit_seconds", "0.2")
            # Orders API v0: one getOrderItems per order, the slow part a run can be cut off in
            env["marketplace.instance"].browse(self.instance_id).amazon_orders_api = "v0"
        # getOrderItems answers slowly, as it does at Amazon's 0.5 requests per second.
        self.sim(
            "/_sim/faults",
            {
                "marketplace": "amazon",
                "operation": "getOrderItems",
                "kind": "slow",
                "delay": 0.25,
                "count": 1000,
            },
        )
        args = [
            "-d",
            get_db_name(),
            "--db_host",
            config["db_host"] or "127.0.0.1",
            "--db_port",
            str(config["db_port"] or 5432),
            "-r",
            config["db_user"] or "",
            "-w",
            config["db_password"] or "",
            "--addons-path",
            config["addons_path"],
        ]
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER] + args + [str(self.instance_id)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        queued = self._wait_for_lines(5, worker)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        self.assertLess(queued, ORDERS, "killed in the middle of the run")
        requests.delete(self.sim_url + "/_sim/faults", timeout=30).raise_for_status()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"marketplace_auto_commit": True})
            kept = len(self._lines(env))
            self.assertGreaterEqual(kept, 5, "what the killed run queued was committed")
            env["marketplace.instance"].browse(self.instance_id).action_import_orders()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(
                sorted(self._lines(env).mapped("name")), sorted(self.refs), "each order exactly once"
            )
            logs = env["marketplace.log"].search(
                [("instance_id", "=", self.instance_id), ("job", "=", "import_orders")], order="id"
            )
            self.assertEqual(len(logs), 2)
            self.assertEqual(
                logs.mapped("state"), ["error", "done"], "the killed run is closed as interrupted"
            )
            self.assertIn("interrupted", " ".join(logs[0].line_ids.mapped("message")))
            # The second run read the items of the orders it had not queued only (besides the
            # participations, the getOrders page and its restricted data tokens).
            order_calls = logs[1].api_calls
            self.assertLessEqual(order_calls, ORDERS - kept + 4)

    def _wait_for_lines(self, count, worker):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                found = len(self._lines(env))
            if found >= count:
                return found
            self.assertIsNone(worker.poll(), "the worker ended before it was stopped")
            time.sleep(0.1)
        self.fail("the worker queued nothing in time")
