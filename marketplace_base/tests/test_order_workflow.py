import threading

from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.modules.registry import Registry

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderWorkflow(OrderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.full = cls.env["marketplace.workflow"].create(
            {
                "name": "Paid",
                "confirm_order": True,
                "create_invoice": True,
                "validate_invoice": True,
                "register_payment": True,
                "journal_id": bank.id,
            }
        )
        cls.confirm_only = cls.env["marketplace.workflow"].create({"name": "Confirm", "confirm_order": True})
        cls.products.write({"invoice_policy": "order"})

    def test_full_workflow_ends_in_a_paid_invoice(self):
        self.instance.workflow_id = self.full
        sale = self._import_one(self._order("W-1"))
        self.assertEqual(sale.state, "sale")
        invoice = sale.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(invoice.amount_total, sale.amount_total)

    def test_single_invoice_waits_for_everything_to_be_deliverable(self):
        self.instance.workflow_id = self.full
        self.products[1].invoice_policy = "delivery"
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 10},
            {"sku": "WID-2", "quantity": 1, "unit_price": 10},
        ]
        sale = self._import_one(self._order("W-2", lines=lines))
        self.assertFalse(sale.invoice_ids, "one item is invoiced on delivery: wait")
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        self.assertEqual(len(sale.invoice_ids), 1)
        self.assertEqual(sale.invoice_ids.state, "posted")

    def test_invoice_per_delivery_when_not_single(self):
        self.instance.write({"workflow_id": self.full.id, "create_single_invoice": False})
        self.products[1].invoice_policy = "delivery"
        lines = [
            {"sku": "WID-1", "quantity": 1, "unit_price": 10},
            {"sku": "WID-2", "quantity": 1, "unit_price": 10},
        ]
        sale = self._import_one(self._order("W-3", lines=lines))
        self.assertEqual(len(sale.invoice_ids), 1, "what is invoiceable now is invoiced now")
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        self.assertEqual(len(sale.invoice_ids), 2)

    def test_workflow_by_fulfilment_and_by_payment(self):
        self.instance.write({"workflow_id": self.confirm_only.id})
        plain = self._import_one(self._order("W-4", payment_gateway="paypal", payment_status="captured"))
        self.assertEqual(plain.state, "sale")
        self.assertFalse(plain.invoice_ids)
        gateway = self.env["marketplace.payment.gateway"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(gateway.code, "paypal", "gateways are created on first sight")
        self.env["marketplace.workflow.rule"].create(
            {
                "instance_id": self.instance.id,
                "gateway_id": gateway.id,
                "payment_status": "captured",
                "workflow_id": self.full.id,
            }
        )
        paid = self._import_one(self._order("W-5", payment_gateway="paypal", payment_status="captured"))
        self.assertIn(paid.invoice_ids.payment_state, ("paid", "in_payment"))
        pending = self._import_one(self._order("W-6", payment_gateway="paypal", payment_status="pending"))
        self.assertFalse(pending.invoice_ids, "another status falls back to the fulfilment's workflow")


@tagged("post_install", "-at_install")
class TestOrderRace(BaseCase):
    """Two workers import the same marketplace order at the same moment: one order results."""

    def test_two_workers_one_order(self):
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            code = "generic"
            instance = env["marketplace.instance"].create(
                {
                    "name": "Race Store",
                    "marketplace": code,
                    "queue_batch_limit": 1,
                    "workflow_id": False,
                    "marketplace_workflow_id": False,
                }
            )
            order = {
                "external_id": "RACE-1",
                "date_order": "2026-11-20T10:00:00Z",
                "currency": "USD",
                "customer": {"name": "Racer", "email": "racer@example.com"},
                "lines": [{"sku": "NOTHING", "quantity": 1, "unit_price": 3}],
            }
            Queue = env["marketplace.queue"]
            Queue._enqueue(instance, "order", [("RACE-1", order)])
            Queue._enqueue(instance, "order", [("RACE-1", dict(order, status="Shipped"))])
            instance_id = instance.id

        def cleanup():
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                sales = env["sale.order"].search([("marketplace_instance_id", "=", instance_id)])
                partners = sales.partner_id
                sales.unlink()
                env["marketplace.instance"].browse(instance_id).unlink()
                partners.unlink()

        self.addCleanup(cleanup)

        barrier = threading.Barrier(2)
        errors = []

        def worker():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(
                        cr, SUPERUSER_ID, {"marketplace_auto_commit": True, "tracking_disable": True}
                    )
                    inst = env["marketplace.instance"].browse(instance_id)
                    Line = env["marketplace.queue.line"]
                    # each worker claims one line, then both create the same order at once
                    line = Line._acquire(inst, 1)
                    log = env["marketplace.log"].create({"instance_id": inst.id, "job": "process_queues"})
                    barrier.wait(timeout=30)
                    line._process(log)
                    cr.commit()
            except Exception as err:
                errors.append(err)

        with mute_logger("odoo.sql_db"):  # the loser's unique violation is expected
            threads = [threading.Thread(target=worker) for _i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse(errors)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sales = env["sale.order"].search([("marketplace_instance_id", "=", instance_id)])
            self.assertEqual(len(sales), 1, "the database refused the second order")
            lines = env["marketplace.queue.line"].search([("instance_id", "=", instance_id)])
            self.assertEqual(
                sorted(lines.mapped("state")), ["done", "draft"], "the loser waits, it does not fail"
            )
            self.assertIn("retried", lines.filtered(lambda l: l.state == "draft").error)
            env["marketplace.instance"].browse(instance_id).action_process_queues()
            cr.commit()
            self.assertEqual(set(lines.mapped("state")), {"done"})
            self.assertEqual(
                env["sale.order"].search_count([("marketplace_instance_id", "=", instance_id)]), 1
            )
