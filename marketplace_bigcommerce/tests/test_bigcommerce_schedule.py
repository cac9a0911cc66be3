import json
import time

from odoo.tests import tagged

from .common import BigCommerceCase

DAILY = {
    "import_orders",
    "process_queues",
    "export_shipments",
    "check_results",
    "export_inventory",
    "import_settlements",  # its refunds, as credit notes
}


@tagged("post_install", "-at_install")
class TestBigCommerceSchedule(BigCommerceCase):
    """What runs on its own once a store is confirmed, and what a merchant is told of a run."""

    SIZES = {"orders": 0, "products": 12}

    def on_schedule(self, instance=None):
        return {job.job for job in (instance or self.instance).job_ids if job.cron_id.active}

    def test_a_confirmed_store_runs_its_daily_jobs_on_schedule(self):
        self.assertFalse(self.on_schedule(), "nothing runs before Confirm")
        self.confirm()
        self.assertEqual(self.on_schedule(), DAILY)
        jobs = {job["code"]: job["outcome"] for job in json.loads(self.instance.dashboard_data)["jobs"]}
        self.assertEqual(jobs["import_orders"], "Not run yet")
        self.assertEqual(jobs["export_prices"], "Off", "a switched-off job says so")
        self.assertEqual(jobs["import_listings"], "Off")
        # prices and payments run on schedule once the store exports them
        self.instance.write({"export_sale_price": True, "mark_order_paid": True})
        self.assertEqual(self.on_schedule(), DAILY | {"export_prices", "export_payments"})
        # each can be switched off
        self.job("export_inventory").cron_active = False
        self.assertNotIn("export_inventory", self.on_schedule())
        self.instance.export_sale_price = True  # saved again: the merchant's choice stays
        self.assertNotIn("export_inventory", self.on_schedule())

    def test_demo_store_runs_its_daily_jobs_on_schedule(self):
        demo = self.env.ref("marketplace_bigcommerce.demo_instance", raise_if_not_found=False)
        if not demo:
            self.skipTest("installed without demo data")
        self.assertEqual(self.on_schedule(demo), DAILY)

    def test_import_orders_button_tells_orders_imported_updated_and_failed(self):
        self.confirm()
        self.instance.order_status_ids = self.statuses("Awaiting Fulfillment", "Awaiting Shipment")
        first, second, _bad = self.add_orders(
            {"status": "Awaiting Fulfillment"},
            {"status": "Awaiting Fulfillment"},
            {"status": "Awaiting Fulfillment", "currency": "XXX"},
        )
        note = self.press("import_orders")
        self.assertIn(
            "Orders imported: 2, updated: 0, failed: 1.",
            note["message"],
            "the orders, not the queue lines; the order that failed processing counts",
        )
        self.assertIn("XXX", note["message"])
        self.assertEqual(len(self.orders()), 2, "made in the same run: no order waits for the queue cron")
        log = self.last_log("import_orders")
        self.assertEqual(note["links"][0]["action"]["res_id"], log.id)
        self.assertEqual(sorted(note["links"][1]["action"]["domain"][0][2]), sorted(self.orders().ids))
        time.sleep(
            1.1
        )  # BigCommerce dates changes to the second: a change within the same second is the same version
        self.sim(
            "POST", "/_sim/bigcommerce/set_order_status", {"order_id": first, "status": "Awaiting Shipment"}
        )
        note = self.press("import_orders")
        # (the order that failed is listed again or not, as the marketplace's window says: it waits for Retry)
        self.assertRegex(note["message"], r"^Orders imported: 0, updated: 1, failed: [01]\.")
        self.assertEqual(self.order(first).marketplace_status, "Awaiting Shipment")
        self.assertEqual(self.order(second).marketplace_status, "Awaiting Fulfillment")
