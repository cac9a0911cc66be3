from odoo import fields
from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonOnTheEngine(AmazonCase):
    """The engine's jobs around Amazon's hooks: declared jobs, cursors, lost answers of writes
    that are not idempotent, reruns that call nothing twice, logs that always close."""

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )

    def test_the_connector_declares_its_jobs(self):
        jobs = set(self.instance.job_ids.mapped("job"))
        self.assertEqual(
            jobs,
            {
                "import_orders",
                "export_shipments",
                "import_inventory",
                "export_inventory",
                "export_prices",
                "check_results",
                "import_listings",
                "import_settlements",
                "process_queues",
            },
        )
        self.assertIn("import_listings", self.instance.job_codes)

    def test_cursor_is_amazons_time_and_a_rerun_calls_nothing_again(self):
        self.instance.amazon_orders_api = "v0"  # where each order costs a call of its own
        self.instance.action_import_orders()
        first = self.last_log("import_orders")
        queued = self.env["marketplace.queue.line"].search_count([("instance_id", "=", self.instance.id)])
        self.assertGreater(queued, 0)
        cursor = self.job("import_orders").cursor
        self.assertGreater(str(cursor), "2020-01-01")
        # A run cut off before the cursor moved reads the same orders again: those already
        # queued cost no getOrderItems call and are not queued twice.
        self.job("import_orders").cursor = "2020-01-01 00:00:00"
        self.instance.action_import_orders()
        second = self.last_log("import_orders")
        self.assertNotEqual(first, second)
        self.assertLess(second.api_calls, first.api_calls / 5, "only the getOrders pages are read again")
        self.assertEqual(
            second.api_calls, 2, "the participations and the page: the restricted data token is reused"
        )
        self.assertEqual(
            self.env["marketplace.queue.line"].search_count([("instance_id", "=", self.instance.id)]), queued
        )
        self.assertIn("already queued or imported", " ".join(second.line_ids.mapped("message")))

    def test_changed_order_is_read_again_and_an_older_version_is_not(self):
        orders = self.import_orders()
        unshipped = orders.filtered(lambda o: o.marketplace_status == "Unshipped")[:1]
        self.sim(
            "POST",
            "/_sim/amazon/set_order_status",
            {"amazon_order_id": unshipped.marketplace_order_ref, "status": "Canceled"},
        )
        self.import_orders()
        self.assertEqual(unshipped.state, "cancel")
        # The first (older) version of the order retried later changes nothing.
        old_line = self.env["marketplace.queue.line"].search(
            [("instance_id", "=", self.instance.id), ("name", "=", unshipped.marketplace_order_ref)],
            order="id",
            limit=1,
        )
        old_line.write({"state": "failed"})
        old_line.action_retry()
        self.assertEqual(unshipped.state, "cancel", "an older version never reopens a cancelled order")
        self.assertEqual(unshipped.marketplace_status, "Canceled")

    def test_every_job_log_is_closed_with_its_error(self):
        self.instance.amazon_marketplace_ids = False
        self.instance.action_import_orders()
        log = self.last_log("import_orders")
        self.assertEqual(log.state, "error")
        self.assertTrue(log.end)
        self.assertIn("Select the marketplaces", " ".join(log.line_ids.mapped("message")))
        # A failure in the middle of a job closes the log too: FBA stock of a known product
        # with no marketplace-fulfilled warehouse to count it in.
        sku = sorted(self.sim_state()["fba_inventory"])[0]
        product = self.env["product.product"].create({"name": sku, "default_code": sku, "type": "product"})
        self.env["marketplace.listing"].create(
            {
                "instance_id": self.instance.id,
                "sku": sku,
                "product_id": product.id,
                "fulfilment": "marketplace",
            }
        )
        self.instance.marketplace_warehouse_id = False
        self.instance.action_import_inventory()
        log = self.last_log("import_inventory")
        self.assertEqual((log.state, bool(log.end)), ("error", True))
        self.assertIn("Marketplace-Fulfilled Warehouse", " ".join(log.line_ids.mapped("message")))

    def test_lost_feed_answer_is_found_before_anything_is_sent_again(self):
        product = self.env["product.product"].create({"name": "P", "default_code": "P-1", "type": "product"})
        sku = sorted(self.sim_state()["offers"])[0]
        listing = self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": sku, "product_id": product.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            product, self.instance.warehouse_id.lot_stock_id, 4
        )
        self.fault("createFeed", "lost_answer")
        self.instance.action_export_inventory()
        export = self.exports()
        self.assertEqual(export.state, "uncertain", export.error)
        feeds_on_amazon = len(self.sim_state()["feeds"])
        self.assertEqual(feeds_on_amazon, 1, "Amazon created the feed although its answer was lost")
        # Nothing is sent again while the export is unconfirmed.
        self.instance.action_export_inventory()
        self.assertEqual(len(self.exports()), 1)
        self.instance.action_check_results()
        self.assertIn(export.state, ("pending", "done"))
        self.assertTrue(export.name)
        for _i in range(3):
            if export.state == "done":
                break
            self.instance.action_check_results()
        self.assertEqual(export.state, "done")
        self.assertEqual((listing.sync_state, listing.exported_qty), ("synced", 4))
        self.assertEqual(len(self.sim_state()["feeds"]), feeds_on_amazon, "no second feed")

    def test_a_marketplace_user_can_use_every_job_button(self):
        user = self.env["res.users"].create(
            {
                "name": "Marketplace Seller",
                "login": "mp_seller_buttons",
                "groups_id": [(6, 0, [self.env.ref("marketplace_base.group_marketplace_user").id])],
            }
        )
        as_user = self.instance.with_user(user)
        as_user.action_import_orders()
        as_user.action_process_queues()
        orders = self.orders().filtered(
            lambda o: (
                o.marketplace_fulfilment == "merchant"
                and o.marketplace_status == "Unshipped"
                and o.state == "sale"
            )
        )
        self.assertTrue(orders, "the user's import and processing produced orders")
        self.assertTrue(self.job("import_orders").cursor > fields.Datetime.to_datetime("2020-01-02"))
        # A refused shipment, fixed, retried by the user.
        order = orders[:1]
        picking = order.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking.with_context(cancel_backorder=False)._action_done()
        as_user.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "failed")
        picking.carrier_tracking_ref = "USER-TRACK"
        order.with_user(user).action_marketplace_retry_sync()
        self.assertEqual(picking.marketplace_export_state, "exported")
        # Recover an order by reference, and the stock jobs.
        ref = self.sim(
            "POST",
            "/_sim/amazon/add_orders",
            {"count": 1, "fulfillment_channel": "MFN", "status": "Unshipped"},
        )["orders"][0]
        wizard = (
            self.env["marketplace.recover.order"]
            .with_user(user)
            .create({"instance_id": self.instance.id, "reference": ref})
        )
        action = wizard.action_recover()
        self.assertEqual(self.env["sale.order"].browse(action["res_id"]).marketplace_order_ref, ref)
        for method in (
            "action_export_inventory",
            "action_export_prices",
            "action_check_results",
            "action_import_inventory",
        ):
            getattr(as_user, method)()
        logs = self.env["marketplace.log"].search([("instance_id", "=", self.instance.id)])
        self.assertFalse(
            logs.line_ids.filtered(lambda l: "access" in (l.message or "").lower()),
            "no access error in any job",
        )

    def test_each_export_is_followed_on_its_own(self):
        product = self.env["product.product"].create({"name": "Q", "default_code": "Q-1", "type": "product"})
        sku = sorted(self.sim_state()["offers"])[0]
        listing = self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": sku, "product_id": product.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            product, self.instance.warehouse_id.lot_stock_id, 3
        )
        # An export Amazon cannot find (its feed is unknown there) is checked first.
        lost = self.env["marketplace.export"].create(
            {
                "instance_id": self.instance.id,
                "kind": "stock",
                "name": "999999999",
                "state": "pending",
                "values": "{}",
            }
        )
        self.instance.action_export_inventory()
        good = self.exports() - lost
        self.assertGreater(good.id, lost.id)
        for _i in range(3):
            self.instance.action_check_results()
        self.assertEqual(good.state, "done", "the readable export went through")
        self.assertEqual(listing.sync_state, "synced")
        self.assertEqual(lost.state, "pending", "the unreadable one waits for a later check")
        log = self.last_log("check_results")
        self.assertIn("999999999 could not be read", " ".join(log.line_ids.mapped("message")))
