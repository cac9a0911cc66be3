from odoo.tests import tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestProductResolver(OrderCase):
    """One rule decides the product of an item of an order or a listing: its listing, then its
    SKU against the internal reference, then its barcode. "Create Odoo Products?" never makes a
    second product of an internal reference or a barcode Odoo has (archived ones included), and
    an archived product is never sold: the item waits, with the reason."""

    def _products(self, **domain):
        [(fname, value)] = domain.items()
        return self.env["product.product"].with_context(active_test=False).search([(fname, "=", value)])

    def _listings(self):
        return self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])

    def test_a_product_whose_barcode_was_corrected_is_matched_by_its_internal_reference(self):
        # matched on barcodes, creating products: the marketplace still sells WID-1 under an
        # older barcode than the one corrected in Odoo
        self.instance.write({"sync_listings_on": "barcode", "create_products": True})
        widget = self.products[0]
        line = {
            "sku": "WID-1",
            "barcode": "4006381333931",
            "name": "Widget one",
            "quantity": 1,
            "unit_price": 10.0,
        }
        sale = self._import_one(self._order("BC-1", lines=[line]))
        self.assertEqual(sale.order_line.product_id, widget, "the product of that internal reference")
        self.assertFalse(sale.order_line.marketplace_needs_matching)
        self.assertEqual(self._products(default_code="WID-1"), widget, "no second product of WID-1")
        self.assertEqual(self._listings().product_id, widget, "the pairing is remembered")
        again = self._import_one(self._order("BC-2", lines=[line]))
        self.assertEqual(again.order_line.product_id, widget)
        # Import Listings follows the same rule
        queue = self._queue([("L", self._listing_payload("WID-2", barcode="4006381333948"))])
        self.instance.action_process_queues()
        self.assertEqual(queue.line_ids.state, "done", queue.line_ids.error)
        self.assertEqual(self._listings().filtered(lambda l: l.sku == "WID-2").product_id, self.products[1])
        self.assertEqual(self._products(default_code="WID-2"), self.products[1], "no second product of WID-2")

    def test_an_item_of_an_archived_product_waits_with_the_reason(self):
        self.instance.create_products = True
        mug = self.products[2]
        mug.active = False
        sale = self._import_one(
            self._order(
                "AR-1", lines=[{"sku": "WID-3", "name": "Blue mug", "quantity": 1, "unit_price": 7.5}]
            )
        )
        line = sale.order_line
        self.assertIn(
            line.product_id,
            self.env["marketplace.product.resolver"]._fallback_products(self.instance),
            "not sold as the archived product",
        )
        self.assertTrue(line.marketplace_needs_matching, "it waits as Needs Matching")
        self.assertIn("archived", line.marketplace_matching_reason)
        self.assertIn(mug.display_name, line.marketplace_matching_reason)
        self.assertEqual(self._products(default_code="WID-3"), mug, "no second product of WID-3")
        self.assertFalse(self._listings(), "no pairing with an archived product")
        # its listing waits too, on a failed queue line that says why, and goes once restored
        queue = self._queue([("M", self._listing_payload("WID-3"))])
        self.instance.action_process_queues()
        self.assertEqual(queue.line_ids.state, "failed")
        self.assertIn("archived", queue.line_ids.error)
        mug.active = True
        queue.line_ids.action_retry()
        self.assertEqual(queue.line_ids.state, "done")
        self.assertEqual(self._listings().product_id, mug)

    def test_an_archived_listing_product_is_not_sold_either(self):
        mug = self.products[2]
        self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": "MUG", "product_id": mug.id}
        )
        mug.active = False
        sale = self._import_one(self._order("AR-2", lines=[{"sku": "MUG", "quantity": 1, "unit_price": 7.5}]))
        self.assertNotEqual(sale.order_line.product_id, mug)
        self.assertIn("archived", sale.order_line.marketplace_matching_reason)

    def test_the_sku_comes_before_the_barcode(self):
        self.instance.sync_listings_on = "both"
        line = {"sku": "WID-2", "barcode": self.products[0].barcode, "quantity": 1, "unit_price": 5.0}
        sale = self._import_one(self._order("SB-1", lines=[line]))
        self.assertEqual(sale.order_line.product_id, self.products[1], "the internal reference wins")
