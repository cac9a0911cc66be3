from odoo.tests import tagged

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementBooking(SettlementCase):
    """A closed payout period booked as one bank statement: each order's invoice paid and
    reconciled, fees booked by type, a refund's credit note made and reconciled, the statement's
    balance the payout."""

    def _period(self):
        return self._settlement(
            [
                self._line("O-A", "order", 24.2, order_ref="SA-1", principal=20.0, tax=4.2),
                self._line("O-B", "order", 12.1, order_ref="SA-2", principal=10.0, tax=2.1),
                self._line("F-A", "fee", -3.63, fee_type="Commission", order_ref="SA-1"),
                self._line("F-B", "fee", -2.0, fee_type="FBAPerUnitFulfillmentFee", order_ref="SA-2"),
                self._line(
                    "R-A",
                    "refund",
                    -12.1,
                    order_ref="SA-1",
                    refund_ref="RF-1",
                    items=[
                        {"order_line_ref": "L1", "sku": "WID-1", "quantity": 1, "amount": 12.1, "tax": 2.1}
                    ],
                ),
                self._line("F-R", "fee", 0.5, fee_type="RefundCommission", order_ref="SA-1"),
                self._line("RES", "reserve", -5.0),
            ]
        )

    def test_a_closed_period_is_one_statement_whose_lines_pay_what_they_say(self):
        sale_a, sale_b = self._invoiced("SA-1"), self._invoiced("SA-2", quantity=1)
        outcome, log = self._book(self._period())
        self.assertEqual((outcome.booked, outcome.lines, outcome.matched, outcome.left_open), (1, 7, 6, 1))
        settlement = self._settlement_of()
        statement = settlement.statement_id
        self.assertEqual(settlement.state, "booked")
        self.assertEqual(statement.journal_id, self.journal)
        self.assertEqual(len(statement.line_ids), 7)
        self.assertAlmostEqual(settlement.payout_amount, 14.07)
        self.assertAlmostEqual(statement.balance_end_real - statement.balance_start, 14.07)
        self.assertTrue(statement.is_complete, "its lines add up to the payout")
        self.assertAlmostEqual(settlement.amount_difference, 0.0)
        # every settled order's invoice is paid, by the statement line of its order
        for sale, ref in ((sale_a, "O-A"), (sale_b, "O-B")):
            invoice = sale.invoice_ids
            self.assertEqual(invoice.payment_state, "paid", sale.name)
            st_line = self._st_line(settlement, ref)
            self.assertTrue(st_line.is_reconciled)
            receivable = self._counterpart(st_line)
            self.assertEqual(receivable.account_id, invoice.line_ids.filtered("reconciled").account_id)
            self.assertIn(invoice, receivable.matched_debit_ids.debit_move_id.move_id)
            self.assertFalse(st_line.marketplace_match_note)
        # fees on the accounts of their types
        commission = self._counterpart(self._st_line(settlement, "F-A"))
        self.assertEqual((commission.account_id, commission.amount_currency), (self.commission_account, 3.63))
        self.assertEqual(self._st_line(settlement, "F-A").marketplace_fee_type_id, self.commission)
        fulfilment = self._counterpart(self._st_line(settlement, "F-B"))
        self.assertEqual((fulfilment.account_id, fulfilment.amount_currency), (self.fulfilment_account, 2.0))
        # the refund: one credit note of the refunded item, posted and reconciled
        notes = self.env["account.move"].search(
            [("invoice_origin", "=", sale_a.name), ("move_type", "=", "out_refund")]
        )
        self.assertEqual(len(notes), 1)
        self.assertEqual(
            sale_a.invoice_status, "invoiced", "the refund does not make the order to invoice again"
        )
        self.assertEqual((notes.state, notes.payment_state, notes.amount_total), ("posted", "paid", 12.1))
        self.assertEqual(notes.marketplace_refund_ref, "RF-1")
        self.assertEqual(notes.invoice_line_ids.product_id, self.products[0])
        self.assertEqual(notes.invoice_line_ids.quantity, 1)
        self.assertEqual(notes.invoice_origin, sale_a.name)
        # the reserve on the instance's reserve account
        reserve = self._counterpart(self._st_line(settlement, "RES"))
        self.assertEqual(reserve.account_id, self.instance.settlement_reserve_account_id)
        self.assertEqual(reserve.account_id.account_type, "asset_current")
        # what the period comes to
        self.assertAlmostEqual(settlement.amount_sales, 36.3)
        self.assertAlmostEqual(settlement.amount_fees, -5.13)
        self.assertAlmostEqual(settlement.amount_refunds, -12.1)
        self.assertAlmostEqual(settlement.amount_others, -5.0)
        self.assertAlmostEqual(settlement.fee_share, 14.13, places=2)
        self.assertEqual(settlement.open_line_count, 1)
        self.assertIn("Settlement G-1 booked: 7 lines", " ".join(log.line_ids.mapped("message")))

    def test_an_unknown_fee_type_waits_on_suspense_until_it_has_an_account(self):
        self._invoiced("SA-1")
        self._book(self._period())
        settlement = self._settlement_of()
        line = self._st_line(settlement, "F-R")
        fee_type = line.marketplace_fee_type_id
        self.assertEqual(
            (fee_type.code, fee_type.kind, fee_type.account_id.id), ("RefundCommission", "fee", False)
        )
        self.assertFalse(line.is_reconciled)
        self.assertEqual(self._counterpart(line).account_id, self.journal.suspense_account_id)
        self.assertIn("fee type RefundCommission has no account", line.marketplace_match_note)
        lines_to_match = self.env["account.bank.statement.line"].search(
            [("marketplace_settlement_id", "=", settlement.id), ("is_reconciled", "=", False)]
        )
        self.assertIn(line, lines_to_match)
        # the accountant maps it, then Match Again books it there
        fee_type.account_id = self.commission_account
        answer = settlement.action_match_again()
        self.assertEqual(
            answer["params"]["message"], "1 lines matched, 1 left to match.", "the order not in Odoo waits"
        )
        self.assertTrue(line.is_reconciled)
        self.assertFalse(line.marketplace_match_note)
        self.assertEqual(self._counterpart(line).account_id, self.commission_account)
        self.assertAlmostEqual(self._counterpart(line).amount_currency, -0.5)

    def test_an_order_not_in_odoo_is_matched_once_imported(self):
        self._invoiced("SA-1")
        self._book(self._period())
        settlement = self._settlement_of()
        line = self._st_line(settlement, "O-B")
        self.assertFalse(line.is_reconciled)
        self.assertIn("order SA-2 is not in Odoo", line.marketplace_match_note)
        sale_b = self._invoiced("SA-2", quantity=1)
        self.assertEqual(sale_b.invoice_ids.payment_state, "not_paid")
        settlement.action_match_again()
        self.assertTrue(line.is_reconciled)
        self.assertEqual(sale_b.invoice_ids.payment_state, "paid")
        self.assertFalse(line.marketplace_match_note)
