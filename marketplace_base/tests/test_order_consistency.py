import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderConsistency(OrderCase):
    """Orders arrive again and again (status changes, retries, overlapping downloads): the
    newest version wins, a cancellation is final and undoes what was booked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.log_level = "all"
        cls.products.write({"invoice_policy": "order"})
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )

    def _log_lines(self, text, level=None):
        lines = self.env["marketplace.log.line"].search([("instance_id", "=", self.instance.id)])
        return lines.filtered(lambda l: text in l.message and (not level or l.level == level))

    def _cancellations(self, ref):
        return self.env["marketplace.order.cancellation"].search(
            [("instance_id", "=", self.instance.id), ("order_ref", "=", ref)]
        )

    # versions -------------------------------------------------------------------------------------
    def test_an_older_version_is_never_applied_over_a_newer_one(self):
        sale = self._import_one(self._order("V-1", status="Unshipped", updated_at="2026-11-20T10:00:00Z"))
        self._import(self._order("V-1", status="Shipped", updated_at="2026-11-20T12:00:00+01:00"))
        self.assertEqual(sale.marketplace_status, "Shipped")
        self.assertEqual(str(sale.marketplace_updated_at), "2026-11-20 11:00:00", "kept in UTC")
        # a retry of the cancelled version of 10:30 arrives after the shipped one of 11:00
        _sales, lines = self._import(
            self._order("V-1", status="Canceled", cancelled=True, updated_at="2026-11-20T10:30:00Z")
        )
        self.assertEqual(lines.state, "done")
        self.assertEqual(sale.state, "draft", "not cancelled by a stale version")
        self.assertEqual(sale.marketplace_status, "Shipped")
        self.assertEqual(str(sale.marketplace_updated_at), "2026-11-20 11:00:00")
        self.assertFalse(self._cancellations("V-1"))
        ignored = self._log_lines("older than the one applied", "info")
        self.assertEqual(len(ignored), 1)
        self.assertEqual((ignored.res_model, ignored.res_id), ("sale.order", sale.id))
        self.assertIn("V-1", ignored.message)

    def test_versions_without_time_are_applied_in_arrival_order(self):
        sale = self._import_one(self._order("V-2", status="Unshipped"))
        self._import(self._order("V-2", status="Shipped"))
        self.assertEqual(sale.marketplace_status, "Shipped")
        self.assertFalse(sale.marketplace_updated_at)

    # cancellations ------------------------------------------------------------------------------
    def test_cancellation_seen_first_is_remembered_against_stale_versions(self):
        sales, lines = self._import(
            self._order("C-1", cancelled=True, status="Canceled", updated_at="2026-11-20T12:00:00Z")
        )
        self.assertFalse(sales)
        self.assertEqual(lines.state, "done")
        remembered = self._cancellations("C-1")
        self.assertEqual(len(remembered), 1)
        self.assertEqual(str(remembered.cancelled_at), "2026-11-20 12:00:00")
        # the unshipped version, queued earlier and retried now, creates nothing
        sales, lines = self._import(self._order("C-1", status="Unshipped", updated_at="2026-11-20T10:00:00Z"))
        self.assertFalse(sales)
        self.assertEqual(lines.state, "done", "nothing to do is not a failure")
        self.assertFalse(self.env["sale.order"].search([("marketplace_order_ref", "=", "C-1")]))
        self.assertTrue(self._log_lines("was cancelled on the marketplace", "info"))
        # seen cancelled again: still one record
        self._import(self._order("C-1", cancelled=True, status="Canceled"))
        self.assertEqual(len(self._cancellations("C-1")), 1)

    def test_one_cancellation_per_order_and_instance_in_the_database(self):
        Cancellation = self.env["marketplace.order.cancellation"]
        Cancellation.create({"instance_id": self.instance.id, "order_ref": "C-2"})
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            Cancellation.create({"instance_id": self.instance.id, "order_ref": "C-2"})
        other = self.instance.copy({"name": "Other Store"})
        self.assertTrue(
            Cancellation.create({"instance_id": other.id, "order_ref": "C-2"}),
            "the same reference on another instance is another order",
        )

    def test_an_order_cancelled_on_the_marketplace_never_comes_back(self):
        sale = self._import_one(self._order("C-3", status="Unshipped", updated_at="2026-11-20T10:00:00Z"))
        self._import(self._order("C-3", status="Canceled", cancelled=True, updated_at="2026-11-20T11:00:00Z"))
        self.assertEqual(sale.state, "cancel")
        # a later version that is not cancelled (a marketplace glitch, a bad mapping) re-opens nothing
        _sales, lines = self._import(
            self._order("C-3", status="Unshipped", updated_at="2026-11-20T12:00:00Z")
        )
        self.assertEqual(lines.state, "done")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.marketplace_status, "Canceled")
        self.assertEqual(self.env["sale.order"].search_count([("marketplace_order_ref", "=", "C-3")]), 1)

    def test_cancellation_after_invoicing_reverses_the_invoice(self):
        paid = self.env["marketplace.workflow"].create(
            {
                "name": "Paid",
                "create_invoice": True,
                "validate_invoice": True,
                "register_payment": True,
                "journal_id": self.bank.id,
            }
        )
        self.instance.workflow_id = paid
        ref = "C-4 <b>&</b>"
        sale = self._import_one(self._order(ref, name=ref))
        invoice = sale.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state in ("paid", "in_payment")), ("posted", True))
        self._import(self._order(ref, name=ref, cancelled=True, status="Canceled"))
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.mapped("state"), ["cancel"], "nothing left to ship")
        credit_note = sale.invoice_ids - invoice
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total)
        # nothing stays booked: revenue and tax of the invoice are cancelled by the credit note
        moves = invoice | credit_note
        for kind in ("product", "tax"):
            booked = sum(moves.line_ids.filtered(lambda l: l.display_type == kind).mapped("balance"))
            self.assertAlmostEqual(booked, 0.0, msg=kind)
        message = sale.message_ids.filtered(lambda m: "Cancelled on the marketplace" in (m.body or ""))
        self.assertEqual(len(message), 1, "the order says what happened")
        self.assertIn(invoice.name, message.body)
        self.assertIn(credit_note.name, message.body)
        self.assertIn("C-4 &lt;b&gt;&amp;&lt;/b&gt;", message.body, "marketplace values are escaped")
        self.assertNotIn("<b>&</b>", message.body)

    def test_cancellation_cancels_draft_invoices(self):
        drafts = self.env["marketplace.workflow"].create({"name": "Draft invoice", "create_invoice": True})
        self.instance.workflow_id = drafts
        sale = self._import_one(self._order("C-5"))
        invoice = sale.invoice_ids
        self.assertEqual(invoice.state, "draft")
        self._import(self._order("C-5", cancelled=True))
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(sale.invoice_ids, invoice, "no credit note for a draft")
        self.assertTrue(sale.message_ids.filtered(lambda m: "Cancelled on the marketplace" in (m.body or "")))

    # shipped outside Odoo ----------------------------------------------------------------------
    def test_order_first_seen_shipped_by_the_merchant_is_not_shipped_again(self):
        sale = self._import_one(self._order("S-1", status="Shipped", shipped=True))
        self.assertTrue(sale.marketplace_shipped_outside)
        self.assertEqual(sale.state, "sale")
        picking = sale.picking_ids
        self.assertEqual(picking.state, "done", "no pending delivery to ship a second time")
        self.assertEqual(
            picking.location_id, self.instance.warehouse_id.lot_stock_id, "from the merchant warehouse"
        )
        self.assertFalse(picking.marketplace_export_state, "the marketplace already knows: never exported")
        self.assertEqual(sale.order_line.qty_delivered, 2)
        # the same order not yet shipped waits for the merchant, and its delivery is exported
        waiting = self._import_one(self._order("S-2", status="Unshipped"))
        waiting.action_confirm()
        self.assertNotEqual(waiting.picking_ids.state, "done")
        self.assertFalse(waiting.marketplace_shipped_outside)
        waiting.picking_ids.move_ids.write({"quantity": 2, "picked": True})
        waiting.picking_ids._action_done()
        self.assertEqual(waiting.picking_ids.marketplace_export_state, "pending")

    # amounts -------------------------------------------------------------------------------------
    def test_invalid_amounts_fail_the_line_with_a_readable_message(self):
        nan = self._order("N-1", lines=[{"sku": "WID-1", "quantity": 1, "unit_price": float("nan")}])
        negative = self._order(
            "N-2", lines=[{"sku": "WID-1", "quantity": 1, "unit_price": 5}], shipping={"amount": -4.95}
        )
        queue = self._queue([("N-1", nan), ("N-2", negative), ("N-3", self._order("N-3"))], kind="order")
        self.assertIn("NaN", queue.line_ids.filtered(lambda l: l.name == "N-1").payload, "JSON carries it")
        self.instance.action_process_queues()
        by_ref = {line.name: line for line in queue.line_ids}
        self.assertEqual(by_ref["N-1"].state, "failed")
        self.assertIn("lines.0.unit_price", by_ref["N-1"].error)
        self.assertIn("finite number", by_ref["N-1"].error)
        self.assertEqual(by_ref["N-2"].state, "failed")
        self.assertIn("shipping.amount", by_ref["N-2"].error)
        self.assertIn("greater than or equal to 0", by_ref["N-2"].error)
        self.assertEqual(by_ref["N-3"].state, "done", "the rest of the batch goes on")
        self.assertFalse(self.env["sale.order"].search([("marketplace_order_ref", "in", ("N-1", "N-2"))]))

    def test_total_mismatch_is_a_warning_on_the_order(self):
        self.instance.write({"tax_system": "odoo", "log_level": "error"})
        sale = self._import_one(
            self._order(
                "M-1",
                lines=[{"sku": "WID-1", "quantity": 1, "unit_price": 10}],
                prices_include_tax=True,
                total=10.50,
            )
        )
        self.assertTrue(sale.marketplace_sync_error)
        warning = self._log_lines("M-1", "warning")
        self.assertEqual(len(warning), 1, "kept even when the instance keeps errors only")
        self.assertEqual((warning.res_model, warning.res_id), ("sale.order", sale.id))
        self.assertEqual(warning.log_id.error_count, 0, "a warning is not a failed line")
        self.assertEqual(warning.log_id.state, "done")
