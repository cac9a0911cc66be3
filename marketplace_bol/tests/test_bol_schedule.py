import json
import time

from odoo.tests import tagged

from .common import BolCase

DAILY = {
    "import_orders",
    "process_queues",
    "export_shipments",
    "check_results",
    "export_inventory",
    "import_returns",
    "import_settlements",
}


@tagged("post_install", "-at_install")
class TestBolSchedule(BolCase):
    """What runs on its own once an account is confirmed, and what a merchant is told of a run."""

    def on_schedule(self, instance=None):
        return {job.job for job in (instance or self.instance).job_ids if job.cron_id.active}

    def test_a_confirmed_account_runs_its_daily_jobs_on_schedule(self):
        self.assertFalse(self.on_schedule(), "nothing runs before Confirm")
        self.confirm()
        self.assertEqual(self.on_schedule(), DAILY, "returns and invoices too, where Bol.com has them")
        jobs = {job["code"]: job["outcome"] for job in json.loads(self.instance.dashboard_data)["jobs"]}
        self.assertEqual(
            (jobs["import_returns"], jobs["export_prices"], jobs["import_inventory"]),
            ("Not run yet", "Off", "Off"),
        )
        self.instance.export_sale_price = True
        self.assertEqual(self.on_schedule(), DAILY | {"export_prices"})

    def test_demo_account_runs_its_daily_jobs_on_schedule(self):
        demo = self.env.ref("marketplace_bol.demo_instance", raise_if_not_found=False)
        if not demo:
            self.skipTest("installed without demo data")
        self.assertEqual(self.on_schedule(demo), DAILY)

    def test_import_orders_button_tells_orders_imported_updated_and_failed(self):
        self.confirm()
        known = [{"ean": offer["ean"]} for offer in self.fbr_offers[:2]]
        created = self.add_orders(lines=known)
        first = created["orders"][0]
        self.add_orders(lines=known[:1])
        self.add_orders(lines=[{"ean": self.unknown["ean"]}])
        note = self.press("import_orders")
        self.assertIn(
            "Orders imported: 2, updated: 0, failed: 1.",
            note["message"],
            "the orders; the one whose EAN matches no product counts as failed",
        )
        self.assertIn(self.unknown["ean"], note["message"])
        time.sleep(
            1.1
        )  # Bol dates changes to the second: a change within the same second is the same version
        self.set_status(first, "CANCELLATION_REQUESTED", order_item_ids=created["order_items"][first][:1])
        note = self.press("import_orders")
        # (the order that failed is listed again or not, as the marketplace's window says: it waits for Retry)
        self.assertRegex(note["message"], r"^Orders imported: 0, updated: 1, failed: [01]\.")
        kept = self.order(first).order_line.filtered(
            lambda line: line.marketplace_line_ref and line.product_uom_qty
        )
        self.assertEqual(len(kept), 1, "the item cancelled at the customer's request left the order")
