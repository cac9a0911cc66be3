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
        self.vat19 = self.env["account.tax"].create({"name": "VAT 19%", "amount": 19.0, "type_tax_use": "sale",
                                                     "company_id": company.id})
        company.account_sale_tax_id = self.vat19
        # Amazon's default products as installed (no tax): Confirm gives them the company's sales tax
        self.defaults = self.env["product.product"].browse([self.env.ref("marketplace_amazon.%s" % xmlid).id for xmlid in (
            "product_amazon_sale", "product_amazon_shipping", "product_amazon_gift_wrap")])
        self.defaults.write({"taxes_id": [(5, 0, 0)]})
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create({"name": "Confirm", "confirm_order": True})
        self.sku = sorted(self.sim_state()["offers"])[0]

    def _collected(self, ref):
        """The tax Amazon keeps of an order (marketplace facilitator)."""
        return sum(amount(i.get("ItemTax")) + amount(i.get("ShippingTax")) - amount(i.get("PromotionDiscountTax"))
                   - amount(i.get("ShippingDiscountTax")) + amount((i.get("BuyerInfo") or {}).get("GiftWrapTax"))
                   for i in self.sim_order(ref)["items"])

    def test_a_business_buyer_is_filed_under_its_company_with_its_vat_number(self):
        ref = self.add_order(business=True, vat="DE811569869", lines=1)
        self.import_orders()
        order, amazon = self.order(ref), self.sim_order(ref)["order"]
        tax_info = amazon["BuyerInfo"]["BuyerTaxInfo"]
        company = order.partner_id.parent_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, tax_info["CompanyLegalName"])
        self.assertEqual(company.vat, "DE811569869")
        self.assertEqual(order.partner_id.name, amazon["ShippingAddress"]["Name"], "the buyer, a contact of it")
        self.assertEqual(order.partner_invoice_id.commercial_partner_id, company, "invoiced to the company")
        self.assertEqual(order.client_order_ref, amazon["BuyerInfo"]["PurchaseOrderNumber"])

    def test_an_fba_order_without_a_name_keeps_its_destination_for_the_fiscal_position(self):
        austria = self.env.ref("base.at")
        oss = self.env["account.fiscal.position"].create({
            "name": "OSS Austria", "auto_apply": True, "country_id": austria.id, "company_id": self.env.company.id,
            "tax_ids": [(0, 0, {"tax_src_id": self.vat19.id, "tax_dest_id": self.env["account.tax"].create({
                "name": "AT VAT 20%", "amount": 20.0, "type_tax_use": "sale"}).id})],
        })
        ref = self.add_order(fulfillment_channel="AFN", status="Shipped", ship_to="AT", lines=1)
        self.import_orders()
        order = self.order(ref)
        self.assertEqual(order.partner_id, self.instance.anonymous_partner_id, "Amazon hides FBA buyers")
        self.assertEqual(order.partner_shipping_id.country_id, austria)
        self.assertEqual(order.fiscal_position_id, oss, "one-stop-shop rules apply")

    def test_tax_amazon_collects_is_not_the_sellers_and_the_total_still_reconciles(self):
        self.instance.tax_system = "marketplace"
        # Amazon.com: Amazon collects US sales tax as marketplace facilitator
        us = self.add_order(marketplace_id=US, lines=[{"sku": self.sku, "quantity": 2, "price": 20.0, "shipping": 4.99}])
        # Amazon.co.uk: Amazon collects the VAT as deemed reseller; UK prices include it
        uk = self.add_order(marketplace_id=UK, facilitator=True,
                            lines=[{"sku": self.sku, "quantity": 3, "price": 10.0, "shipping": 3.99}])
        self.import_orders()
        for ref in (us, uk):
            order, amazon = self.order(ref), self.sim_order(ref)
            self.assertEqual(amazon["items"][0]["TaxCollection"]["Model"], "MarketplaceFacilitator")
            self.assertGreater(self._collected(ref), 0)
            self.assertFalse(order.order_line.tax_id, "not the seller's tax liability")
            self.assertEqual(order.amount_tax, 0.0)
            self.assertAlmostEqual(order.amount_total, amount(amazon["order"]["OrderTotal"]) - self._collected(ref),
                                   places=2, msg="Amazon's total less the tax it keeps")
            self.assertFalse(order.marketplace_sync_message, "the total reconciles: nothing flagged")
        item = self.sim_order(us)["items"][0]
        self.assertAlmostEqual(self.order(us).amount_total, amount(item["ItemPrice"]) + amount(item["ShippingPrice"])
                               - amount(item["PromotionDiscount"]) - amount(item["ShippingDiscount"]), places=2,
                               msg="what the seller is paid for it: the price, without the US sales tax")

    def test_shipping_and_gift_wrap_carry_their_vat_with_odoos_taxes(self):
        for product in self.defaults:
            self.assertEqual(product.taxes_id, self.vat19, product.name)
        self.assertEqual(self.instance.tax_system, "odoo")
        ref = self.add_order(gift=True, lines=[{"sku": self.sku, "quantity": 1, "price": 119.0, "shipping": 5.95}])
        self.import_orders()
        order, amazon = self.order(ref), self.sim_order(ref)
        shipping = order.order_line.filtered("is_delivery")
        wrap = order.order_line.filtered(lambda l: l.product_id == self.env.ref("marketplace_amazon.product_amazon_gift_wrap"))
        self.assertTrue(shipping and wrap)
        for line in shipping | wrap:
            self.assertEqual(line.tax_id.mapped("amount"), [19.0], line.name)
        vat = self._collected(ref)  # the VAT inside Amazon's prices (the seller's, here)
        self.assertAlmostEqual(order.amount_tax, vat, delta=0.02, msg="no VAT booked as untaxed revenue")
        self.assertAlmostEqual(order.amount_total, amount(amazon["order"]["OrderTotal"]), places=2)

    def test_cash_on_delivery_is_not_marked_paid(self):
        bank = self.env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", self.env.company.id)],
                                                  limit=1)
        self.instance.workflow_id = self.env["marketplace.workflow"].create({
            "name": "Invoice and pay", "confirm_order": True, "create_invoice": True, "validate_invoice": True,
            "register_payment": True, "journal_id": bank.id,
        })
        paid, cod = self.add_order(), self.add_order(payment_method="COD")
        self.import_orders()
        self.assertEqual(self.order(paid).marketplace_payment_status, "paid")
        self.assertIn(self.order(paid).invoice_ids.payment_state, ("paid", "in_payment"))
        order = self.order(cod)
        self.assertEqual(order.marketplace_payment_status, "unpaid")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(order.invoice_ids.payment_state, "not_paid", "the buyer pays the carrier later")
