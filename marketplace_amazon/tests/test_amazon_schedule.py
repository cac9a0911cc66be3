import json
import time

from odoo.tests import tagged

from .common import AmazonCase

DAILY = {
    "import_orders",
    "process_queues",
    "export_shipments",
    "check_results",
    "export_inventory",
    "import_settlements",
}


@tagged("post_install", "-at_install")
class TestAmazonSchedule(AmazonCase):
    """What runs on its own once an account is confirmed, and what a merchant is told of a run."""

    SIZES = {"orders": 0, "products": 20}

    def on_schedule(self, instance=None):
        return {job.job for job in (instance or self.instance).job_ids if job.cron_id.active}

    def test_a_confirmed_account_runs_its_daily_jobs_on_schedule(self):
        self.assertFalse(self.on_schedule(), "nothing runs before Confirm")
        self.confirm()
        self.assertEqual(self.on_schedule(), DAILY)
        jobs = {job["code"]: job["outcome"] for job in json.loads(self.instance.dashboard_data)["jobs"]}
        self.assertEqual((jobs["check_results"], jobs["export_prices"]), ("Not run yet", "Off"))
        self.instance.export_sale_price = True
        self.assertEqual(
            self.on_schedule(), DAILY | {"export_prices"}, "prices once the account exports them"
        )

    def test_demo_account_runs_its_daily_jobs_on_schedule(self):
        demo = self.env.ref("marketplace_amazon.demo_instance", raise_if_not_found=False)
        if not demo:
            self.skipTest("installed without demo data")
        self.assertEqual(self.on_schedule(demo), DAILY)

    def test_import_orders_button_tells_orders_imported_updated_and_failed(self):
        self.confirm()
        unshipped = self.add_order()
        self.add_order()
        self.add_order(fulfillment_channel="AFN", status="Shipped")
        self.instance.marketplace_warehouse_id = False  # the FBA order cannot be made without it
        note = self.press("import_orders")
        self.assertIn("Orders imported: 2, updated: 0, failed: 1.", note["message"])
        self.assertIn(
            "Marketplace-Fulfilled Warehouse (Configuration tab)", note["message"], "where to fix it"
        )
        time.sleep(
            1.1
        )  # Amazon dates changes to the second: a change within the same second is the same version
        self.sim(
            "POST", "/_sim/amazon/set_order_status", {"amazon_order_id": unshipped, "status": "Canceled"}
        )
        note = self.press("import_orders")
        # (the order that failed is listed again or not, as the marketplace's window says: it waits for Retry)
        self.assertRegex(note["message"], r"^Orders imported: 0, updated: 1, failed: [01]\.")
        self.assertEqual(self.order(unshipped).marketplace_status, "Canceled")
