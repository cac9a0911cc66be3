from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestNeedsMatching(OrderCase):
    """An item no Odoo product matched lands on the default product: the merchant sees it, pairs
    the listing once, and the open orders and the later ones sell the right product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.workflow_id = cls.env.ref("marketplace_base.workflow_confirm")

    def _mixed_order(self, ref, sku="UNKNOWN-1"):
        return self._order(
            ref,
            lines=[
                {"sku": "WID-1", "name": "Widget one", "quantity": 1, "unit_price": 10.0},
                {"sku": sku, "name": "Blue mug", "quantity": 2, "unit_price": 7.5},
            ],
        )

    def _unmatched(self, sale):
        return sale.order_line.filtered("marketplace_needs_matching")

    def _pair(self, records, product):
        """The wizard as a person fills it: opened from orders or lines, a product per SKU."""
        form = Form(
            self.env["marketplace.pair.listing"].with_context(
                active_model=records._name, active_ids=records.ids, active_id=records[:1].id
            )
        )
        with form.line_ids.edit(0) as row:
            row.product_id = product
        return form.save().action_apply()

    def test_an_unmatched_item_is_flagged_with_its_sku(self):
        sale = self._import_one(self._mixed_order("NM-1"))
        line = self._unmatched(sale)
        self.assertEqual(len(line), 1)
        self.assertEqual(
            line.marketplace_sku, "UNKNOWN-1", "the SKU the marketplace sold is kept on the line"
        )
        self.assertIn(
            line.product_id, self.env["marketplace.product.resolver"]._fallback_products(self.instance)
        )
        matched = sale.order_line.filtered(lambda l: l.product_id == self.product)
        self.assertEqual(matched.marketplace_sku, "WID-1")
        self.assertFalse(matched.marketplace_needs_matching)
        self.assertTrue(sale.marketplace_needs_matching)
        Order = self.env["sale.order"]
        self.assertEqual(Order.search([("marketplace_needs_matching", "=", True)]), sale)
        self.assertEqual(
            Order.search([("order_line.marketplace_needs_matching", "=", True)]),
            sale,
            "the Needs Matching filter",
        )
        self.assertNotIn(sale, Order.search([("marketplace_needs_matching", "=", False)]))
        self.instance.invalidate_recordset()
        self.assertEqual(self.instance.order_matching_count, 1, "the dashboard counts it")

    def test_pairing_fixes_open_orders_and_later_orders_match(self):
        sale = self._import_one(self._mixed_order("NM-2"))
        self.assertEqual(sale.state, "sale")
        line = self._unmatched(sale)
        price, taxes, name = line.price_unit, line.tax_id, line.name
        old_moves = line.move_ids
        mug = self.products[1]
        answer = self._pair(sale, mug)
        self.assertEqual(answer["params"]["type"], "success")
        self.assertEqual(line.product_id, mug, "the confirmed, undelivered line sells the product")
        self.assertFalse(taxes, "the default product has no tax, and the marketplace charged none")
        self.assertEqual(
            (line.price_unit, line.tax_id, line.name),
            (price, self.tax21, name),
            "at the marketplace's price, with the taxes an import of the product gives (Odoo's "
            "tax system: the product's)",
        )
        self.assertFalse(sale.marketplace_needs_matching)
        self.assertEqual(set(old_moves.mapped("state")), {"cancel"}, "the default product is not shipped")
        new_moves = line.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(new_moves.product_id, mug, "the delivery ships the product")
        self.assertEqual(sum(new_moves.mapped("product_uom_qty")), 2)
        listing = self.env["marketplace.listing"].search(
            [("instance_id", "=", self.instance.id), ("sku", "=", "UNKNOWN-1")]
        )
        self.assertEqual(listing.product_id, mug, "the listing remembers the pairing")
        self.assertTrue(sale.message_ids.filtered(lambda m: "UNKNOWN-1" in (m.body or "")))
        later = self._import_one(self._mixed_order("NM-3"))
        self.assertFalse(later.marketplace_needs_matching, "later orders match")
        self.assertIn(mug, later.order_line.product_id)

    def test_delivered_lines_keep_the_default_product(self):
        sale = self._import_one(self._mixed_order("NM-4"))
        line = self._unmatched(sale)
        default = line.product_id
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        self.assertEqual(line.qty_delivered, 2)
        answer = self._pair(line, self.products[2])
        self.assertEqual(line.product_id, default, "what was delivered is not rewritten")
        self.assertIn("already delivered or invoiced", answer["params"]["message"])
        self.assertEqual(
            self.env["marketplace.listing"]
            .search([("sku", "=", "UNKNOWN-1"), ("instance_id", "=", self.instance.id)])
            .product_id,
            self.products[2],
            "later orders match all the same",
        )

    def test_pair_from_a_line(self):
        sale = self._import_one(
            self._order(
                "NM-5",
                lines=[
                    {"sku": "UNKNOWN-A", "name": "A", "quantity": 1, "unit_price": 5.0},
                    {"sku": "UNKNOWN-B", "name": "B", "quantity": 1, "unit_price": 5.0},
                ],
            )
        )
        line_b = sale.order_line.filtered(lambda l: l.marketplace_sku == "UNKNOWN-B")
        action = line_b.action_marketplace_pair_listing()
        self.assertEqual(action["res_model"], "marketplace.pair.listing")
        wizard = Form(self.env["marketplace.pair.listing"].with_context(**action["context"])).save()
        self.assertEqual(wizard.line_ids.mapped("sku"), ["UNKNOWN-B"], "only the line's SKU")
        from_order = Form(
            self.env["marketplace.pair.listing"].with_context(active_model="sale.order", active_ids=sale.ids)
        ).save()
        self.assertEqual(
            from_order.line_ids.mapped("sku"), ["UNKNOWN-A", "UNKNOWN-B"], "from the order: a row per SKU"
        )

    def test_nothing_to_pair(self):
        sale = self._import_one(self._order("NM-6"))
        self.assertFalse(sale.marketplace_needs_matching)
        with self.assertRaises(UserError):
            self.env["marketplace.pair.listing"].with_context(
                active_model="sale.order", active_ids=sale.ids
            ).default_get(["line_ids"])

    def test_pairing_gives_the_taxes_an_import_would(self):
        """With the marketplace's taxes the line keeps what the marketplace charged (19 %, not the
        product's 21 %); where the marketplace states no tax (Bol.com) it takes the product's VAT,
        included in the marketplace's price, as an import of the product would."""
        self.instance.tax_system = "marketplace"
        charged = self._import_one(
            self._order(
                "NM-7",
                prices_include_tax=True,
                total=11.90,
                lines=[
                    {
                        "sku": "UNKNOWN-7",
                        "name": "Mug",
                        "quantity": 1,
                        "unit_price": 11.90,
                        "taxes": [{"amount": 1.90}],
                    }
                ],
            )
        )
        unstated = self._import_one(
            self._order(
                "NM-8",
                prices_include_tax=True,
                taxes_stated=False,
                total=12.10,
                lines=[{"sku": "UNKNOWN-8", "name": "Cup", "quantity": 1, "unit_price": 12.10}],
            )
        )
        self.assertEqual(self._unmatched(charged).tax_id.mapped("amount"), [19.0])
        self.assertFalse(self._unmatched(unstated).tax_id, "nothing stated, a default product without tax")
        for sale, expected in ((charged, 19.0), (unstated, 21.0)):
            line = self._unmatched(sale)
            self._pair(line, self.products[1])
            self.assertEqual(line.product_id, self.products[1])
            self.assertEqual(
                [(t.amount, t.price_include) for t in line.tax_id], [(expected, True)], sale.name
            )
            self.assertEqual(round(sale.amount_total, 2), {charged: 11.90, unstated: 12.10}[sale])
