from odoo.tests import tagged

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementRefunds(SettlementCase):
    """Refunds: made into credit notes as they happen while the period is open (once per
    refund), for exactly what was refunded; the closed period's statement then matches them."""

    def _refund(self, ref, order_ref, amount, date="2026-11-05T10:00:00Z", **values):
        return self._line(
            "L-" + ref, "refund", amount, order_ref=order_ref, refund_ref=ref, date=date, **values
        )

    def test_refunds_of_an_open_period_become_credit_notes_once(self):
        sale = self._invoiced("RO-1", quantity=3)
        reads = []
        pages = {
            None: [[self._line("O-1", "order", 36.3, order_ref="RO-1", date="2026-11-02T10:00:00Z")]],
        }

        def read(header, posted_after):
            reads.append(posted_after)
            return pages.get(posted_after and posted_after.isoformat(), pages[None])

        header = self._settlement([], closed=False, payout=30.0)
        outcome, _log = self._book(header, read_lines=read)
        self.assertEqual((outcome.open, outcome.refunds, outcome.booked), (1, 0, 0))
        settlement = self._settlement_of()
        self.assertEqual(settlement.state, "open")
        self.assertAlmostEqual(settlement.payout_amount, 30.0, msg="the next payout's estimate")
        self.assertFalse(settlement.statement_id)
        self.assertEqual(str(settlement.refunds_read_until), "2026-11-02 10:00:00")
        # a refund is posted; the next run reads what was posted since, and makes its credit note
        refund = self._refund(
            "RF-1",
            "RO-1",
            -12.1,
            items=[{"order_line_ref": "L1", "quantity": 1, "amount": 12.1, "tax": 2.1}],
        )
        pages["2026-11-02T10:00:00"] = [[refund, self._refund("RF-2", "NOT-HERE", -5.0)]]
        outcome, _log = self._book(dict(header, payout_amount=17.9), read_lines=read)
        self.assertEqual((outcome.open, outcome.refunds), (1, 1))
        self.assertEqual(reads[-1].isoformat(), "2026-11-02T10:00:00")
        self.assertAlmostEqual(settlement.payout_amount, 17.9)
        note = self.env["account.move"].search([("marketplace_refund_ref", "=", "RF-1")])
        self.assertEqual((note.move_type, note.state, note.amount_total), ("out_refund", "posted", 12.1))
        self.assertEqual(note.payment_state, "not_paid", "paid when the period's statement is booked")
        self.assertEqual(note.invoice_line_ids.quantity, 1)
        refunds = {r.name: r for r in settlement.refund_ids}
        self.assertEqual((refunds["RF-1"].state, refunds["RF-1"].credit_note_id), ("done", note))
        self.assertEqual(refunds["RF-2"].state, "open")
        self.assertIn("order NOT-HERE is not in Odoo", refunds["RF-2"].note)
        self.assertEqual(settlement.open_line_count, 1)
        # read again (same page): nothing new
        pages["2026-11-05T10:00:00"] = [[refund]]
        self._book(dict(header, payout_amount=17.9), read_lines=read)
        self.assertEqual(self.env["account.move"].search_count([("marketplace_refund_ref", "=", "RF-1")]), 1)
        self.assertEqual(len(settlement.refund_ids), 2)
        # the order arrives: Match Again makes the second credit note
        self._invoiced("NOT-HERE", quantity=1)
        settlement.action_match_again()
        self.assertEqual(refunds["RF-2"].state, "done")
        self.assertAlmostEqual(refunds["RF-2"].credit_note_id.amount_total, 5.0)
        # the period closes: its refund lines are matched with the credit notes made meanwhile
        closed = self._settlement(
            [
                self._line("O-1", "order", 36.3, order_ref="RO-1"),
                refund,
                self._refund("RF-2", "NOT-HERE", -5.0),
            ]
        )
        outcome, _log = self._book(closed)
        self.assertEqual((outcome.booked, outcome.lines, outcome.left_open), (1, 3, 0))
        self.assertEqual(note.payment_state, "paid")
        self.assertEqual(refunds["RF-2"].credit_note_id.payment_state, "paid")
        self.assertEqual(sale.invoice_ids.payment_state, "paid")
        self.assertEqual(
            self.env["account.move"].search_count([("marketplace_refund_ref", "in", ("RF-1", "RF-2"))]), 2
        )
        self.assertFalse(settlement.refunds_read_until)

    def test_a_credit_note_for_the_refunded_items_shipping_and_the_rest(self):
        sale = self._import_one(
            self._order(
                "RS-1",
                lines=[
                    {"external_id": "L1", "sku": "WID-1", "quantity": 2, "unit_price": 10.0},
                    {"external_id": "L2", "sku": "WID-2", "quantity": 1, "unit_price": 30.0},
                ],
                shipping={"amount": 5.0, "name": "Standard"},
            )
        )
        self.assertTrue(sale.invoice_ids)
        refund = self._refund(
            "RF-S",
            "RS-1",
            -24.11,
            shipping=-5.0,
            items=[{"sku": "WID-2", "quantity": 1, "amount": 15.0}],
        )
        self._book(self._settlement([refund]))
        note = self.env["account.move"].search([("marketplace_refund_ref", "=", "RF-S")])
        self.assertAlmostEqual(note.amount_total, 24.11, msg="the refund, to the cent")
        by_product = {line.product_id: line for line in note.invoice_line_ids}
        self.assertAlmostEqual(by_product[self.products[1]].price_total, 15.0)
        self.assertEqual(by_product[self.products[1]].quantity, 1)
        shipping = sale.order_line.filtered("is_delivery").product_id
        self.assertIn(shipping, by_product)
        rest = note.invoice_line_ids.filtered(lambda l: not l.product_id)
        self.assertEqual(len(rest), 1, "what is left as an amount-only line")
        self.assertFalse(rest.tax_ids)
        self.assertEqual(note.payment_state, "paid")

    def test_a_credit_note_import_returns_made_is_taken_not_made_twice(self):
        sale = self._invoiced("RR-1", quantity=1)
        invoice = sale.invoice_ids
        returned = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "currency_id": invoice.currency_id.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.products[0].id,
                            "quantity": 1,
                            "price_unit": 10.0,
                            "tax_ids": [(6, 0, self.tax21.ids)],
                        },
                    )
                ],
            }
        )
        returned.invoice_line_ids.sale_line_ids = sale.order_line
        returned.action_post()
        self._book(self._settlement([self._refund("RF-R", "RR-1", -12.1)]))
        self.assertEqual(returned.marketplace_refund_ref, "RF-R")
        self.assertEqual(returned.payment_state, "paid")
        self.assertEqual(
            self.env["account.move"].search_count(
                [("marketplace_refund_instance_id", "=", self.instance.id)]
            ),
            1,
        )
