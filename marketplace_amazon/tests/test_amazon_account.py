from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DE, FR, UK, US, AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonAccount(AmazonCase):
    def test_refused_credentials_show_amazons_error_without_secrets(self):
        self.instance.amazon_lwa_client_secret = "wrong-secret-value"
        # Test Connection answers with an error notification, Amazon's text without the secret.
        answer = self.instance.action_test_connection()
        self.assertEqual(answer["params"]["type"], "danger")
        message = answer["params"]["message"]
        self.assertIn("Amazon refused the credentials of Amazon Test Account", message, "in plain words...")
        self.assertIn("invalid_client", message, "...with Amazon's own")
        self.assertIn("Credentials tab", message, "where to fix them")
        self.assertNotIn("wrong-secret-value", message)
        self.instance.amazon_lwa_client_secret = "sim-lwa-secret"
        self.assertEqual(self.instance.action_test_connection()["params"]["type"], "success")
        self.instance.amazon_lwa_client_secret = "wrong-secret-value"
        with self.assertRaises(UserError):
            self.instance.action_confirm()
        self.assertEqual(self.instance.state, "draft", "nothing is confirmed until the credentials pass")

    def test_saving_refused_credentials_on_a_live_account_fails(self):
        self.instance.action_confirm()
        with self.assertRaises(UserError):
            self.instance.amazon_lwa_client_secret = "not-the-secret"
        self.instance.amazon_lwa_client_secret = "sim-lwa-secret"  # accepted again

    def test_demo_account_imports_orders_without_credentials_to_type(self):
        demo = self.env.ref("marketplace_amazon.demo_instance", raise_if_not_found=False)
        if not demo:
            self.skipTest("installed without demo data")
        self.assertEqual(demo.state, "confirmed")
        self.assertTrue(demo.api_base_url.endswith("/amazon"))
        self.assertTrue(demo.job_ids.filtered(lambda j: j.job == "import_orders").cron_id.active)
        # The demo points at the simulator's usual address; this test's simulator listens elsewhere.
        demo.api_base_url = self.sim_url + "/amazon"
        # the simulator as docker compose runs it (seed 1: the demo catalogue's products)
        self.sim(
            "POST", "/_sim/reset", {"seed": 1, "sizes": {"amazon": {"orders": 40}}, "rate_limits": False}
        )
        demo.action_import_orders()
        demo.action_process_queues()
        orders = self.env["sale.order"].search([("marketplace_instance_id", "=", demo.id)])
        self.assertTrue(orders)
        products = orders.order_line.product_id.filtered(lambda p: p.type == "product")
        self.assertTrue(products and all(p.default_code.startswith("SIM-") for p in products))
        self.assertFalse(orders.filtered("marketplace_needs_matching"), "every item is a demo product")
        self.assertFalse(orders.filtered("marketplace_sync_error"), orders.mapped("marketplace_sync_message"))
        self.assertNotIn(demo.default_product_id, orders.order_line.product_id)
        # the demo's European company, and the taxes Amazon charged: VAT where the seller owes it,
        # none where Amazon collects it (Amazon.com), never the US demo company's sales tax
        self.assertEqual(demo.company_id, self.env.ref("marketplace_base.demo_company_europe"))
        self.assertEqual(demo.company_id.currency_id.name, "EUR")
        for order in orders.filtered(lambda o: o.state != "cancel"):
            amazon = self.sim(
                "POST", "/_sim/amazon/get_order", {"amazon_order_id": order.marketplace_order_ref}
            )
            charged = {round(i["rate"], 2) for i in self._charged_rates(amazon)}
            self.assertEqual({t.amount for t in order.order_line.tax_id}, charged, order.name)
            self.assertLessEqual(order.order_line.tax_id.company_id, demo.company_id)
        merchant = orders.filtered(lambda o: o.marketplace_fulfilment == "merchant" and o.state == "sale")
        self.assertTrue(
            all(
                p.qty_available > 0
                for p in merchant.order_line.product_id.filtered(lambda p: p.type == "product")
            ),
            "demo products have stock to ship from",
        )

    @staticmethod
    def _charged_rates(amazon):
        """[{"rate"}] of the tax rates the seller owes on an Amazon order (none when Amazon collects
        the tax itself), from the items' prices and their ItemTax as Amazon states them."""
        rates = []
        for item in amazon["items"]:
            if item.get("TaxCollection") or not float((item.get("ItemTax") or {}).get("Amount") or 0):
                continue
            price, tax = float(item["ItemPrice"]["Amount"]), float(item["ItemTax"]["Amount"])
            net = price - tax if amazon["order"]["MarketplaceId"] != US else price
            rates.append({"rate": round(100 * tax / net)})
        return rates

    def test_confirm_fills_marketplaces_and_defaults(self):
        self.assertEqual(
            self.instance.default_product_id, self.env.ref("marketplace_amazon.product_amazon_sale")
        )
        self.assertEqual(
            self.instance.delivery_product_id, self.env.ref("marketplace_amazon.product_amazon_shipping")
        )
        self.instance.action_confirm()
        self.assertEqual(self.instance.state, "confirmed")
        self.assertEqual(
            set(self.instance.amazon_available_marketplace_ids.mapped("api_ref")), {DE, UK, FR, US}
        )
        self.assertEqual(self.instance.amazon_marketplace_ids, self.instance.amazon_available_marketplace_ids)
        self.assertEqual(self.instance.marketplace_warehouse_id.code, "AMZN")
        self.assertEqual(self.instance.team_id.name, "Amazon")
        self.assertTrue(self.instance.pricelist_id)
        # A second account of the company shares the Amazon warehouse and sales team.
        other = self.env["marketplace.instance"].create(
            {
                "name": "Second account",
                "marketplace": "amazon",
                "amazon_seller_id": "SIMSELLER2",
                "amazon_refresh_token": "sim-refresh-token",
                "amazon_lwa_client_id": "sim-lwa-client",
                "amazon_lwa_client_secret": "sim-lwa-secret",
                "api_base_url": self.sim_url + "/amazon",
            }
        )
        other.action_confirm()
        self.assertEqual(other.marketplace_warehouse_id, self.instance.marketplace_warehouse_id)
        self.assertEqual(other.team_id, self.instance.team_id)

    def test_update_keeps_removed_marketplaces_removed_and_adds_new_ones(self):
        self.instance.action_confirm()
        us = self.instance.amazon_marketplace_ids.filtered(lambda m: m.api_ref == US)
        self.instance.amazon_marketplace_ids = [(3, us.id)]
        self.instance.action_amazon_update_marketplaces()
        self.assertNotIn(us, self.instance.amazon_marketplace_ids, "the user's removal stands")
        self.assertIn(us, self.instance.amazon_available_marketplace_ids)

    def test_unsupported_marketplace_appears_once_added(self):
        self.instance.action_confirm()
        de = self.env["amazon.marketplace"].search([("api_ref", "=", DE)])
        self.instance.write(
            {"amazon_available_marketplace_ids": [(3, de.id)], "amazon_marketplace_ids": [(3, de.id)]}
        )
        de.unlink()
        self.instance.action_amazon_update_marketplaces()
        self.assertEqual(len(self.instance.amazon_available_marketplace_ids), 3, "unknown here: skipped")
        self.env["amazon.marketplace"].create({"name": "Amazon.de", "api_ref": DE, "region": "eu"})
        self.instance.action_amazon_update_marketplaces()
        self.assertIn(DE, self.instance.amazon_marketplace_ids.mapped("api_ref"))

    def test_every_current_marketplace_is_shipped(self):
        refs = set(self.env["amazon.marketplace"].search([]).mapped("api_ref"))
        self.assertTrue({DE, UK, FR, US, "A1VC38T7YXB528", "A2Q3Y263D00KWC", "A1805IZSGTT6HS"} <= refs)
