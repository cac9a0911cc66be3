from .order_common import OrderCase


class TestReturns(OrderCase):
    """Neutral returns (schemas/returns.py) through the return queue, and items a marketplace
    cancels after the import (Line.cancelled_quantity): the engine's part, whatever the connector."""

    def _delivered_order(self, ref="RET-1", invoice=True):
        sale = self._import_one(
            self._order(
                ref,
                lines=[
                    {"external_id": "L1", "sku": "WID-1", "quantity": 2, "unit_price": 10.0},
                    {"external_id": "L2", "sku": "WID-2", "quantity": 1, "unit_price": 10.0},
                ],
            )
        )
        sale.action_confirm()
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        if invoice:
            sale._create_invoices().action_post()
        return sale

    def _return(self, ref="R-1", received=False, **line):
        return {
            "external_id": ref,
            "received": received,
            "notify_on_receipt": not received,
            "lines": [
                dict(
                    {
                        "external_id": "RMA-1",
                        "order_ref": "RET-1",
                        "barcode": "8710000000001",
                        "quantity": 1,
                        "reason": "Too small",
                    },
                    **line,
                )
            ],
        }

    def _process(self, *returns):
        queue = self._queue([(r["external_id"], r) for r in returns], kind="return")
        self.instance.action_process_queues()
        return queue.line_ids

    def test_a_return_makes_a_return_picking_and_a_credit_note_once(self):
        sale = self._delivered_order()
        line = self._process(self._return())
        self.assertEqual(line.state, "done", line.error)
        ret = self.env["marketplace.return"].search([("instance_id", "=", self.instance.id)])
        picking = ret.picking_ids
        self.assertEqual((picking.picking_type_code, picking.state), ("incoming", "assigned"))
        self.assertEqual(picking.sale_id, sale)
        self.assertEqual(picking.move_ids.marketplace_return_line_ref, "RMA-1")
        self.assertEqual(picking.move_ids.product_id, self.products[0])
        note = ret.credit_note_ids
        self.assertEqual((note.move_type, note.state, note.amount_untaxed), ("out_refund", "draft", 10.0))
        # the same return again (another run, another page): nothing new
        self.assertEqual(self._process(self._return(reason="again")).state, "done")
        self.assertEqual(
            self.env["marketplace.return"].search_count([("instance_id", "=", self.instance.id)]), 1
        )
        self.assertEqual(len(sale.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")), 1)
        # the merchant receives it: the marketplace waits for that, so the receipt is to export
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._action_done()
        self.assertEqual(picking.marketplace_export_state, "pending")
        self.assertEqual(ret.state, "received")

    def test_a_received_return_is_booked_back_at_once(self):
        sale = self._delivered_order()
        self._process(self._return(received=True, quantity=2))
        ret = self.env["marketplace.return"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(ret.picking_ids.state, "done")
        self.assertFalse(ret.picking_ids.marketplace_export_state)
        self.assertEqual(ret.credit_note_ids.state, "posted")
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref == "L1")
        self.assertEqual(line.qty_delivered, 0)

    def test_a_return_beyond_what_was_delivered_or_of_an_unknown_order_fails_its_line(self):
        self._delivered_order(invoice=False)
        too_many = self._process(self._return(quantity=5))
        self.assertEqual(too_many.state, "failed")
        self.assertIn("delivered", too_many.error)
        unknown = self._process(self._return("R-2", order_ref="NOPE"))
        self.assertIn("NOPE", unknown.error)
        self.assertFalse(self.env["marketplace.return"].search([("instance_id", "=", self.instance.id)]))

    def test_items_cancelled_after_the_import_leave_the_order_and_its_delivery(self):
        lines = [
            {"external_id": "L1", "sku": "WID-1", "quantity": 2, "unit_price": 10.0},
            {"external_id": "L2", "sku": "WID-2", "quantity": 1, "unit_price": 10.0},
        ]
        sale = self._import_one(self._order("CX-1", lines=lines, updated_at="2026-11-20T10:00:00Z"))
        sale.action_confirm()
        lines[0] = dict(lines[0], cancelled_quantity=1)
        self._import(self._order("CX-1", lines=lines, updated_at="2026-11-20T11:00:00Z"))
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref == "L1")
        self.assertEqual(line.product_uom_qty, 1)
        self.assertEqual(
            sum(line.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")), 1
        )
        lines[0] = dict(lines[0], cancelled_quantity=2)
        self._import(self._order("CX-1", lines=lines, updated_at="2026-11-20T12:00:00Z"))
        self.assertEqual(line.product_uom_qty, 0)
        self.assertEqual(line.move_ids.mapped("state"), ["cancel"])
        self.assertEqual(sale.state, "sale", "the other item is still to ship")

    def test_a_new_order_leaves_out_what_was_cancelled_before_the_import(self):
        sale = self._import_one(
            self._order(
                "CX-2",
                lines=[
                    {
                        "external_id": "L1",
                        "sku": "WID-1",
                        "quantity": 2,
                        "unit_price": 10.0,
                        "cancelled_quantity": 2,
                    },
                    {
                        "external_id": "L2",
                        "sku": "WID-2",
                        "quantity": 3,
                        "unit_price": 10.0,
                        "cancelled_quantity": 1,
                    },
                ],
            )
        )
        self.assertEqual(sale.order_line.mapped("marketplace_line_ref"), ["L2"])
        self.assertEqual(sale.order_line.product_uom_qty, 2)
