from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestQueueUserRights(OrderCase):
    """What a Marketplace User (not manager) may do with queues: every button they see works,
    processing creates what the lines hold, and nothing more is open to them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mp_queue_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(
            cls.env, "mp_queue_manager", groups="marketplace_base.group_marketplace_manager"
        )
        cls.instance.write(
            {
                "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
                "activity_user_id": cls.user.id,
            }
        )

    def _as(self, user, records):
        return records.with_user(user)

    def test_user_retries_an_order_line_a_manager_fixed(self):
        order = self._order(
            "FIX-1", currency="XXX", customer={"name": "<b>Bold</b> & Co", "email": "b@example.com"}
        )
        queue = self._queue([("FIX-1", order)], kind="order")
        line = queue.line_ids
        self.instance.action_process_queues()
        self.assertEqual(line.state, "failed")
        self.assertIn("XXX", line.error)
        activity = line.activity_ids
        self.assertEqual(activity.user_id, self.user, "the user is asked to look at it")

        with self.assertRaises(AccessError):
            self._as(self.user, line).write({"payload": self._json(dict(order, currency="EUR"))})
        old_payload = line.payload
        self._as(self.manager, line).write({"payload": self._json(dict(order, currency="EUR"))})
        note = line.message_ids.filtered(lambda m: "previous payload" in (m.body or ""))
        self.assertEqual(len(note), 1, "the edit is on the line's chatter")
        self.assertIn("Payload edited by %s" % self.manager.name, note.body)
        self.assertIn("&lt;b&gt;Bold&lt;/b&gt; &amp; Co", note.body, "the old payload, escaped")
        self.assertNotIn("<b>Bold", note.body)
        self.assertIn('"currency": "XXX"', old_payload)

        self._as(self.user, line).action_retry()
        self.assertEqual(line.state, "done", line.error)
        sale = line._result()
        self.assertEqual(sale.marketplace_order_ref, "FIX-1")
        self.assertEqual(sale.currency_id, self.eur)
        self.assertEqual(sale.create_uid, self.user, "created on the user's behalf")
        self.assertEqual(line.attempts, 2)
        # The user closes the activity of the failure.
        self._as(self.user, activity).action_feedback("Currency corrected")
        self.assertFalse(line.activity_ids)

    def test_every_button_a_user_sees_works(self):
        queue = self._queue(
            [
                ("A", self._listing_payload("WID-1")),
                ("B", self._listing_payload("LATE-1")),
                ("C", self._listing_payload("LATE-2")),
            ]
        )
        a, b, c = queue.line_ids
        user_queue = self._as(self.user, queue)
        user_queue.action_process()
        self.assertEqual((a.state, b.state, c.state), ("done", "failed", "failed"))
        self.env["product.product"].create({"name": "Late", "default_code": "LATE-1"})
        user_queue.action_retry_failed()
        self.assertEqual((b.state, c.state), ("done", "failed"))
        self._as(self.user, c).action_cancel()
        self.assertEqual(c.state, "cancelled")
        self.assertEqual(queue.state, "done")

        other = self._queue([("D", self._listing_payload("WID-2")), ("E", self._listing_payload("NOPE"))])
        d, e = other.line_ids
        self._as(self.user, d).action_cancel()
        self._as(self.user, other).action_cancel()
        self.assertEqual((d.state, e.state), ("cancelled", "cancelled"))

        failed = self._queue([("F", self._listing_payload("NOPE-2"))])
        self._as(self.user, self.instance).action_process_queues()  # the instance's Process Queues
        self.assertEqual(failed.line_ids.state, "failed")
        self._as(self.user, failed.line_ids).message_post(body="Asked the supplier for the SKU.")
        for model in ("marketplace.queue", "marketplace.queue.line"):
            views = self.env[model].with_user(self.user).get_views([(False, "tree"), (False, "form")])
            self.assertTrue(views["views"]["form"]["arch"])

    def test_nothing_more_is_open_to_users(self):
        queue = self._queue([("A", self._listing_payload("NOPE"))])
        line = queue.line_ids
        self.instance.action_process_queues()
        self.assertEqual(line.state, "failed")
        as_user = self._as(self.user, line)
        self.assertFalse(as_user.can_edit_payload)
        self.assertTrue(self._as(self.manager, line).can_edit_payload)
        self.assertIn("NOPE", as_user.payload, "users read the payload")
        for vals in ({"payload": "{}"}, {"state": "done"}, {"error": False}, {"res_id": 1}):
            with self.assertRaises(AccessError, msg=vals):
                as_user.write(vals)
        with self.assertRaises(AccessError):
            self.env["marketplace.queue"].with_user(self.user).create(
                {"instance_id": self.instance.id, "kind": "order"}
            )
        with self.assertRaises(AccessError):
            self.env["marketplace.queue.line"].with_user(self.user).create(
                {"queue_id": queue.id, "payload": "{}"}
            )
        with self.assertRaises(AccessError):
            self.env["marketplace.queue.line.start"].with_user(self.user).search([])
        with self.assertRaises(AccessError):
            self.instance.with_user(self.user).write({"queue_batch_limit": 1})
        self.assertEqual(line.state, "failed")

    def test_users_act_only_on_their_companies_lines(self):
        other = self.env["res.company"].create({"name": "Other Queue Co"})
        foreign = self.env["marketplace.instance"].create(
            {
                "name": "Foreign",
                "marketplace": self.code,
                "company_id": other.id,
                "warehouse_id": self.env["stock.warehouse"]
                .search([("company_id", "=", other.id)], limit=1)
                .id,
            }
        )
        queue = self._queue([("X", self._listing_payload("NOPE"))], instance=foreign)
        foreign.action_process_queues()
        self.assertEqual(queue.line_ids.state, "failed")
        with self.assertRaises(AccessError):
            self._as(self.user, queue.line_ids).action_retry()
        with self.assertRaises(AccessError):
            self._as(self.user, queue.line_ids).action_cancel()
        self.assertEqual(queue.line_ids.state, "failed")
