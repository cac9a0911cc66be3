from odoo.tests import Form, tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonShipments(AmazonCase):
    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )
        self.instance.activity_user_id = self.env.ref("base.user_admin")
        self.sim(
            "POST",
            "/_sim/amazon/add_orders",
            {"count": 3, "fulfillment_channel": "MFN", "status": "Unshipped"},
        )
        self.import_orders()
        self.carrier = self.env["delivery.carrier"].create(
            {
                "name": "DHL",
                "product_id": self.env.ref("marketplace_amazon.product_amazon_shipping").id,
            }
        )

    def _fbm_unshipped(self):
        return self.orders().filtered(
            lambda o: (
                o.marketplace_fulfilment == "merchant"
                and o.marketplace_status == "Unshipped"
                and o.state == "sale"
            )
        )

    def _ship(self, picking, tracking="TRACK123", ratio=1.0):
        picking.carrier_id = self.carrier
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.write({"quantity": max(1, int(move.product_uom_qty * ratio)), "picked": True})
        picking.with_context(cancel_backorder=False)._action_done()
        return picking

    def test_validated_delivery_is_confirmed_with_tracking(self):
        order = self._fbm_unshipped()[:1]
        picking = self._ship(order.picking_ids)
        self.assertEqual(picking.marketplace_export_state, "pending")
        before = self.sim_state()["shipments_confirmed"]
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        shipments = self.sim_state()["shipments"]
        self.assertEqual(len(shipments), before + 1)
        sent = shipments[-1]
        self.assertEqual(sent["amazonOrderId"], order.marketplace_order_ref)
        self.assertIn("TRACK123", str(sent))
        self.assertIn("DHL", str(sent))
        self.assertEqual(self.sim_order(order.marketplace_order_ref)["order"]["OrderStatus"], "Shipped")
        self.assertEqual(order.marketplace_status, "Shipped", "the order follows Amazon at once")
        self.instance.action_export_shipments()
        self.assertEqual(self.sim_state()["shipments_confirmed"], before + 1, "sent once")

    def test_partial_delivery_confirms_the_shipped_items(self):
        orders = self._fbm_unshipped().filtered(
            lambda o: sum(o.picking_ids.move_ids.mapped("product_uom_qty")) > 1
        )
        if not orders:
            self.skipTest("no multi-unit FBM order in this seed")
        order = orders[:1]
        first = order.picking_ids
        lines = first.move_ids
        # ship one unit of the first line only, keeping the rest for later (a backorder)
        first.carrier_id = self.carrier
        first.carrier_tracking_ref = "PART-1"
        lines.write({"quantity": 0})
        lines[:1].write({"quantity": 1, "picked": True})
        wizard = first.button_validate()
        Form(self.env[wizard["res_model"]].with_context(wizard["context"])).save().process()
        backorder = self.env["stock.picking"].search([("backorder_id", "=", first.id)])
        self.assertTrue(backorder, "the rest waits in a backorder")
        self.instance.action_export_shipments()
        sent = [s for s in self.sim_state()["shipments"] if s["amazonOrderId"] == order.marketplace_order_ref]
        self.assertEqual(len(sent), 1)
        self.assertIn("PART-1", str(sent[0]))
        self.assertEqual(
            self.sim_order(order.marketplace_order_ref)["order"]["OrderStatus"], "PartiallyShipped"
        )
        self.assertEqual(order.marketplace_status, "PartiallyShipped")

    def test_missing_tracking_is_refused_before_sending(self):
        order = self._fbm_unshipped()[:1]
        picking = self._ship(order.picking_ids, tracking=False)
        before = self.sim_state()["shipments_confirmed"]
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "failed")
        self.assertIn("tracking number", picking.marketplace_export_error)
        self.assertEqual(self.sim_state()["shipments_confirmed"], before, "nothing sent")
        self.assertTrue(order.marketplace_sync_failed)
        mail = self.env["mail.mail"].search([("subject", "like", "not confirmed to Amazon")])
        self.assertEqual(len(mail), 1)
        self.assertIn(picking.name, mail.body_html)
        self.assertIn(self.env.ref("base.user_admin").partner_id, mail.recipient_ids)
        # Fixed in Odoo, then Retry Amazon Sync.
        picking.carrier_tracking_ref = "LATE-TRACK"
        order.action_marketplace_retry_sync()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertFalse(order.marketplace_sync_failed)
        self.assertEqual(self.sim_state()["shipments_confirmed"], before + 1)

    def test_amazon_refusal_flags_the_order_and_mails_every_failure(self):
        orders = self._fbm_unshipped()[:2]
        pickings = self.env["stock.picking"]
        for order in orders:
            pickings |= self._ship(order.picking_ids)
            # Cancelled on Amazon meanwhile: Amazon refuses the confirmation.
            self.sim(
                "POST",
                "/_sim/amazon/set_order_status",
                {"amazon_order_id": order.marketplace_order_ref, "status": "Canceled"},
            )
        self.instance.action_export_shipments()
        self.assertEqual(set(pickings.mapped("marketplace_export_state")), {"failed"})
        self.assertTrue(all(orders.mapped("marketplace_sync_failed")))
        tag = orders[0].tag_ids.filtered(lambda t: t.name == "Synchronization with Amazon failed")
        self.assertTrue(tag, "the order carries the failure tag")
        mail = self.env["mail.mail"].search([("subject", "like", "not confirmed to Amazon")])
        self.assertEqual(len(mail), 1, "one mail lists every failed shipment")
        for picking in pickings:
            self.assertIn(picking.name, mail.body_html)
        self.assertIn("Canceled", mail.body_html, "Amazon's reason is in the mail")

    def test_refusal_text_is_escaped_in_the_mail(self):
        order = self._fbm_unshipped()[:1]
        picking = self._ship(order.picking_ids, tracking=False)
        picking.name = "<b>WH/OUT/1</b>"
        self.instance.action_export_shipments()
        mail = self.env["mail.mail"].search([("subject", "like", "not confirmed to Amazon")])
        self.assertIn("&lt;b&gt;WH/OUT/1&lt;/b&gt;", mail.body_html)
        self.assertNotIn("<b>WH/OUT/1</b>", mail.body_html)

    def test_lost_confirmation_answer_is_not_confirmed_twice(self):
        order = self._fbm_unshipped()[:1]
        picking = self._ship(order.picking_ids)
        before = self.sim_state()["shipments_confirmed"]
        # Amazon applies the confirmation, but its answer never arrives.
        self.fault("confirmShipment", "lost_answer")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "uncertain", picking.marketplace_export_error)
        self.assertEqual(self.sim_state()["shipments_confirmed"], before + 1, "Amazon has it")
        self.assertFalse(order.marketplace_sync_failed, "not a refusal")
        # The next run reads Amazon's state first and sends nothing.
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(self.sim_state()["shipments_confirmed"], before + 1, "confirmed once")

    def test_server_error_before_the_confirmation_is_sent_again_after_checking(self):
        order = self._fbm_unshipped()[:1]
        picking = self._ship(order.picking_ids)
        before = self.sim_state()["shipments_confirmed"]
        self.fault("confirmShipment", "5xx")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "uncertain")
        self.assertEqual(self.sim_state()["shipments_confirmed"], before, "Amazon did not apply it")
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(self.sim_state()["shipments_confirmed"], before + 1)
