import os
import signal
import subprocess
import sys
import tempfile
import time

import odoo
from odoo.tests import tagged
from odoo.tests.common import get_db_name
from odoo.tools import config

from .committed_case import CommittedCase

# A cron worker in a process of its own: it loads the registry and processes the instance's
# queues, committing batch after batch, as the "Process Queues" cron does.
WORKER = """
import sys
import odoo
from odoo.tools import config

instance_id = int(sys.argv[1])
config.parse_config(sys.argv[2:])
registry = odoo.modules.registry.Registry(config["db_name"])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    instance = env["marketplace.instance"].browse(instance_id)
    instance.with_context(marketplace_auto_commit=True).action_process_queues()
"""


@tagged("post_install", "-at_install")
class TestQueueKill(CommittedCase):
    """Workers killed (SIGKILL, as the memory or time limits of Odoo's workers do) in the middle
    of a run: nothing is lost, nothing is imported twice, and a line that kills every worker
    that takes it is set aside instead of stopping the queue forever.

    Real processes on committed data (another process sees nothing else), removed at the end.
    """

    ORDERS = 40
    TIMEOUT = 180

    def setUp(self):
        super().setUp()
        self.line_ids = []
        with self.registry.cursor() as cr:
            env = self._env(cr)
            instance = env["marketplace.instance"].create(
                {
                    "name": "Kill Store",
                    "marketplace": "generic",
                    "queue_batch_limit": 5,
                    "workflow_id": False,
                    "marketplace_workflow_id": False,
                }
            )
            products = env["product.product"].create(
                [{"name": "Kill %s" % i, "default_code": "KILL-P-%s" % i} for i in range(10)]
            )
            self.instance_id, self.product_ids = instance.id, products.ids
            self.currency = env.company.currency_id.name
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            orders = env["sale.order"].search([("marketplace_instance_id", "=", self.instance_id)])
            orders.filtered(lambda o: o.state not in ("draft", "cancel"))._action_cancel()
            orders.unlink()
            buyers = (
                env["res.partner"]
                .with_context(active_test=False)
                .search([("email", "=ilike", "%@kill.example")])
            )
            instance = env["marketplace.instance"].browse(self.instance_id)
            name = instance.name
            instance.unlink()
            env["res.partner"].with_context(active_test=False).search(
                [("id", "child_of", buyers.ids)]
            ).unlink()
            env["product.pricelist"].with_context(active_test=False).search(
                [("name", "=like", name + "%")]
            ).unlink()
            env["product.product"].browse(self.product_ids).unlink()
            cr.execute("DELETE FROM marketplace_queue_line_start WHERE line_id = ANY(%s)", [self.line_ids])

    # data ------------------------------------------------------------------------------------------
    def _order(self, ref, lines=1):
        return {
            "external_id": ref,
            "date_order": "2026-11-20T10:00:00Z",
            "currency": self.currency,
            "customer": {"name": "Kill Buyer", "email": "buyer@kill.example"},
            "lines": [
                {"sku": "KILL-P-%s" % (i % 10), "name": "Kill item", "quantity": 1, "unit_price": 4.0}
                for i in range(lines)
            ],
        }

    def _enqueue(self, orders):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            queue = env["marketplace.queue"]._enqueue(
                env["marketplace.instance"].browse(self.instance_id),
                "order",
                [(o["external_id"], o) for o in orders],
            )
            ids = queue.line_ids.ids
        self.line_ids += ids
        return ids

    def _query(self, query, params=()):
        with self.registry.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def _line_states(self):
        return dict(
            self._query(
                "SELECT name, state FROM marketplace_queue_line WHERE instance_id = %s", [self.instance_id]
            )
        )

    def _stops(self, line_id):
        rows = self._query(
            "SELECT started - finished FROM marketplace_queue_line_start WHERE line_id = %s", [line_id]
        )
        return rows[0][0] if rows else 0

    # workers ---------------------------------------------------------------------------------------
    def _worker_args(self):
        args = ["-d", get_db_name(), "--addons-path", config["addons_path"], "--log-level", "warn"]
        if config.rcfile and os.path.exists(config.rcfile):
            args += ["-c", config.rcfile]
        for option, key in (
            ("--db_host", "db_host"),
            ("--db_port", "db_port"),
            ("-r", "db_user"),
            ("-w", "db_password"),
            ("-D", "data_dir"),
        ):
            if config.get(key):
                args += [option, str(config[key])]
        return args

    def _start_worker(self):
        output = tempfile.TemporaryFile()
        self.addCleanup(output.close)
        odoo_root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
        env = dict(
            os.environ,
            ODOO_PGAPPNAME="odoo-{pid}",
            PYTHONPATH=os.pathsep.join(filter(None, [odoo_root, os.environ.get("PYTHONPATH")])),
        )
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(self.instance_id)] + self._worker_args(),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
        worker.output = output
        self.addCleanup(self._stop, worker)
        return worker

    def _stop(self, worker):
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    def _output(self, worker):
        worker.output.seek(0)
        return worker.output.read().decode(errors="replace")[-3000:]

    def _wait_until(self, condition, worker, what):
        """Poll the database until `condition()` holds; the worker must still be running."""
        deadline = time.time() + self.TIMEOUT
        while not condition():
            if worker.poll() is not None:
                self.fail(
                    "The worker ended (%s) before %s:\n%s" % (worker.returncode, what, self._output(worker))
                )
            if time.time() > deadline:
                self.fail("Timed out waiting for %s" % what)
            time.sleep(0.02)

    def _kill(self, worker):
        """SIGKILL the worker, then wait until the database has dropped its connections (and so
        rolled back its transaction and released its locks)."""
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        self.assertEqual(worker.returncode, -signal.SIGKILL)
        app = "odoo-%d" % worker.pid
        deadline = time.time() + 30
        while self._query("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app])[0][0]:
            self.assertLess(time.time(), deadline, "the killed worker's connections are still open")
            time.sleep(0.05)

    def _run_to_end(self, watch=None):
        worker = self._start_worker()
        deadline = time.time() + self.TIMEOUT
        while worker.poll() is None:
            if watch:
                watch(worker)
            self.assertLess(time.time(), deadline, "the worker did not finish")
            time.sleep(0.05)
        self.assertEqual(worker.returncode, 0, self._output(worker))

    # tests -----------------------------------------------------------------------------------------
    def test_killed_worker_loses_nothing_and_duplicates_nothing(self):
        refs = ["KILL-%02d" % i for i in range(self.ORDERS)]
        self._enqueue([self._order(ref) for ref in refs])

        def done():
            return sum(state == "done" for state in self._line_states().values())

        worker = self._start_worker()
        self._wait_until(lambda: done() >= 5, worker, "a batch is committed")
        self._kill(worker)
        done_at_kill = done()
        self.assertLess(done_at_kill, self.ORDERS, "the worker was killed in the middle of its run")
        in_progress = self._query(
            "SELECT line_id FROM marketplace_queue_line_start WHERE line_id = ANY(%s) AND started > finished",
            [self.line_ids],
        )
        self.assertLessEqual(len(in_progress), 1, "only the line being processed is blamed")

        self._run_to_end()

        self.assertEqual(set(self._line_states().values()), {"done"}, "every line done, none lost")
        sales = self._query(
            """
            SELECT marketplace_order_ref, count(*) FROM sale_order
             WHERE marketplace_instance_id = %s GROUP BY marketplace_order_ref
        """,
            [self.instance_id],
        )
        self.assertEqual(dict(sales), dict.fromkeys(refs, 1), "every order exactly once")
        results = self._query(
            """
            SELECT l.name, s.marketplace_order_ref FROM marketplace_queue_line l
              JOIN sale_order s ON s.id = l.res_id AND l.res_model = 'sale.order'
             WHERE l.instance_id = %s
        """,
            [self.instance_id],
        )
        self.assertEqual(sorted(results), [(ref, ref) for ref in refs], "each line points to its order")
        lines = self._query(
            "SELECT count(*) FROM sale_order_line l JOIN sale_order s ON s.id = l.order_id "
            "WHERE s.marketplace_instance_id = %s",
            [self.instance_id],
        )
        self.assertEqual(lines[0][0], self.ORDERS, "no order line twice either")

    def test_line_that_kills_every_worker_is_set_aside(self):
        others = ["KILL-%02d" % i for i in range(12)]
        # Long enough to process (seconds) that the watchdog below always sees it running.
        killer_id = self._enqueue([self._order("HEAVY-1", lines=300)])[0]
        self._enqueue([self._order(ref) for ref in others])

        def killer_running():
            return bool(
                self._query(
                    "SELECT 1 FROM marketplace_queue_line_start WHERE line_id = %s AND started > finished + %s",
                    [killer_id, self._stops_before],
                )
            )

        for run in (1, 2, 3):
            # The watchdog (as Odoo's time limit) kills the worker as soon as it works on the line.
            self._stops_before = self._stops(killer_id)
            worker = self._start_worker()
            self._wait_until(killer_running, worker, "the worker takes the heavy line (run %s)" % run)
            self._kill(worker)
            self.assertEqual(self._stops(killer_id), run)
            states = self._line_states()
            self.assertEqual(states["HEAVY-1"], "draft")
            if run == 1:
                self.assertEqual({states[ref] for ref in others}, {"draft"}, "taken first, by id")
            else:
                self.assertEqual(
                    {states[ref] for ref in others}, {"done"}, "once it stopped a worker, the others go first"
                )

        def not_started_again(worker):
            if killer_running():
                worker.kill()
                self.fail("the line was started a fourth time")

        self._stops_before = self._stops(killer_id)
        self._run_to_end(watch=not_started_again)
        state, error = self._query(
            "SELECT state, error FROM marketplace_queue_line WHERE id = %s", [killer_id]
        )[0]
        self.assertEqual(state, "failed")
        self.assertIn("stopped its worker 3 times", error)
        sales = dict(
            self._query(
                """
            SELECT marketplace_order_ref, count(*) FROM sale_order
             WHERE marketplace_instance_id = %s GROUP BY marketplace_order_ref
        """,
                [self.instance_id],
            )
        )
        self.assertEqual(sales, dict.fromkeys(others, 1))
