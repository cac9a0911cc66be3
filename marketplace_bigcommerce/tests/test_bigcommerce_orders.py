from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceOrders(BigCommerceCase):
    SIZES = {"orders": 60, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()

    def test_import_selected_statuses_in_few_calls(self):
        state = self.sim_state()
        expected = state["orders_by_status"].get("Awaiting Fulfillment", 0)
        orders = self.import_orders()
        self.assertGreater(expected, 5)
        self.assertEqual(len(orders), expected)
        self.assertTrue(all(o.marketplace_status == "Awaiting Fulfillment" for o in orders))
        self.assertFalse(
            self.queue_lines().filtered(lambda l: l.state == "failed"), self.queue_lines().mapped("error")
        )
        log = self.last_log("import_orders")
        # BigCommerce's clock, then one page with every order, its consignments and its line items
        self.assertEqual(log.api_calls, 2)
        # every line item, as BigCommerce lists it
        for order in orders:
            sim = self.sim_order(int(order.marketplace_order_ref))
            self.assertEqual(
                sorted(l.marketplace_line_ref for l in order.order_line if l.marketplace_line_ref),
                sorted(str(p["id"]) for p in sim["products"]),
            )
        # the cursor is BigCommerce's time: a second run reads the same page, queues nothing
        self.instance.action_import_orders()
        self.assertEqual(len(self.queue_lines()), expected)

    def test_generated_orders_total_as_bigcommerce_with_its_taxes(self):
        """Every generated order (coupons, gift wrapping, custom items, gift certificates, several
        addresses, tax-inclusive or not) totals in Odoo what BigCommerce says; the tax rows are
        read for taxed orders only."""
        self.instance.write({"tax_system": "marketplace", "create_products": True})
        self.instance.order_status_ids = self.statuses(
            "Awaiting Fulfillment", "Awaiting Shipment", "Completed"
        )
        orders = self.import_orders()
        self.assertFalse(
            self.queue_lines().filtered(lambda l: l.state == "failed"), self.queue_lines().mapped("error")
        )
        taxed = 0
        for order in orders:
            sim = self.sim_order(int(order.marketplace_order_ref))["order"]
            taxed += float(sim["total_tax"]) > 0
            self.assertEqual(
                round(order.amount_total, 2),
                round(float(sim["total_inc_tax"]) - float(sim["gift_certificate_amount"]), 2),
                order.name,
            )
            self.assertFalse(order.marketplace_sync_error, order.marketplace_sync_message)
        self.assertGreater(taxed, 3)
        self.assertEqual(
            self.last_log("import_orders").api_calls, 1 + 3 + taxed, "time, a page per status, taxes"
        )

    def test_addresses_keep_their_state_found_by_name(self):
        """BigCommerce names the state ("Washington", "Bayern"), without a code: Odoo finds it."""
        [us] = self.add_orders({"country": "US", "status": "Awaiting Fulfillment"})
        [de] = self.add_orders({"country": "DE", "status": "Awaiting Fulfillment"})
        orders = self.import_orders()
        for ref in (us, de):
            sale = orders.filtered(lambda o, ref=ref: o.marketplace_order_ref == str(ref))
            billing = self.sim_order(ref)["order"]["billing_address"]
            partner = sale.partner_invoice_id
            self.assertEqual(partner.country_id.code, billing["country_iso2"])
            self.assertTrue(partner.state_id, "state %r found" % billing["state"])
            self.assertEqual(partner.state_id.name, billing["state"])

    def test_several_statuses_are_paged_by_id(self):
        self.instance.order_status_ids = self.statuses(
            "Awaiting Fulfillment", "Awaiting Shipment", "Shipped", "Cancelled", "Awaiting Payment"
        )
        ids = self.add_orders(*[{"status": "Awaiting Payment"} for _i in range(3)])
        orders = self.import_orders()
        self.assertFalse(
            self.queue_lines().filtered(lambda l: l.state == "failed"), self.queue_lines().mapped("error")
        )
        state = self.sim_state()["orders_by_status"]
        imported = sum(
            state.get(s, 0)
            for s in ("Awaiting Fulfillment", "Awaiting Shipment", "Shipped", "Awaiting Payment")
        )
        self.assertEqual(len(orders), imported, "cancelled orders are not created")
        shipped = orders.filtered(lambda o: o.marketplace_status == "Shipped")
        self.assertTrue(
            shipped and all(o.marketplace_shipped_outside for o in shipped),
            "shipped on BigCommerce before the first import: delivered outside Odoo",
        )
        self.assertTrue(all(self.order(i) for i in ids))

    def test_an_order_modified_later_is_updated_never_duplicated(self):
        [order_id] = self.add_orders({"status": "Awaiting Fulfillment"})
        self.instance.order_status_ids |= self.statuses("Cancelled")
        sale = self.import_orders().filtered(lambda o: o.marketplace_order_ref == str(order_id))
        self.assertEqual(sale.state, "sale" if sale.state == "sale" else "draft")
        count = len(self.orders())
        self.sim("POST", "/_sim/bigcommerce/set_order_status", {"order_id": order_id, "status": "Cancelled"})
        self.import_orders()
        self.assertEqual(len(self.orders()), count, "never duplicated")
        self.assertEqual(sale.marketplace_status, "Cancelled")
        self.assertEqual(sale.state, "cancel")

    def test_recover_one_order_by_reference(self):
        [order_id] = self.add_orders({"status": "Completed"})
        sale = self.env["sale.order"].browse(self.instance.action_recover_order(str(order_id)))
        self.assertEqual(sale.marketplace_order_ref, str(order_id))
