import socket

from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceLimits(BigCommerceCase):
    """Rate limits and faults: paced before the quota is spent, 429s waited out, server errors
    retried for reads only, every error on the job log, nothing lost."""

    SIZES = {"orders": 40, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.order_status_ids = self.statuses("Awaiting Fulfillment", "Shipped", "Completed")

    def expected(self):
        state = self.sim_state()["orders_by_status"]
        return sum(state.get(s, 0) for s in ("Awaiting Fulfillment", "Shipped", "Completed"))

    def test_paced_at_the_store_quota_without_a_429(self):
        # a 6-request quota refreshed every second: the import needs more, and waits for the refresh
        self.sim(
            "POST",
            "/_sim/reset",
            {
                "seed": 7,
                "rate_limits": True,
                "sizes": {"bigcommerce": dict(self.SIZES, rate_quota=6, rate_window_ms=1000)},
            },
        )
        self.instance.tax_system = "marketplace"  # a tax call per taxed order: well over the quota
        orders = self.import_orders()
        log = self.last_log("import_orders")
        self.assertGreater(log.api_calls, 12)
        self.assertEqual(log.throttled_calls, 0, "never refused: paced before the quota was spent")
        self.assertEqual(len(orders), self.expected())

    def test_a_429_is_waited_out_and_the_import_resumes(self):
        self.fault("getOrders", "429", retry_after=1)
        self.fault("getOrders", "429_no_retry_after")
        orders = self.import_orders()
        log = self.last_log("import_orders")
        self.assertEqual(log.throttled_calls, 2)
        self.assertFalse(log.error_count)
        self.assertEqual(len(orders), self.expected())

    def test_server_errors_are_retried_for_reads(self):
        self.fault("getOrders", "5xx", count=2)
        self.fault("getTime", "503")
        orders = self.import_orders()
        self.assertEqual(len(orders), self.expected())
        self.assertFalse(self.last_log("import_orders").error_count)

    def test_a_lasting_failure_stops_the_run_with_bigcommerce_message_and_loses_nothing(self):
        cursor = self.job("import_orders").cursor
        self.fault("getOrders", "5xx", count=20)
        self.instance.action_import_orders()
        log = self.last_log("import_orders")
        self.assertEqual(log.error_count, 1)
        error = log.line_ids.filtered(lambda l: l.level == "error")
        self.assertIn(
            "BigCommerce failed on its side (tried 4 times)", error.message, "in the merchant's words"
        )
        self.assertNotIn("getOrders", error.message)
        self.assertIn("getOrders", error.detail, "kept for the integrator: the operation...")
        self.assertIn("Simulated server error", error.detail, "...and BigCommerce's own text")
        self.assertEqual(self.job("import_orders").cursor, cursor, "Last Processed On kept")
        self.sim("DELETE", "/_sim/faults")
        self.assertEqual(len(self.import_orders()), self.expected(), "the next run gets everything")

    def test_an_unreadable_answer_is_read_again(self):
        self.fault("getOrders", "malformed")
        self.assertEqual(len(self.import_orders()), self.expected())

    def test_a_store_that_does_not_answer_is_said_in_plain_words(self):
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            closed = "http://127.0.0.1:%d/bigcommerce" % probe.getsockname()[1]
        self.instance.api_base_url = closed
        answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("BigCommerce did not answer (tried 4 times); check the API Base URL", answer["message"])
        self.assertNotIn("attempts", answer["message"], "no operation name nor raw error for the merchant")
        note = self.press("import_orders")
        self.assertIn("BigCommerce did not answer (tried 4 times)", note["message"])
        log = self.last_log("import_orders")
        error = log.line_ids.filtered(lambda l: l.level == "error")
        self.assertIn("no connection (4 attempts)", error.detail, "the raw error stays in the log")
        self.assertEqual(note["links"][0]["action"]["res_id"], log.id, "the notification links to its log")

    def test_a_shipment_that_could_not_reach_the_store_waits_and_is_not_a_refusal(self):
        sale = self.import_orders().filtered(
            lambda o: (
                o.marketplace_status == "Awaiting Fulfillment"
                and o.picking_ids.filtered(lambda p: p.state != "done")
            )
        )[:1]
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            closed = "http://127.0.0.1:%d/bigcommerce" % probe.getsockname()[1]
        url, self.instance.api_base_url = self.instance.api_base_url, closed
        self.instance.action_export_shipments()
        self.assertEqual(
            picking.marketplace_export_state, "pending", "nothing reached the store: sent again later"
        )
        self.assertFalse(sale.marketplace_sync_failed, "not a refusal: nothing for the merchant to fix")
        self.assertIn("BigCommerce did not answer", picking.marketplace_export_error)
        self.instance.api_base_url = url
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
