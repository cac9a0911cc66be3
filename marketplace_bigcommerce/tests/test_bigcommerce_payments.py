from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BigCommerceCase


@tagged("post_install", "-at_install")
class TestBigCommercePayments(BigCommerceCase):
    """Mark Order as Paid?: a payment registered in Odoo reaches BigCommerce once per order."""

    SIZES = {"orders": 1, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.write(
            {
                "mark_order_paid": True,
                "order_status_ids": [(6, 0, self.statuses("Awaiting Payment", "Awaiting Fulfillment").ids)],
                "workflow_id": self.env["marketplace.workflow"]
                .create(
                    {
                        "name": "Invoice",
                        "confirm_order": True,
                        "create_invoice": True,
                        "validate_invoice": True,
                    }
                )
                .id,
            }
        )
        sku = sorted(self.sim_state()["prices"])[0]
        self.env["product.product"].create(
            {"name": sku, "default_code": sku, "type": "consu", "invoice_policy": "order"}
        )
        line = [{"sku": sku, "quantity": 1, "price": 25.0}]
        self.bank_id, self.authorized_id, self.captured_id = self.add_orders(
            {"status": "Awaiting Payment", "payment_method": "Bank Deposit", "lines": line},
            {
                "status": "Awaiting Fulfillment",
                "payment_method": "Credit Card",
                "payment_status": "authorized",
                "lines": line,
            },
            {
                "status": "Awaiting Fulfillment",
                "payment_method": "Credit Card",
                "payment_status": "captured",
                "lines": line,
            },
        )
        self.import_orders()
        self.journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )

    def pay(self, order_id):
        invoice = self.order(order_id).invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"journal_id": self.journal.id})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def payments(self, order_id):
        return [p for p in self.sim_state()["payments"] if p["order_id"] == order_id]

    def test_paying_the_invoice_marks_an_offline_order_paid_once(self):
        sale = self.order(self.bank_id)
        self.assertFalse(sale.marketplace_can_report_payment, "no payment in Odoo yet: nothing to report")
        self.pay(self.bank_id)
        self.assertEqual(sale.marketplace_payment_export, "done")
        [payment] = self.payments(self.bank_id)
        self.assertEqual(payment["payment_status"], "paid")
        self.assertEqual(self.sim_order(self.bank_id)["order"]["status"], "Awaiting Fulfillment")
        self.assertFalse(sale.marketplace_can_report_payment)
        with self.assertRaises(UserError):
            sale.action_marketplace_report_payment()
        self.instance.action_export_payments()
        self.assertEqual(len(self.payments(self.bank_id)), 1, "exactly once per order")

    def test_an_authorized_payment_is_captured(self):
        self.pay(self.authorized_id)
        [payment] = self.payments(self.authorized_id)
        self.assertEqual(payment["via"], "capture")
        self.assertEqual(self.sim_order(self.authorized_id)["order"]["payment_status"], "captured")

    def test_orders_bigcommerce_shows_paid_cost_no_call(self):
        self.pay(self.captured_id)
        self.assertFalse(
            self.order(self.captured_id).marketplace_payment_export, "imported as paid: nothing to report"
        )
        self.assertFalse(self.payments(self.captured_id))
        # paid in Odoo before the instance reported payments, and on BigCommerce meanwhile: read, not written
        self.instance.mark_order_paid = False
        self.pay(self.bank_id)
        self.instance.mark_order_paid = True
        self.sim(
            "POST",
            "/_sim/bigcommerce/set_order_status",
            {"order_id": self.bank_id, "status": "Awaiting Fulfillment", "payment_status": "paid"},
        )
        self.order(self.bank_id).action_marketplace_report_payment()
        self.assertEqual(self.order(self.bank_id).marketplace_payment_export, "done")
        self.assertFalse(self.payments(self.bank_id))

    def test_the_button_and_a_lost_answer(self):
        sale = self.order(self.bank_id)
        with self.assertRaisesRegex(UserError, "Register the payment"):
            sale.action_marketplace_report_payment()
        self.assertFalse(self.payments(self.bank_id), "no payment in Odoo: nothing reported")
        # registered in Odoo before the instance reported payments: the button reports it
        self.instance.mark_order_paid = False
        self.pay(self.bank_id)
        self.instance.mark_order_paid = True
        self.assertFalse(self.payments(self.bank_id))
        self.fault("updateOrder", "lost_answer")
        sale.action_marketplace_report_payment()
        self.assertEqual(sale.marketplace_payment_export, "uncertain")
        self.assertEqual(len(self.payments(self.bank_id)), 1, "BigCommerce applied it")
        self.instance.action_export_payments()
        self.assertEqual(sale.marketplace_payment_export, "done")
        self.assertEqual(len(self.payments(self.bank_id)), 1, "read back, never sent twice")

    def test_a_refusal_stays_on_the_order_and_the_log(self):
        self.sim(
            "POST",
            "/_sim/bigcommerce/scopes",
            {"scopes": ["store_v2_orders_read_only", "store_v2_information"]},
        )
        self.pay(self.bank_id)  # the payment is registered in Odoo whatever BigCommerce says
        sale = self.order(self.bank_id)
        self.assertEqual(sale.marketplace_payment_export, "failed")
        self.assertIn("scope", sale.marketplace_payment_export_error)
        self.assertEqual(self.last_log("export_payments").error_count, 1)
