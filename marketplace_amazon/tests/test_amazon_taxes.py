from odoo.tests import tagged

from .common import UK, US, AmazonCase


def amount(money):
    return float(money["Amount"]) if money else 0.0


@tagged("post_install", "-at_install")
class TestAmazonBuyersAndTaxes(AmazonCase):
    """Business buyers, destinations, taxes Amazon collects itself, VAT on shipping and gift
    wrap, and buyers who pay on delivery, each as a merchant's books need them."""

    SIZES = {"orders": 5, "products": 20}

    def setUp(self):
        super().setUp()
        company = self.env.company
        group = self.env["account.tax.group"].create({"name": "VAT 19%", "company_id": company.id})
        self.vat19 = self.env["account.tax"].create(
            {
                "name": "VAT 19%",
                "amount": 19.0,
                "type_tax_use": "sale",
                "company_id": company.id,
                "tax_group_id": group.id,
            }
        )
        company.account_sale_tax_id = self.vat19
        # Amazon's default products as installed: no tax, and Confirm gives them none
        self.defaults = self.env["product.product"].browse(
            [
                self.env.ref("marketplace_amazon.%s" % xmlid).id
                for xmlid in ("product_amazon_sale", "product_amazon_shipping", "product_amazon_gift_wrap")
            ]
        )
        self.defaults.write({"taxes_id": [(5, 0, 0)]})
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )
        self.sku = sorted(self.sim_state()["offers"])[0]

    def _collected(self, ref):
        """The tax Amazon keeps of an order (marketplace facilitator)."""
        return sum(
            amount(i.get("ItemTax"))
            + amount(i.get("ShippingTax"))
            - amount(i.get("PromotionDiscountTax"))
            - amount(i.get("ShippingDiscountTax"))
            + amount((i.get("BuyerInfo") or {}).get("GiftWrapTax"))
            for i in self.sim_order(ref)["items"]
        )

    def test_a_business_buyer_is_filed_under_its_company_with_its_vat_number(self):
        ref = self.add_order(business=True, vat="DE811569869", lines=1)
        self.import_orders()
        order, amazon = self.order(ref), self.sim_order(ref)["order"]
        tax_info = amazon["BuyerInfo"]["BuyerTaxInfo"]
        company = order.partner_id.parent_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, tax_info["CompanyLegalName"])
        self.assertEqual(company.vat, "DE811569869")
        self.assertEqual(
            order.partner_id.name, amazon["ShippingAddress"]["Name"], "the buyer, a contact of it"
        )
        self.assertEqual(order.partner_invoice_id.commercial_partner_id, company, "invoiced to the company")
        self.assertEqual(order.client_order_ref, amazon["BuyerInfo"]["PurchaseOrderNumber"])

    def test_an_fba_order_without_a_name_keeps_its_destination_for_the_fiscal_position(self):
        austria = self.env.ref("base.at")
        oss = self.env["account.fiscal.position"].create(
            {
                "name": "OSS Austria",
                "auto_apply": True,
                "country_id": austria.id,
                "company_id": self.env.company.id,
                "tax_ids": [
                    (
                        0,
                        0,
                        {
                            "tax_src_id": self.vat19.id,
                            "tax_dest_id": self.env["account.tax"]
                            .create({"name": "AT VAT 20%", "amount": 20.0, "type_tax_use": "sale"})
                            .id,
                        },
                    )
                ],
            }
        )
        ref = self.add_order(fulfillment_channel="AFN", status="Shipped", ship_to="AT", lines=1)
        self.import_orders()
        order = self.order(ref)
        self.assertEqual(order.partner_id, self.instance.anonymous_partner_id, "Amazon hides FBA buyers")
        self.assertEqual(order.partner_shipping_id.country_id, austria)
        self.assertEqual(order.fiscal_position_id, oss, "one-stop-shop rules apply")

    def test_tax_amazon_collects_is_not_the_sellers_and_the_total_still_reconciles(self):
        self.instance.tax_system = "marketplace"
        # Amazon.com: Amazon collects US sales tax as marketplace facilitator
        us = self.add_order(
            marketplace_id=US, lines=[{"sku": self.sku, "quantity": 2, "price": 20.0, "shipping": 4.99}]
        )
        # Amazon.co.uk: Amazon collects the VAT as deemed reseller; UK prices include it
        uk = self.add_order(
            marketplace_id=UK,
            facilitator=True,
            lines=[{"sku": self.sku, "quantity": 3, "price": 10.0, "shipping": 3.99}],
        )
        self.import_orders()
        for ref in (us, uk):
            order, amazon = self.order(ref), self.sim_order(ref)
            self.assertEqual(amazon["items"][0]["TaxCollection"]["Model"], "MarketplaceFacilitator")
            self.assertGreater(self._collected(ref), 0)
            self.assertFalse(order.order_line.tax_id, "not the seller's tax liability")
            self.assertEqual(order.amount_tax, 0.0)
            self.assertAlmostEqual(
                order.amount_total,
                amount(amazon["order"]["OrderTotal"]) - self._collected(ref),
                places=2,
                msg="Amazon's total less the tax it keeps",
            )
            self.assertFalse(order.marketplace_sync_message, "the total reconciles: nothing flagged")
        item = self.sim_order(us)["items"][0]
        self.assertAlmostEqual(
            self.order(us).amount_total,
            amount(item["ItemPrice"])
            + amount(item["ShippingPrice"])
            - amount(item["PromotionDiscount"])
            - amount(item["ShippingDiscount"]),
            places=2,
            msg="what the seller is paid for it: the price, without the US sales tax",
        )

    def test_shipping_and_gift_wrap_carry_their_vat_with_odoos_taxes(self):
        for product in self.defaults:
            self.assertFalse(product.taxes_id, "Confirm forces no default tax on %s" % product.name)
        self.assertEqual(self.instance.tax_system, "odoo")
        ref = self.add_order(
            gift=True, lines=[{"sku": self.sku, "quantity": 1, "price": 119.0, "shipping": 5.95}]
        )
        self.import_orders()
        order, amazon = self.order(ref), self.sim_order(ref)
        shipping = order.order_line.filtered("is_delivery")
        wrap = order.order_line.filtered(
            lambda l: l.product_id == self.env.ref("marketplace_amazon.product_amazon_gift_wrap")
        )
        self.assertTrue(shipping and wrap)
        for line in order.order_line:
            # the default products have no tax: their lines bear the VAT Amazon charged on them
            self.assertEqual(line.tax_id.mapped("amount"), [19.0], line.name)
        vat = self._collected(ref)  # the VAT inside Amazon's prices (the seller's, here)
        self.assertEqual(round(order.amount_tax, 2), round(vat, 2), "no VAT booked as untaxed revenue")
        self.assertEqual(round(order.amount_total, 2), amount(amazon["order"]["OrderTotal"]))

    # the taxes Amazon charged, line by line ------------------------------------------------------------
    def _assert_amazons_total(self, order, ref):
        """Odoo's total is Amazon's (less the tax Amazon keeps) to the cent, and nothing is flagged."""
        expected = round(
            amount(self.sim_order(ref)["order"]["OrderTotal"]) - self._collected_if_facilitated(ref), 2
        )
        self.assertEqual(round(order.amount_total, 2), expected, order.name)
        self.assertFalse(order.marketplace_sync_error, order.marketplace_sync_message)

    def _collected_if_facilitated(self, ref):
        items = self.sim_order(ref)["items"]
        return self._collected(ref) if items[0].get("TaxCollection") else 0.0

    def test_a_us_order_without_tax_has_no_tax_anywhere(self):
        """Amazon.com: no tax on the item, and its shipping without a ShippingTax. Neither the
        product's tax (19 % here) nor the company's default tax may appear, whatever the tax system."""
        product = self.env["product.product"].create(
            {"name": "Mug", "default_code": self.sku, "type": "product", "taxes_id": [(6, 0, self.vat19.ids)]}
        )
        line = {"sku": self.sku, "quantity": 2, "price": 20.0, "shipping": 4.99}
        # Amazon facilitates, with Odoo's taxes; nobody collects any, with Amazon's taxes
        for system, facilitator in (("odoo", True), ("marketplace", False)):
            self.instance.tax_system = system
            ref = self.add_order(marketplace_id=US, tax_rate=0, facilitator=facilitator, lines=[line])
            item = self.sim_order(ref)["items"][0]
            self.assertEqual(item["ItemTax"]["Amount"], "0.00")
            self.assertNotIn("ShippingTax", item, "Amazon leaves out a tax that does not apply")
            self.assertEqual(item["ShippingPrice"]["Amount"], "4.99")
            self.import_orders()
            order = self.order(ref)
            self.assertEqual(order.currency_id.name, "USD")
            self.assertIn(product, order.order_line.product_id)
            self.assertTrue(order.order_line.filtered("is_delivery"))
            self.assertFalse(order.order_line.tax_id, "no tax on any line, shipping included")
            self.assertEqual(order.amount_tax, 0.0)
            self.assertEqual(round(order.amount_total, 2), 2 * 20.0 + 4.99)
            self._assert_amazons_total(order, ref)

    def test_a_german_order_bears_19_percent_on_items_and_shipping(self):
        """Amazon.de: 19 % VAT inside the item's and the shipping's price, whatever the tax system
        (Odoo's: the default products have no tax of their own, so they follow Amazon)."""
        for system in ("marketplace", "odoo"):
            with self.subTest(system=system):
                self.instance.tax_system = system
                ref = self.add_order(
                    ship_to="DE",
                    lines=[
                        {"sku": self.sku, "quantity": 2, "price": 23.80, "shipping": 4.99},
                        {"sku": self.sku, "quantity": 1, "price": 9.99, "shipping": 2.50},
                    ],
                )
                self.import_orders()
                order, items = self.order(ref), self.sim_order(ref)["items"]
                self.assertTrue(all(amount(i["ShippingTax"]) > 0 for i in items))
                self.assertEqual(len(order.order_line.filtered("is_delivery")), 1)
                for line in order.order_line:
                    self.assertEqual(
                        [(t.amount, t.price_include) for t in line.tax_id], [(19.0, True)], line.name
                    )
                    self.assertEqual(
                        line.tax_id.tax_group_id.name, "VAT 19%", "the group of the company's 19 %"
                    )
                self.assertEqual(
                    round(order.amount_tax, 2), round(self._collected(ref), 2), "Amazon's VAT, to the cent"
                )
                self._assert_amazons_total(order, ref)

    def test_each_line_bears_its_own_rate(self):
        """A book at 7 % next to an item at 19 % (Amazon states each item's tax): each line its
        rate, shipping the rate Amazon charged on it."""
        self.instance.tax_system = "marketplace"
        ref = self.add_order(
            ship_to="DE",
            lines=[
                {"sku": self.sku, "quantity": 1, "price": 21.40, "tax_rate": 7},
                {"sku": self.sku, "quantity": 1, "price": 11.90, "shipping": 3.57},
            ],
        )
        self.import_orders()
        order = self.order(ref)
        rates = sorted(order.order_line.filtered(lambda l: not l.is_delivery).tax_id.mapped("amount"))
        self.assertEqual(rates, [7.0, 19.0])
        self.assertEqual(order.order_line.filtered("is_delivery").tax_id.amount, 19.0)
        self._assert_amazons_total(order, ref)

    def test_a_line_paired_later_gets_the_taxes_its_import_would_have(self):
        """Pair Listings: with Amazon's taxes the line keeps the 7 % Amazon charged (not the
        product's 19 %, not none); with Odoo's the product's tax, as an import would give it."""
        book = self.env["product.product"].create(
            {"name": "Book", "default_code": "BOOK-1", "type": "consu", "taxes_id": [(6, 0, self.vat19.ids)]}
        )
        for system, expected in (("marketplace", 7.0), ("odoo", 19.0)):
            with self.subTest(system=system):
                self.instance.tax_system = system
                ref = self.add_order(
                    ship_to="DE", lines=[{"sku": self.sku, "quantity": 1, "price": 21.40, "tax_rate": 7}]
                )
                self.import_orders()
                order = self.order(ref)
                line = order.order_line.filtered("marketplace_needs_matching")
                self.assertEqual(line.tax_id.mapped("amount"), [7.0], "Amazon's 7 % on the default product")
                wizard = (
                    self.env["marketplace.pair.listing"]
                    .with_context(active_model="sale.order.line", active_ids=line.ids)
                    .create({})
                )
                wizard.line_ids.product_id = book
                wizard.action_apply()
                self.assertEqual(line.product_id, book)
                self.assertEqual([(t.amount, t.price_include) for t in line.tax_id], [(expected, True)])
                self.assertEqual(line.price_unit, 21.40, "the marketplace's price")
                if system == "marketplace":
                    self._assert_amazons_total(order, ref)
                self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)]).unlink()

    def test_cash_on_delivery_is_not_marked_paid(self):
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {
                "name": "Invoice and pay",
                "confirm_order": True,
                "create_invoice": True,
                "validate_invoice": True,
                "register_payment": True,
                "journal_id": bank.id,
            }
        )
        paid, cod = self.add_order(), self.add_order(payment_method="COD")
        self.import_orders()
        self.assertEqual(self.order(paid).marketplace_payment_status, "paid")
        self.assertIn(self.order(paid).invoice_ids.payment_state, ("paid", "in_payment"))
        order = self.order(cod)
        self.assertEqual(order.marketplace_payment_status, "unpaid")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(order.invoice_ids.payment_state, "not_paid", "the buyer pays the carrier later")
