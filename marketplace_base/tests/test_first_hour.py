from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestFirstHour(OrderCase):
    """What a merchant meets first: buttons that answer at once, orders dated and confirmed as
    on the marketplace, and clear errors instead of silent surprises."""

    def test_job_button_answers_at_once_and_the_worker_tells_the_outcome(self):
        self.instance.state = "confirmed"
        self._queue([("SKU1", self._listing_payload("WID-1")), ("SKU2", self._listing_payload("NOPE"))])
        answer = self.instance.with_context(marketplace_job="process_queues").action_start_job()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("started", answer["params"]["title"])
        job = self.instance.job_ids.filtered(lambda j: j.job == "process_queues")
        self.assertTrue(job.running, "the dashboard shows the job started")
        self.assertFalse(self._logs(), "nothing ran inside the button's request")
        again = self.instance.with_context(marketplace_job="process_queues").action_start_job()
        self.assertEqual(again["params"]["type"], "warning", "a second click does not start it twice")
        # The background worker (the cron the button triggered) runs it and tells the user.
        self.env["marketplace.job"]._run_requested()
        log = self._logs()[:1]
        self.assertEqual((log.success_count, log.error_count), (1, 1))
        self.assertEqual(log.user_id, self.env.user)
        job.invalidate_recordset()
        self.assertFalse(job.running)
        self.assertEqual(job.last_state, "error")
        self.env.cr.precommit.run()  # the bus writes its notifications when the worker commits
        notes = self.env["bus.bus"].search(
            [("message", "like", "Process Queues of %s finished" % self.instance.name)]
        )
        self.assertTrue(notes, "the person who started it is told the outcome")
        self.assertIn("danger", notes[-1].message)

    def test_a_passing_connection_test_is_a_success_notification(self):
        answer = self.instance.action_test_connection()
        self.assertEqual(answer["params"]["type"], "success")

    def test_imported_order_keeps_the_marketplace_date_and_is_confirmed(self):
        fresh = self.env["marketplace.instance"].create(
            {"name": "Fresh Store", "marketplace": self.code, "currency_id": self.eur.id}
        )
        self.assertEqual(
            fresh.workflow_id,
            self.env.ref("marketplace_base.workflow_confirm"),
            "a new instance starts with the confirming workflow",
        )
        sale = self._import_one(self._order("D-1", date_order="2026-10-03T08:30:00Z"), instance=fresh)
        self.assertEqual(sale.state, "sale", "no order waits as a quotation by default")
        self.assertEqual(str(sale.date_order), "2026-10-03 08:30:00", "the marketplace's purchase date")

    def test_marketplace_fulfilled_order_needs_its_warehouse(self):
        self.instance.marketplace_warehouse_id = False
        sales, lines = self._import(self._order("F-1", fulfilment="marketplace"))
        self.assertFalse(sales)
        self.assertEqual(lines.state, "failed")
        self.assertIn(
            "Marketplace-Fulfilled Warehouse (Configuration tab)", lines.error, "says what to configure"
        )
        self.assertFalse(
            self.env["stock.picking"].search([("origin", "=", "F-1")]),
            "nothing left the merchant's own stock",
        )
        # the tab it names is where the form shows the field...
        form = etree.fromstring(self.env["marketplace.instance"].get_view(view_type="form")["arch"])
        self.assertEqual(
            form.xpath("//page[.//field[@name='marketplace_warehouse_id']]/@string"), ["Configuration"]
        )
        # ...and who may not change it is told to ask a manager, as a Marketplace User may not
        self.assertIn("If you may not change it, ask a Marketplace Manager.", lines.error)
        user = new_test_user(self.env, "mp_clerk", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            self.instance.with_user(user).marketplace_warehouse_id = self.instance.warehouse_id
