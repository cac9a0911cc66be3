from odoo import Command
from odoo.tests import tagged

from .common import BigCommerceCase

LINE = "BC-0001"


@tagged("post_install", "-at_install")
class TestBigCommerceOrderMapping(BigCommerceCase):
    """Every case of the seed's order mapping, through Import Orders and Process Queues."""

    SIZES = {"orders": 1, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.order_status_ids = self.statuses("Awaiting Fulfillment", "Awaiting Payment")
        variants = self.sim("GET", "/_sim/state?marketplace=bigcommerce")["bigcommerce"]["prices"]
        self.sku = sorted(variants)[0]
        self.eur = self.env.ref("base.EUR")
        company = self.env.company
        self.tax_account = self.env["account.account"].create(
            {
                "name": "BigCommerce VAT",
                "code": "BCVAT1",
                "account_type": "liability_current",
                "company_id": company.id,
            }
        )
        self.instance.write({"tax_account_id": self.tax_account.id, "tax_rounding": 0.01})

    def special(self, kind):
        """The product of a non-catalogue line of this store (the instance's, else the suite's)."""
        return self.env["marketplace.product.resolver"]._special_product(self.instance, kind)

    def one(self, **spec):
        spec.setdefault("lines", [{"sku": self.sku, "quantity": 2, "price": 10.0}])
        spec.setdefault("country", "DE")
        spec.setdefault("b2b", False)
        spec.setdefault("coupon", 0)
        spec.setdefault("gift_certificate", 0)
        spec.setdefault("gift", False)
        spec.setdefault("handling_cost", 0)
        [order_id] = self.add_orders(dict({"status": "Awaiting Fulfillment"}, **spec))
        self.import_orders()
        failed = self.queue_lines().filtered(lambda l: l.state == "failed")
        self.assertFalse(failed, failed.mapped("error"))
        sale = self.order(order_id)
        self.assertTrue(sale)
        return sale, self.sim_order(order_id)

    def bc_total(self, sim):
        return float(sim["order"]["total_inc_tax"]) - float(sim["order"]["gift_certificate_amount"])

    # prices and taxes -----------------------------------------------------------------------------
    def test_tax_exclusive_prices_follow_bigcommerce_taxes(self):
        self.instance.tax_system = "marketplace"
        sale, sim = self.one(tax_inclusive=False, shipping_cost=4.95)
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref)
        self.assertEqual(line.price_unit, 10.0)
        self.assertEqual(line.tax_id.amount, 19.0)
        self.assertFalse(line.tax_id.price_include)
        self.assertIn(
            self.tax_account, line.tax_id.invoice_repartition_line_ids.account_id, "on the tax account"
        )
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual(shipping.price_unit, 4.95)
        self.assertEqual(shipping.tax_id, line.tax_id, "the shipping tax too")
        self.assertAlmostEqual(sale.amount_total, self.bc_total(sim), places=2)
        self.assertFalse(sale.marketplace_sync_error)

    def test_tax_inclusive_prices_keep_bigcommerce_total(self):
        self.instance.tax_system = "marketplace"
        sale, sim = self.one(
            tax_inclusive=True, shipping_cost=4.95, lines=[{"sku": self.sku, "quantity": 3, "price": 9.99}]
        )
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref)
        self.assertEqual(line.price_unit, 9.99)
        self.assertTrue(line.tax_id.price_include)
        self.assertEqual(line.tax_id.amount, 19.0)
        self.assertAlmostEqual(sale.amount_total, self.bc_total(sim), places=2)
        self.assertAlmostEqual(sale.amount_tax, float(sim["order"]["total_tax"]), places=2)

    def test_two_tax_rates_in_one_order(self):
        """A product of BigCommerce's reduced tax class (7 %) next to one at 19 %, a coupon shared
        between them, shipping at 19 %: each line its own rate, each rate under its own name
        (never a 19 % summed under "Tax 15%"), Odoo's total BigCommerce's to the cent. With
        Odoo's tax system too: the default products have no tax, BigCommerce's amounts decide."""
        lines = [
            {"sku": self.sku, "quantity": 2, "price": 10.0},
            {"custom": True, "custom_index": 2, "quantity": 1, "price": 20.0, "tax_class": 3},
        ]
        for system, inclusive in (("marketplace", False), ("marketplace", True), ("odoo", False)):
            with self.subTest(system=system, inclusive=inclusive):
                self.instance.tax_system = system
                sale, sim = self.one(
                    tax_inclusive=inclusive, shipping_cost=4.95, coupon="SOMMER10", lines=lines
                )
                rates = {str(p["id"]): p for p in sim["products"]}
                for line in sale.order_line.filtered("marketplace_line_ref"):
                    product = rates[line.marketplace_line_ref]
                    expected = 7.0 if product["product_id"] == 0 else 19.0
                    self.assertEqual(line.tax_id.mapped("amount"), [expected], line.name)
                    self.assertEqual(line.tax_id.price_include, inclusive)
                    self.assertEqual(round(line.price_total, 2), float(product["total_inc_tax"]), line.name)
                self.assertEqual(sale.order_line.filtered("is_delivery").tax_id.mapped("amount"), [19.0])
                self.assertEqual(round(sale.amount_total, 2), self.bc_total(sim))
                self.assertEqual(round(sale.amount_tax, 2), float(sim["order"]["total_tax"]))
                self.assertFalse(sale.marketplace_sync_error, sale.marketplace_sync_message)
                groups = {
                    g["tax_group_name"]: g["tax_group_amount"]
                    for g in sale.tax_totals["groups_by_subtotal"]["Untaxed Amount"]
                }
                self.assertEqual(sorted(groups), ["Tax 19%", "Tax 7%"])
                self.assertEqual(round(sum(groups.values()), 2), float(sim["order"]["total_tax"]))

    def test_order_fees_are_lines_with_their_tax(self):
        """BigCommerce's order fees: a line each on the Fee product, with the tax BigCommerce
        charged on it (19 %, or none for a non-taxable fee), in the total to the cent."""
        for system in ("marketplace", "odoo"):
            with self.subTest(system=system):
                self.instance.tax_system = system
                sale, sim = self.one(
                    tax_inclusive=False,
                    shipping_cost=0,
                    fees=[
                        {"name": "Versandversicherung", "amount": 2.00},
                        {"name": "Spende", "amount": 1.00, "tax_class": 1},
                    ],
                )
                fee_product = self.env.ref("marketplace_base.product_marketplace_fee")
                fees = sale.order_line.filtered(lambda l: l.product_id == fee_product)
                self.assertEqual(
                    [(l.name, l.price_unit, l.tax_id.mapped("amount")) for l in fees],
                    [("Versandversicherung", 2.0, [19.0]), ("Spende", 1.0, [])],
                )
                self.assertEqual(round(sale.amount_total, 2), self.bc_total(sim))
                self.assertFalse(sale.marketplace_sync_error, sale.marketplace_sync_message)

    def test_odoo_taxes_from_the_product(self):
        tax = self.env["account.tax"].create({"name": "VAT 7", "amount": 7.0, "type_tax_use": "sale"})
        product = self.product(self.sku, taxes_id=[Command.set(tax.ids)])
        sale, _sim = self.one(tax_inclusive=False)
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref)
        self.assertEqual(line.product_id, product)
        self.assertEqual(line.tax_id, tax, "BigCommerce's tax lines are ignored")

    def test_marketplace_taxes_through_the_fiscal_position(self):
        self.instance.tax_system = "marketplace_fpos"
        exempt = self.env["account.tax"].create({"name": "Export 0", "amount": 0.0, "type_tax_use": "sale"})
        self.one(tax_inclusive=False)  # creates BigCommerce's 19 % tax
        tax19 = self.env["account.tax"].search(
            [
                ("amount", "=", 19.0),
                ("type_tax_use", "=", "sale"),
                ("price_include", "=", False),
                ("invoice_repartition_line_ids.account_id", "=", self.tax_account.id),
            ]
        )
        fpos = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "auto_apply": True,
                "country_id": self.env.ref("base.de").id,
                "tax_ids": [Command.create({"tax_src_id": tax19[:1].id, "tax_dest_id": exempt.id})],
            }
        )
        sale, _sim = self.one(tax_inclusive=False)
        self.assertEqual(sale.fiscal_position_id, fpos)
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref)
        self.assertEqual(line.tax_id, exempt, "BigCommerce's tax, then the fiscal position")

    def test_tax_rounding_flags_a_total_beyond_it(self):
        tax = self.env["account.tax"].create({"name": "VAT 5", "amount": 5.0, "type_tax_use": "sale"})
        self.product(self.sku, taxes_id=[Command.set(tax.ids)])
        sale, sim = self.one(tax_inclusive=False)  # Odoo taxes 5 %, BigCommerce 19 %
        self.assertTrue(sale.marketplace_sync_error)
        self.assertIn("%.2f" % self.bc_total(sim), sale.marketplace_sync_message)
        self.instance.tax_rounding = 5.0
        sale2, _sim = self.one(tax_inclusive=False)
        self.assertFalse(sale2.marketplace_sync_error, "within the tolerated rounding")

    # discounts, gift certificates, custom items ---------------------------------------------------
    def test_coupon_gift_certificate_and_custom_items(self):
        self.instance.tax_system = "marketplace"
        sale, sim = self.one(
            tax_inclusive=True,
            coupon="SOMMER10",
            gift_certificate=5.0,
            lines=[
                {"sku": self.sku, "quantity": 2, "price": 20.0},
                {"custom": True, "custom_index": 0, "quantity": 1, "price": 15.0},
                {"custom": True, "custom_index": 3, "quantity": 1, "price": 39.0},
            ],
        )
        discount = sale.order_line.filtered(
            lambda l: l.product_id == self.env.ref("marketplace_base.product_marketplace_discount")
        )
        self.assertTrue(discount, "the coupon's discount")
        self.assertAlmostEqual(
            -sum(discount.mapped("price_total")), float(sim["order"]["discount_amount"]), delta=0.02
        )
        gift = sale.order_line.filtered(lambda l: l.product_id == self.special("gift_certificate"))
        self.assertEqual(gift.price_unit, -5.0, "a negative line on the Gift Certificate product")
        custom = sale.order_line.filtered(lambda l: l.product_id == self.special("custom"))
        self.assertIn("Gravur", custom.name)
        storable = sale.order_line.filtered(lambda l: l.product_id == self.special("custom_storable"))
        self.assertIn("Regalbrett", storable.name, "a custom item that ships")
        self.assertAlmostEqual(sale.amount_total, self.bc_total(sim), places=2)

    def test_gift_wrapping_and_messages(self):
        self.instance.tax_system = "marketplace"
        sale, sim = self.one(tax_inclusive=True, gift=True)
        wrap = sale.order_line.filtered(lambda l: l.product_id == self.special("gift_wrap"))
        self.assertTrue(wrap)
        self.assertAlmostEqual(sale.amount_total, self.bc_total(sim), places=2)

    # addresses, customers, currencies ---------------------------------------------------------------
    def test_several_shipping_addresses(self):
        sale, sim = self.one(
            addresses=2, lines=[{"sku": self.sku, "quantity": 1}, {"sku": self.sku, "quantity": 2}]
        )
        self.assertEqual(len(sim["shipping_addresses"]), 2)
        first = sim["shipping_addresses"][0]
        self.assertEqual(sale.partner_shipping_id.street, first["street_1"])
        notes = "\n".join(sale.message_ids.mapped("body"))
        second = sim["shipping_addresses"][1]
        self.assertIn(second["city"], notes, "where the other items go, on the order")

    def test_order_in_another_currency(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        sale, sim = self.one(currency="USD", exchange_rate=1.1)
        self.assertEqual(sale.currency_id, usd)
        self.assertEqual(sale.pricelist_id.currency_id, usd)
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref)
        self.assertEqual(line.price_unit, 10.0, "BigCommerce's amounts as sent, in the order's currency")

    def test_company_contact_for_business_buyers(self):
        self.instance.create_company_contact = True
        sale, sim = self.one(b2b=True)
        company_name = sim["order"]["billing_address"]["company"]
        self.assertTrue(company_name)
        self.assertEqual(sale.partner_id.parent_id.name, company_name)
        self.assertTrue(sale.partner_id.parent_id.is_company)
        # a later buyer of the same company is filed under it
        other = self.env["res.partner"].search([("parent_id", "=", sale.partner_id.parent_id.id)])
        sale2, sim2 = self.one(b2b=True)
        if sim2["order"]["billing_address"]["company"] == company_name:
            self.assertEqual(sale2.partner_id.parent_id, sale.partner_id.parent_id)
        self.assertTrue(other)

    # workflows -----------------------------------------------------------------------------------------
    def test_workflow_by_gateway_and_payment_status(self):
        Workflow = self.env["marketplace.workflow"]
        plain = Workflow.create({"name": "Confirm only", "confirm_order": True})
        invoice = Workflow.create(
            {
                "name": "Confirm and invoice",
                "confirm_order": True,
                "create_invoice": True,
                "validate_invoice": True,
            }
        )
        terms = self.env.ref("account.account_payment_term_30days")
        self.instance.write(
            {"workflow_id": plain.id, "payment_term_id": terms.id, "create_single_invoice": True}
        )
        self.env["product.product"].create(
            {"name": self.sku, "default_code": self.sku, "type": "consu", "invoice_policy": "order"}
        )
        sale, _sim = self.one(payment_method="Credit Card", payment_status="captured")
        gateway = sale.marketplace_payment_gateway_id
        self.assertEqual(gateway.code, "Credit Card", "created the first time an order names it")
        self.assertEqual(sale.payment_term_id, terms)
        self.assertFalse(sale.invoice_ids, "no rule yet: the instance's workflow")
        self.env["marketplace.workflow.rule"].create(
            {
                "instance_id": self.instance.id,
                "gateway_id": gateway.id,
                "payment_status": "captured",
                "workflow_id": invoice.id,
            }
        )
        sale2, _sim = self.one(payment_method="Credit Card", payment_status="captured")
        self.assertEqual(sale2.marketplace_payment_gateway_id, gateway, "never twice")
        self.assertEqual(sale2.invoice_ids.state, "posted", "the rule of (gateway, status)")
        sale3, _sim = self.one(payment_method="Bank Deposit", status="Awaiting Payment")
        self.assertFalse(sale3.invoice_ids)
