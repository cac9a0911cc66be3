from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonSettlements(AmazonCase):
    """Amazon's payouts through Import Settlements, over real HTTP to the simulator's Finances
    API v0: orders imported and invoiced by their workflow, then Amazon's settlement periods
    booked, each a bank statement whose lines pay the invoices, book the fees by type and add up
    to the payout; refunds as credit notes, once; reruns, corrections and 429s."""

    SIZES = {"orders": 40, "products": 20}

    def setUp(self):
        super().setUp()
        self.instance.currency_id = self.env.ref("base.EUR")  # the account's payouts in euros
        self.confirm()
        workflow = self.env["marketplace.workflow"].create(
            {"name": "Invoice", "confirm_order": True, "create_invoice": True, "validate_invoice": True}
        )
        self.instance.write({"workflow_id": workflow.id, "marketplace_workflow_id": workflow.id})
        self.import_orders()

    # helpers ------------------------------------------------------------------------------------------
    def settlement(self, group_id):
        return self.env["marketplace.settlement"].search(
            [("instance_id", "=", self.instance.id), ("name", "=", group_id)]
        )

    def groups(self, status=None, currency="EUR"):
        return [
            g
            for g in self.sim_state()["finances"]["groups"]
            if g["currency"] == currency and (status is None or g["status"] == status)
        ]

    def run_import(self):
        self.instance.action_import_settlements()
        log = self.last_log("import_settlements")
        self.assertFalse(log.line_ids.filtered(lambda l: l.level == "error"), log.line_ids.mapped("message"))
        return log

    def shipped_order(self, imported=True):
        """A new order of Amazon.de, shipped (so charged in the open period), imported and
        invoiced unless said otherwise; (its reference, its SKU)."""
        sku = sorted(self.sim_state()["offers"])[0]
        ref = self.add_order(
            status="Shipped",
            facilitator=False,
            lines=[{"sku": sku, "quantity": 2, "price": "30.00", "shipping": "5.00"}],
        )
        if imported:
            self.import_orders()
            self.assertEqual(self.order(ref).invoice_ids.mapped("state"), ["posted"])
        return ref, sku

    def credit_notes(self, sale):
        return self.env["account.move"].search(
            [("invoice_origin", "=", sale.name), ("move_type", "=", "out_refund")]
        )

    def assert_booked(self, settlement, total):
        """Booked as one statement whose lines add up to the payout, Amazon's total; every order
        paid by its line, every fee on the account of its type."""
        self.assertEqual(settlement.state, "booked")
        self.assertAlmostEqual(settlement.payout_amount, float(total), places=2)
        statement = settlement.statement_id
        lines = statement.line_ids
        in_currency = sum(l.amount_currency if l.foreign_currency_id else l.amount for l in lines)
        self.assertAlmostEqual(in_currency, float(total), places=2, msg="the lines add up to the payout")
        if settlement.currency_id == statement.journal_id.currency_id:
            self.assertAlmostEqual(
                statement.balance_end_real - statement.balance_start, float(total), places=2
            )
            self.assertAlmostEqual(settlement.amount_difference, 0.0, places=2)
        for line in lines.filtered(lambda l: l.marketplace_kind == "order"):
            self.assertTrue(line.is_reconciled, line.marketplace_match_note)
            invoices = self.order(line.marketplace_order_ref).invoice_ids
            self.assertIn(invoices.payment_state, ("paid", "in_payment"), line.marketplace_order_ref)
        for line in lines.filtered(lambda l: l.marketplace_kind == "fee"):
            fee_type = line.marketplace_fee_type_id
            self.assertTrue(fee_type.account_id, fee_type.code)
            counterpart = line.move_id.line_ids.filtered(lambda m: m.account_id == fee_type.account_id)
            self.assertAlmostEqual(
                sum(counterpart.mapped("amount_currency")), -line.amount, places=2, msg=fee_type.code
            )
        return lines

    # tests --------------------------------------------------------------------------------------------
    def test_a_closed_period_is_booked_once_and_the_open_one_is_the_next_payout(self):
        closed = self.sim("POST", "/_sim/amazon/finances_close", {})
        log = self.run_import()
        self.assertEqual((log.throttled_calls, log.state), (0, "done"))
        settlement = self.settlement(closed["group_id"])
        lines = self.assert_booked(settlement, closed["total"])
        self.assertEqual(len(lines), len(set(lines.mapped("marketplace_line_ref"))))
        self.assertIn("order", lines.mapped("marketplace_kind"))
        self.assertIn("Commission", lines.marketplace_fee_type_id.mapped("code"))
        # the other periods of the last 30 days, in every currency of the account, are booked too
        for group in self.groups("Closed", currency=None):
            booked = self.settlement(group["id"])
            if booked:
                self.assert_booked(booked, group["total"])
        self.assertFalse(self.settlement(self.groups("Closed")[0]["id"]), "older than the first run reads")
        # the open period: the next payout, with Amazon's current balance
        (opened,) = self.groups("Open")
        next_payout = self.settlement(opened["id"])
        self.assertEqual(next_payout.state, "open")
        self.assertAlmostEqual(next_payout.payout_amount, float(opened["total"]), places=2)
        self.assertFalse(next_payout.statement_id)

        # a rerun, and a second run, book nothing more and ask nothing of the booked periods
        before = self.env["account.bank.statement.line"].search_count(
            [("journal_id", "=", self.instance.settlement_journal_id.id)]
        )
        for _run in range(2):
            again = self.run_import()
            self.assertEqual(
                self.env["account.bank.statement.line"].search_count(
                    [("journal_id", "=", self.instance.settlement_journal_id.id)]
                ),
                before,
            )
        self.assertLess(again.api_calls, log.api_calls, "booked periods are not read again")

    def test_a_refund_gives_one_credit_note_before_and_after_the_close(self):
        ref, sku = self.shipped_order()
        sale = self.order(ref)
        self.run_import()
        refund = self.sim(
            "POST",
            "/_sim/amazon/finances_refund",
            {"order_id": ref, "items": [{"sku": sku, "quantity": 1}], "shipping": True},
        )
        # the period is open: its refund is made a credit note at the next run, once
        self.run_import()
        note = self.credit_notes(sale)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.state, "posted")
        self.assertTrue(note.marketplace_refund_ref.startswith(ref))
        charges = refund["event"]["ShipmentItemAdjustmentList"][0]["ItemChargeAdjustmentList"]
        refunded = -sum(c["ChargeAmount"]["CurrencyAmount"] for c in charges)
        self.assertAlmostEqual(note.amount_total, refunded, places=2)
        item = note.invoice_line_ids.filtered(lambda l: l.product_id in sale.order_line.product_id)
        self.assertEqual(item.mapped("quantity")[:1], [1.0], "the refunded unit")
        self.run_import()
        self.assertEqual(self.credit_notes(sale), note, "once")

        # closed: the refund's line pays the credit note, the sale's line the invoice
        closed = self.sim("POST", "/_sim/amazon/finances_close", {})
        self.run_import()
        settlement = self.settlement(closed["group_id"])
        lines = self.assert_booked(settlement, closed["total"])
        refund_line = lines.filtered(
            lambda l: l.marketplace_kind == "refund" and l.marketplace_order_ref == ref
        )
        self.assertEqual(len(refund_line), 1)
        self.assertTrue(refund_line.is_reconciled, refund_line.marketplace_match_note)
        self.assertEqual(self.credit_notes(sale), note, "no second credit note")
        self.assertIn(note.payment_state, ("paid", "in_payment"))
        self.assertIn(
            sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").payment_state,
            ("paid", "in_payment"),
        )

        # Amazon corrects the closed period: only the correction is booked
        kept = {l.marketplace_line_ref: l.amount for l in lines}
        corrected = self.sim(
            "POST", "/_sim/amazon/finances_correct", {"group_id": closed["group_id"], "adjustment": "12.50"}
        )
        self.run_import()
        lines = self.assert_booked(settlement, corrected["total"])
        new = lines.filtered(lambda l: l.marketplace_line_ref not in kept)
        self.assertEqual(len(new), 1)
        self.assertEqual((new.marketplace_kind, new.amount), ("reimbursement", 12.5))
        self.assertEqual({l.marketplace_line_ref: l.amount for l in lines - new}, kept)
        self.assertEqual(self.credit_notes(sale), note)

    def test_throttled_calls_are_waited_out_and_recover_order_makes_its_credit_notes(self):
        closed = self.sim("POST", "/_sim/amazon/finances_close", {})
        self.fault("listFinancialEventGroups", "429", count=1)
        self.fault("listFinancialEventsByGroupId", "429", count=2)
        log = self.run_import()
        self.assertEqual(log.throttled_calls, 3)
        self.assert_booked(self.settlement(closed["group_id"]), closed["total"])

        # an order Import Orders has not brought yet, refunded on Amazon: Recover Order brings it
        # with the credit note of its refund
        ref, sku = self.shipped_order(imported=False)
        self.sim(
            "POST",
            "/_sim/amazon/finances_refund",
            {"order_id": ref, "items": [{"sku": sku, "quantity": 2}], "shipping": False},
        )
        wizard = self.env["marketplace.recover.order"].create(
            {"instance_id": self.instance.id, "reference": ref}
        )
        sale = self.env["sale.order"].browse(wizard.action_recover()["res_id"])
        note = self.credit_notes(sale)
        self.assertEqual(len(note), 1, self.last_log("import_settlements").line_ids.mapped("message"))
        self.assertEqual(note.state, "posted")
        self.run_import()
        self.assertEqual(self.credit_notes(sale), note, "Import Settlements finds it made")
