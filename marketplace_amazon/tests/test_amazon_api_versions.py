from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonOrdersApiVersions(AmazonCase):
    """Orders API 2026-01-01 (searchOrders: 100 orders with their items per call) and v0
    (getOrders, then getOrderItems per order) read the same Amazon orders into the same sale
    orders; v0 stays the account's fallback (developer mode)."""

    SIZES = {"orders": 60, "products": 20}

    def setUp(self):
        super().setUp()
        self.confirm()
        self.instance.workflow_id = self.env["marketplace.workflow"].create(
            {"name": "Confirm", "confirm_order": True}
        )

    def _other_account(self, api):
        """The same seller account read again by another instance: the first one steps aside (an
        account is confirmed on one active instance only)."""
        self.instance.action_reset_to_draft()
        other = self.env["marketplace.instance"].create(
            {
                "name": "Amazon v0 reader",
                "marketplace": "amazon",
                "amazon_orders_api": api,
                "amazon_seller_id": "SIMSELLER1",
                "amazon_refresh_token": "sim-refresh-token",
                "amazon_lwa_client_id": "sim-lwa-client",
                "amazon_lwa_client_secret": "sim-lwa-secret",
                "api_base_url": self.sim_url + "/amazon",
                "use_marketplace_sequence": False,
                "workflow_id": self.instance.workflow_id.id,
            }
        )
        other.action_confirm()
        other._job("import_orders").cursor = "2020-01-01 00:00:00"
        return other

    @staticmethod
    def _picture(order):
        """What a user sees of an imported order (each account has its own anonymous customer)."""
        anonymous = order.partner_id == order.marketplace_instance_id.anonymous_partner_id
        return {
            "customer": "anonymous"
            if anonymous
            else (order.partner_id.name, order.partner_id.email or False, order.partner_id.parent_id.name),
            "ship to": (
                order.partner_shipping_id.street,
                order.partner_shipping_id.zip,
                order.partner_shipping_id.country_id.code,
            ),
            "amounts": (
                round(order.amount_untaxed, 2),
                round(order.amount_tax, 2),
                round(order.amount_total, 2),
                order.currency_id.name,
            ),
            "lines": sorted(
                (
                    l.product_id.id,
                    l.name,
                    l.product_uom_qty,
                    round(l.price_unit, 2),
                    tuple(l.tax_id.ids),
                    l.marketplace_gift_message or "",
                )
                for l in order.order_line
            ),
            "state": (
                order.state,
                order.marketplace_status,
                order.marketplace_fulfilment,
                order.marketplace_payment_status,
                order.client_order_ref,
            ),
            "flagged": order.marketplace_sync_message or "",
        }

    def test_both_versions_give_the_same_sale_orders(self):
        self.maxDiff = None
        self.add_order(business=True, gift=True, lines=3)
        self.add_order(marketplace_id="ATVPDKIKX0DER", lines=2)
        self.add_order(payment_method="COD")
        orders_2026 = self.import_orders()
        calls_2026 = self.last_log("import_orders").api_calls
        other = self._other_account("v0")
        other.action_import_orders()
        other.action_process_queues()
        orders_v0 = self.env["sale.order"].search([("marketplace_instance_id", "=", other.id)])
        self.assertEqual(
            sorted(orders_v0.mapped("marketplace_order_ref")),
            sorted(orders_2026.mapped("marketplace_order_ref")),
        )
        self.assertGreater(len(orders_2026), 30)
        by_ref = {o.marketplace_order_ref: o for o in orders_v0}
        for order in orders_2026:
            self.assertEqual(
                self._picture(order),
                self._picture(by_ref[order.marketplace_order_ref]),
                order.marketplace_order_ref,
            )
        calls_v0 = (
            self.env["marketplace.log"]
            .search([("instance_id", "=", other.id), ("job", "=", "import_orders")], limit=1)
            .api_calls
        )
        queued = len(orders_2026)
        self.assertLessEqual(calls_2026, 3, "participations, a restricted data token, one page of orders")
        self.assertGreater(calls_v0, queued, "v0: one getOrderItems per order")

    def test_an_account_refused_the_2026_api_is_read_with_v0(self):
        self.sim("POST", "/_sim/amazon/orders_api", {"2026-01-01": False})
        orders = self.import_orders()
        self.assertGreater(len(orders), 30)
        log = self.last_log("import_orders")
        said = log.line_ids.filtered(lambda l: "Orders API 2026-01-01" in (l.message or ""))
        self.assertEqual(len(said), 1)
        self.assertEqual(said.level, "warning")
        self.assertGreater(log.api_calls, len(orders), "read with v0")

    def test_recover_order_with_either_version(self):
        for api in ("2026-01-01", "v0"):
            self.instance.amazon_orders_api = api
            ref = self.add_order(gift=True, lines=2)
            wizard = self.env["marketplace.recover.order"].create(
                {"instance_id": self.instance.id, "reference": ref}
            )
            order = self.env["sale.order"].browse(wizard.action_recover()["res_id"])
            self.assertEqual(order.marketplace_order_ref, ref)
            amazon = self.sim_order(ref)["order"]
            self.assertEqual(order.partner_id.name, amazon["ShippingAddress"]["Name"], api)
            self.assertAlmostEqual(
                order.amount_total, float(amazon["OrderTotal"]["Amount"]), places=2, msg=api
            )
