from odoo.tests import tagged

from ..adapter.client import BolClient
from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolReturns(BolCase):
    def setUp(self):
        super().setUp()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {
                "name": "Confirm and invoice",
                "confirm_order": True,
                "create_invoice": True,
                "validate_invoice": True,
            }
        )
        self.confirm()
        created = self.add_orders(
            lines=[{"ean": self.fbr_offers[0]["ean"], "quantity": 2, "unit_price": 20.0}]
        )
        self.order_id = created["orders"][0]
        self.item = created["order_items"][self.order_id][0]
        self.import_orders()
        self.sale = self.order(self.order_id)
        picking = self.sale.picking_ids
        picking.move_ids.write({"quantity": 2, "picked": True})
        picking._action_done()
        self.instance.action_export_shipments()
        self.instance.action_check_results()
        self.assertEqual(self.sim_order(self.order_id)["status"], "SHIPPED")

    def _returns(self):
        return self.env["marketplace.return"].search([("instance_id", "=", self.instance.id)])

    def _import_returns(self):
        self.instance.action_import_returns()
        self.instance.action_process_queues()
        return self._returns()

    def test_an_unhandled_return_waits_for_the_goods_then_tells_bol_by_rma(self):
        rma = self.sim("POST", "/_sim/bol/add_return", {"order_item_id": self.item, "quantity": 1})[
            "returnItems"
        ][0]["rmaId"]
        ret = self._import_returns()
        self.assertEqual(len(ret), 1)
        picking = ret.picking_ids
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(picking.state, "assigned", "waits for the merchant")
        self.assertEqual(picking.location_dest_id, self.instance.warehouse_id.lot_stock_id)
        self.assertEqual(picking.sale_id, self.sale)
        self.assertEqual(picking.move_ids.product_uom_qty, 1)
        note = ret.credit_note_ids
        self.assertEqual((note.move_type, note.state), ("out_refund", "draft"))
        self.assertEqual(note.amount_total, 20.0)
        # imported once
        self.assertEqual(self._import_returns(), ret)
        self.assertEqual(len(ret.picking_ids), 1)
        # the goods arrive: validating the picking tells Bol.com (handle-return by RMA id)
        picking.bol_handling_result = "RETURN_RECEIVED"
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._action_done()
        self.assertEqual(picking.marketplace_export_state, "pending")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(ret.state, "received")
        self.assertEqual(self._rma_results(rma), [(1, "RETURN_RECEIVED")])

    def _rma_results(self, rma):
        """[(quantity, handling result)] Bol.com recorded for the RMA id."""
        bol = BolClient(
            client_id="sim-bol-client", client_secret="sim-bol-secret", endpoint=self.sim_url + "/bol"
        )
        for ret in bol.returns_page("FBR", True) + bol.returns_page("FBR", False):
            for item in ret["returnItems"]:
                if item["rmaId"] == rma:
                    return [(r["quantity"], r["handlingResult"]) for r in item["processingResults"]]
        return None

    def test_a_lost_receipt_answer_is_found_at_bol_and_not_sent_twice(self):
        rma = self.sim("POST", "/_sim/bol/add_return", {"order_item_id": self.item, "quantity": 1})[
            "returnItems"
        ][0]["rmaId"]
        ret = self._import_returns()
        picking = ret.picking_ids
        picking.bol_handling_result = "EXCHANGE_PRODUCT"
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._action_done()
        self.fault("handle-return", "lost_answer")
        self.instance.action_export_shipments()
        self.assertEqual(
            picking.marketplace_export_state, "uncertain", "a lost answer is never sent again blindly"
        )
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent", "its process status was found")
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(self._rma_results(rma), [(1, "EXCHANGE_PRODUCT")])

    def test_an_fbb_return_comes_back_into_the_fbb_warehouse(self):
        created = self.add_orders(fulfilment_method="FBB", status="SHIPPED")
        order_id = created["orders"][0]
        self.rewind()
        self.import_orders()
        self.instance.bol_return_status = "handled"
        self.sim(
            "POST",
            "/_sim/bol/add_return",
            {"order_item_id": created["order_items"][order_id][0], "handled": True},
        )
        ret = self._import_returns().filtered(lambda r: self.order(order_id) in r.sale_order_ids)
        self.assertEqual(
            ret.picking_ids.location_dest_id, self.instance.marketplace_warehouse_id.lot_stock_id
        )
        self.assertEqual(ret.picking_ids.state, "done")

    def test_a_handled_return_is_booked_back_at_once(self):
        self.instance.bol_return_status = "handled"
        self.sim("POST", "/_sim/bol/add_return", {"order_item_id": self.item, "quantity": 2, "handled": True})
        ret = self._import_returns()
        self.assertEqual(ret.picking_ids.state, "done")
        self.assertEqual(ret.credit_note_ids.state, "posted")
        note, invoice = (
            ret.credit_note_ids,
            self.sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice"),
        )
        self.assertIn(note, self.sale.invoice_ids, "the order's credit note, of its lines")
        # Bol.com pays the invoice and the credit note from its invoice's lines (Import Settlements):
        # not reconciled with each other, as Odoo would a reversal
        self.assertEqual((note.payment_state, invoice.payment_state), ("not_paid", "not_paid"))
        self.assertEqual(self.sale.order_line.qty_delivered, 0)
        self.assertFalse(ret.picking_ids.marketplace_export_state, "Bol.com already knows")

    def test_a_return_of_an_order_not_in_odoo_fails_its_line(self):
        other = self.add_orders(minutes_ago=600)
        order_id = other["orders"][0]
        self.set_status(order_id, "SHIPPED")
        self.sim("POST", "/_sim/bol/add_return", {"order_item_id": other["order_items"][order_id][0]})
        self._import_returns()
        line = self.queue_lines("return").filtered(lambda l: l.state == "failed")
        self.assertEqual(len(line), 1)
        self.assertIn(order_id, line.error)
