from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonRestrictedData(AmazonCase):
    """The buyer's name, street, email and gift messages are restricted data: the simulator, as
    Amazon, shows them only to calls made with a Restricted Data Token (RDT), and refuses RDTs
    to an app without the PII role."""

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )

    def _check_buyer(self, ref):
        amazon = self.sim_order(ref)
        shipping, buyer = amazon["order"]["ShippingAddress"], amazon["order"]["BuyerInfo"]
        order = self.order(ref)
        self.assertEqual(order.partner_id.name, shipping["Name"])
        self.assertEqual(order.partner_id.email, buyer["BuyerEmail"])
        self.assertEqual(order.partner_shipping_id.street, shipping["AddressLine1"])
        self.assertEqual(order.partner_shipping_id.zip, shipping["PostalCode"])
        messages = [i["BuyerInfo"].get("GiftMessageText") for i in amazon["items"]]
        lines = order.order_line.filtered("marketplace_line_ref").sorted("id")
        self.assertEqual(lines.mapped("marketplace_gift_message"), [m or False for m in messages])
        self.assertTrue(any(messages), "the simulator wrote a gift message")

    def _gift_order(self):
        # the simulator draws gift messages: add orders until one has a message
        for _i in range(10):
            ref = self.add_order(gift=True, lines=2)
            if any(i["BuyerInfo"].get("GiftMessageText") for i in self.sim_order(ref)["items"]):
                return ref
        self.fail("no gift message drawn")

    def test_the_buyer_comes_with_a_restricted_data_token_reused_while_valid(self):
        ref = self._gift_order()
        issued = self.sim_state()["rdts_issued"]
        self.import_orders()
        self._check_buyer(ref)
        self.assertEqual(self.sim_state()["rdts_issued"], issued + 1, "one RDT for the searchOrders pages")
        self.add_order()
        self.import_orders()
        self.assertEqual(self.sim_state()["rdts_issued"], issued + 1, "the next run reuses it")

    def test_orders_api_v0_reads_the_buyer_and_the_gift_messages_with_rdts_too(self):
        self.instance.amazon_orders_api = "v0"
        ref = self._gift_order()
        issued = self.sim_state()["rdts_issued"]
        orders = self.import_orders()
        self._check_buyer(ref)
        # one RDT for getOrders, one per 50 orders for their items (one page here)
        self.assertLessEqual(self.sim_state()["rdts_issued"] - issued, 2 + len(orders) // 50)

    def test_without_the_pii_role_orders_keep_their_destination_and_the_log_says_it_once(self):
        self.sim("POST", "/_sim/amazon/pii_role", {"granted": False})
        refs = [
            self.add_order(ship_to="AT"),
            self.add_order(ship_to="PL", fulfillment_channel="AFN", status="Shipped"),
        ]
        self.instance.amazon_orders_api = "v0"  # many restricted calls: still said once
        self.import_orders()
        anonymous = self.instance.anonymous_partner_id
        self.assertTrue(anonymous)
        for ref, country in zip(refs, ("AT", "PL")):
            order = self.order(ref)
            self.assertEqual(order.partner_id, anonymous, "no name, no email: the anonymous customer")
            self.assertEqual(order.partner_shipping_id.country_id.code, country, "the destination is kept")
            self.assertFalse(order.partner_shipping_id.street)
        self.assertFalse(self.orders().partner_id.filtered("email"), "no buyer's email anywhere")
        log = self.last_log("import_orders")
        warnings = log.line_ids.filtered(lambda l: l.level == "warning" and "PII" in l.message)
        self.assertEqual(len(warnings), 1, log.line_ids.mapped("message"))
        self.assertIn("does not have access", warnings.message)
        self.assertEqual(log.state, "done", "a warning, not a failure: the orders are imported")

    def test_an_rdt_failure_that_is_not_a_refusal_stops_the_run(self):
        self.fault("createRestrictedDataToken", "5xx", count=10)
        cursor = self.job("import_orders").cursor
        self.instance.action_import_orders()
        self.assertEqual(self.job("import_orders").cursor, cursor, "no order imported without its buyer")
        self.assertFalse(self.env["marketplace.queue.line"].search([("instance_id", "=", self.instance.id)]))
        self.assertEqual(self.last_log("import_orders").state, "error")
