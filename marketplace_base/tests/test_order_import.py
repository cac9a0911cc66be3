from odoo.tests import tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderImport(OrderCase):
    # partners ------------------------------------------------------------------------------------
    def test_a_failing_order_among_many_spoils_none_of_its_neighbours(self):
        """Orders are processed in groups under one savepoint: a failure in the middle of a group
        undoes the group, and each of its orders is done again on its own, exactly once."""
        refs = ["GRP-%02d" % n for n in range(1, 31)]
        orders = [
            self._order(ref, customer={"name": "Buyer %s" % ref, "email": "%s@example.com" % ref.lower()})
            for ref in refs
        ]
        orders[12] = self._order("GRP-13", currency="XXX")  # an unknown currency: its line fails
        orders[25] = self._order("GRP-26", currency="XXX")
        sales, lines = self._import(*orders)
        failed = lines.filtered(lambda l: l.state == "failed")
        self.assertEqual(sorted(failed.mapped("name")), ["GRP-13", "GRP-26"])
        self.assertTrue(all("XXX" in line.error for line in failed), failed.mapped("error"))
        self.assertEqual(len(sales), 28)
        self.assertEqual(
            sorted(sales.mapped("marketplace_order_ref")), sorted(set(refs) - {"GRP-13", "GRP-26"})
        )
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "like", "grp-%@example.com")]),
            28,
            "no customer of an undone group was left behind or made twice",
        )
        self.assertEqual(set(lines.filtered(lambda l: l.state == "done").mapped("attempts")), {1})
        log = self.env["marketplace.log"].search(
            [("instance_id", "=", self.instance.id)], order="id desc", limit=1
        )
        self.assertEqual((log.success_count, log.error_count), (28, 2))

    def test_returning_buyer_is_one_customer_with_address_children(self):
        receivable = self.env["account.account"].create(
            {
                "name": "Marketplace receivable",
                "code": "MPREC1",
                "account_type": "asset_receivable",
                "reconcile": True,
            }
        )
        self.instance.receivable_account_id = receivable
        delivery = {
            "name": "Zoë Müller",
            "street": "Dorpsweg 7",
            "city": "Łódź",
            "zip": "90-001",
            "country_code": "PL",
        }
        first = self._import_one(self._order("A-1", delivery_address=delivery))
        second = self._import_one(self._order("A-2", delivery_address=delivery))
        self.assertEqual(first.partner_id, second.partner_id, "no duplicate partner for the same buyer")
        customer = first.partner_id
        self.assertEqual(customer.email, "zoe@example.com")
        self.assertEqual(customer.property_account_receivable_id, receivable)
        self.assertEqual(first.partner_invoice_id, customer, "the customer holds the billing address")
        self.assertEqual(customer.street, "Kanaalstraat 1")
        self.assertEqual(first.partner_shipping_id.parent_id, customer)
        self.assertEqual(first.partner_shipping_id.type, "delivery")
        self.assertEqual(first.partner_shipping_id.city, "Łódź")
        self.assertEqual(first.partner_shipping_id, second.partner_shipping_id, "same address, same child")
        other = dict(delivery, street="Nowa 3")
        third = self._import_one(self._order("A-3", delivery_address=other))
        self.assertEqual(third.partner_id, customer)
        self.assertNotEqual(third.partner_shipping_id, first.partner_shipping_id)

    def test_company_contact_for_business_buyers(self):
        self.instance.create_company_contact = True
        address = {
            "name": "Jan Jansen",
            "company": "Jansen B.V.",
            "vat": "NL123456789B01",
            "street": "Markt 1",
            "city": "Gouda",
            "zip": "2801 JK",
            "country_code": "NL",
        }
        sale = self._import_one(
            self._order(
                "B-1", customer={"name": "Jan Jansen", "email": "jan@jansen.nl"}, invoice_address=address
            )
        )
        person = sale.partner_id
        self.assertEqual(person.parent_id.name, "Jansen B.V.")
        self.assertTrue(person.parent_id.is_company)
        self.assertEqual(person.commercial_partner_id.vat, "NL123456789B01")

    def test_undisclosed_buyer_gets_the_anonymous_customer(self):
        sale = self._import_one(self._order("C-1", customer={}, invoice_address=None))
        self.assertEqual(sale.partner_id, self.instance.anonymous_partner_id)
        again = self._import_one(self._order("C-2", customer={}, invoice_address=None))
        self.assertEqual(again.partner_id, sale.partner_id)

    # products ------------------------------------------------------------------------------------
    def test_listing_wins_then_sku_then_barcode(self):
        bound = self.products[2]
        self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": "WID-1", "product_id": bound.id}
        )
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 5},  # listing says product 3
            {"sku": "WID-2", "quantity": 1, "unit_price": 5},  # internal reference
            {"sku": "ZZZ", "barcode": self.products[0].barcode, "quantity": 1, "unit_price": 5},
        ]
        self.instance.sync_listings_on = "both"
        sale = self._import_one(self._order("P-1", lines=lines))
        self.assertEqual(sale.order_line.mapped("product_id"), bound | self.products[1] | self.products[0])
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(
            sorted(listings.mapped("sku")), ["WID-1", "WID-2", "ZZZ"], "pairings found become listings"
        )

    def test_barcode_is_ignored_when_matching_by_sku(self):
        self.instance.sync_listings_on = "sku"
        lines = [
            {
                "sku": "NOPE",
                "barcode": self.products[0].barcode,
                "name": "Mystery",
                "quantity": 1,
                "unit_price": 5,
            }
        ]
        sale = self._import_one(self._order("P-2", lines=lines))
        line = sale.order_line
        self.assertEqual(line.product_id, self.env.ref("marketplace_base.product_marketplace_default"))
        self.assertIn("[NOPE] Mystery", line.name, "the line keeps the marketplace's name and SKU")
        self.assertEqual(line.price_unit, 5)

    def test_unknown_item_creates_product_when_asked(self):
        self.instance.create_products = True
        lines = [{"sku": "BRAND-NEW", "name": "Brand new thing", "quantity": 1, "unit_price": 7.5}]
        sale = self._import_one(self._order("P-3", lines=lines))
        self.assertEqual(sale.order_line.product_id.default_code, "BRAND-NEW")
        self.assertEqual(sale.order_line.product_id.type, "product")

    # names --------------------------------------------------------------------------------------------
    def test_order_names_follow_sequence_and_prefixes(self):
        self.instance.write(
            {
                "order_prefix": "BOL-",
                "marketplace_order_prefix": "FBB-",
                "marketplace_warehouse_id": self._marketplace_warehouse().id,
            }
        )
        merchant = self._import_one(self._order("12345", name="12345"))
        by_marketplace = self._import_one(self._order("67890", fulfilment="marketplace"))
        self.assertEqual(merchant.name, "BOL-12345")
        self.assertEqual(by_marketplace.name, "FBB-67890")
        self.instance.use_marketplace_sequence = False
        odoo_named = self._import_one(self._order("55555"))
        self.assertNotIn("55555", odoo_named.name)
        self.assertEqual(odoo_named.client_order_ref, "55555")
        self.assertEqual(odoo_named.marketplace_order_ref, "55555")

    def test_order_settings_are_applied(self):
        team = self.env["crm.team"].create({"name": "Marketplace team"})
        term = self.env.ref("account.account_payment_term_30days")
        analytic_plan = self.env["account.analytic.plan"].create({"name": "Channels"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Marketplace", "plan_id": analytic_plan.id}
        )
        self.instance.write(
            {"team_id": team.id, "payment_term_id": term.id, "analytic_account_id": analytic.id}
        )
        sale = self._import_one(self._order("S-1"))
        self.assertEqual(sale.team_id, team)
        self.assertEqual(sale.payment_term_id, term)
        self.assertEqual(sale.user_id, self.instance.user_id)
        self.assertEqual(sale.pricelist_id.currency_id, self.eur)
        self.assertEqual(sale.order_line.analytic_distribution, {str(analytic.id): 100})
        self.assertEqual(sale.warehouse_id, self.instance.warehouse_id)

    def test_orders_before_import_after_are_skipped(self):
        self.instance.import_orders_after = "2026-11-21 00:00:00"
        sales, lines = self._import(self._order("OLD-1"))
        self.assertFalse(sales)
        self.assertEqual(lines.state, "done")

    # special lines ---------------------------------------------------------------------------------------
    def test_shipping_gift_wrap_and_gift_message(self):
        order = self._order(
            "G-1",
            lines=[
                {
                    "sku": "WID-1",
                    "quantity": 1,
                    "unit_price": 20,
                    "gift_message": "Happy birthday!",
                    "gift_wrap": {"amount": 3},
                }
            ],
            shipping={"amount": 5, "discount": 1},
            gift_message="With love",
        )
        self.instance.tax_system = "marketplace"
        sale = self._import_one(order)
        shipping = sale.order_line.filtered("is_delivery")
        self.assertEqual(shipping.product_id, self.env.ref("marketplace_base.product_marketplace_delivery"))
        self.assertEqual(shipping.price_unit, 4.0, "shipping less its discount")
        wrap = sale.order_line.filtered(
            lambda l: l.product_id == self.env.ref("marketplace_base.product_marketplace_gift_wrap")
        )
        self.assertEqual(wrap.price_unit, 3.0)
        item = sale.order_line.filtered(lambda l: l.product_id == self.product)
        self.assertEqual(item.marketplace_gift_message, "Happy birthday!")
        sale.action_confirm()
        self.assertIn("With love", sale.picking_ids.marketplace_gift_message)
        self.assertIn("Happy birthday!", sale.picking_ids.marketplace_gift_message)

    def test_delivery_product_and_shipping_code(self):
        express = self.env["product.product"].create(
            {"name": "Express", "default_code": "Expedited", "type": "service"}
        )
        order = self._order("G-2", shipping={"amount": 6, "code": "Expedited"})
        sale = self._import_one(order)
        self.assertEqual(sale.order_line.filtered("is_delivery").product_id, express)

    def test_gift_certificate_and_custom_items(self):
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 30},
            {"name": "Engraving", "quantity": 1, "unit_price": 4, "custom": True},
            {"name": "Hand-made vase", "quantity": 1, "unit_price": 25, "custom": True, "storable": True},
        ]
        self.instance.tax_system = "marketplace"
        sale = self._import_one(
            self._order("GC-1", lines=lines, gift_certificates=[{"code": "GIFT10", "amount": 10}])
        )
        by_product = {l.product_id: l for l in sale.order_line}
        certificate = by_product[self.env.ref("marketplace_base.product_marketplace_gift_certificate")]
        self.assertEqual(certificate.price_unit, -10)
        self.assertEqual(
            by_product[self.env.ref("marketplace_base.product_marketplace_custom")].name, "Engraving"
        )
        self.assertEqual(
            by_product[self.env.ref("marketplace_base.product_marketplace_custom_storable")].price_unit, 25
        )
        self.assertEqual(sale.amount_total, 30 + 4 + 25 - 10)

    def test_promotion_is_a_discount_line(self):
        lines = [{"sku": "WID-1", "quantity": 2, "unit_price": 10, "discount": 3}]
        self.instance.tax_system = "marketplace"
        sale = self._import_one(self._order("PR-1", lines=lines, total=17))
        promo = sale.order_line.filtered(
            lambda l: l.product_id == self.env.ref("marketplace_base.product_marketplace_discount")
        )
        self.assertEqual(promo.price_subtotal, -3)
        self.assertEqual(sale.amount_total, 17)
        self.assertFalse(sale.marketplace_sync_error)

    # status and idempotency -------------------------------------------------------------------------
    def test_same_order_twice_is_updated_not_duplicated(self):
        sale = self._import_one(self._order("D-1", status="Unshipped"))
        sales, lines = self._import(self._order("D-1", status="Shipped"))
        self.assertEqual(sales, sale)
        self.assertEqual(lines.state, "done")
        self.assertEqual(sale.marketplace_status, "Shipped")
        self.assertEqual(self.env["sale.order"].search_count([("marketplace_order_ref", "=", "D-1")]), 1)

    def test_cancelled_before_shipping_cancels_the_order(self):
        sale = self._import_one(self._order("X-1"))
        sale.action_confirm()
        self._import(self._order("X-1", cancelled=True, status="Canceled"))
        self.assertEqual(sale.state, "cancel")
        self.assertFalse(sale.marketplace_sync_error)

    def test_cancelled_after_shipping_is_flagged(self):
        sale = self._import_one(self._order("X-2"))
        sale.action_confirm()
        picking = sale.picking_ids
        picking.move_ids.write({"quantity": 2, "picked": True})
        picking._action_done()
        self._import(self._order("X-2", cancelled=True))
        self.assertEqual(sale.state, "sale")
        self.assertTrue(sale.marketplace_sync_error)
        self.assertIn("after it shipped", sale.marketplace_sync_message)

    def test_cancelled_order_never_seen_is_not_created(self):
        sales, lines = self._import(self._order("X-3", cancelled=True))
        self.assertFalse(sales)
        self.assertEqual(lines.state, "done")

    def test_malformed_order_fails_with_a_readable_error(self):
        bad = self._order("M-1")
        del bad["lines"]
        bad_qty = self._order("M-2", lines=[{"sku": "WID-1", "quantity": 0, "unit_price": 1}])
        _sales, lines = self._import(bad, bad_qty, self._order("M-3"))
        by_ref = {l.name: l for l in lines}
        self.assertEqual(by_ref["M-1"].state, "failed")
        self.assertIn("lines", by_ref["M-1"].error)
        self.assertIn("quantity", by_ref["M-2"].error)
        self.assertEqual(by_ref["M-3"].state, "done")

    # marketplace-fulfilled --------------------------------------------------------------------------
    def _marketplace_warehouse(self):
        return self.env["stock.warehouse"].search([("code", "=", "MPF")], limit=1) or self.env[
            "stock.warehouse"
        ].create({"name": "Marketplace fulfilment", "code": "MPF"})

    def test_marketplace_fulfilled_order_leaves_the_marketplace_warehouse(self):
        warehouse = self._marketplace_warehouse()
        self.instance.marketplace_warehouse_id = warehouse
        sale = self._import_one(self._order("F-1", fulfilment="marketplace"))
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.warehouse_id, warehouse)
        self.assertEqual(sale.picking_ids.state, "done")
        self.assertEqual(sale.picking_ids.location_id, warehouse.lot_stock_id)
        self.assertEqual(sale.order_line.qty_delivered, 2)

    def test_tracked_products_do_not_block_marketplace_fulfilled_orders(self):
        self.instance.marketplace_warehouse_id = self._marketplace_warehouse()
        self.products[1].tracking = "lot"
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 5},
            {"sku": "WID-2", "quantity": 1, "unit_price": 5},
        ]
        sale = self._import_one(self._order("F-2", fulfilment="marketplace", lines=lines))
        self.assertTrue(sale.marketplace_sync_error)
        self.assertIn(self.products[1].display_name, sale.marketplace_sync_message)
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        waiting = sale.picking_ids - done
        self.assertEqual(done.move_ids.product_id, self.products[0])
        self.assertEqual(waiting.move_ids.product_id, self.products[1])
