from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BolCase


@tagged("post_install", "-at_install")
class TestBolAccount(BolCase):
    def test_test_connection_gets_a_token_and_reads_the_api(self):
        answer = self.instance.action_test_connection()
        self.assertEqual(answer["params"]["type"], "success")
        self.instance.sudo().bol_client_secret = "wrong-secret"
        answer = self.instance.action_test_connection()
        self.assertEqual(answer["params"]["type"], "danger")
        self.assertIn("Bad client credentials", answer["params"]["message"])
        self.assertNotIn("wrong-secret", answer["params"]["message"])

    def test_confirm_sets_the_fbb_warehouse_and_the_jobs(self):
        self.instance.marketplace_warehouse_id = False
        self.instance.action_confirm()
        self.assertEqual(self.instance.state, "confirmed")
        self.assertEqual(self.instance.marketplace_warehouse_id.code, "BOL")
        self.assertEqual(
            set(self.instance.job_ids.mapped("job")),
            {
                "import_orders",
                "export_shipments",
                "export_inventory",
                "export_prices",
                "check_results",
                "import_inventory",
                "import_listings",
                "import_returns",
                "import_settlements",
                "process_queues",
            },
        )
        # Bol.com sells and pays in euros: the store currency and the settlement journal's
        euro = self.env.ref("base.EUR")
        self.assertEqual(
            (self.instance.currency_id, self.instance.settlement_journal_id.currency_id), (euro, euro)
        )
        self.assertEqual(self.instance.pricelist_id.currency_id, euro)
        # defaults of a Bol.com account
        self.assertEqual(self.instance.sync_listings_on, "barcode")
        self.assertTrue(self.instance.create_company_contact)
        self.assertEqual(self.instance.order_status_ids.mapped("code"), ["OPEN"])

    def test_credentials_are_for_managers_only(self):
        user = new_test_user(self.env, "bol_user", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            self.instance.with_user(user).read(["bol_client_secret"])
        self.assertIn("bol_client_secret", self.instance._secret_fields())

    def test_new_credentials_of_a_live_account_are_checked(self):
        self.confirm()
        with self.assertRaisesRegex(Exception, "Bad client credentials"):
            self.instance.bol_client_secret = "not-the-secret"

    def test_the_demo_account_imports_orders_without_credentials(self):
        self.env["ir.config_parameter"].set_param("marketplace.simulator_url", self.sim_url)
        # the simulator as docker compose runs it (seed 1: the demo catalogue's offers)
        self.sim(
            "POST",
            "/_sim/reset",
            {"seed": 1, "sizes": {"bol": {"orders": 0, "returns": 0}}, "rate_limits": False},
        )
        demo = self.env["bol.demo"]._create_instance()
        self.assertEqual((demo.state, demo.bol_fulfilment), ("confirmed", "ALL"))
        self.assertEqual(demo.api_base_url, self.sim_url + "/bol")
        products_before = self.env["product.product"].search_count([])
        self.add_orders(count=2)
        self.add_orders(fulfilment_method="FBB", status="SHIPPED")
        demo.action_import_orders()
        demo.action_process_queues()
        orders = self.env["sale.order"].search([("marketplace_instance_id", "=", demo.id)])
        self.assertEqual(len(orders), 3)
        self.assertEqual(
            sorted(orders.mapped("marketplace_fulfilment")), ["marketplace", "merchant", "merchant"]
        )
        products = orders.order_line.product_id.filtered(lambda p: p.type == "product")
        self.assertTrue(
            products and all(p.default_code.startswith("BOL-") and p.barcode for p in products),
            "the demo catalogue's products, matched by EAN",
        )
        self.assertEqual(self.env["product.product"].search_count([]), products_before, "none had to be made")
        self.assertFalse(orders.filtered("marketplace_sync_error"), orders.mapped("marketplace_sync_message"))
        # the demo's Dutch company: Bol's prices include the Netherlands' VAT (Belgium's for a
        # buyer there), never the US demo company's sales tax
        self.assertEqual(demo.company_id, self.env.ref("marketplace_base.demo_company_europe"))
        for order in orders:
            self.assertEqual(order.order_line.tax_id.mapped("amount"), [21.0], order.name)
            self.assertIn(order.order_line.tax_id.name, ("21% NL (incl.)", "21% BE (OSS) (incl.)"))
            method = "FBB" if order.marketplace_fulfilment == "marketplace" else "FBR"
            items = self.sim_order(order.marketplace_order_ref.split("-")[0])["order"]["orderItems"]
            total = sum(i["totalPrice"] for i in items if i["fulfilment"]["method"] == method)
            self.assertEqual(round(order.amount_total, 2), round(total, 2), order.name)
        fbr = orders.filtered(lambda o: o.marketplace_fulfilment == "merchant").order_line.product_id
        self.assertTrue(all(p.qty_available > 0 for p in fbr.filtered(lambda p: p.type == "product")))
