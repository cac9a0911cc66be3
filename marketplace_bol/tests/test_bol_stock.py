from odoo.tests import tagged

from ..adapter.client import BolClient
from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolStock(BolCase):
    def setUp(self):
        super().setUp()
        self.confirm()

    def _listings(self):
        Listing = self.env["marketplace.listing"]
        for offer in self.offers:
            product = self.product(offer)
            if product:
                Listing.create(
                    {
                        "instance_id": self.instance.id,
                        "product_id": product.id,
                        "external_id": offer["offerId"],
                        "sku": offer["reference"] or False,
                        "barcode": offer["ean"],
                        "fulfilment": "marketplace" if offer["fulfilmentMethod"] == "FBB" else "merchant",
                    }
                )
        return Listing.search([("instance_id", "=", self.instance.id)])

    def _stock(self, product, quantity):
        self.env["stock.quant"]._update_available_quantity(
            product, self.instance.warehouse_id.lot_stock_id, quantity
        )

    def test_stock_export_writes_each_changed_fbr_offer_once_and_never_fbb(self):
        listings = self._listings()
        fbr = listings.filtered(lambda l: l.fulfilment == "merchant")
        for i, listing in enumerate(fbr):
            self._stock(listing.product_id, 5 + i)
        before = {o["offerId"]: o for o in self.sim("POST", "/_sim/bol/offers", {})["offers"]}
        self.instance.action_export_inventory()
        exports = self.exports()
        self.assertEqual(len(exports), len(fbr), "one offer per call")
        self.assertEqual(
            self.last_log("export_inventory").api_calls, len(fbr), "the token of Confirm is reused"
        )
        self.instance.action_check_results()
        self.assertEqual(set(exports.mapped("state")), {"done"})
        self.assertLessEqual(self.last_log("check_results").api_calls, 2, "statuses read in bulk")
        after = {o["offerId"]: o for o in self.sim("POST", "/_sim/bol/offers", {})["offers"]}
        for i, listing in enumerate(fbr):
            self.assertEqual(after[listing.external_id]["stock"], 5 + i)
            self.assertEqual(listing.exported_qty, 5 + i)
        for offer in self.fbb_offers:
            self.assertEqual(
                after[offer["offerId"]]["stock"], before[offer["offerId"]]["stock"], "FBB never written"
            )
        # nothing changed: nothing sent
        self.instance.action_export_inventory()
        self.assertEqual(len(self.exports()), len(fbr))
        self.assertEqual(self.last_log("export_inventory").api_calls, 0)
        # one product changed: one call
        self._stock(fbr[0].product_id, 3)
        self.instance.action_export_inventory()
        self.assertEqual(len(self.exports()), len(fbr) + 1)
        self.assertEqual(self.last_log("export_inventory").api_calls, 1)

    def test_a_refused_offer_write_is_on_the_listing_with_bols_message(self):
        listing = self._listings().filtered(lambda l: l.fulfilment == "merchant")[:1]
        self._stock(listing.product_id, 4)
        bol = BolClient(
            client_id="sim-bol-client", client_secret="sim-bol-secret", endpoint=self.sim_url + "/bol"
        )
        bol.wait_process(
            bol._request(
                "delete-offer", "DELETE", "/retailer/offers/%s" % listing.external_id, idempotent=False
            )
        )
        self.instance.action_export_inventory()
        self.instance.action_check_results()
        export = self.exports().filtered(lambda e: listing.id in e._sent())
        self.assertEqual(export.state, "failed")
        self.assertEqual(listing.sync_state, "error")
        self.assertIn("does not exist", listing.sync_error)

    def test_price_export_from_the_pricelist(self):
        listing = self._listings()[:1]
        self.instance.pricelist_id = self.env["product.pricelist"].create(
            {
                "name": "Bol.com EUR",
                "currency_id": self.env.ref("base.EUR").id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": listing.product_id.id,
                            "compute_price": "fixed",
                            "fixed_price": 24.95,
                        },
                    )
                ],
            }
        )
        self.instance.action_export_prices()
        self.instance.action_check_results()
        offer = {o["offerId"]: o for o in self.sim("POST", "/_sim/bol/offers", {})["offers"]}[
            listing.external_id
        ]
        self.assertEqual(offer["price"], 24.95)
        self.assertEqual(listing.exported_price, 24.95)
        calls = self.exports()
        self.instance.action_export_prices()
        self.assertEqual(self.exports(), calls, "unchanged prices are not sent again")

    def test_pricelist_quantity_breaks_become_bol_volume_prices(self):
        listing = self._listings()[:1]
        product = listing.product_id
        rule = {"applied_on": "0_product_variant", "product_id": product.id, "compute_price": "fixed"}
        self.instance.pricelist_id = self.env["product.pricelist"].create(
            {
                "name": "Bol.com EUR",
                "currency_id": self.env.ref("base.EUR").id,
                "item_ids": [
                    (0, 0, dict(rule, fixed_price=20.0)),
                    (0, 0, dict(rule, min_quantity=3, fixed_price=18.5)),
                    (0, 0, dict(rule, min_quantity=10, fixed_price=17.0)),
                    (0, 0, dict(rule, min_quantity=50, fixed_price=15.0)),
                ],  # Bol takes up to 24 items
            }
        )
        self.instance.action_export_prices()
        self.instance.action_check_results()
        offer = {o["offerId"]: o for o in self.sim("POST", "/_sim/bol/offers", {})["offers"]}[
            listing.external_id
        ]
        self.assertEqual(
            offer["bundlePrices"],
            [
                {"quantity": 1, "unitPrice": 20.0},
                {"quantity": 3, "unitPrice": 18.5},
                {"quantity": 10, "unitPrice": 17.0},
            ],
        )
        self.assertEqual(listing.exported_price, 20.0)

    def test_import_fbb_stock_counts_bols_stock_into_the_fbb_warehouse(self):
        known, unknown, tracked = self.fbb_offers[:3]
        known_product, tracked_product = self.product(known), self.product(tracked)
        self.product(unknown).barcode = False
        tracked_product.tracking = "lot"
        for offer, quantity in ((known, 17), (unknown, 5), (tracked, 9)):
            self.sim(
                "POST", "/_sim/bol/set_fbb_stock", {"offer_id": offer["offerId"], "regularStock": quantity}
            )
        self.instance.validate_inventory_adjustment = True
        self.instance.action_import_inventory()
        location = self.instance.marketplace_warehouse_id.lot_stock_id
        quants = self.env["stock.quant"].search([("location_id", "=", location.id)])
        self.assertEqual(quants.filtered(lambda q: q.product_id == known_product).quantity, 17)
        self.assertFalse(quants.filtered(lambda q: q.product_id == tracked_product))
        messages = " ".join(self.last_log("import_inventory").line_ids.mapped("message"))
        self.assertIn(unknown["ean"], messages)

    def test_the_stock_of_an_archived_product_is_not_imported(self):
        kept, archived_offer = self.fbb_offers[:2]
        archived = self.product(archived_offer)
        archived.active = False
        for offer, quantity in ((kept, 4), (archived_offer, 6)):
            self.sim(
                "POST", "/_sim/bol/set_fbb_stock", {"offer_id": offer["offerId"], "regularStock": quantity}
            )
        self.instance.validate_inventory_adjustment = True
        self.instance.action_import_inventory()
        quants = self.env["stock.quant"].search(
            [("location_id", "=", self.instance.marketplace_warehouse_id.lot_stock_id.id)]
        )
        self.assertEqual(quants.filtered(lambda q: q.product_id == self.product(kept)).quantity, 4)
        self.assertFalse(
            quants.filtered(lambda q: q.product_id == archived), "an archived product counts no stock"
        )
        messages = " ".join(self.last_log("import_inventory").line_ids.mapped("message"))
        self.assertIn(
            "%s, the product of %s, is archived" % (archived.display_name, archived_offer["ean"]), messages
        )

    def test_import_listings_binds_offers_by_barcode_or_reference(self):
        self.instance.sync_listings_on = "barcode"
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(len(listings), len(self.offers) - 1, "all offers but the one without product")
        offer = self.fbb_offers[0]
        listing = listings.filtered(lambda l: l.external_id == offer["offerId"])
        self.assertEqual(
            (listing.barcode, listing.fulfilment, listing.product_id),
            (offer["ean"], "marketplace", self.product(offer)),
        )
        failed = self.queue_lines("listing").filtered(lambda l: l.state == "failed")
        self.assertEqual(len(failed), 1)
        # allowed to create products: the last offer gets one
        self.instance.create_products = True
        failed.action_retry()
        created = self.env["marketplace.listing"].search([("external_id", "=", self.unknown["offerId"])])
        self.assertEqual(created.product_id.barcode, self.unknown["ean"])

    def test_import_listings_by_reference_leaves_offers_without_one(self):
        self.instance.sync_listings_on = "sku"
        self.products.write({"barcode": False})  # only the references can match now
        for offer in self.offers:
            product = self.products.filtered(lambda p, sku=offer["sku"]: p.default_code == sku)
            product.default_code = offer["reference"] or False
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])
        with_reference = [o for o in self.offers if o["reference"] and o is not self.unknown]
        self.assertEqual(sorted(listings.mapped("external_id")), sorted(o["offerId"] for o in with_reference))
        for listing in listings:
            self.assertEqual(listing.sku, listing.product_id.default_code)

    def test_price_export_from_the_sale_price_in_euros(self):
        listing = self._listings()[:1]
        listing.product_id.list_price = 30.0
        self.instance.export_sale_price = True
        self.instance.action_export_prices()
        self.instance.action_check_results()
        company = self.env.company
        euros = round(
            company.currency_id._convert(30.0, self.env.ref("base.EUR"), company, self.env.cr.now().date()), 2
        )
        offer = {o["offerId"]: o for o in self.sim("POST", "/_sim/bol/offers", {})["offers"]}[
            listing.external_id
        ]
        self.assertEqual(offer["price"], euros)
