from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonOrders(AmazonCase):
    def setUp(self):
        super().setUp()
        self.confirm()
        self.workflow = self.env["marketplace.workflow"].create({"name": "Confirm", "confirm_order": True})
        self.instance.workflow_id = self.workflow

    def test_orders_arrive_once_with_the_right_statuses(self):
        orders = self.import_orders()
        self.assertTrue(orders)
        lines = self.env["marketplace.queue.line"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(
            set(lines.mapped("state")), {"done"}, lines.filtered(lambda l: l.state != "done").mapped("error")
        )
        fba = orders.filtered(lambda o: o.marketplace_fulfilment == "marketplace")
        fbm = orders - fba
        self.assertTrue(fba and fbm, "the simulator's mix has both")
        self.assertLessEqual(set(fba.mapped("marketplace_status")), {"Shipped", "Canceled"})
        self.assertLessEqual(
            set(fbm.mapped("marketplace_status")), {"Unshipped", "PartiallyShipped", "Shipped", "Canceled"}
        )
        for order in orders.filtered(lambda o: o.marketplace_status != "Canceled"):
            self.assertEqual(order.name, order.marketplace_order_ref, "named after Amazon's order number")
            self.assertTrue(order.order_line.filtered(lambda l: l.product_id.type != "service"))
        self.assertLessEqual(
            set(orders.mapped("marketplace_site")),
            {"Amazon.de", "Amazon.co.uk", "Amazon.fr", "Amazon.com"},
            "orders name their site as the merchant knows it, not by Amazon's id",
        )
        cursor = self.job("import_orders").cursor
        self.assertGreater(str(cursor), "2020-01-01")
        # A second run, and a run from a rewound cursor, add nothing; only the orders that gave
        # no sale order (cancelled before they were imported) are read again after the rewind.
        self.import_orders()
        self.job("import_orders").cursor = "2020-01-01 00:00:00"
        again = self.import_orders()
        self.assertEqual(again, orders)
        skipped = set(lines.filtered(lambda l: not l.res_id).mapped("name"))
        all_lines = self.env["marketplace.queue.line"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(set((all_lines - lines).mapped("name")), skipped)

    def test_calls_per_order_stay_low(self):
        # Orders API 2026-01-01: the orders come with their items, a page of 100 per call
        self.instance.action_import_orders()
        calls = self.last_log("import_orders").api_calls
        queued = self.env["marketplace.queue.line"].search_count([("instance_id", "=", self.instance.id)])
        self.assertGreater(queued, 10)
        self.assertEqual(calls, 3, "participations, the restricted data token and one searchOrders page")
        # Orders API v0: one getOrderItems per order on top
        self.env["marketplace.queue.line"].search([("instance_id", "=", self.instance.id)]).unlink()
        self.instance.amazon_orders_api = "v0"
        self.job("import_orders").cursor = "2020-01-01 00:00:00"
        self.instance.action_import_orders()
        calls = self.last_log("import_orders").api_calls
        self.assertLessEqual(
            calls / queued, 1.2, "one getOrderItems per order plus the pages and their tokens"
        )
        self.assertGreater(calls, queued)

    def test_status_change_on_amazon_reaches_odoo(self):
        orders = self.import_orders()
        unshipped = orders.filtered(lambda o: o.marketplace_status == "Unshipped")[:1]
        self.assertTrue(unshipped)
        self.sim(
            "POST",
            "/_sim/amazon/set_order_status",
            {"amazon_order_id": unshipped.marketplace_order_ref, "status": "Canceled"},
        )
        self.import_orders()
        self.assertEqual(unshipped.marketplace_status, "Canceled")
        self.assertEqual(unshipped.state, "cancel", "cancelled on Amazon, cancelled in Odoo")

    def test_fba_orders_leave_the_amazon_warehouse(self):
        # Odoo knows the catalogue: offers pair with products by internal reference.
        skus = list(self.sim_state()["offers"])
        self.env["product.product"].create(
            [{"name": sku, "default_code": sku, "type": "product"} for sku in skus]
        )
        orders = self.import_orders()
        fba = orders.filtered(
            lambda o: o.marketplace_fulfilment == "marketplace" and o.marketplace_status == "Shipped"
        )
        self.assertTrue(fba)
        for order in fba:
            stock = order.picking_ids.filtered(lambda p: p.state == "done")
            self.assertTrue(stock, order.marketplace_sync_message)
            self.assertEqual(stock.location_id, self.instance.marketplace_warehouse_id.lot_stock_id)
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])
        fba_offers = listings.filtered(lambda l: l.fulfilment == "marketplace")
        self.assertTrue(fba_offers, "offers first seen in FBA orders are FBA offers")
        self.assertLessEqual(
            set(fba_offers.mapped("sku")), set(fba.order_line.mapped("product_id.default_code"))
        )

    def test_throttled_import_waits_and_resumes(self):
        self.fault("searchOrders", "429", count=2, retry_after=1)
        orders = self.import_orders()
        self.assertTrue(orders)
        self.assertEqual(self.last_log("import_orders").throttled_calls, 2)
        # Orders API v0: the listing and the items calls are throttled and waited out alike
        self.instance.amazon_orders_api = "v0"
        self.sim(
            "POST",
            "/_sim/amazon/add_orders",
            {"count": 3, "fulfillment_channel": "MFN", "status": "Unshipped"},
        )
        self.fault("getOrders", "429", count=2, retry_after=1)
        self.fault("getOrderItems", "429", count=2, retry_after=1)
        self.assertEqual(len(self.import_orders()), len(orders) + 3)
        self.assertEqual(self.last_log("import_orders").throttled_calls, 4)

    def test_expired_token_is_refreshed(self):
        self.import_orders()
        self.sim(
            "POST",
            "/_sim/amazon/add_orders",
            {"count": 3, "fulfillment_channel": "MFN", "status": "Unshipped"},
        )
        self.fault("searchOrders", "expired_token")
        before = len(self.orders())
        self.assertEqual(len(self.import_orders()), before + 3)

    def test_server_errors_end_the_job_and_keep_the_cursor(self):
        cursor = self.job("import_orders").cursor
        self.fault("searchOrders", "5xx", count=50)
        self.instance.action_import_orders()
        self.assertEqual(self.job("import_orders").cursor, cursor)
        log = self.last_log("import_orders")
        self.assertTrue(log.error_count)
        error = log.line_ids.filtered(lambda l: l.level == "error")
        self.assertIn("Amazon failed on its side (tried 4 times)", error.message, "in the merchant's words")
        self.assertNotIn("searchOrders", error.message)
        for raw in ("searchOrders", "InternalFailure", "Last Processed On kept"):
            self.assertIn(raw, error.detail, "kept in the log for the integrator")

    def test_a_stopped_import_says_since_when_in_the_readers_timezone(self):
        self.env.user.tz = "Asia/Tokyo"
        self.job("import_orders").cursor = "2026-03-01 12:00:00"
        self.fault("searchOrders", "5xx", count=50)
        note = self.press("import_orders")
        self.assertEqual(note["type"], "danger")
        self.assertIn("Amazon failed on its side", note["message"])
        error = self.last_log("import_orders").line_ids.filtered(lambda l: l.level == "error")
        self.assertRegex(error.message, r"since 3/1/26, 9:00\s?PM \(Asia/Tokyo\)", "12:00 UTC, in Tokyo")
        self.assertIn("2026-03-01 12:00:00 UTC", error.detail)

    def test_recover_order_by_reference(self):
        created = self.sim(
            "POST",
            "/_sim/amazon/add_orders",
            {"count": 1, "fulfillment_channel": "MFN", "status": "Unshipped"},
        )
        ref = created["orders"][0]
        wizard = self.env["marketplace.recover.order"].create(
            {"instance_id": self.instance.id, "reference": ref}
        )
        action = wizard.action_recover()
        order = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(order.marketplace_order_ref, ref)
