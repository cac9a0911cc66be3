from odoo.tests import tagged

from .common import DE, FR, UK, US, AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonSync(AmazonCase):
    """What keeps Odoo and Amazon in step over time: marketplaces Amazon opens to the account,
    rewound cursors, feed reports that name messages only, and the seller's listings."""

    def setUp(self):
        super().setUp()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )

    def test_a_marketplace_that_appears_is_synchronized_from_the_accounts_cursor(self):
        self.sim("POST", "/_sim/amazon/set_participations", {"marketplaces": [DE, UK, US]})
        self.confirm()
        france = self.env["amazon.marketplace"].search([("api_ref", "=", FR)])
        self.import_orders()
        self.assertNotIn(france, self.instance.amazon_available_marketplace_ids)
        # Amazon opens Amazon.fr to the account, and a buyer orders there before anyone in Odoo notices
        self.sim("POST", "/_sim/amazon/set_participations", {"marketplaces": [DE, UK, FR, US]})
        ref = self.add_order(marketplace_id=FR)
        self.import_orders()
        self.assertIn(france, self.instance.amazon_marketplace_ids)
        self.assertTrue(self.order(ref), "imported by the same run that saw the marketplace appear")
        self.assertIn("Amazon.fr", " ".join(self.last_log("import_orders").line_ids.mapped("message")))

    def test_rewinding_the_cursor_imports_again_skipped_and_deleted_orders(self):
        self.confirm()
        self.instance.import_orders_after = "2099-01-01 00:00:00"
        self.assertFalse(self.import_orders(), "every order skipped: placed before 'Import Orders After'")
        self.instance.import_orders_after = False
        self.job("import_orders").cursor = "2020-01-01 00:00:00"
        orders = self.import_orders()
        self.assertGreater(len(orders), 10, "the skipped orders are read again")
        victim = orders.filtered(lambda o: o.marketplace_fulfilment == "merchant" and o.state == "sale")[:1]
        ref = victim.marketplace_order_ref
        victim._action_cancel()
        victim.unlink()
        self.job("import_orders").cursor = "2020-01-01 00:00:00"
        self.import_orders()
        self.assertTrue(self.order(ref), "the deleted order is back")
        self.assertEqual(len(self.orders()), len(orders), "and nothing else twice")

    def test_a_rejected_message_is_never_recorded_as_accepted(self):
        """The report names messageIds only; the listing whose message came first is deleted
        before the results are read: each result still reaches its own listing."""
        self.confirm()
        self.sim("POST", "/_sim/amazon/feed_report", {"issue_skus": False})
        good, other = sorted(self.sim_state()["offers"])[:2]
        products = self.env["product.product"].create(
            [{"name": s, "default_code": s, "type": "product"} for s in (good, "NOT-ON-AMAZON", other)]
        )
        listings = self.env["marketplace.listing"].create(
            [{"instance_id": self.instance.id, "sku": p.default_code, "product_id": p.id} for p in products]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(
                product, self.instance.warehouse_id.lot_stock_id, 3
            )
        self.instance.action_export_inventory()
        listings[0].unlink()
        for _i in range(3):
            self.instance.action_check_results()
        rejected, accepted = listings[1], listings[2]
        self.assertEqual(rejected.sync_state, "error")
        self.assertIn("does not match any listing", rejected.sync_error)
        self.assertEqual((accepted.sync_state, accepted.exported_qty), ("synced", 3))

    def test_import_listings_binds_every_offer_of_the_seller(self):
        self.confirm()
        self.instance.create_products = True
        amazon = self.server.sim.marketplaces["amazon"]  # the simulator's own catalogue (same process)
        catalogue = {sku: p for sku, p in amazon.products.items()}
        self.instance.action_import_listings()
        log = self.last_log("import_listings")
        self.assertEqual(log.api_calls, -(-len(catalogue) // 20), "searchListingsItems, 20 items a page")
        self.instance.action_process_queues()
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(sorted(listings.mapped("sku")), sorted(catalogue))
        for listing in listings:
            product = catalogue[listing.sku]
            self.assertEqual(listing.fulfilment, "marketplace" if product["fba"] else "merchant", listing.sku)
            self.assertEqual((listing.barcode, listing.name), (product["ean"], product["title"]))
            self.assertEqual(listing.product_id.default_code, listing.sku)
        # A second import updates the same listings
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        self.assertEqual(
            len(self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])),
            len(catalogue),
        )
