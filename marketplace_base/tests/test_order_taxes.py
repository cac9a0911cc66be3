from odoo.tests import tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderTaxes(OrderCase):
    def _line(self, price, rate=None, amount=None):
        taxes = [{"rate": rate, "amount": amount}] if rate is not None or amount is not None else []
        return [{"sku": "WID-1", "quantity": 1, "unit_price": price, "taxes": taxes}]

    def test_odoo_taxes_with_tax_excluded_prices(self):
        self.instance.tax_system = "odoo"
        sale = self._import_one(self._order("T-1", lines=self._line(100), total=121))
        self.assertEqual(sale.order_line.tax_id, self.tax21)
        self.assertEqual(sale.order_line.price_unit, 100)
        self.assertAlmostEqual(sale.amount_total, 121)
        self.assertFalse(sale.marketplace_sync_error)

    def test_odoo_taxes_with_tax_included_prices(self):
        self.instance.tax_system = "odoo"
        sale = self._import_one(self._order("T-2", lines=self._line(121), prices_include_tax=True, total=121))
        tax = sale.order_line.tax_id
        self.assertEqual(
            (tax.amount, tax.price_include, tax.tax_group_id),
            (21, True, self.tax21.tax_group_id),
            "the product's tax, as its tax-included twin",
        )
        self.assertEqual(sale.order_line.price_unit, 121, "the marketplace's price, kept to the cent")
        self.assertAlmostEqual(sale.amount_total, 121)
        self.assertAlmostEqual(sale.amount_tax, 21)
        self.assertFalse(sale.marketplace_sync_error)

    def test_odoo_taxes_through_the_fiscal_position(self):
        tax0 = self.env["account.tax"].create({"name": "Export 0%", "amount": 0, "type_tax_use": "sale"})
        fpos = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "auto_apply": True,
                "country_id": self.env.ref("base.nl").id,
                "tax_ids": [(0, 0, {"tax_src_id": self.tax21.id, "tax_dest_id": tax0.id})],
            }
        )
        sale = self._import_one(self._order("T-3", lines=self._line(100)))
        self.assertEqual(sale.fiscal_position_id, fpos)
        self.assertEqual(sale.order_line.tax_id, tax0)

    def test_marketplace_taxes_are_created_on_the_tax_account(self):
        self.instance.write({"tax_system": "marketplace", "tax_account_id": self.tax_account.id})
        sale = self._import_one(self._order("T-4", lines=self._line(50, rate=19), total=59.5))
        tax = sale.order_line.tax_id
        self.assertEqual((tax.amount, tax.price_include), (19, False))
        self.assertEqual(
            tax.invoice_repartition_line_ids.filtered(lambda r: r.repartition_type == "tax").account_id,
            self.tax_account,
        )
        self.assertAlmostEqual(sale.amount_total, 59.5)
        again = self._import_one(self._order("T-5", lines=self._line(50, rate=19)))
        self.assertEqual(again.order_line.tax_id, tax, "found, not created twice")

    def test_marketplace_tax_included_prices_keep_the_marketplace_total(self):
        self.instance.write({"tax_system": "marketplace", "tax_account_id": self.tax_account.id})
        order = self._order("T-6", lines=self._line(119, amount=19), prices_include_tax=True, total=119)
        sale = self._import_one(order)
        tax = sale.order_line.tax_id
        self.assertEqual((tax.amount, tax.price_include), (19, True), "the rate derived from the tax amount")
        self.assertAlmostEqual(sale.amount_total, 119)
        self.assertAlmostEqual(sale.amount_tax, 19)
        self.assertFalse(sale.marketplace_sync_error)

    def test_marketplace_taxes_with_fiscal_position_mapping(self):
        self.instance.write({"tax_system": "marketplace_fpos", "tax_account_id": self.tax_account.id})
        mp_tax = self.env["marketplace.tax.service"]._marketplace_tax(self.instance, 19.0, False)
        tax0 = self.env["account.tax"].create({"name": "Intra-EU 0%", "amount": 0, "type_tax_use": "sale"})
        self.env["account.fiscal.position"].create(
            {
                "name": "Intra-EU",
                "auto_apply": True,
                "country_id": self.env.ref("base.nl").id,
                "tax_ids": [(0, 0, {"tax_src_id": mp_tax.id, "tax_dest_id": tax0.id})],
            }
        )
        sale = self._import_one(self._order("T-7", lines=self._line(50, rate=19)))
        self.assertEqual(sale.order_line.tax_id, tax0)
        self.instance.tax_system = "marketplace"
        unmapped = self._import_one(self._order("T-8", lines=self._line(50, rate=19)))
        self.assertEqual(unmapped.order_line.tax_id, mp_tax, "no mapping without the fpos option")

    def test_total_mismatch_beyond_rounding_is_flagged(self):
        self.instance.write(
            {"tax_system": "marketplace", "tax_rounding": 0.05, "tax_account_id": self.tax_account.id}
        )
        near = self._import_one(self._order("R-1", lines=self._line(50, rate=19), total=59.53))
        self.assertFalse(near.marketplace_sync_error, "0.03 is within the tolerance")
        off = self._import_one(self._order("R-2", lines=self._line(50, rate=19), total=60.00))
        self.assertTrue(off.marketplace_sync_error)
        self.assertIn("differs", off.marketplace_sync_message)
        log_lines = self.env["marketplace.log.line"].search(
            [("instance_id", "=", self.instance.id), ("level", "=", "warning")]
        )
        self.assertTrue(log_lines.filtered(lambda l: "R-2" in l.message and l.res_id == off.id))

    # what the marketplace charged, line by line ----------------------------------------------------
    def test_charges_on_products_without_tax_follow_the_marketplace_with_odoos_taxes(self):
        """Odoo's taxes: the item's product decides (21 %); shipping and gift wrap, whose products
        have no tax, bear what the marketplace charged on them: 19 % on shipping, none on the gift
        wrap, never the company's default tax."""
        self.instance.tax_system = "odoo"
        self.env.company.account_sale_tax_id = self.tax21
        order = self._order(
            "C-1",
            lines=[{"sku": "WID-1", "quantity": 1, "unit_price": 12.10, "taxes": [{"amount": 1.93}]}],
            prices_include_tax=True,
            total=12.10 + 5.95 + 2.00,
            shipping={"amount": 5.95, "taxes": [{"amount": 0.95}]},
            gift_wrap={"amount": 2.00},
        )
        sale = self._import_one(order)
        item = sale.order_line.filtered(lambda l: l.product_id == self.product)
        shipping = sale.order_line.filtered("is_delivery")
        wrap = sale.order_line - item - shipping
        self.assertEqual([(t.amount, t.price_include) for t in item.tax_id], [(21.0, True)], "the product's")
        self.assertEqual(
            [(t.amount, t.price_include) for t in shipping.tax_id], [(19.0, True)], "the marketplace's"
        )
        self.assertFalse(wrap.tax_id, "the marketplace charged none: no default tax")
        self.assertEqual(round(sale.amount_total, 2), 20.05)
        self.assertFalse(sale.marketplace_sync_error)

    def test_a_new_rate_is_named_and_grouped_by_its_rate(self):
        """A rate the company has no tax of: one tax, named by its rate, in the group of its rate
        (Odoo totals by group: never a 19 % under another rate's name)."""
        self.instance.write({"tax_system": "marketplace", "tax_account_id": self.tax_account.id})
        sale = self._import_one(self._order("G-1", lines=self._line(50, rate=19), total=59.5))
        tax = sale.order_line.tax_id
        self.assertTrue(tax.name.startswith("19% ("), tax.name)
        self.assertEqual(tax.tax_group_id.name, "Tax 19%")
        groups = sale.tax_totals["groups_by_subtotal"]["Untaxed Amount"]
        self.assertEqual([(g["tax_group_name"], g["tax_group_amount"]) for g in groups], [("Tax 19%", 9.5)])
        # another instance booking on another tax account: its own 19 % tax, in the same group
        account = self.env["account.account"].create(
            {"name": "Other VAT", "code": "MPVAT2", "account_type": "liability_current"}
        )
        other = self.env["marketplace.instance"].create(
            {
                "name": "Other Store",
                "marketplace": self.code,
                "currency_id": self.eur.id,
                "tax_system": "marketplace",
                "tax_account_id": account.id,
                "workflow_id": False,
                "marketplace_workflow_id": False,
            }
        )
        theirs = self._import_one(self._order("G-2", lines=self._line(50, rate=19)), instance=other)
        self.assertNotEqual(theirs.order_line.tax_id, tax)
        self.assertEqual(theirs.order_line.tax_id.tax_group_id, tax.tax_group_id)

    def test_a_rate_snaps_to_the_companys_tax_of_the_other_price_basis(self):
        """The company's 21 % (price excluded) for a marketplace whose prices include it: its
        tax-included twin (same accounts and grids), not a new 21 % tax."""
        self.instance.write({"tax_system": "marketplace"})
        before = self.env["account.tax"].search_count([("amount", "=", 21.0), ("type_tax_use", "=", "sale")])
        sale = self._import_one(
            self._order("S-1", lines=self._line(12.10, amount=2.10), prices_include_tax=True, total=12.10)
        )
        tax = sale.order_line.tax_id
        self.assertEqual((tax.amount, tax.price_include, tax.name), (21.0, True, "Test VAT 21% (incl.)"))
        self.assertEqual(tax.tax_group_id, self.tax21.tax_group_id)
        self.assertEqual(
            self.env["account.tax"].search_count([("amount", "=", 21.0), ("type_tax_use", "=", "sale")]),
            before + 1,
            "only the twin",
        )
