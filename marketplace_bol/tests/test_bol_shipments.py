from odoo import fields
from odoo.tests import tagged

from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolShipments(BolCase):
    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.activity_user_id = self.env.ref("base.user_admin")
        self.carrier = self.env["delivery.carrier"].create(
            {
                "name": "PostNL Pakket",
                "product_id": self.env["product.product"].create({"name": "Shipping", "type": "service"}).id,
            }
        )
        self.created = self.add_orders(count=2, lines=2)
        self.import_orders()

    def _ship(self, order_id, tracking="3SPOST123", carrier=True):
        picking = self.order(order_id).picking_ids
        picking.carrier_id = carrier and self.carrier
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        return picking

    def _shipments(self, order_id):
        return [s for s in self.sim_state()["shipments"] if s["orderId"] == order_id]

    def test_a_validated_delivery_is_sent_then_confirmed_by_its_process_status(self):
        order_id = self.created["orders"][0]
        picking = self._ship(order_id)
        self.assertEqual(picking.marketplace_export_state, "pending")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent", "Bol answers later (process status)")
        self.assertTrue(picking.marketplace_export_ref)
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        (shipment,) = self._shipments(order_id)
        self.assertEqual(shipment["transport"]["transporterCode"], "TNT", "PostNL is TNT at Bol.com")
        self.assertEqual(shipment["transport"]["trackAndTrace"], "3SPOST123")
        self.assertEqual(
            sorted(i["orderItemId"] for i in shipment["orderItems"]),
            sorted(self.created["order_items"][order_id]),
        )
        self.assertEqual(self.sim_order(order_id)["status"], "SHIPPED")
        self.instance.action_export_shipments()
        self.instance.action_check_results()
        self.assertEqual(len(self._shipments(order_id)), 1, "sent once")

    def test_the_carriers_transporter_code_wins(self):
        self.carrier.bol_transporter_code = "DHL_DE"
        order_id = self.created["orders"][0]
        self._ship(order_id)
        self.instance.action_export_shipments()
        self.instance.action_check_results()
        self.assertEqual(self._shipments(order_id)[0]["transport"]["transporterCode"], "DHL_DE")

    def test_a_failed_process_fails_the_delivery_with_bols_message_and_retry_sync_sends_it_again(self):
        order_id = self.created["orders"][0]
        picking = self._ship(order_id)
        sale = picking.sale_id
        self.set_status(order_id, "CANCELLED")  # cancelled at Bol meanwhile: the shipment fails there
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("no open quantity", picking.marketplace_export_error)
        self.assertTrue(sale.marketplace_sync_failed)
        self.assertIn("Synchronization with Bol.com failed", sale.tag_ids.mapped("name"))
        log = self.last_log("check_results")
        self.assertIn("no open quantity", " ".join(log.line_ids.mapped("message")))
        mail = self.env["mail.mail"].search([("body_html", "ilike", picking.name)])
        self.assertTrue(mail, "the responsible user is mailed")
        # Fixed at Bol (the order is open again): Retry Sync sends it once more.
        self.set_status(order_id, "OPEN")
        sale.action_marketplace_retry_sync()
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertFalse(sale.marketplace_sync_failed)

    def test_a_lost_answer_is_found_at_bol_and_never_sent_twice(self):
        order_id = self.created["orders"][0]
        picking = self._ship(order_id)
        self.fault("create-shipment", "lost_answer")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "uncertain")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent", "its process status was found")
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(len(self._shipments(order_id)), 1)

    def test_a_throttled_shipment_waits_and_goes(self):
        order_id = self.created["orders"][0]
        picking = self._ship(order_id)
        self.fault("create-shipment", "429", retry_after=1)
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "sent")
        self.assertEqual(self.last_log("export_shipments").throttled_calls, 1)

    def test_a_delivery_without_carrier_or_tracking_is_shipped_without_transport(self):
        order_id = self.created["orders"][1]
        picking = self._ship(order_id, tracking=False, carrier=False)
        self.instance.action_export_shipments()
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertNotIn("transporterCode", self._shipments(order_id)[0]["transport"])

    def test_a_shipment_reaches_exported_on_schedule_and_the_order_follows_bol(self):
        """Nobody presses a button: the scheduled export sends the delivery, the scheduled Check
        Export Results (due a minute later) reads Bol's answer, the order shows Bol's status."""
        order_id = self.created["orders"][0]
        picking = self._ship(order_id)
        sale = picking.sale_id
        self.assertEqual(sale.marketplace_status, "Open")
        export, check = self.job("export_shipments").cron_id, self.job("check_results").cron_id
        self.assertTrue(export.active and check.active, "both run on schedule once the account is confirmed")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", check.id)])
        export.method_direct_trigger()
        self.assertEqual(picking.marketplace_export_state, "sent")
        due = Trigger.search([("cron_id", "=", check.id)]) - before
        self.assertEqual(len(due), 1, "the check is due soon rather than at its next interval")
        self.assertLessEqual(due.call_at, fields.Datetime.add(fields.Datetime.now(), minutes=2))
        check.method_direct_trigger()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(self.sim_order(order_id)["status"], "SHIPPED")
        self.assertEqual(sale.marketplace_status, "Shipped", "read back from Bol.com")

    def test_a_partial_shipment_shows_the_order_partially_shipped(self):
        order_id = self.created["orders"][1]
        picking = self.order(order_id).picking_ids
        first, rest = picking.move_ids[:1], picking.move_ids[1:]
        first.write({"quantity": first.product_uom_qty, "picked": True})
        rest.write({"quantity": 0})
        picking.carrier_tracking_ref = "3SPART1"
        picking.with_context(cancel_backorder=False)._action_done()
        self.instance.action_export_shipments()
        self.instance.action_check_results()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(picking.sale_id.marketplace_status, "Partially shipped")
