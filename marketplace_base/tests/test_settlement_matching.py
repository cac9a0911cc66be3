from datetime import datetime, timedelta

from odoo.tests import new_test_user, tagged

from ..models.marketplace_settlement_importer import Outcome
from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementMatching(SettlementCase):
    """How each line is matched: an invoice the workflow already marked paid, an amount other
    than the invoice's, a fee type with a tax and an analytic distribution; the journal and
    accounts an instance books into; what the dashboard shows; where the next run reads."""

    def test_an_invoice_the_workflow_paid_is_matched_with_its_payment(self):
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id), ("id", "!=", self.journal.id)],
            limit=1,
        )
        self.invoicing.write({"register_payment": True, "journal_id": bank.id})
        sale = self._invoiced("MP-1")
        invoice = sale.invoice_ids
        payment = invoice._get_reconciled_payments()
        self.assertTrue(payment, "the workflow registered the payment")
        outstanding = payment.move_id.line_ids.filtered(
            lambda l: l.account_id == payment.outstanding_account_id
        )
        self.assertFalse(outstanding.reconciled)
        self._book(self._settlement([self._line("O-1", "order", 24.2, order_ref="MP-1")]))
        st_line = self._st_line(self._settlement_of(), "O-1")
        self.assertTrue(st_line.is_reconciled)
        counterpart = self._counterpart(st_line)
        self.assertEqual(counterpart.account_id, payment.outstanding_account_id)
        self.assertTrue(outstanding.reconciled, "the payment reached the bank: the settlement")
        self.assertEqual(counterpart.full_reconcile_id, outstanding.full_reconcile_id)
        self.assertEqual(invoice.payment_state, "paid")

    def test_an_amount_other_than_the_invoice_is_matched_partially_with_the_reason(self):
        sale = self._invoiced("MP-2")
        self._book(self._settlement([self._line("O-1", "order", 20.0, order_ref="MP-2")]))
        st_line = self._st_line(self._settlement_of(), "O-1")
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(sale.invoice_ids.payment_state, "partial")
        self.assertAlmostEqual(sale.invoice_ids.amount_residual, 4.2)
        self.assertIn(
            "left 24.2 open and the marketplace's lines come to 20.0", st_line.marketplace_match_note
        )

    def test_a_fee_type_with_tax_and_analytic_distribution(self):
        tax_account = self.env["account.account"].create(
            {
                "name": "Input VAT",
                "code": "MPVIN",
                "account_type": "asset_current",
                "company_id": self.env.company.id,
            }
        )
        tax = self.env["account.tax"].create(
            {
                "name": "Fee VAT 21%",
                "amount": 21.0,
                "type_tax_use": "purchase",
                "invoice_repartition_line_ids": [
                    (0, 0, {"repartition_type": "base"}),
                    (0, 0, {"repartition_type": "tax", "account_id": tax_account.id}),
                ],
                "refund_repartition_line_ids": [
                    (0, 0, {"repartition_type": "base"}),
                    (0, 0, {"repartition_type": "tax", "account_id": tax_account.id}),
                ],
            }
        )
        plan = self.env["account.analytic.plan"].create({"name": "Channels"})
        analytic = self.env["account.analytic.account"].create({"name": "Marketplace", "plan_id": plan.id})
        self.commission.write({"tax_id": tax.id, "analytic_distribution": {str(analytic.id): 100}})
        outcome, log = self._book(self._settlement([self._line("F-1", "fee", -12.1, fee_type="Commission")]))
        self.assertEqual(outcome.booked, 1, log.line_ids.mapped("message"))
        st_line = self._st_line(self._settlement_of(), "F-1")
        print(
            "DBG",
            st_line.marketplace_match_note,
            [
                (l.account_id.code, l.balance, l.amount_currency, l.tax_ids.ids, l.tax_line_id.id)
                for l in st_line.move_id.line_ids
            ],
        )
        self.assertTrue(st_line.is_reconciled)
        items = self._counterpart(st_line)
        base = items.filtered(lambda l: l.account_id == self.commission_account)
        vat = items.filtered(lambda l: l.account_id == tax_account)
        self.assertAlmostEqual(base.amount_currency, 10.0)
        self.assertEqual(base.tax_ids, tax)
        self.assertEqual(base.analytic_distribution, {str(analytic.id): 100})
        self.assertAlmostEqual(vat.amount_currency, 2.1)
        self.assertEqual(vat.tax_line_id, tax)
        self.assertAlmostEqual(sum(st_line.move_id.line_ids.mapped("balance")), 0.0)

    def test_the_settlement_journal_and_reserve_account(self):
        journal = self.instance.settlement_journal_id
        self.assertEqual(journal.type, "bank")
        self.assertEqual(journal.name, "Generic (neutral payloads) Settlements (Test Store)")
        self.assertEqual(journal.currency_id, self.eur, "the store's currency, not the company's")
        reserve = self.instance.settlement_reserve_account_id
        self.assertEqual(
            (reserve.name, reserve.account_type, reserve.reconcile),
            ("Marketplace Reserves", "asset_current", True),
        )
        other = self.env["marketplace.instance"].create({"name": "Second Store", "marketplace": "generic"})
        other._settlement_setup()
        self.assertNotEqual(other.settlement_journal_id, journal)
        self.assertNotEqual(other.settlement_journal_id.code, journal.code)
        self.assertFalse(other.settlement_journal_id.currency_id, "the company's currency")
        self.assertEqual(other.settlement_reserve_account_id, reserve, "one reserve account per company")
        other._settlement_setup()
        self.assertEqual(
            self.env["account.journal"].search_count(
                [("name", "=", "Generic (neutral payloads) Settlements (Second Store)")]
            ),
            1,
        )

    def test_the_dashboard_shows_the_last_and_next_payout_and_the_lines_to_match(self):
        user = new_test_user(self.env, "settle_dash", groups="marketplace_base.group_marketplace_user")
        instance = self.instance.with_user(user)
        self.assertFalse(instance.settlement_last_payout_text)
        self._invoiced("MD-1")
        self._book(
            self._settlement(
                [
                    self._line("O-1", "order", 24.2, order_ref="MD-1"),
                    self._line("O-2", "order", 10.0, order_ref="MD-404"),
                    self._line("F-1", "fee", -3.42, fee_type="Commission"),
                ]
            ),
            self._settlement(
                [], ref="G-2", closed=False, payout=55.5, start="2026-11-15T00:00:00Z", end=None
            ),
        )
        instance.invalidate_recordset()
        self.assertAlmostEqual(instance.settlement_last_payout, 30.78)
        self.assertIn("30.78", instance.settlement_last_payout_text)
        self.assertAlmostEqual(instance.settlement_fee_share, 10.0)
        self.assertEqual(instance.settlement_open_line_count, 1, "the order not in Odoo")
        self.assertIn("55.50", instance.settlement_next_payout_text)
        settlements = self.env["marketplace.settlement"].with_user(user).search([("to_match", "=", True)])
        self.assertEqual(settlements.mapped("name"), ["G-1"])

    def test_the_next_run_reads_from_the_earliest_period_not_booked(self):
        Importer = self.env["marketplace.settlement.importer"]
        current = datetime(2026, 10, 1)
        early, late = datetime(2026, 11, 1), datetime(2026, 11, 15)
        minute = timedelta(minutes=1)
        self.assertEqual(
            Importer._cursor(current, Outcome(again=[late, early], done=[early])), early - minute
        )
        self.assertEqual(Importer._cursor(current, Outcome(done=[early, late])), late - minute)
        self.assertEqual(
            Importer._cursor(current, Outcome(done=[late], failed=1)), current, "never past a failure"
        )
        self.assertEqual(Importer._cursor(current, Outcome()), current)
