from odoo.tests import tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderTaxRates(OrderCase):
    """Taxes from the marketplace's amounts, totals to the cent, and one company's records kept
    out of another's orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.tax_system = "marketplace"
        cls.Tax = cls.env["account.tax"].with_context(active_test=False)

    def _sale_taxes_between(self, low, high, company=None):
        return self.Tax.search(
            [
                ("company_id", "=", (company or self.env.company).id),
                ("type_tax_use", "=", "sale"),
                ("amount", ">=", low),
                ("amount", "<=", high),
            ]
        )

    @staticmethod
    def _lines(*amounts):
        """One line per (price, tax amount), tax-excluded prices, no stated rate."""
        return [
            {"sku": "WID-1", "quantity": 1, "unit_price": price, "taxes": [{"amount": tax}]}
            for price, tax in amounts
        ]

    # rates derived over the whole order ----------------------------------------------------------
    def test_derived_rates_snap_to_the_existing_tax(self):
        self.assertFalse(self._sale_taxes_between(8, 9))
        tax825 = self.env["account.tax"].create(
            {"name": "Sales tax 8.25%", "amount": 8.25, "type_tax_use": "sale"}
        )
        # one by one these look like 8.3 %, 8.33 % and 8.26 %; 8.25 % gives each amount to the cent
        order = self._order("TX-1", lines=self._lines((10.00, 0.83), (3.00, 0.25), (7.99, 0.66)), total=22.73)
        sale = self._import_one(order)
        self.assertEqual(sale.order_line.tax_id, tax825)
        self.assertEqual(self._sale_taxes_between(8, 9), tax825, "no 8.3 % or 8.33 % tax next to it")
        self.assertAlmostEqual(sale.amount_tax, 0.83 + 0.25 + 0.66)
        self.assertFalse(sale.marketplace_sync_error)

    def test_a_new_rate_is_created_once_from_the_whole_order(self):
        # per line: 8.27 %, 8.25 %, 8.25 % (and 8.3 % is the roundest rate for the first alone);
        # only 8.25 % reproduces all three amounts. The last line is another rate: 21 %.
        order = self._order(
            "TX-2",
            lines=self._lines((12.34, 1.02), (45.67, 3.77), (99.99, 8.25), (10.00, 2.10)),
            total=12.34 + 45.67 + 99.99 + 10.00 + 1.02 + 3.77 + 8.25 + 2.10,
        )
        sale = self._import_one(order)
        created = self._sale_taxes_between(8, 9)
        self.assertEqual(len(created), 1)
        self.assertEqual((created.amount, created.price_include), (8.25, False))
        self.assertEqual(sale.order_line[:3].tax_id, created)
        self.assertEqual(sale.order_line[3].tax_id, self.tax21, "the company's 21 % tax, not a new one")
        self.assertAlmostEqual(sale.amount_tax, 1.02 + 3.77 + 8.25 + 2.10)
        self.assertFalse(sale.marketplace_sync_error)
        again = self._import_one(self._order("TX-3", lines=self._lines((12.34, 1.02))))
        self.assertEqual(again.order_line.tax_id, created, "8.25 % reproduces 1.02: reused, not 8.3 %")
        self.assertEqual(len(self._sale_taxes_between(8, 9)), 1)

    def test_a_stated_rate_is_taken_as_it_is(self):
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 10.0, "taxes": [{"rate": 7.7, "amount": 0.77}]}
        ]
        sale = self._import_one(self._order("TX-4", lines=lines))
        self.assertEqual(sale.order_line.tax_id.amount, 7.7)

    # totals to the cent ----------------------------------------------------------------------------
    def test_tax_included_prices_on_a_tax_excluded_tax_keep_the_total(self):
        """10.00 incl. 21 % on Odoo's 21 % (excluded) tax: 10.00, not 8.26 + 1.73 = 9.99."""
        self.instance.tax_system = "odoo"
        self.assertFalse(self.tax21.price_include)
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 10.00},
            {"sku": "WID-2", "quantity": 3, "unit_price": 10.00},
        ]
        sale = self._import_one(self._order("TX-5", lines=lines, prices_include_tax=True, total=40.00))
        self.assertEqual(sale.amount_total, 40.00)
        self.assertFalse(sale.marketplace_sync_error)
        twin = sale.order_line.tax_id
        self.assertEqual(len(twin), 1)
        self.assertEqual((twin.amount, twin.price_include), (21, True))
        self.assertEqual(twin.tax_group_id, self.tax21.tax_group_id)
        self.assertEqual(
            twin.invoice_repartition_line_ids.mapped("account_id"),
            self.tax21.invoice_repartition_line_ids.mapped("account_id"),
            "booked on the same accounts",
        )
        self.assertEqual(sale.order_line.mapped("price_unit"), [10.00, 10.00], "the marketplace's prices")
        again = self._import_one(self._order("TX-6", lines=lines[:1], prices_include_tax=True, total=10.00))
        self.assertEqual(again.order_line.tax_id, twin, "one twin per tax")

    def test_a_difference_beyond_the_tax_rounding_is_flagged(self):
        self.instance.write({"tax_system": "odoo", "tax_rounding": 0.0})
        lines = [{"sku": "WID-1", "quantity": 1, "unit_price": 10.00}]
        exact = self._import_one(self._order("TX-7", lines=lines, prices_include_tax=True, total=10.00))
        self.assertFalse(exact.marketplace_sync_error, "to the cent, even with no tolerance")
        off = self._import_one(self._order("TX-8", lines=lines, prices_include_tax=True, total=10.01))
        self.assertTrue(off.marketplace_sync_error)
        self.assertIn("differs", off.marketplace_sync_message)

    # one company's records -------------------------------------------------------------------------
    def test_taxes_products_and_partners_stay_within_the_instance_company(self):
        other = self.env["res.company"].create(
            {"name": "Other Shop", "currency_id": self.eur.id, "country_id": self.env.ref("base.nl").id}
        )
        group = self.env["account.tax.group"].create({"name": "Other VAT", "company_id": other.id})
        foreign_tax = self.env["account.tax"].create(
            {
                "name": "Other 8.25%",
                "amount": 8.25,
                "type_tax_use": "sale",
                "company_id": other.id,
                "tax_group_id": group.id,
            }
        )
        foreign_express = self.env["product.product"].create(
            {"name": "Other express", "default_code": "Expedited", "type": "service", "company_id": other.id}
        )
        foreign_buyer = self.env["res.partner"].create(
            {"name": "Zoë Müller", "email": "zoe@example.com", "company_id": other.id}
        )
        order = self._order(
            "CO-1", lines=self._lines((10.00, 0.83)), shipping={"amount": 4, "code": "Expedited"}
        )
        sale = self._import_one(order)
        self.assertNotEqual(sale.order_line.tax_id, foreign_tax)
        self.assertEqual(sale.order_line.tax_id.company_id, self.env.company)
        self.assertNotEqual(sale.order_line.filtered("is_delivery").product_id, foreign_express)
        self.assertNotEqual(sale.partner_id, foreign_buyer)
        self.assertEqual(sale.partner_id.company_id, self.env.company, "created in the instance's company")
        # an instance of the other company finds that company's buyer, and shared contacts
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        other_instance = self.env["marketplace.instance"].create(
            {
                "name": "Other Store",
                "marketplace": self.code,
                "company_id": other.id,
                "warehouse_id": warehouse.id,
                "currency_id": self.eur.id,
            }
        )
        theirs = self._import_one(self._order("CO-2"), instance=other_instance)
        self.assertEqual(theirs.partner_id, foreign_buyer)
        shared = self.env["res.partner"].create(
            {"name": "Jan", "email": "jan@example.com", "company_id": False}
        )
        for instance, ref in ((self.instance, "CO-3"), (other_instance, "CO-4")):
            order = self._order(
                ref, customer={"name": "Jan", "email": "jan@example.com"}, invoice_address=None
            )
            self.assertEqual(self._import_one(order, instance=instance).partner_id, shared)
