from datetime import datetime, timedelta, timezone

import requests

from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommerceRefunds(BigCommerceCase):
    """Refunds made on BigCommerce become credit notes through Import Settlements: one per
    refund, for exactly what was refunded, paid back through the journal the order was paid in
    when BigCommerce refunded through the payment gateway; a refund of an order Odoo never
    imported waits with its reason. Over the simulator's real refund endpoints."""

    SIZES = {"orders": 0, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )
        self.workflow = self.env["marketplace.workflow"].create(
            {
                "name": "Invoice and pay",
                "confirm_order": True,
                "create_invoice": True,
                "validate_invoice": True,
                "register_payment": True,
                "journal_id": self.journal.id,
            }
        )
        self.instance.write(
            {
                "workflow_id": self.workflow.id,
                "tax_system": "marketplace",  # the VAT BigCommerce charged, hence refunds
                "order_status_ids": [(6, 0, self.statuses("Awaiting Fulfillment").ids)],
            }
        )
        skus = sorted(self.sim_state()["prices"])[:2]
        for sku in skus:
            self.product(sku, type="consu", invoice_policy="order")
        lines = [
            {"sku": skus[0], "quantity": 3, "price": 9.99},
            {"sku": skus[1], "quantity": 1, "price": 24.5},
        ]
        common = {
            "status": "Awaiting Fulfillment",
            "country": "DE",
            "b2b": False,
            "tax_inclusive": True,
            "gift": False,
            "coupon": 0,
            "gift_certificate": 0,
            "payment_method": "Credit Card",
            "payment_status": "captured",
            "customer_id": 42,
            "shipping_cost": 4.95,
            "handling_cost": 0,
            "lines": lines,
        }
        self.first, self.second = self.add_orders(dict(common, id=810001), dict(common, id=810002))
        self.import_orders()
        self.invoice = self.order(self.first).invoice_ids
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))

    # helpers ---------------------------------------------------------------------------------------
    def products(self, order_id):
        return self.sim_order(order_id)["products"]

    def refund(self, order_id, items, **extra):
        return self.sim("POST", "/_sim/bigcommerce/refund", dict(extra, order_id=order_id, items=items))[
            "refund"
        ]

    def import_settlements(self):
        self.instance.action_import_settlements()
        return self.credit_notes()

    def credit_notes(self):
        return self.env["account.move"].search(
            [("marketplace_refund_instance_id", "=", self.instance.id)], order="id"
        )

    def refunds(self):
        return self.env["marketplace.settlement.refund"].search([("instance_id", "=", self.instance.id)])

    def assertPaidBack(self, note):
        self.assertIn(note.payment_state, ("paid", "in_payment"))
        [payment] = note._get_reconciled_payments()
        self.assertEqual((payment.journal_id, payment.payment_type), (self.journal, "outbound"))

    # tests ------------------------------------------------------------------------------------------
    def test_a_full_refund_is_one_credit_note_paid_back(self):
        made = self.refund(self.first, "all", reason="Order cancelled by the buyer")
        [note] = self.import_settlements()
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.marketplace_refund_ref, str(made["id"]))
        self.assertEqual(note.invoice_origin, self.order(self.first).name)
        self.assertEqual(note.partner_id, self.invoice.partner_id)
        self.assertAlmostEqual(note.amount_total, made["total_amount"], places=2)
        self.assertAlmostEqual(note.amount_total, self.invoice.amount_total, places=2)
        self.assertAlmostEqual(note.amount_tax, made["total_tax"], places=2)
        self.assertPaidBack(note)
        # reruns and a second run change nothing
        self.assertEqual(self.import_settlements(), note)
        self.instance.action_import_settlements()
        self.assertEqual(self.credit_notes(), note)
        self.assertEqual(len(note._get_reconciled_payments()), 1)

    def test_partial_shipping_only_and_amount_only_refunds(self):
        rows = self.products(self.first)
        address = rows[0]["order_address_id"]
        unit = self.refund(self.first, [{"item_type": "PRODUCT", "item_id": rows[0]["id"], "quantity": 1}])
        shipping = self.refund(self.first, [{"item_type": "SHIPPING", "item_id": address, "amount": 4.95}])
        amount = self.refund(self.first, [{"item_type": "ORDER", "item_id": self.first, "amount": 5.0}])
        notes = self.import_settlements()
        self.assertEqual(
            notes.mapped("marketplace_refund_ref"), [str(r["id"]) for r in (unit, shipping, amount)]
        )
        by_ref = {n.marketplace_refund_ref: n for n in notes}

        partial = by_ref[str(unit["id"])]
        [line] = partial.invoice_line_ids
        self.assertEqual((line.product_id.default_code, line.quantity), (rows[0]["sku"], 1))
        self.assertAlmostEqual(partial.amount_total, 9.99, places=2)  # one of three units, VAT included
        self.assertAlmostEqual(partial.amount_tax, unit["total_tax"], places=2)

        ship = by_ref[str(shipping["id"])]
        [line] = ship.invoice_line_ids
        shipping_line = self.order(self.first).order_line.filtered("is_delivery")
        self.assertEqual(line.product_id, shipping_line.product_id)
        self.assertAlmostEqual(ship.amount_total, 4.95, places=2)
        self.assertAlmostEqual(ship.amount_tax, shipping["total_tax"], places=2)  # the VAT charged on it

        goodwill = by_ref[str(amount["id"])]
        [line] = goodwill.invoice_line_ids
        self.assertFalse(line.tax_ids, "BigCommerce refunds an order-level amount tax-exempt")
        self.assertAlmostEqual(goodwill.amount_total, 5.0, places=2)

        for note in notes:
            self.assertPaidBack(note)
        total = sum(r["total_amount"] for r in (unit, shipping, amount))
        self.assertAlmostEqual(sum(notes.mapped("amount_total")), total, places=2)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        sim = self.sim_order(self.first)["order"]
        self.assertEqual(sim["status"], "Partially Refunded")
        self.assertAlmostEqual(float(sim["refunded_amount"]), total, places=2)
        # a rerun changes nothing
        self.assertEqual(self.import_settlements(), notes)
        self.assertEqual(len(notes._get_reconciled_payments()), 3)

    def test_several_products_in_one_refund(self):
        rows = self.products(self.second)
        items = [
            {"item_type": "PRODUCT", "item_id": rows[0]["id"], "quantity": 2},
            {"item_type": "PRODUCT", "item_id": rows[1]["id"], "quantity": 1},
        ]
        made = self.refund(self.second, items, reason="Wrong colour")
        [note] = self.import_settlements()
        lines = note.invoice_line_ids.sorted("price_total")
        self.assertEqual(
            [(l.product_id.default_code, l.quantity, l.price_total) for l in lines],
            [(rows[0]["sku"], 2, 19.98), (rows[1]["sku"], 1, 24.5)],
        )
        self.assertAlmostEqual(note.amount_total, made["total_amount"], places=2)
        self.assertAlmostEqual(note.amount_tax, made["total_tax"], places=2)
        self.assertPaidBack(note)
        self.assertEqual(
            self.last_log("import_settlements").api_calls, 2, "its refunds, and the order's products"
        )

    def test_an_invoice_not_paid_through_the_workflow_stays_open(self):
        self.workflow.register_payment = False
        [third] = self.add_orders(
            {
                "id": 810003,
                "status": "Awaiting Fulfillment",
                "payment_method": "Credit Card",
                "payment_status": "captured",
                "customer_id": 42,
                "lines": [{"sku": self.products(self.first)[0]["sku"], "quantity": 1, "price": 12.0}],
            }
        )
        self.import_orders()
        self.assertEqual(self.order(third).invoice_ids.payment_state, "not_paid")
        made = self.refund(third, [{"item_type": "ORDER", "item_id": third, "amount": 2.0}])
        [note] = self.import_settlements()
        self.assertEqual((note.marketplace_refund_ref, note.payment_state), (str(made["id"]), "not_paid"))
        self.assertIn("not paid through", note.message_ids[:1].body)

    def test_a_refund_of_an_order_odoo_never_imported_waits_with_its_reason(self):
        [stranger] = self.add_orders(
            {"id": 810009, "status": "Shipped", "payment_method": "PayPal", "payment_status": "captured"}
        )
        made = self.refund(stranger, [{"item_type": "ORDER", "item_id": stranger, "amount": 3.0}])
        self.assertFalse(self.import_settlements())
        [waiting] = self.refunds()
        self.assertEqual(
            (waiting.name, waiting.order_ref, waiting.state), (str(made["id"]), str(stranger), "open")
        )
        self.assertIn("not in Odoo", waiting.note)
        self.assertIn(str(stranger), " ".join(self.last_log("import_settlements").line_ids.mapped("message")))
        # once imported (Recover Order), the next run makes its credit note, once
        self.instance.action_recover_order(str(stranger))
        self.instance.action_process_queues()
        [note] = self.import_settlements()
        self.assertEqual(note.marketplace_refund_ref, str(made["id"]))
        self.assertEqual(waiting.state, "done")
        self.assertEqual(self.import_settlements(), note)

    def test_the_first_read_starts_at_import_orders_after(self):
        self.instance.import_orders_after = datetime.utcnow() - timedelta(days=1)
        old = self.refund(
            self.first,
            [{"item_type": "ORDER", "item_id": self.first, "amount": 1.0}],
            created=(datetime.now(timezone.utc) - timedelta(days=30)).isoformat(),
        )
        new = self.refund(self.first, [{"item_type": "ORDER", "item_id": self.first, "amount": 2.0}])
        self.assertEqual(self.import_settlements().mapped("marketplace_refund_ref"), [str(new["id"])])
        self.assertNotIn(str(old["id"]), self.refunds().mapped("name"), "older than the orders Odoo imports")

    def test_store_credit_and_unpaid_invoices_stay_open(self):
        credit = self._store_credit_refund(self.products(self.second))
        [note] = self.import_settlements()
        self.assertEqual(note.marketplace_refund_ref, str(credit["id"]))
        self.assertEqual(
            note.payment_state, "not_paid", "refunded to store credit: nothing went back through the gateway"
        )
        self.assertIn("Left open", note.message_ids[:1].body)

    def _store_credit_refund(self, rows):
        """A refund to store credit, as the API makes it (quote, then refund)."""
        base = "%s/bigcommerce/stores/simstore/v3/orders/%d/payment_actions/" % (self.sim_url, self.second)
        headers = {"X-Auth-Token": "sim-token"}
        items = [{"item_type": "PRODUCT", "item_id": rows[1]["id"], "quantity": 1}]
        quote = requests.post(
            base + "refund_quotes", json={"items": items}, headers=headers, timeout=10
        ).json()
        amount = quote["data"]["total_refund_amount"]
        answer = requests.post(
            base + "refunds",
            json={
                "items": items,
                "payments": [{"provider_id": "storecredit", "amount": amount, "offline": False}],
            },
            headers=headers,
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["data"]

    def test_an_order_refunded_in_full_is_not_cancelled_twice(self):
        self.instance.order_status_ids |= self.statuses("Refunded")
        made = self.refund(self.first, "all")
        self.import_orders()
        sale = self.order(self.first)
        self.assertNotEqual(
            sale.state, "cancel", "its refund is booked by Import Settlements, not by a reversal"
        )
        self.assertEqual(sale.marketplace_status, "Refunded")
        self.assertFalse(sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund"))
        [note] = self.import_settlements()
        self.assertEqual(note.marketplace_refund_ref, str(made["id"]))
        self.assertAlmostEqual(note.amount_total, self.invoice.amount_total, places=2)
