from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceAccount(BigCommerceCase):
    def test_test_connection_names_bigcommerce_refusals(self):
        answer = self.instance.action_test_connection()
        self.assertEqual(answer["params"]["type"], "success")
        self.instance.bigcommerce_access_token = "wrong-token"
        refused = self.instance.action_test_connection()["params"]
        self.assertEqual(refused["type"], "danger")
        self.assertIn("not authorized", refused["message"], "BigCommerce's own words")
        self.assertNotIn("wrong-token", refused["message"], "never the token in a message")
        with self.assertRaises(UserError) as confirm:
            self.instance.action_confirm()
        self.assertIn("not authorized", str(confirm.exception))
        self.assertEqual(self.instance.state, "draft")
        self.instance.bigcommerce_access_token = "sim-token"
        # an API account without the Store Inventory scope: named, with its parameter
        scopes = [
            "store_v2_information",
            "store_v2_orders",
            "store_v2_transactions",
            "store_v2_products",
            "store_locations_read_only",
            "store_channel_settings",
            "store_payments_methods_read",
        ]
        self.sim("POST", "/_sim/bigcommerce/scopes", {"scopes": scopes})
        missing = self.instance.action_test_connection()["params"]
        self.assertEqual(missing["type"], "danger")
        self.assertIn("Store Inventory (store_inventory)", missing["message"])
        self.assertNotIn("Store Locations", missing["message"], "read-only is enough for locations")

    def test_confirm_imports_the_store_settings(self):
        self.sim("POST", "/_sim/bigcommerce/store", {"weight_units": "LBS"})
        self.confirm()
        instance = self.instance
        self.assertEqual(instance.state, "confirmed")
        self.assertEqual(instance.currency_id.name, "EUR")
        self.assertEqual(instance.pricelist_id.currency_id.name, "EUR", "a pricelist in the store currency")
        self.assertEqual(instance.bigcommerce_weight_unit, "LBS")
        statuses = self.env["marketplace.order.status"].search([("instance_id", "=", instance.id)])
        self.assertEqual(len(statuses), 15, "the store's statuses, the instance's own")
        self.assertEqual(instance.order_status_ids.mapped("name"), ["Awaiting Fulfillment"])
        self.assertEqual(len(instance.bigcommerce_channel_ids), 3)
        self.assertEqual(len(instance.bigcommerce_tax_class_ids), 4)
        locations = instance.bigcommerce_location_ids
        self.assertEqual(locations.mapped("bigcommerce_id"), [1, 2, 3])
        self.assertEqual(
            locations.mapped("sync_enabled"), [True, False, False], "only the first until mapped"
        )
        self.assertEqual(locations[0].stock_location_id, instance.warehouse_id.lot_stock_id)
        # categories and brands wait in the queue, for Process Queues
        self.assertFalse(self.env["bigcommerce.category"].search([("instance_id", "=", instance.id)]))
        self.assertEqual(len(self.queue_lines("bigcommerce_category")), 7)
        self.assertEqual(len(self.queue_lines("bigcommerce_brand")), 5)
        instance.action_process_queues()
        categories = self.env["bigcommerce.category"].search([("instance_id", "=", instance.id)])
        self.assertEqual(len(categories), 7)
        kitchen = categories.filtered(lambda c: c.name == "Küche")
        self.assertEqual(kitchen.product_category_id.parent_id.name, "Haushalt", "the store's tree")
        self.assertEqual(len(self.env["bigcommerce.brand"].search([("instance_id", "=", instance.id)])), 5)
        # a second Confirm updates, never duplicates
        instance.action_confirm()
        self.assertEqual(len(instance.bigcommerce_location_ids), 3)
        self.assertEqual(
            len(self.env["marketplace.order.status"].search([("instance_id", "=", instance.id)])), 15
        )

    def test_demo_store_imports_orders_at_once(self):
        demo = self.env.ref("marketplace_bigcommerce.demo_instance", raise_if_not_found=False)
        if not demo:
            self.skipTest("installed without demo data")
        self.assertEqual(demo.state, "confirmed")
        demo.api_base_url = self.sim_url + "/bigcommerce"
        # the simulator as docker compose runs it (seed 1: the demo catalogue's products)
        self.sim(
            "POST", "/_sim/reset", {"seed": 1, "sizes": {"bigcommerce": {"orders": 40}}, "rate_limits": False}
        )
        demo.action_import_orders()
        demo.action_process_queues()
        orders = self.env["sale.order"].search([("marketplace_instance_id", "=", demo.id)])
        self.assertTrue(orders)
        products = orders.order_line.product_id.filtered(lambda p: p.type == "product")
        self.assertTrue(products and all(p.default_code.startswith("BC-") for p in products))
        self.assertFalse(orders.filtered("marketplace_needs_matching"), "every item is a demo product")
        self.assertFalse(orders.filtered("marketplace_sync_error"), orders.mapped("marketplace_sync_message"))
        self.assertTrue(all(p.qty_available > 0 or p.virtual_available < p.qty_available for p in products))
        # the store's own taxes, each rate under its own name, never the demo company's 15 %
        for order in orders.filtered(lambda o: o.state != "cancel"):
            bc = self.sim(
                "POST", "/_sim/bigcommerce/get_order", {"order_id": int(order.marketplace_order_ref)}
            )
            self.assertEqual(round(order.amount_tax, 2), float(bc["order"]["total_tax"]), order.name)
            self.assertNotIn(15.0, order.order_line.tax_id.mapped("amount"))
            for tax in order.order_line.tax_id:
                self.assertIn("%g%%" % tax.amount, tax.tax_group_id.name)
