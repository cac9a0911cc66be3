from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestNotifications(MarketplaceCase):
    def test_failed_line_gets_one_activity_for_the_responsible(self):
        responsible = self.env.ref("base.user_admin")
        todo = self.env.ref("mail.mail_activity_data_todo")
        self.instance.write(
            {"activity_type_id": todo.id, "activity_user_id": responsible.id, "activity_due_days": 3}
        )
        queue = self._queue(
            [("BAD", self._listing_payload("MISSING")), ("OK", self._listing_payload("WID-1"))]
        )
        self.instance.action_process_queues()
        bad = queue.line_ids.filtered(lambda l: l.name == "BAD")
        activity = bad.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, responsible)
        self.assertEqual(activity.activity_type_id, todo)
        self.assertIn("MISSING", activity.note)
        self.assertEqual((activity.date_deadline - activity.create_date.date()).days, 3)
        self.assertFalse(queue.line_ids.filtered(lambda l: l.name == "OK").activity_ids)
        bad.action_retry()  # fails again
        self.assertEqual(bad.state, "failed")
        self.assertEqual(len(bad.activity_ids), 1, "not repeated when the line fails again")

    def test_no_activity_without_configuration(self):
        queue = self._queue([("BAD", self._listing_payload("MISSING"))])
        self.instance.action_process_queues()
        self.assertEqual(queue.line_ids.state, "failed")
        self.assertFalse(queue.line_ids.activity_ids)

    def test_summary_is_mailed_to_recipients_after_a_run(self):
        recipient = self.env["res.partner"].create({"name": "Ops", "email": "ops@example.com"})
        self.instance.notify_partner_ids = recipient
        self._queue([("BAD", self._listing_payload("MISSING")), ("OK", self._listing_payload("WID-1"))])
        self.instance.action_process_queues()
        mail = self.env["mail.mail"].search([("recipient_ids", "in", recipient.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn("1 succeeded, 1 failed", mail.subject)
        self.assertIn("MISSING", mail.body_html)
        log = self._logs()[:1]
        self.assertIn(
            "/web#model=marketplace.log&amp;id=%d&amp;view_type=form" % log.id,
            mail.body_html,
            "the log is a link",
        )
        # A run that finds nothing to do sends nothing.
        self.instance.action_process_queues()
        self.assertEqual(self.env["mail.mail"].search_count([("recipient_ids", "in", recipient.id)]), 1)

    # what the person who pressed a button is told ---------------------------------------------
    def test_a_run_tells_what_a_merchant_counts_with_links_to_the_log_and_the_orders(self):
        self.instance.state = "confirmed"
        order = {
            "external_id": "N-1",
            "date_order": "2026-11-20T10:00:00Z",
            "currency": "EUR",
            "customer": {"name": "Ann"},
            "lines": [{"sku": "WID-1", "name": "W", "quantity": 1, "unit_price": 10.0}],
        }
        self._queue(
            [
                ("N-1", order),
                ("N-2", dict(order, external_id="N-2")),
                ("BAD", dict(order, external_id="BAD", currency="XXX")),
            ],
            kind="order",
        )
        note = self.press("process_queues")
        self.assertIn("Orders imported: 2, updated: 0, failed: 1.", note["message"])
        self.assertIn("XXX", note["message"], "the first failure, in words")
        self.assertEqual(note["type"], "danger")
        log = self._logs()[:1]
        (log_link, orders_link) = note["links"]
        self.assertEqual(
            (log_link["action"]["res_model"], log_link["action"]["res_id"]), ("marketplace.log", log.id)
        )
        self.assertIn(log.name, log_link["label"])
        sales = self.env["sale.order"].search([("marketplace_order_ref", "in", ("N-1", "N-2"))])
        self.assertEqual(sorted(orders_link["action"]["domain"][0][2]), sorted(sales.ids))
        self.assertEqual(log.order_ids, sales, "the log lists the orders of its run")
        # The same orders again, in a newer version: updated, not imported.
        self._queue([("N-1", dict(order, status="Shipped", updated_at="2026-11-21T10:00:00Z"))], kind="order")
        note = self.press("process_queues")
        self.assertIn("Orders imported: 0, updated: 1, failed: 0.", note["message"])
        self.assertEqual(note["type"], "success")
