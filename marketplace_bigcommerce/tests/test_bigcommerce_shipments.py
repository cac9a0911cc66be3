from odoo.tests import Form, tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceShipments(BigCommerceCase):
    SIZES = {"orders": 1, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )
        skus = sorted(self.sim_state()["prices"])[:2]
        for sku in skus:
            self.product(sku)
        one_address = {
            "status": "Awaiting Fulfillment",
            "addresses": 1,
            "single_address": True,
            "lines": [{"sku": skus[0], "quantity": 3}, {"sku": skus[1], "quantity": 1}],
        }
        two_addresses = {
            "status": "Awaiting Fulfillment",
            "addresses": 2,
            "lines": [{"sku": skus[0], "quantity": 1}, {"sku": skus[1], "quantity": 2}],
        }
        self.single_id, self.double_id = self.add_orders(one_address, two_addresses)
        self.import_orders()
        self.carrier = self.env["delivery.carrier"].create(
            {
                "name": "DHL Paket",
                "product_id": self.env.ref("marketplace_base.product_marketplace_delivery").id,
            }
        )

    def ship(self, order_id, tracking="TRACK123", quantities=None):
        """Validate the order's open delivery, all of it or {sku: quantity} (a backorder for the rest)."""
        picking = self.order(order_id).picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.carrier_id = self.carrier
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            quantity = (
                move.product_uom_qty
                if quantities is None
                else quantities.get(move.product_id.default_code, 0)
            )
            move.write({"quantity": quantity, "picked": bool(quantity)})
        if quantities is None:
            picking._action_done()
        else:
            wizard = picking.button_validate()
            Form(self.env[wizard["res_model"]].with_context(wizard["context"])).save().process()
        return picking

    def shipments(self, order_id):
        return [s for s in self.sim_state()["shipments"] if s["order_id"] == order_id]

    def test_validated_delivery_becomes_a_shipment_with_tracking(self):
        picking = self.ship(self.single_id)
        self.assertEqual(picking.marketplace_export_state, "pending")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        [shipment] = self.shipments(self.single_id)
        self.assertEqual(shipment["tracking_number"], "TRACK123")
        self.assertEqual(shipment["tracking_carrier"], "dhl-germany")
        self.assertEqual(shipment["shipping_method"], "DHL Paket")
        self.assertEqual(sorted(i["quantity"] for i in shipment["items"]), [1, 3])
        self.assertEqual(
            self.sim_order(self.single_id)["order"]["status"], "Shipped", "the order's status follows"
        )
        self.assertEqual(self.order(self.single_id).marketplace_status, "Shipped", "in Odoo too, read back")
        self.instance.action_export_shipments()
        self.assertEqual(len(self.shipments(self.single_id)), 1, "sent once")

    def test_partial_delivery_is_a_partial_shipment(self):
        skus = sorted(self.sim_state()["prices"])[:2]
        first = self.ship(self.single_id, "PART-1", {skus[0]: 2})
        self.instance.action_export_shipments()
        self.assertEqual(first.marketplace_export_state, "exported")
        self.assertEqual(self.sim_order(self.single_id)["order"]["status"], "Partially Shipped")
        self.assertEqual(self.order(self.single_id).marketplace_status, "Partially Shipped")
        rest = self.ship(self.single_id, "PART-2")
        self.instance.action_export_shipments()
        self.assertEqual(rest.marketplace_export_state, "exported")
        shipments = self.shipments(self.single_id)
        self.assertEqual([sorted(i["quantity"] for i in s["items"]) for s in shipments], [[2], [1, 1]])
        self.assertEqual(self.sim_order(self.single_id)["order"]["status"], "Shipped")
        self.assertEqual(self.order(self.single_id).marketplace_status, "Shipped")

    def test_one_shipment_per_shipping_address(self):
        picking = self.ship(self.double_id)
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        shipments = self.shipments(self.double_id)
        self.assertEqual(len(shipments), 2, "BigCommerce refuses items of another address")
        self.assertEqual(len({s["order_address_id"] for s in shipments}), 2)
        self.assertEqual(self.sim_order(self.double_id)["order"]["status"], "Shipped")

    def test_lost_answer_is_checked_before_sending_again(self):
        picking = self.ship(self.single_id)
        self.fault("createOrderShipments", "lost_answer")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "uncertain")
        self.assertEqual(len(self.shipments(self.single_id)), 1, "BigCommerce applied it")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(len(self.shipments(self.single_id)), 1, "never sent twice")

    def test_server_error_then_retry_sends_the_rest_only(self):
        picking = self.ship(self.double_id)
        # the second address's shipment meets a server error: not applied, answer unclear
        self.fault("createOrderShipments", "5xx")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "uncertain")
        self.assertEqual(self.shipments(self.double_id), [], "the refused request was not applied")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(len(self.shipments(self.double_id)), 2)
        log = self.last_log("export_shipments")
        self.assertFalse(log.error_count)
