from odoo.tests import tagged

from odoo.addons.marketplace_base.models.marketplace_settlement_importer import CURSOR_MARGIN

from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolInvoices(BolCase):
    """A Bol.com invoice period through the simulator: orders imported, invoiced by workflow and
    shipped, a return booked by Import Returns, commissions and corrections; Import Settlements
    books the invoice as one statement whose balance is what Bol.com pays."""

    def setUp(self):
        super().setUp()
        self.instance.workflow_id = self.instance.marketplace_workflow_id = self.env[
            "marketplace.workflow"
        ].create({"name": "Invoice", "confirm_order": True, "create_invoice": True, "validate_invoice": True})
        self.confirm()
        fbr = self.fbr_offers
        created = self.add_orders(
            orders=[
                {
                    "lines": [
                        {"ean": fbr[0]["ean"], "quantity": 2, "unit_price": 20.0},
                        {"ean": fbr[1]["ean"], "quantity": 1, "unit_price": 15.5},
                    ]
                },
                {"lines": [{"ean": fbr[2]["ean"], "quantity": 1, "unit_price": 9.99}]},
            ]
        )
        self.ref_a, self.ref_b = created["orders"]
        self.returned_item = created["order_items"][self.ref_a][0]
        self.import_orders()
        self.sale_a, self.sale_b = self.order(self.ref_a), self.order(self.ref_b)
        for sale in self.sale_a | self.sale_b:
            self.assertEqual(sale.invoice_ids.mapped("state"), ["posted"])
            for move in sale.picking_ids.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            sale.picking_ids._action_done()
        self.instance.action_export_shipments()
        self.instance.action_check_results()
        # one unit of order A comes back: Import Returns makes its credit note (20.00)
        self.instance.bol_return_status = "handled"
        self.sim(
            "POST",
            "/_sim/bol/add_return",
            {"order_item_id": self.returned_item, "quantity": 1, "handled": True},
        )
        self.instance.action_import_returns()
        self.instance.action_process_queues()
        self.credit_note = (
            self.env["marketplace.return"].search([("instance_id", "=", self.instance.id)]).credit_note_ids
        )
        self.assertEqual((self.credit_note.state, self.credit_note.amount_total), ("posted", 20.0))
        self.assertEqual(self.credit_note.payment_state, "not_paid", "paid by Bol.com's invoice, below")
        # corrections of the period: bol pays back lost goods, charges a correction
        self.sim(
            "POST", "/_sim/bol/add_invoice_correction", {"type": "COMPENSATION_LOST_GOODS", "amount": -3.0}
        )
        self.sim("POST", "/_sim/bol/add_invoice_correction", {"type": "CORRECTION_CORRECTION", "amount": 2.5})
        self.invoice = self.sim("POST", "/_sim/bol/issue_invoice", {})

    def _settlements(self):
        return self.env["marketplace.settlement"].search([("instance_id", "=", self.instance.id)])

    def _lines_of(self, settlement, line_type):
        return settlement.statement_id.line_ids.filtered(
            lambda l: l.marketplace_line_ref.endswith("#" + line_type)
        )

    def _counterpart(self, st_line):
        journal = self.instance.settlement_journal_id
        return st_line.move_id.line_ids.filtered(lambda l: l.account_id != journal.default_account_id)

    def test_an_invoice_period_is_booked_once_and_pays_what_bol_pays(self):
        self.assertIn("import_settlements", self.instance.job_ids.mapped("job"))
        self.instance.action_import_settlements()
        settlement = self._settlements()
        self.assertEqual(len(settlement), 1)
        payout = -self.invoice["payableAmount"]
        self.assertEqual((settlement.name, settlement.state), (self.invoice["invoiceId"], "booked"))
        self.assertAlmostEqual(settlement.payout_amount, payout, places=2)
        statement = settlement.statement_id
        self.assertEqual(len(statement.line_ids), len(self.invoice["lines"]))
        euro = self.env.ref("base.EUR")
        self.assertEqual((self.instance.currency_id, statement.journal_id.currency_id), (euro, euro))
        self.assertAlmostEqual(sum(statement.line_ids.mapped("amount")), payout, places=2)
        self.assertAlmostEqual(statement.balance_end_real - statement.balance_start, payout, places=2)
        self.assertTrue(statement.is_complete)
        self.assertAlmostEqual(settlement.amount_difference, 0.0, places=2)
        # sales to the cent; every order's invoice paid by its turnover
        self.assertAlmostEqual(settlement.amount_sales, 40.0 + 15.5 + 9.99, places=2)
        for sale in self.sale_a | self.sale_b:
            self.assertEqual(
                sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").payment_state, "paid"
            )
        self.assertTrue(all(self._lines_of(settlement, "TURNOVER").mapped("is_reconciled")))
        # the return: the credit note Import Returns made is the one reconciled, not a second one
        self.assertAlmostEqual(settlement.amount_refunds, -20.0, places=2)
        notes = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("invoice_origin", "=", self.sale_a.name)]
        )
        self.assertEqual(notes, self.credit_note)
        self.assertEqual(self.credit_note.payment_state, "paid")
        refund_line = self._lines_of(settlement, "CORRECTION_TURNOVER")
        self.assertEqual(self.credit_note.marketplace_refund_ref, refund_line.marketplace_line_ref)
        self.assertTrue(refund_line.is_reconciled)
        # commissions and the other lines on the accounts of their Bol.com line types
        FeeType = self.env["marketplace.fee.type"]
        commission = FeeType.search([("marketplace", "=", "bol"), ("code", "=", "COMMISSION")])
        self.assertTrue(commission.account_id, "Bol.com's documented types are there from Confirm")
        for st_line in self._lines_of(settlement, "COMMISSION"):
            self.assertEqual(st_line.marketplace_fee_type_id, commission)
            self.assertEqual(self._counterpart(st_line).account_id, commission.account_id)
            self.assertLess(st_line.amount, 0)
        lost = self._lines_of(settlement, "COMPENSATION_LOST_GOODS")
        self.assertEqual(lost.marketplace_fee_type_id.kind, "reimbursement")
        self.assertAlmostEqual(lost.amount, 3.0, places=2)
        other = self._lines_of(settlement, "CORRECTION_CORRECTION")
        self.assertEqual(other.marketplace_fee_type_id.kind, "adjustment")
        self.assertAlmostEqual(other.amount, -3.03, places=2, msg="2.50 and 21% VAT")
        self.assertEqual(settlement.open_line_count, 0, settlement.line_ids.mapped("marketplace_match_note"))
        # a rerun changes nothing
        moves = self.env["account.move"].search_count([])
        self.instance.action_import_settlements()
        self.assertEqual(self._settlements(), settlement)
        self.assertEqual(len(settlement.statement_id.line_ids), len(self.invoice["lines"]))
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self.credit_note.payment_state, "paid")

    def test_the_next_period_and_the_fbb_part_of_a_mixed_order(self):
        self.instance.action_import_settlements()
        first = self._settlements()
        cursor = self.job("import_settlements").cursor
        # the engine keeps the cursor a minute before the period booked last (CURSOR_MARGIN)
        self.assertEqual(
            cursor, first.date_start - CURSOR_MARGIN, "the next run starts at the period booked last"
        )
        # a mixed order: Odoo keeps its FBB part as its own sale order (<order>-FBB)
        created = self.add_orders(fulfilment_method="MIXED", status="SHIPPED", lines=2)
        ref = created["orders"][0]
        self.rewind()
        self.import_orders()
        fbr, fbb = self.order(ref), self.order(ref + "-FBB")
        self.assertTrue(fbr and fbb)
        # its FBR item comes back, but Import Returns does not run: the invoice's refund makes the
        # credit note, of exactly that item
        fbr_item = fbr.order_line.filtered("marketplace_line_ref")
        self.sim(
            "POST",
            "/_sim/bol/add_return",
            {"order_item_id": fbr_item.marketplace_line_ref, "quantity": 1, "handled": True},
        )
        invoice = self.sim("POST", "/_sim/bol/issue_invoice", {})
        self.instance.action_import_settlements()
        second = self._settlements() - first
        self.assertEqual((len(second), second.name, second.state), (1, invoice["invoiceId"], "booked"))
        self.assertAlmostEqual(second.payout_amount, -invoice["payableAmount"], places=2)
        self.assertEqual(len(first.statement_id.line_ids), len(self.invoice["lines"]), "booked once")
        for sale in fbr | fbb:
            self.assertEqual(sale.invoice_ids.payment_state, "paid", sale.marketplace_order_ref)
        turnover = self._lines_of(second, "TURNOVER")
        self.assertEqual(set(turnover.mapped("marketplace_order_ref")), {ref, ref + "-FBB"})
        pick_pack = self._lines_of(second, "PICK_PACK")
        self.assertEqual(pick_pack.marketplace_order_ref, ref + "-FBB")
        self.assertEqual(pick_pack.marketplace_fee_type_id.code, "PICK_PACK")
        note = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("invoice_origin", "=", fbr.name)]
        )
        self.assertEqual(len(note), 1)
        self.assertEqual(
            note.marketplace_refund_ref, self._lines_of(second, "CORRECTION_TURNOVER").marketplace_line_ref
        )
        self.assertEqual(
            (note.invoice_line_ids.product_id, note.invoice_line_ids.quantity), (fbr_item.product_id, 1)
        )
        self.assertAlmostEqual(note.amount_total, fbr_item.price_unit, places=2)
        self.assertEqual(note.payment_state, "paid")
        self.assertEqual(second.open_line_count, 0, second.line_ids.mapped("marketplace_match_note"))
        self.assertGreaterEqual(self.job("import_settlements").cursor, cursor)
