import time

from odoo import Command, fields
from odoo.tests import tagged

from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolOrders(BolCase):
    def setUp(self):
        super().setUp()
        self.confirm()

    def test_fbr_and_fbb_orders_arrive_with_their_prefix_and_warehouse(self):
        fbr = self.add_orders(lines=2)["orders"][0]
        fbb = self.add_orders(fulfilment_method="FBB", status="SHIPPED")["orders"][0]
        self.import_orders()
        sale = self.order(fbr)
        self.assertEqual(sale.name, "BOL-%s" % fbr)
        self.assertEqual(sale.warehouse_id, self.instance.warehouse_id)
        self.assertEqual(sale.state, "sale")
        self.assertIn(sale.picking_ids.state, ("assigned", "confirmed"), "the merchant ships FBR orders")
        self.assertEqual(sale.picking_ids.location_id, self.instance.warehouse_id.lot_stock_id)
        self.assertEqual(len(sale.order_line), 2)
        fbb_sale = self.order(fbb)
        self.assertEqual(fbb_sale.name, "BOLFBB-%s" % fbb)
        self.assertEqual(fbb_sale.marketplace_fulfilment, "marketplace")
        self.assertEqual(
            (sale.marketplace_status, fbb_sale.marketplace_status), ("Open", "Shipped"), "in words"
        )
        self.assertEqual(fbb_sale.warehouse_id, self.instance.marketplace_warehouse_id)
        self.assertEqual(
            fbb_sale.picking_ids.mapped("state"), ["done"], "Bol shipped it from the FBB warehouse"
        )
        self.assertEqual(
            fbb_sale.picking_ids.location_id, self.instance.marketplace_warehouse_id.lot_stock_id
        )
        # Read again (a later change at Bol): no second order, no second delivery.
        self.set_status(fbb, "SHIPPED")
        self.rewind()
        self.import_orders()
        self.assertEqual(len(self.orders()), 2)
        self.assertEqual(len(fbb_sale.picking_ids), 1)

    def test_fbb_orders_wait_until_bol_shipped_them(self):
        fbb = self.add_orders(fulfilment_method="FBB", status="OPEN")["orders"][0]
        self.import_orders()
        self.assertFalse(self.order(fbb))
        self.set_status(fbb, "SHIPPED")
        self.rewind()
        self.import_orders()
        self.assertTrue(self.order(fbb))

    def test_a_mixed_order_becomes_one_order_per_fulfilment_method(self):
        created = self.add_orders(fulfilment_method="MIXED", lines=2)
        order_id = created["orders"][0]
        fbr_item, fbb_item = created["order_items"][order_id]
        self.set_status(order_id, "SHIPPED", order_item_ids=[fbb_item])
        self.import_orders()
        fbr, fbb = self.order(order_id), self.order(order_id + "-FBB")
        self.assertEqual(fbr.order_line.marketplace_line_ref, fbr_item)
        self.assertEqual(fbb.order_line.marketplace_line_ref, fbb_item)
        self.assertEqual((fbr.name, fbb.name), ("BOL-%s" % order_id, "BOLFBB-%s" % order_id))
        self.assertEqual(fbb.picking_ids.state, "done")

    def test_only_the_configured_fulfilment_methods_are_imported(self):
        self.instance.bol_fulfilment = "FBR"
        fbr = self.add_orders()["orders"][0]
        fbb = self.add_orders(fulfilment_method="FBB", status="SHIPPED")["orders"][0]
        self.import_orders()
        self.assertTrue(self.order(fbr))
        self.assertFalse(self.order(fbb))

    def test_orders_are_read_page_by_page_with_one_call_for_each_order(self):
        self.add_orders(count=60, lines=[{"ean": self.fbr_offers[0]["ean"]}])
        self.import_orders()
        self.assertEqual(len(self.orders()), 60)
        log = self.last_log("import_orders")
        # token + FBR pages (50 + 10) + the FBB page + one detail per order
        self.assertLessEqual(log.api_calls, 60 + 4)
        self.assertEqual(log.throttled_calls, 0)
        self.rewind()
        self.instance.action_import_orders()
        self.assertLessEqual(self.last_log("import_orders").api_calls, 3, "known orders cost no detail call")

    def test_a_company_buyer_becomes_a_company_contact_with_its_vat_and_reference(self):
        created = self.add_orders(
            b2b=True,
            country="NL",
            billing_details={"orderReference": "PO-4711"},
            shipment_details={
                "streetName": "Magazijnweg",
                "houseNumber": "7",
                "firstName": "Inge",
                "surname": "Ontvanger",
            },
        )
        self.import_orders()
        sale = self.order(created["orders"][0])
        billing = self.sim_order(created["orders"][0])["order"]["billingDetails"]
        company = sale.partner_id.parent_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, billing["company"])
        self.assertEqual(company.vat, billing["vatNumber"])
        self.assertEqual(company.company_registry, billing["kvkNumber"])
        self.assertEqual(sale.client_order_ref, "PO-4711")
        delivery = sale.partner_shipping_id
        self.assertEqual(delivery.name, "Inge Ontvanger")
        self.assertEqual(delivery.street, "Magazijnweg 7")
        self.assertNotEqual(delivery, sale.partner_invoice_id)

    def test_an_unknown_ean_fails_its_line_naming_the_ean(self):
        created = self.add_orders(lines=[{"ean": self.unknown["ean"]}])["orders"][0]
        self.import_orders()
        line = self.queue_lines().filtered(lambda l: l.name == created)
        self.assertEqual(line.state, "failed")
        self.assertIn(self.unknown["ean"], line.error)
        self.assertFalse(self.order(created))
        # Allowed to create products: Retry creates it and the order.
        self.instance.create_products = True
        line.action_retry()
        self.assertEqual(line.state, "done")
        product = self.order(created).order_line.product_id
        self.assertEqual(product.barcode, self.unknown["ean"])

    def test_prices_include_vat_and_can_become_tax_excluded_unit_prices(self):
        tax = self.env["account.tax"].create(
            {"name": "BTW 21%", "amount": 21, "type_tax_use": "sale", "price_include": False}
        )
        offer = self.fbr_offers[0]
        self.product(offer).taxes_id = tax
        # default: the total is Bol's to the cent (a tax-included twin of the product's tax)
        first = self.add_orders(lines=[{"ean": offer["ean"], "unit_price": 10.0, "quantity": 3}])["orders"][0]
        self.import_orders()
        sale = self.order(first)
        self.assertEqual(sale.amount_total, 30.0)
        self.assertFalse(sale.marketplace_sync_error)
        # "Managing Excluded Taxes on Odoo Product?": the product's own tax, a tax-excluded price
        self.instance.bol_excluded_taxes = True
        second = self.add_orders(lines=[{"ean": offer["ean"], "unit_price": 10.0, "quantity": 3}])["orders"][
            0
        ]
        self.rewind()
        self.import_orders()
        sale = self.order(second)
        line = sale.order_line
        self.assertEqual(line.tax_id, tax)
        self.assertAlmostEqual(line.price_unit, 8.26, places=2)
        self.assertAlmostEqual(sale.amount_total, 29.98, places=2)
        self.assertTrue(sale.marketplace_sync_error, "the rounding difference is flagged, not silently kept")
        self.assertIn("30.00", sale.marketplace_sync_message)

    def test_dutch_vat_inside_bols_prices(self):
        """Bol.com states no tax: its prices include VAT and the product's VAT applies (21 % in the
        Netherlands, Belgium's for a buyer there: fiscal position), whatever the tax system, as a
        tax-included twin, so that the total is Bol's to the cent. A product without tax gets none
        (never the company's default tax)."""
        company = self.env.company
        group = self.env["account.tax.group"].create({"name": "BTW 21%", "company_id": company.id})
        nl21 = self.env["account.tax"].create(
            {"name": "21% NL", "amount": 21, "type_tax_use": "sale", "tax_group_id": group.id}
        )
        be21 = self.env["account.tax"].create(
            {"name": "21% BE (OSS)", "amount": 21, "type_tax_use": "sale", "tax_group_id": group.id}
        )
        self.env["account.fiscal.position"].create(
            {
                "name": "Belgium (OSS)",
                "auto_apply": True,
                "country_id": self.env.ref("base.be").id,
                "tax_ids": [Command.create({"tax_src_id": nl21.id, "tax_dest_id": be21.id})],
            }
        )
        taxed, untaxed = self.fbr_offers[0], self.fbr_offers[1]
        self.product(taxed).taxes_id = nl21
        self.product(untaxed).taxes_id = False
        self.confirm()
        for system in ("odoo", "marketplace"):
            with self.subTest(system=system):
                self.instance.tax_system = system
                dutch = self.add_orders(
                    country="NL",
                    lines=[
                        {"ean": taxed["ean"], "unit_price": 12.99, "quantity": 3},
                        {"ean": untaxed["ean"], "unit_price": 5.00},
                    ],
                )["orders"][0]
                belgian = self.add_orders(country="BE", lines=[{"ean": taxed["ean"], "unit_price": 7.49}])[
                    "orders"
                ][0]
                self.rewind()
                self.import_orders()
                for order_id, vat in ((dutch, nl21), (belgian, be21)):
                    sale, bol = self.order(order_id), self.sim_order(order_id)
                    self.assertEqual(sale.partner_shipping_id.country_id.code, "NL" if vat == nl21 else "BE")
                    line = sale.order_line.filtered(lambda l: l.product_id == self.product(taxed))
                    self.assertEqual(line.tax_id.mapped("amount"), [21.0])
                    self.assertTrue(line.tax_id.price_include, "Bol's prices include VAT")
                    self.assertEqual(line.tax_id.name, "%s (incl.)" % vat.name)
                    total = round(sum(i["totalPrice"] for i in bol["order"]["orderItems"]), 2)
                    self.assertEqual(round(sale.amount_total, 2), total, "Bol's total, to the cent")
                    self.assertFalse(sale.marketplace_sync_error, sale.marketplace_sync_message)
                dutch_sale = self.order(dutch)
                self.assertEqual(
                    round(dutch_sale.amount_tax, 2), round(3 * 12.99 - round(3 * 12.99 / 1.21, 2), 2)
                )
                self.assertFalse(
                    dutch_sale.order_line.filtered(lambda l: l.product_id == self.product(untaxed)).tax_id,
                    "a product without tax gets none",
                )

    def test_a_cancellation_request_before_the_import_is_confirmed_and_left_out(self):
        created = self.add_orders(lines=2)
        order_id = created["orders"][0]
        cancelled, kept = created["order_items"][order_id]
        self.set_status(order_id, "request_cancellation", order_item_ids=[cancelled])
        self.import_orders()
        sale = self.order(order_id)
        self.assertEqual(sale.order_line.mapped("marketplace_line_ref"), [kept])
        self.assertEqual(len(sale.picking_ids.move_ids), 1)
        items = {i["orderItemId"]: i for i in self.sim_order(order_id)["order"]["orderItems"]}
        self.assertEqual(
            items[cancelled]["quantityCancelled"],
            items[cancelled]["quantity"],
            "the cancellation was confirmed to Bol.com",
        )
        self.assertEqual(items[kept]["quantityCancelled"], 0)
        log = self.last_log("process_queues")
        self.assertIn("confirmed to Bol.com", " ".join(log.line_ids.mapped("message")))

    def test_a_cancellation_request_after_the_import_removes_the_item_from_order_and_delivery(self):
        created = self.add_orders(lines=2)
        order_id = created["orders"][0]
        cancelled, kept = created["order_items"][order_id]
        self.import_orders()
        sale = self.order(order_id)
        self.assertEqual(len(sale.picking_ids.move_ids), 2)
        time.sleep(1)
        self.set_status(order_id, "request_cancellation", order_item_ids=[cancelled])
        self.rewind()
        self.import_orders()
        line = sale.order_line.filtered(lambda l: l.marketplace_line_ref == cancelled)
        self.assertEqual(line.product_uom_qty, 0)
        moves = sale.picking_ids.move_ids
        self.assertEqual(moves.filtered(lambda m: m.sale_line_id == line).state, "cancel")
        self.assertNotEqual(
            moves.filtered(lambda m: m.sale_line_id.marketplace_line_ref == kept).state, "cancel"
        )
        self.assertEqual(sale.state, "sale")
        # the customer cancels the rest: nothing is left, the whole order is cancelled
        time.sleep(1)  # Bol dates changes to the second: a later change
        self.set_status(order_id, "request_cancellation", order_item_ids=[kept])
        self.rewind()
        self.import_orders()
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel")
        self.assertEqual(self.sim_order(order_id)["status"], "CANCELLED")

    def test_an_item_odoo_already_shipped_is_not_cancelled(self):
        created = self.add_orders(lines=1)
        order_id = created["orders"][0]
        self.import_orders()
        sale = self.order(order_id)
        picking = sale.picking_ids
        picking.move_ids.write({"quantity": picking.move_ids.product_uom_qty, "picked": True})
        picking._action_done()
        self.set_status(order_id, "request_cancellation")
        self.rewind()
        self.import_orders()
        self.assertEqual(
            self.sim_order(order_id)["status"], "CANCELLATION_REQUESTED", "not confirmed to Bol.com"
        )
        self.assertEqual(sale.order_line.product_uom_qty, 1)

    def test_a_product_whose_ean_was_corrected_takes_its_orders_by_offer_reference(self):
        offer = next(o for o in self.fbr_offers if o["reference"] and o is not self.unknown)
        product = self.product(offer)
        product.write(
            {"barcode": "4006381333931", "default_code": offer["reference"]}
        )  # the EAN corrected in Odoo
        self.instance.create_products = True
        order_id = self.add_orders(lines=[{"offer_id": offer["offerId"]}])["orders"][0]
        self.import_orders()
        self.assertEqual(
            self.order(order_id).order_line.product_id, product, "matched by the offer reference"
        )
        Product = self.env["product.product"].with_context(active_test=False)
        self.assertEqual(
            Product.search([("default_code", "=", offer["reference"])]), product, "not created again"
        )
        self.assertFalse(Product.search([("barcode", "=", offer["ean"])]))

    def test_an_order_for_an_archived_product_waits_with_the_reason(self):
        offer = self.fbr_offers[0]
        product = self.product(offer)
        product.active = False
        self.instance.create_products = True
        order_id = self.add_orders(lines=[{"offer_id": offer["offerId"]}])["orders"][0]
        self.import_orders()
        self.assertFalse(self.order(order_id), "not imported onto the archived product")
        line = self.queue_lines().filtered(lambda l: l.name == order_id)
        self.assertEqual(line.state, "failed")
        self.assertIn("%s, the product of" % product.display_name, line.error)
        self.assertIn("is archived", line.error)
        product.active = True
        line.action_retry()
        self.assertEqual(self.order(order_id).order_line.product_id, product)

    def test_queued_orders_wake_the_process_queues_cron(self):
        cron = self.job("process_queues").cron_id
        self.assertTrue(cron.active)
        Trigger = self.env["ir.cron.trigger"].sudo()
        self.import_orders()
        before = Trigger.search([("cron_id", "=", cron.id)])
        self.import_orders()  # nothing new on Bol.com: no wake-up
        self.assertEqual(Trigger.search([("cron_id", "=", cron.id)]), before)
        self.add_orders(count=2)
        self.import_orders()
        woken = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(woken), 1, "one wake-up for the run, not one per order")
        self.assertLessEqual(woken.call_at, fields.Datetime.now())

    def test_recover_an_order_by_its_reference(self):
        order_id = self.add_orders(minutes_ago=600)["orders"][0]  # outside the window read
        self.import_orders()
        self.assertFalse(self.order(order_id))
        # Marketplaces > Recover Order, as a merchant does it
        wizard = self.env["marketplace.recover.order"].create(
            {"instance_id": self.instance.id, "reference": " %s " % order_id}
        )
        action = wizard.action_recover()
        sale = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(sale.marketplace_order_ref, order_id)
