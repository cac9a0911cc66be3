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
        self.assertEqual((tax.amount, tax.price_include, tax.tax_group_id), (21, True, self.tax21.tax_group_id),
                         "the product's tax, as its tax-included twin")
        self.assertEqual(sale.order_line.price_unit, 121, "the marketplace's price, kept to the cent")
        self.assertAlmostEqual(sale.amount_total, 121)
        self.assertAlmostEqual(sale.amount_tax, 21)
        self.assertFalse(sale.marketplace_sync_error)

    def test_odoo_taxes_through_the_fiscal_position(self):
        tax0 = self.env["account.tax"].create({"name": "Export 0%", "amount": 0, "type_tax_use": "sale"})
        fpos = self.env["account.fiscal.position"].create({
            "name": "Export", "auto_apply": True, "country_id": self.env.ref("base.nl").id,
            "tax_ids": [(0, 0, {"tax_src_id": self.tax21.id, "tax_dest_id": tax0.id})],
        })
        sale = self._import_one(self._order("T-3", lines=self._line(100)))
        self.assertEqual(sale.fiscal_position_id, fpos)
        self.assertEqual(sale.order_line.tax_id, tax0)

    def test_marketplace_taxes_are_created_on_the_tax_account(self):
        self.instance.write({"tax_system": "marketplace", "tax_account_id": self.tax_account.id})
        sale = self._import_one(self._order("T-4", lines=self._line(50, rate=19), total=59.5))
        tax = sale.order_line.tax_id
        self.assertEqual((tax.amount, tax.price_include), (19, False))
        self.assertEqual(tax.invoice_repartition_line_ids.filtered(lambda r: r.repartition_type == "tax").account_id,
                         self.tax_account)
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
        self.env["account.fiscal.position"].create({
            "name": "Intra-EU", "auto_apply": True, "country_id": self.env.ref("base.nl").id,
            "tax_ids": [(0, 0, {"tax_src_id": mp_tax.id, "tax_dest_id": tax0.id})],
        })
        sale = self._import_one(self._order("T-7", lines=self._line(50, rate=19)))
        self.assertEqual(sale.order_line.tax_id, tax0)
        self.instance.tax_system = "marketplace"
        unmapped = self._import_one(self._order("T-8", lines=self._line(50, rate=19)))
        self.assertEqual(unmapped.order_line.tax_id, mp_tax, "no mapping without the fpos option")

    def test_total_mismatch_beyond_rounding_is_flagged(self):
        self.instance.write({"tax_system": "marketplace", "tax_rounding": 0.05, "tax_account_id": self.tax_account.id})
        near = self._import_one(self._order("R-1", lines=self._line(50, rate=19), total=59.53))
        self.assertFalse(near.marketplace_sync_error, "0.03 is within the tolerance")
        off = self._import_one(self._order("R-2", lines=self._line(50, rate=19), total=60.00))
        self.assertTrue(off.marketplace_sync_error)
        self.assertIn("differs", off.marketplace_sync_message)
        log_lines = self.env["marketplace.log.line"].search([("instance_id", "=", self.instance.id), ("level", "=", "warning")])
        self.assertTrue(log_lines.filtered(lambda l: "R-2" in l.message and l.res_id == off.id))
