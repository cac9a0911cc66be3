from odoo import fields
from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceStock(BigCommerceCase):
    SIZES = {"orders": 1, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.create_products = True
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        self.listings = self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])
        warehouse = self.instance.warehouse_id
        self.lodz = self.env["stock.location"].create(
            {"name": "Łódź", "usage": "internal", "location_id": warehouse.view_location_id.id}
        )
        hamburg, lodz, _popup = self.instance.bigcommerce_location_ids
        lodz.write({"stock_location_id": self.lodz.id, "sync_enabled": True})
        self.hamburg = hamburg.stock_location_id
        # a product tracked per product and one tracked per variant, each with stock in both places
        self.tracked = self.listings.filtered(lambda l: l.bigcommerce_inventory_tracking != "none")
        self.by_product = self.tracked.filtered(lambda l: l.bigcommerce_inventory_tracking == "product")[:1]
        self.by_variant = self.tracked.filtered(lambda l: l.bigcommerce_inventory_tracking == "variant")[:1]
        Quant = self.env["stock.quant"]
        for listing, (here, there) in ((self.by_product, (5, 2)), (self.by_variant, (7, 0))):
            Quant._update_available_quantity(listing.product_id, self.hamburg, here)
            if there:
                Quant._update_available_quantity(listing.product_id, self.lodz, there)

    def inventory(self, listing):
        return self.sim_state()["inventory"].get(listing.sku, {})

    def test_stock_export_per_location_only_what_changed(self):
        self.instance.action_export_inventory()
        log = self.last_log("export_inventory")
        self.assertEqual(log.api_calls, 1, "one absolute adjustment for every item and location")
        self.assertEqual(self.inventory(self.by_product), {"1": 5, "2": 2})
        self.assertEqual(self.inventory(self.by_variant), {"1": 7, "2": 0})
        self.assertEqual(self.by_product.exported_locations, {"1": 5, "2": 2})
        self.assertEqual(self.by_product.sync_state, "synced")
        adjustment = self.sim_state()["inventory_adjustments"][-1]
        by_product_item = [i for i in adjustment["items"] if i["sku"] == self.by_product.sku]
        self.assertEqual(len(by_product_item), 2)
        # nothing changed: nothing sent
        self.instance.action_export_inventory()
        self.assertEqual(self.last_log("export_inventory").api_calls, 0)
        # one quantity changes in one location: that one only
        self.env["stock.quant"]._update_available_quantity(self.by_variant.product_id, self.lodz, 4)
        self.instance.action_export_inventory()
        adjustment = self.sim_state()["inventory_adjustments"][-1]
        self.assertEqual(
            [(i["sku"], i["location_id"], i["quantity"]) for i in adjustment["items"]],
            [(self.by_variant.sku, 2, 4)],
        )
        self.assertEqual(self.inventory(self.by_variant), {"1": 7, "2": 4})

    def test_untracked_listings_are_skipped(self):
        untracked = self.listings.filtered(lambda l: l.bigcommerce_inventory_tracking == "none")
        if not untracked:
            self.skipTest("no untracked product in this seed")
        self.env["stock.quant"]._update_available_quantity(untracked[0].product_id, self.hamburg, 3)
        self.instance.action_export_inventory()
        items = self.sim_state()["inventory_adjustments"][-1]["items"]
        self.assertNotIn(untracked[0].sku, [i["sku"] for i in items])
        self.assertIn(
            "does not track", "\n".join(self.last_log("export_inventory").line_ids.mapped("message"))
        )

    def test_an_item_bigcommerce_refuses_does_not_stop_the_others(self):
        ghost = self.env["marketplace.listing"].create(
            {
                "instance_id": self.instance.id,
                "sku": "GHOST",
                "external_id": "999:99999",
                "bigcommerce_inventory_tracking": "variant",
                "product_id": self.product("GHOST").id,
            }
        )
        self.env["stock.quant"]._update_available_quantity(ghost.product_id, self.hamburg, 1)
        self.instance.action_export_inventory()
        self.assertEqual(ghost.sync_state, "error")
        self.assertIn("99999", ghost.sync_error, "BigCommerce's own message")
        self.assertEqual(self.by_product.sync_state, "synced")
        self.assertEqual(self.inventory(self.by_variant), {"1": 7, "2": 0})

    def test_lost_answer_is_checked_on_the_store(self):
        self.fault("put-absolute-adjustment", "lost_answer")
        self.instance.action_export_inventory()
        export = self.env["marketplace.export"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(export.state, "uncertain")
        self.instance.action_check_results()
        self.assertEqual(export.state, "done", "read back: the store has every value")
        self.assertEqual(self.by_variant.exported_locations, {"1": 7, "2": 0})
        self.instance.action_export_inventory()
        self.assertEqual(
            len(self.env["marketplace.export"].search([("instance_id", "=", self.instance.id)])), 1
        )

    def test_stock_import_per_location(self):
        self.instance.validate_inventory_adjustment = True
        self.sim(
            "POST",
            "/_sim/bigcommerce/set_stock",
            {"sku": self.by_variant.sku, "location_id": 2, "quantity": 11},
        )
        templates = (self.by_product | self.by_variant).product_id.product_tmpl_id
        lot = self.tracked.filtered(lambda l: l.product_id.product_tmpl_id not in templates)[:1]
        lot.product_id.tracking = "lot"
        self.instance.action_import_inventory()
        product = self.by_variant.product_id
        self.assertEqual(product.with_context(location=self.lodz.id).qty_available, 11)
        stock = self.sim_state()["inventory"][self.by_variant.sku]
        self.assertEqual(product.with_context(location=self.hamburg.id).qty_available, stock["1"])
        messages = "\n".join(self.last_log("import_inventory").line_ids.mapped("message"))
        self.assertIn("lot or serial", messages)
        untracked = self.listings.filtered(lambda l: l.bigcommerce_inventory_tracking == "none")
        if untracked:
            self.assertIn("does not track", messages)

    def test_price_export_in_batches_of_changed_prices(self):
        self.instance.export_sale_price = True
        for n, listing in enumerate(self.tracked):
            listing.product_id.lst_price = 30.0 + n
        self.instance.action_export_prices()
        prices = self.sim_state()["prices"]
        company, eur = self.env.company, self.env.ref("base.EUR")
        for listing in self.tracked:  # variants of one template share its sale price
            expected = round(
                company.currency_id._convert(listing.product_id.lst_price, eur, company, fields.Date.today()),
                2,
            )
            self.assertEqual(prices[listing.sku]["price"], expected, "in the store currency")
            self.assertAlmostEqual(listing.exported_price, expected, places=2)
        self.assertEqual(self.last_log("export_prices").api_calls, 1, "up to 50 variants per call")
        self.instance.action_export_prices()
        self.assertEqual(self.last_log("export_prices").api_calls, 0, "nothing changed")
        before = len(self.sim_state()["price_updates"])
        self.by_product.product_id.lst_price = 99.0
        self.instance.action_export_prices()
        self.assertEqual(self.last_log("export_prices").api_calls, 1)
        self.assertEqual(
            [u["sku"] for u in self.sim_state()["price_updates"][before:]], [self.by_product.sku]
        )
