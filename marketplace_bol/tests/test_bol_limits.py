from odoo.tests import tagged

from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolLimits(BolCase):
    def setUp(self):
        super().setUp()
        self.confirm()

    def test_a_429_is_waited_out_and_the_import_resumes(self):
        self.add_orders(count=3)
        self.fault("get-order", "429", retry_after=1)
        self.fault("get-orders", "429_no_retry_after")
        self.import_orders()
        self.assertEqual(len(self.orders()), 3)
        log = self.last_log("import_orders")
        self.assertEqual(log.throttled_calls, 2)
        self.assertEqual(log.state, "done")

    def test_an_expired_token_is_renewed_during_the_run(self):
        self.add_orders(count=3)
        self.fault("get-order", "expired_token")
        self.import_orders()
        self.assertEqual(len(self.orders()), 3)
        self.assertEqual(self.last_log("import_orders").state, "done")

    def test_bols_failure_lands_on_the_log_and_nothing_is_lost(self):
        orders = self.add_orders(count=3)["orders"]
        cursor = self.job("import_orders").cursor
        self.fault("get-order", "500", count=20)  # beyond the retries of a read
        self.instance.action_import_orders()
        log = self.last_log("import_orders")
        self.assertEqual(log.state, "error")
        error = log.line_ids.filtered(lambda l: l.level == "error")
        self.assertIn("Bol.com failed on its side (tried 4 times)", error.message)
        self.assertIn("Internal Server Error", error.detail, "Bol's own answer, for the integrator")
        self.assertEqual(self.job("import_orders").cursor, cursor, "Last Processed On is kept")
        self.sim("DELETE", "/_sim/faults")
        self.import_orders()
        self.assertEqual(sorted(self.orders().mapped("marketplace_order_ref")), sorted(orders))

    def test_a_shipment_still_throttled_after_the_time_budget_waits_for_the_next_run(self):
        order_id = self.add_orders()["orders"][0]
        self.import_orders()
        picking = self.order(order_id).picking_ids
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._action_done()
        self.fault("create-shipment", "429", count=50, retry_after=30)  # beyond the time budget (20 s)
        self.instance.action_export_shipments()
        self.assertEqual(
            picking.marketplace_export_state, "pending", "not a refusal: sent again at the next run"
        )
        log = self.last_log("export_shipments")
        error = log.line_ids.filtered(lambda l: l.level == "error")
        self.assertIn("Bol.com asked to slow down for longer than the job may wait", error.message)
        self.assertIn("It is sent again at the next run", error.message)
        self.assertIn("Too many requests", error.detail, "Bol's own answer, for the integrator")
        self.assertFalse(self.sim_state()["shipments"])
        self.sim("DELETE", "/_sim/faults")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent")
