import requests

from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceListings(BigCommerceCase):
    SIZES = {"orders": 1, "products": 12}

    def setUp(self):
        super().setUp()
        self.sim("POST", "/_sim/bigcommerce/store", {"weight_units": "LBS"})
        self.confirm()
        self.instance.action_process_queues()  # the categories queued by Confirm

    def catalog(self):
        answer = requests.get(
            self.sim_url + "/bigcommerce/stores/simstore/v3/catalog/products",
            params={"include": "variants", "limit": 250},
            headers={"X-Auth-Token": "sim-token"},
            timeout=30,
        )
        return answer.json()["data"]

    def listings(self):
        return self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])

    def test_listings_match_existing_products_by_sku(self):
        catalog = self.catalog()
        simple = next(p for p in catalog if not p["variants"][0]["option_values"])
        product = self.product(simple["sku"])
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        listing = self.listings().filtered(lambda l: l.sku == simple["sku"])
        self.assertEqual(listing.product_id, product)
        self.assertEqual(listing.external_id, "%s:%s" % (simple["id"], simple["variants"][0]["id"]))
        self.assertEqual(listing.bigcommerce_inventory_tracking, simple["inventory_tracking"])
        failed = self.queue_lines("listing").filtered(lambda l: l.state == "failed")
        self.assertTrue(failed, "no product and no Create Odoo Products?: the line says so")
        self.assertIn("Create Odoo Products?", failed[0].error)

    def test_create_products_with_variants_category_and_images(self):
        self.instance.write({"create_products": True, "update_category": True, "sync_images": True})
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        self.assertFalse(self.queue_lines("listing").filtered(lambda l: l.state == "failed"))
        catalog = self.catalog()
        variants = sum(len(p["variants"]) for p in catalog)
        self.assertEqual(len(self.listings()), variants, "one listing per variant")
        with_options = next(p for p in catalog if len(p["variants"]) > 1)
        listings = self.listings().filtered(lambda l: l.external_id.startswith("%s:" % with_options["id"]))
        template = listings.product_id.product_tmpl_id
        self.assertEqual(len(template), 1, "a product with options: one template with its variants")
        self.assertEqual(
            sorted(listings.product_id.mapped("default_code")),
            sorted(v["sku"] for v in with_options["variants"]),
        )
        self.assertEqual(set(listings.mapped("bigcommerce_inventory_tracking")), {"variant"})
        self.assertTrue(template.attribute_line_ids)
        # the category follows BigCommerce's tree, the image is attached, the weight converted
        category = self.env["bigcommerce.category"].search(
            [("instance_id", "=", self.instance.id), ("bigcommerce_id", "=", with_options["categories"][0])]
        )
        self.assertEqual(template.categ_id, category.product_category_id)
        self.assertTrue(listings[0].image_1920)
        self.assertTrue(template.image_1920)
        self.assertAlmostEqual(
            template.weight, with_options["weight"] * 0.45359237, places=2, msg="LBS in kg"
        )
        # a second import updates the same listings
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        self.assertEqual(len(self.listings()), variants)
