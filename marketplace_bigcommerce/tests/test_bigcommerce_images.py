import json

import requests

from odoo.tests import tagged

from odoo.addons.marketplace_base.tests.other_host import OtherHostMixin

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceImages(OtherHostMixin, BigCommerceCase):
    """Listing images come from URLs in the store's answer: fetched from public hosts only (and
    the instance's own API host, here the simulator on 127.0.0.1), no redirect to another host,
    10 MB at most; an image that cannot be had leaves its listing without one, never failed."""

    SIZES = {"orders": 1, "products": 4}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_other_host()

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.action_process_queues()  # the categories queued by Confirm
        self.instance.write({"create_products": True, "sync_images": True})

    def import_listings(self):
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        lines = self.queue_lines("listing")
        self.assertTrue(lines)
        self.assertEqual(set(lines.mapped("state")), {"done"}, "an image never fails its listing")
        return self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])

    def warnings(self):
        log = self.last_log("process_queues")
        return log.line_ids.filtered(lambda l: l.level == "warning").mapped("message")

    def catalog_answer(self):
        answer = requests.get(
            self.sim_url + "/bigcommerce/stores/simstore/v3/catalog/products",
            params={"include": "variants,images", "limit": 250},
            headers={"X-Auth-Token": "sim-token"},
            timeout=30,
        )
        return answer.json()

    def test_the_stores_own_images_are_attached(self):
        listings = self.import_listings()
        self.assertTrue(listings and all(listings.mapped("image_1920")))
        self.assertFalse(self.warnings())

    def test_a_bad_image_leaves_the_listing_without_image(self):
        """An error page, an SVG with a script (Odoo would keep an SVG as it is: text a browser
        may run), bytes that are no image: none is stored."""
        self.fault(
            "cdnImage",
            "answer",
            count=1,
            body='<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            headers={"Content-Type": "image/svg+xml"},
        )
        self.fault(
            "cdnImage", "answer", count=1, body="GIF89a but not really", headers={"Content-Type": "image/gif"}
        )
        self.fault(
            "cdnImage",
            "answer",
            count=100,
            body="<html><script>alert(1)</script>Not found</html>",
            headers={"Content-Type": "image/png"},
        )
        listings = self.import_listings()
        self.assertTrue(listings)
        self.assertFalse(any(listings.mapped("image_1920")))
        self.assertFalse(any(listings.product_id.mapped("image_1920")))
        warnings = self.warnings()
        self.assertTrue(warnings and all("not an image Odoo can read" in w for w in warnings), warnings)

    def test_no_redirect_to_another_host(self):
        self.fault(
            "cdnImage",
            "answer",
            count=100,
            status=302,
            headers={"Location": self.other_url + "/bigcommerce/cdn/stolen.png"},
        )
        listings = self.import_listings()
        self.assertFalse(any(listings.mapped("image_1920")))
        self.assertEqual(self.other_host_requests(), 0, "the redirect is not followed")
        self.assertTrue(all("redirects to another host" in w for w in self.warnings()), self.warnings())

    def test_private_and_other_local_addresses_are_refused(self):
        """The allowance for the simulator's address is the instance's API host and port exactly:
        another port of 127.0.0.1, localhost, a private network address or the cloud metadata
        address are refused before any connection."""
        answer = self.catalog_answer()
        targets = [
            self.other_url + "/bigcommerce/cdn/a.png",
            self.sim_url.replace("127.0.0.1", "localhost") + "/bigcommerce/cdn/b.png",
            "http://10.20.30.40/c.png",
            "http://169.254.169.254/latest/meta-data",
        ]
        self.assertEqual(len(answer["data"]), len(targets))
        for product, url in zip(answer["data"], targets):
            for image in product["images"]:
                image.update(url_standard=url, url_zoom=url, url_thumbnail=url)
        self.fault("getProducts", "answer", count=1, body=json.dumps(answer))
        listings = self.import_listings()
        self.assertFalse(any(listings.mapped("image_1920")))
        self.assertEqual(self.other_host_requests(), 0)
        warnings = self.warnings()
        self.assertEqual(len(warnings), len(targets), "one per image (a product's variants share it)")
        for url in targets:
            self.assertTrue(
                [w for w in warnings if url in w and "private or local address" in w], (url, warnings)
            )

    def test_an_image_over_10_mb_is_refused(self):
        self.fault(
            "cdnImage",
            "answer",
            count=1,
            body="x" * (10 * 1024 * 1024 + 1),
            headers={"Content-Type": "image/png"},
        )
        listings = self.import_listings()
        self.assertTrue(listings.filtered("image_1920"), "the other images are attached")
        self.assertTrue(listings.filtered(lambda l: not l.image_1920))
        self.assertTrue([w for w in self.warnings() if "larger than 10 MB" in w], self.warnings())
