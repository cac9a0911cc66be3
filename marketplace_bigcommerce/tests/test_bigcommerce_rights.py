import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..adapter.mapping import STANDARD_STATUSES
from .common import BigCommerceCase

USER = "marketplace_base.group_marketplace_user"


class BigCommerceRightsCase(BigCommerceCase):
    """A confirmed store that reports payments, with an authorized (not captured) card order
    imported and invoiced; the people of the rights tests."""

    SIZES = {"orders": 1, "products": 12}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.write(
            {
                "mark_order_paid": True,
                "order_status_ids": [(6, 0, self.statuses("Awaiting Fulfillment").ids)],
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
        self.line = [{"sku": sku, "quantity": 1, "price": 25.0}]
        [self.card_id] = self.add_orders(
            {
                "status": "Awaiting Fulfillment",
                "payment_method": "Credit Card",
                "payment_status": "authorized",
                "lines": self.line,
            }
        )
        self.import_orders()
        self.sale = self.order(self.card_id)
        self.assertEqual(self.sale.invoice_ids.state, "posted")
        self.user = new_test_user(self.env, "bc_user", groups=USER)
        self.portal = new_test_user(self.env, "bc_portal", groups="base.group_portal")
        self.clerk = new_test_user(self.env, "bc_clerk", groups="sales_team.group_sale_salesman")
        self.other_company = self.env["res.company"].create({"name": "Other Store Co"})
        self.foreign_user = new_test_user(
            self.env,
            "bc_foreign",
            groups=USER,
            company_id=self.other_company.id,
            company_ids=[Command.set(self.other_company.ids)],
        )
        # the customer follows the order; it is the salesperson's own
        self.sale.message_subscribe(partner_ids=self.portal.partner_id.ids)
        self.sale.user_id = self.clerk

    def payments(self):
        return [p for p in self.sim_state()["payments"] if p["order_id"] == self.card_id]

    def pay_in_odoo(self):
        """The invoice paid in Odoo, before the instance reported payments (nothing sent then)."""
        self.instance.mark_order_paid = False
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )
        invoice = self.sale.invoice_ids
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"journal_id": journal.id})._create_payments()
        self.instance.mark_order_paid = True


@tagged("post_install", "-at_install")
class TestBigCommerceRights(BigCommerceRightsCase):
    def test_only_a_marketplace_user_reports_a_payment_odoo_holds(self):
        for user in (self.portal, self.clerk, self.foreign_user):
            with self.assertRaises(AccessError, msg=user.login):
                self.sale.with_user(user).action_marketplace_report_payment()
        # a salesperson cannot queue the report by hand either; the job then sends nothing
        with self.assertRaises(AccessError):
            self.sale.with_user(self.clerk).write({"marketplace_payment_export": "pending"})
        # a Marketplace User, but no payment in Odoo: nothing to report
        with self.assertRaisesRegex(UserError, "Register the payment"):
            self.sale.with_user(self.user).action_marketplace_report_payment()
        self.instance.action_export_payments()
        self.assertFalse(self.payments(), "nothing was captured on BigCommerce")
        self.assertFalse(self.sale.marketplace_payment_export)
        self.assertEqual(self.sim_order(self.card_id)["order"]["payment_status"], "authorized")
        # the payment registered in Odoo, a Marketplace User reports it: captured once
        self.pay_in_odoo()
        self.assertFalse(self.payments())
        self.sale.with_user(self.user).action_marketplace_report_payment()
        self.assertEqual(self.sale.marketplace_payment_export, "done")
        [payment] = self.payments()
        self.assertEqual(payment["via"], "capture")

    def test_only_a_marketplace_user_retries_a_refused_shipment(self):
        picking = self.sale.picking_ids
        self.assertTrue(picking)
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking._action_done()
        self.fault(
            "createOrderShipments",
            "answer",
            status=422,
            body=json.dumps({"status": 422, "title": "The shipment could not be created."}),
        )
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "failed")
        for user in (self.portal, self.clerk, self.foreign_user):
            with self.assertRaises(AccessError, msg=user.login):
                self.sale.with_user(user).action_marketplace_retry_sync()
            with self.assertRaises(AccessError, msg=user.login):
                picking.with_user(user).write({"marketplace_export_state": "pending"})
        self.instance.action_export_shipments()
        self.assertEqual(picking.marketplace_export_state, "failed", "nobody queued it again")
        self.assertFalse(self.sim_state()["shipments"], "nothing was sent")
        self.sale.with_user(self.user).action_marketplace_retry_sync()
        self.assertEqual(picking.marketplace_export_state, "exported")
        self.assertEqual(len(self.sim_state()["shipments"]), 1)

    def test_only_a_manager_confirms_and_hears_of_another_instances_account(self):
        same = self.env["marketplace.instance"].create(
            {
                "name": "Same Store",
                "marketplace": "bigcommerce",
                "bigcommerce_store_hash": "simstore",
                "bigcommerce_access_token": "sim-token",
                "api_base_url": self.sim_url + "/bigcommerce",
            }
        )
        for user in (self.user, self.clerk, self.foreign_user):
            with self.assertRaises(AccessError, msg=user.login):  # not the holder's name
                same.with_user(user).action_confirm()
        self.assertEqual(same.state, "draft")

    def test_two_stores_keep_their_own_status_labels(self):
        mine = self.env["marketplace.order.status"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(len(mine), len(STANDARD_STATUSES))
        # a second store, which names its statuses its own way
        self.sim("POST", "/_sim/bigcommerce/credentials", {"store_hash": "secondstore"})
        second = self.env["marketplace.instance"].create(
            {
                "name": "Second Store",
                "marketplace": "bigcommerce",
                "bigcommerce_store_hash": "secondstore",
                "bigcommerce_access_token": "sim-token",
                "api_base_url": self.sim_url + "/bigcommerce",
            }
        )
        rows = [
            {
                "id": sid,
                "name": name,
                "system_label": name,
                "custom_label": "Store B %s" % name,
                "order": order,
            }
            for sid, name, order in STANDARD_STATUSES
        ]
        self.fault("getOrderStatuses", "answer", status=200, body=json.dumps(rows))
        second.action_confirm()
        theirs = self.env["marketplace.order.status"].search([("instance_id", "=", second.id)])
        self.assertEqual(len(theirs), len(STANDARD_STATUSES))
        self.assertTrue(all(name.startswith("Store B ") for name in theirs.mapped("name")))
        self.assertFalse(
            mine.filtered(lambda s: s.name.startswith("Store B ")), "the first store's labels are kept"
        )
        self.assertEqual(self.instance.order_status_ids.name, "Awaiting Fulfillment")
        self.assertEqual(second.order_status_ids.name, "Store B Awaiting Fulfillment")
        with self.assertRaises(UserError):
            second.order_status_ids = mine[:1]  # the other store's own status
        with self.assertRaises(UserError):
            mine[:1].instance_id = second

    def test_a_stores_reference_data_stays_with_its_company(self):
        self.instance.action_process_queues()  # categories and brands
        foreign = self.env["marketplace.instance"].create(
            {"name": "Other Co", "marketplace": "generic", "company_id": self.other_company.id}
        )
        for model in (
            "bigcommerce.location",
            "bigcommerce.channel",
            "bigcommerce.tax.class",
            "bigcommerce.category",
            "bigcommerce.brand",
            "marketplace.order.status",
        ):
            records = self.env[model].search([("instance_id", "=", self.instance.id)])
            self.assertTrue(records, model)
            self.assertEqual(records.company_id, self.instance.company_id, model)
            as_foreign = self.env[model].with_user(self.foreign_user)
            self.assertFalse(as_foreign.search([("instance_id", "=", self.instance.id)]), model)
            with self.assertRaises(UserError, msg=model):
                records[:1].write({"instance_id": foreign.id})
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.other_company.id)], limit=1
        )
        with self.assertRaises(UserError):
            self.instance.bigcommerce_location_ids[:1].warehouse_id = other_warehouse

    def test_products_made_from_the_catalogue_are_the_instances_companys(self):
        self.instance.write({"create_products": True})
        Product = self.env["product.product"].with_context(active_test=False)
        last = Product.search([], order="id desc", limit=1).id
        self.instance.action_import_listings()
        self.instance.action_process_queues()
        created = Product.search([("id", ">", last)])
        self.assertTrue(created, "Import Listings made products")
        self.assertEqual(created.company_id, self.instance.company_id)


@tagged("post_install", "-at_install")
class TestBigCommercePortalRpc(HttpCase, BigCommerceRightsCase):
    """A portal customer over JSON-RPC, as the web client or a script would call: refused before
    anything is created, changed or sent to BigCommerce; a Marketplace User's same call works."""

    def rpc(self, model, method, ids):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": [ids], "kwargs": {}},
        }
        response = self.url_open(
            "/web/dataset/call_kw/%s/%s" % (model, method),
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_a_portal_customer_runs_nothing(self):
        [waiting_id] = self.add_orders(
            {
                "status": "Awaiting Fulfillment",
                "payment_method": "Credit Card",
                "payment_status": "authorized",
                "lines": self.line,
            }
        )
        self.instance.action_import_orders()
        waiting = self.queue_lines().filtered(lambda l: l.name == str(waiting_id))
        self.assertEqual(waiting.state, "draft")
        self.pay_in_odoo()
        logs = self.env["marketplace.log"].search_count([("instance_id", "=", self.instance.id)])
        self.authenticate("bc_portal", "bc_portal")
        for model, method, ids in (
            ("marketplace.instance", "action_process_queues", self.instance.ids),
            ("marketplace.instance", "action_import_orders", self.instance.ids),
            ("marketplace.instance", "action_start_job", self.instance.ids),
            ("sale.order", "action_marketplace_report_payment", self.sale.ids),
            ("sale.order", "action_marketplace_retry_sync", self.sale.ids),
        ):
            answer = self.rpc(model, method, ids)
            self.env.invalidate_all()
            self.assertEqual(
                answer.get("error", {}).get("data", {}).get("name"),
                "odoo.exceptions.AccessError",
                "%s: %s" % (method, answer),
            )
        self.assertEqual(waiting.state, "draft", "the queued order waits")
        self.assertFalse(self.order(waiting_id), "no sale order was created")
        self.assertEqual(
            self.env["marketplace.log"].search_count([("instance_id", "=", self.instance.id)]), logs
        )
        self.assertFalse(self.payments(), "nothing was captured on BigCommerce")
        self.assertFalse(self.sale.marketplace_payment_export)
        # the same calls by a Marketplace User
        self.authenticate("bc_user", "bc_userx")  # new_test_user pads passwords to 8
        self.assertIs(
            self.rpc("marketplace.instance", "action_process_queues", self.instance.ids).get("result"), True
        )
        self.env.invalidate_all()
        self.assertEqual(waiting.state, "done", waiting.error)
        self.assertTrue(self.order(waiting_id))
        self.assertIs(
            self.rpc("sale.order", "action_marketplace_report_payment", self.sale.ids).get("result"), True
        )
        self.env.invalidate_all()
        self.assertEqual(len(self.payments()), 1)
        self.assertEqual(self.sale.marketplace_payment_export, "done")
