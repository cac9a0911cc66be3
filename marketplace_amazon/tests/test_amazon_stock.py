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
        self.products = self.env["product.product"].create(
            [
                {"name": sku, "default_code": sku, "type": "product", "list_price": 20.0 + i}
                for i, sku in enumerate(self.skus)
            ]
        )
        self.listings = self.env["marketplace.listing"].create(
            [
                {"instance_id": self.instance.id, "sku": sku, "product_id": product.id}
                for sku, product in zip(self.skus, self.products)
            ]
        )
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
        self.env["stock.quant"]._update_available_quantity(
            self.products[2], self.instance.warehouse_id.lot_stock_id, 7
        )
        self.instance.action_export_inventory()
        new_feed = self.exports() - feeds
        self.assertEqual(list(new_feed._sent()), [self.listings[2].id])

    def test_rejected_sku_is_visible_on_its_offer(self):
        ghost = self.env["product.product"].create(
            {"name": "Ghost", "default_code": "NOT-ON-AMAZON", "type": "product"}
        )
        listing = self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": "NOT-ON-AMAZON", "product_id": ghost.id}
        )
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
        """Amazon.de shows prices with VAT, in euros: the sale price gets the product's tax and is
        converted at the company's rate."""
        company = self.env.company
        eur = self.env.ref("base.EUR")
        eur.active = True
        if company.currency_id != eur and not eur.rate_ids.filtered(
            lambda r: r.company_id in (company, False)
        ):
            self.env["res.currency.rate"].create({"currency_id": eur.id, "rate": 0.9, "name": "2020-01-01"})
        vat = self.env["account.tax"].create(
            {"name": "VAT 19%", "amount": 19, "type_tax_use": "sale", "company_id": company.id}
        )
        self.products.write({"taxes_id": [(6, 0, vat.ids)]})

        def shown(amount):
            return round(company.currency_id._convert(amount * 1.19, eur, company, fields.Date.today()), 2)

        self.instance.export_sale_price = True
        self.instance.action_export_prices()
        self._finish_feeds()
        expected = [shown(20.0), shown(21.0), shown(22.0)]
        offers = self.sim_state()["offers"]
        self.assertEqual(
            [float(offers[sku][DE]["price"]) for sku in self.skus], expected, "in Amazon.de's euros, VAT in"
        )
        self.assertEqual(self.listings.mapped("exported_price"), expected)
        # With a pricelist in euros: its price, VAT included, not the sale price.
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Amazon EUR",
                "currency_id": eur.id,
                "item_ids": [
                    (0, 0, {"applied_on": "3_global", "compute_price": "fixed", "fixed_price": 10.0})
                ],
            }
        )
        self.instance.write({"export_sale_price": False, "pricelist_id": pricelist.id})
        self.instance.action_export_prices()
        self._finish_feeds()
        offers = self.sim_state()["offers"]
        self.assertEqual([float(offers[sku][DE]["price"]) for sku in self.skus], [11.9] * 3)

    def test_prices_without_an_exchange_rate_are_not_sent(self):
        """A currency without a rate is not converted 1:1: nothing goes to Amazon, the log says why."""
        company = self.env.company
        eur, sek = self.env.ref("base.EUR"), self.env.ref("base.SEK")
        (eur | sek).write({"active": True})
        self.env["res.currency.rate"].search([("currency_id", "=", sek.id)]).unlink()
        pricelist = self.env["product.pricelist"].create({"name": "Amazon SEK", "currency_id": sek.id})
        self.instance.write({"export_sale_price": False, "pricelist_id": pricelist.id})
        if company.currency_id == sek:
            self.skipTest("the company keeps its books in SEK")
        self.instance.action_export_prices()
        self.assertFalse(self.exports(), "no feed")
        log = self.last_log("export_prices")
        self.assertIn("no exchange rate between SEK and EUR", " ".join(log.line_ids.mapped("message")))
        self.assertEqual(log.state, "error")

    def test_fba_inventory_becomes_an_inventory_adjustment(self):
        fba = self.sim_state()["fba_inventory"]
        sku = sorted(set(fba) - set(self.skus))[0]
        product = self.env["product.product"].create({"name": sku, "default_code": sku, "type": "product"})
        self.env["marketplace.listing"].create(
            {
                "instance_id": self.instance.id,
                "sku": sku,
                "product_id": product.id,
                "fulfilment": "marketplace",
            }
        )
        self.sim("POST", "/_sim/amazon/set_fba_stock", {"sku": sku, "fulfillable": 42})
        self.instance.validate_inventory_adjustment = True
        self.instance.action_import_inventory()
        location = self.instance.marketplace_warehouse_id.lot_stock_id
        self.assertEqual(product.with_context(location=location.id).qty_available, 42)
