from odoo.tests import tagged

from .committed_case import CommittedCase


@tagged("post_install", "-at_install")
class TestQueueConcurrency(CommittedCase):
    """Workers on separate database connections, as several cron workers would be.

    The data is committed (other connections cannot see uncommitted rows) and removed at the end.
    """

    LINES = 40

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            code = "generic"
            instance = env["marketplace.instance"].create(
                {
                    "name": "Concurrency Store",
                    "marketplace": code,
                    "queue_batch_limit": 5,
                }
            )
            products = env["product.product"].create(
                [{"name": "Race %s" % i, "default_code": "RACE-%s" % i} for i in range(self.LINES)]
            )
            env["marketplace.queue"]._enqueue(
                instance,
                "listing",
                [
                    ("R%s" % i, {"sku": "RACE-%s" % i, "external_id": "race-%s" % i})
                    for i in range(self.LINES)
                ],
            )
            self.instance_id, self.product_ids = instance.id, products.ids
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["marketplace.instance"].browse(self.instance_id).unlink()
            env["product.product"].browse(self.product_ids).unlink()

    def test_two_connections_never_take_the_same_line(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            Line_a = self._env(cr_a)["marketplace.queue.line"]
            Line_b = self._env(cr_b)["marketplace.queue.line"]
            instance_a = self._env(cr_a)["marketplace.instance"].browse(self.instance_id)
            instance_b = self._env(cr_b)["marketplace.instance"].browse(self.instance_id)
            taken_a = Line_a._acquire(instance_a, 5)
            taken_b = Line_b._acquire(instance_b, 5)
            self.assertEqual(len(taken_a), 5)
            self.assertEqual(len(taken_b), 5)
            self.assertFalse(set(taken_a.ids) & set(taken_b.ids), "a locked line is skipped, not shared")
            cr_a.rollback()
            cr_b.rollback()

    def test_parallel_workers_process_each_line_exactly_once(self):
        def worker(barrier):
            with self.registry.cursor() as cr:
                env = self._env(cr, marketplace_auto_commit=True)
                instance = env["marketplace.instance"].browse(self.instance_id)
                barrier.wait(timeout=30)
                instance.action_process_queues()

        self._together(worker)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            lines = env["marketplace.queue.line"].search([("instance_id", "=", self.instance_id)])
            self.assertEqual(set(lines.mapped("state")), {"done"})
            self.assertEqual(set(lines.mapped("attempts")), {1}, "no line was processed twice")
            listings = env["marketplace.listing"].search([("instance_id", "=", self.instance_id)])
            self.assertEqual(len(listings), self.LINES)
            logs = env["marketplace.log"].search([("instance_id", "=", self.instance_id)])
            self.assertEqual(len(logs), 2)
            self.assertEqual(sum(logs.mapped("success_count")), self.LINES)
            self.assertEqual(sum(logs.mapped("error_count")), 0)
