from odoo import fields
from odoo.tests import tagged

from .common import DE, AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonStockAndPrices(AmazonCase):
    def setUp(self):
        super().setUp()
        self.confirm()
        offers = self.sim_state()["offers"]
        self.skus = sorted(offers)[:3]
        self.products = self.env["product.product"].create([
            {"name": sku, "default_code": sku, "type": "product", "list_price": 20.0 + i}
            for i, sku in enumerate(self.skus)
        ])
        self.listings = self.env["marketplace.listing"].create([
            {"instance_id": self.instance.id, "sku": sku, "product_id": product.id}
            for sku, product in zip(self.skus, self.products)
        ])
        stock = self.instance.warehouse_id.lot_stock_id
        for qty, product in zip((5, 12, 0), self.products):
            if qty:
                self.env["stock.quant"]._update_available_quantity(product, stock, qty)

    def _finish_feeds(self):
        for _i in range(5):
            if not self.exports().filtered(lambda f: f.state in ("pending", "sending", "uncertain")):
                break
            self.instance.action_check_results()

    def test_stock_export_sends_changes_once_and_records_results(self):
        self.instance.action_export_inventory()
        feeds = self.exports()
        self.assertEqual(len(feeds), 1, "one feed for all changed offers")
        self.assertEqual(set(self.listings.mapped("sync_state")), {"pending"})
        self._finish_feeds()
        self.assertEqual(feeds.state, "done")
        self.assertEqual(self.listings.mapped("exported_qty"), [5, 12, 0])
        self.assertEqual(set(self.listings.mapped("sync_state")), {"synced"})
        offers = self.sim_state()["offers"]
        self.assertEqual([offers[sku][DE]["quantity"] for sku in self.skus], [5, 12, 0])
        # Nothing changed: nothing sent.
        self.instance.action_export_inventory()
        self.assertEqual(len(self.exports()), 1)
        # One quantity changes: only that offer goes out.
        self.env["stock.quant"]._update_available_quantity(self.products[2], self.instance.warehouse_id.lot_stock_id, 7)
        self.instance.action_export_inventory()
        new_feed = self.exports() - feeds
        self.assertEqual(list(new_feed._sent()), [self.listings[2].id])

    def test_rejected_sku_is_visible_on_its_offer(self):
        ghost = self.env["product.product"].create({"name": "Ghost", "default_code": "NOT-ON-AMAZON", "type": "product"})
        listing = self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": "NOT-ON-AMAZON", "product_id": ghost.id})
        self.instance.action_export_inventory()
        self._finish_feeds()
        self.assertEqual(listing.sync_state, "error")
        self.assertTrue(listing.sync_error)
        self.assertEqual(set(self.listings.mapped("sync_state")), {"synced"}, "the others went through")
        self.assertEqual(self.exports().rejected_count, 1)

    def test_fba_offers_are_not_exported(self):
        self.listings[0].fulfilment = "marketplace"
        self.instance.action_export_inventory()
        self.assertNotIn(self.listings[0].id, self.exports()._sent())

    def test_price_export_from_pricelist_or_sale_price(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        company = self.env.company

        def in_eur(amount):
            return round(company.currency_id._convert(amount, eur, company, fields.Date.today()), 2)

        self.instance.export_sale_price = True
        self.instance.action_export_prices()
        self._finish_feeds()
        expected = [in_eur(20.0), in_eur(21.0), in_eur(22.0)]
        offers = self.sim_state()["offers"]
        self.assertEqual([float(offers[sku][DE]["price"]) for sku in self.skus], expected, "in Amazon.de's euros")
        self.assertEqual(self.listings.mapped("exported_price"), expected)
        # With a pricelist: its price, not the sale price.
        pricelist = self.env["product.pricelist"].create({
            "name": "Amazon EUR", "currency_id": eur.id,
            "item_ids": [(0, 0, {"applied_on": "3_global", "compute_price": "fixed", "fixed_price": 9.5})],
        })
        self.instance.write({"export_sale_price": False, "pricelist_id": pricelist.id})
        self.instance.action_export_prices()
        self._finish_feeds()
        offers = self.sim_state()["offers"]
        self.assertEqual([float(offers[sku][DE]["price"]) for sku in self.skus], [9.5] * 3)

    def test_fba_inventory_becomes_an_inventory_adjustment(self):
        fba = self.sim_state()["fba_inventory"]
        sku = sorted(set(fba) - set(self.skus))[0]
        product = self.env["product.product"].create({"name": sku, "default_code": sku, "type": "product"})
        self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": sku, "product_id": product.id, "fulfilment": "marketplace"})
        self.sim("POST", "/_sim/amazon/set_fba_stock", {"sku": sku, "fulfillable": 42})
        self.instance.validate_inventory_adjustment = True
        self.instance.action_import_inventory()
        location = self.instance.marketplace_warehouse_id.lot_stock_id
        self.assertEqual(product.with_context(location=location.id).qty_available, 42)
