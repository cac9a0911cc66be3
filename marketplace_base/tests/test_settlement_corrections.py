from odoo.tests import tagged

from ..schemas.settlement import Settlement
from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementRerunAndCorrections(SettlementCase):
    """Nothing is booked twice: a booked period read again costs no call and books nothing, a
    booking that stopped midway resumes after its last line, and a period the marketplace
    corrected after it was booked gets only the difference."""

    def setUp(self):
        super().setUp()
        self.sales = self._invoiced("SC-1") | self._invoiced("SC-2", quantity=1)
        self.lines = [
            self._line("O-1", "order", 24.2, order_ref="SC-1"),
            self._line("O-2", "order", 12.1, order_ref="SC-2"),
            self._line("F-1", "fee", -3.63, fee_type="Commission", order_ref="SC-1"),
            self._line("F-2", "fee", -2.0, fee_type="FBAPerUnitFulfillmentFee", order_ref="SC-2"),
            self._line("R-1", "refund", -12.1, order_ref="SC-1", refund_ref="RC-1"),
        ]
        self.calls = []

    def _reader(self, pages):
        """The connector's `settlement_lines`: the lines in pages, each call remembered."""

        def read(header, posted_after):
            self.calls.append((header.external_id, posted_after))
            return pages

        return read

    def _state(self):
        settlement = self._settlement_of()
        return (
            len(settlement.line_ids),
            len(self.env["account.bank.statement"].search([("journal_id", "=", self.journal.id)])),
            self.env["account.move"].search_count([("marketplace_refund_ref", "=", "RC-1")]),
            sorted(self.sales.invoice_ids.mapped("payment_state")),
        )

    def test_a_booked_period_read_again_costs_no_call_and_books_nothing(self):
        header = dict(self._settlement(self.lines), lines=[])
        read = self._reader([self.lines[:3], self.lines[3:]])
        outcome, _log = self._book(header, read_lines=read)
        self.assertEqual((outcome.booked, outcome.lines), (1, 5))
        self.assertEqual(self.calls, [("G-1", None)], "every line of a closed period, in pages")
        before = self._state()
        self.assertEqual(before, (5, 1, 1, ["paid", "paid"]))
        outcome, _log = self._book(header, read_lines=read)
        self.assertEqual((outcome.booked, outcome.skipped), (0, 1))
        self.assertEqual(len(self.calls), 1, "booked with the same payout: no call")
        self.assertEqual(self._state(), before)

    def test_a_booking_that_stopped_midway_resumes_after_its_last_line(self):
        header = self._settlement(self.lines)
        Booking = self.env["marketplace.settlement.booking"]
        neutral = Settlement.model_validate(header)
        settlement = Booking._settlement(self.instance, neutral)
        settlement.state = "booking"
        lines = Booking._validate_lines(settlement, header["lines"])
        # the first batch was committed, then the worker stopped
        Booking._create_lines(settlement, self.journal, Booking._to_book(settlement, lines)[:3])
        self.assertEqual(len(settlement.line_ids), 3)
        outcome, _log = self._book(header)
        self.assertEqual((outcome.booked, outcome.lines), (1, 2), "only the two lines missing")
        self.assertEqual(self._state(), (5, 1, 1, ["paid", "paid"]))
        self.assertEqual(settlement.state, "booked")
        statement = settlement.statement_id
        self.assertEqual(statement.line_ids, settlement.line_ids)
        self.assertTrue(statement.is_complete)
        self.assertAlmostEqual(statement.balance_end_real - statement.balance_start, 18.57)

    def test_a_corrected_period_books_only_the_difference(self):
        self._book(self._settlement(self.lines))
        settlement = self._settlement_of()
        first = settlement.line_ids
        corrected = [dict(line) for line in self.lines if line["external_id"] != "F-2"]
        corrected[2]["amount"] = -3.5  # the commission, corrected
        corrected.append(self._line("F-3", "fee", -1.0, fee_type="Commission", order_ref="SC-2"))
        outcome, log = self._book(self._settlement(corrected))
        self.assertEqual((outcome.booked, outcome.lines), (1, 3))
        new = {line.marketplace_line_ref: line for line in settlement.line_ids - first}
        self.assertEqual(sorted(new), ["F-1~1", "F-2~1", "F-3"])
        self.assertAlmostEqual(new["F-1~1"].amount, 0.13)
        self.assertEqual(new["F-1~1"].payment_ref, "Correction of Fee Commission SC-1")
        self.assertAlmostEqual(new["F-2~1"].amount, 2.0)
        self.assertTrue(new["F-2~1"].payment_ref.startswith("Reversal of "))
        self.assertAlmostEqual(new["F-3"].amount, -1.0)
        self.assertTrue(
            all(line.is_reconciled for line in new.values()), "booked like the lines they correct"
        )
        self.assertAlmostEqual(sum(settlement.line_ids.mapped("amount")), 19.7)
        self.assertAlmostEqual(settlement.payout_amount, 19.7)
        statement = settlement.statement_id
        self.assertAlmostEqual(statement.balance_end_real - statement.balance_start, 19.7)
        self.assertTrue(statement.is_complete)
        self.assertEqual(self._state()[1:], (1, 1, ["paid", "paid"]), "one statement, one credit note")
        warning = log.line_ids.filtered(lambda l: l.level == "warning")
        self.assertIn("corrected by the marketplace", warning.message)
        self.assertIn("payout 18.57 -> 19.7;", warning.message)
        self.assertIn("changed: F-1", warning.message)
        self.assertIn("added: F-3", warning.message)
        self.assertIn("removed: F-2", warning.message)
        # read once more as corrected: nothing else
        outcome, _log = self._book(self._settlement(corrected))
        self.assertEqual(outcome.skipped, 1)
        self.assertEqual(len(settlement.line_ids), 8)

    def test_a_period_whose_lines_miss_the_payout_says_so(self):
        outcome, log = self._book(self._settlement(self.lines, payout=20.0))
        settlement = self._settlement_of()
        self.assertAlmostEqual(settlement.amount_difference, 1.43)
        self.assertFalse(settlement.statement_id.is_complete)
        self.assertIn("the difference (1.43)", log.line_ids.filtered(lambda l: l.level == "warning").message)

    def test_lines_sharing_a_key_or_invalid_are_refused_whole(self):
        twice = self.lines + [self._line("F-1", "fee", -1.0, fee_type="Commission")]
        outcome, log = self._book(self._settlement(twice))
        self.assertEqual((outcome.booked, outcome.failed), (0, 1))
        self.assertIn("several lines with the key F-1", log.line_ids.message)
        self.assertFalse(self._settlement_of().line_ids)
        bad = self.lines + [self._line("X", "order", 1.0)]
        outcome, log = self._book(self._settlement(bad, ref="G-2"))
        self.assertEqual(outcome.failed, 1)
        self.assertIn("Settlement G-2 could not be read", log.line_ids.message)
        self.assertIn("order_ref", log.line_ids.message)
        self.assertFalse(self._settlement_of("G-2"))
