from odoo.addons.marketplace_base.tests.simulator_case import SimulatorCase


class BigCommerceCase(SimulatorCase):
    """A BigCommerce store on a local simulator over real HTTP (no API is patched)."""

    MARKETPLACE = "bigcommerce"
    SEED = 7
    SIZES = {"orders": 30, "products": 12}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.EUR").active = True

    def setUp(self):
        super().setUp()
        self.instance = self.env["marketplace.instance"].create(
            {
                "name": "BigCommerce Test Store",
                "marketplace": "bigcommerce",
                "bigcommerce_store_hash": "simstore",
                "bigcommerce_access_token": "sim-token",
                "api_base_url": self.sim_url + "/bigcommerce",
                "log_level": "all",
            }
        )

    # simulator ----------------------------------------------------------------------------------
    def sim_order(self, order_id):
        return self.sim("POST", "/_sim/bigcommerce/get_order", {"order_id": order_id})

    def add_orders(self, *specs, **defaults):
        return self.sim("POST", "/_sim/bigcommerce/add_orders", dict(defaults, orders=list(specs)))["orders"]

    # Odoo --------------------------------------------------------------------------------------------
    def confirm(self):
        self.instance.action_confirm()
        self.job("import_orders").cursor = "2020-01-01 00:00:00"

    def statuses(self, *names):
        return self.env["marketplace.order.status"].search(
            [("instance_id", "=", self.instance.id), ("name", "in", names)]
        )

    def product(self, sku, **vals):
        return self.env["product.product"].create(
            dict({"name": sku, "default_code": sku, "type": "product"}, **vals)
        )
