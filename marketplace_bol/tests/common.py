from odoo import fields

from odoo.addons.marketplace_base.tests.simulator_case import SimulatorCase

from ..adapter import client as client_module


class BolCase(SimulatorCase):
    """A Bol.com retailer account (FBR & FBB) on a local simulator over real HTTP (no API is
    patched). The simulated account starts without orders: each test adds the ones it needs,
    and the import reads the last minutes of changes."""

    MARKETPLACE = "bol"
    SEED = 5
    SIZES = {"orders": 0, "products": 24}
    MAX_WAIT = 20
    RATE_SCALE = 1000

    def setUp(self):
        client_module.reset_rate_limits()
        client_module.forget_tokens()
        super().setUp()
        self.sim("POST", "/_sim/bol/process_timing", {"polls": 1, "seconds": 0})
        self.offers = self.sim("POST", "/_sim/bol/offers", {})["offers"]
        self.fbr_offers = [o for o in self.offers if o["fulfilmentMethod"] == "FBR"]
        self.fbb_offers = [o for o in self.offers if o["fulfilmentMethod"] == "FBB"]
        # every offer has its product in Odoo (by EAN), but the last FBR one
        self.unknown = self.fbr_offers[-1]
        self.products = self.env["product.product"].create(
            [
                {
                    "name": o["sku"],
                    "barcode": o["ean"],
                    "default_code": o["sku"],
                    "type": "product",
                    "list_price": 10,
                }
                for o in self.offers
                if o is not self.unknown
            ]
        )
        self.instance = self.env["marketplace.instance"].create(
            {
                "name": "Bol Test Account",
                "marketplace": "bol",
                "bol_client_id": "sim-bol-client",
                "bol_client_secret": "sim-bol-secret",
                "bol_fulfilment": "ALL",
                "api_base_url": self.sim_url + "/bol",
                "order_prefix": "BOL-",
                "marketplace_order_prefix": "BOLFBB-",
                "log_level": "all",
                "workflow_id": self.env["marketplace.workflow"]
                .create({"name": "Confirm", "confirm_order": True})
                .id,
                "marketplace_workflow_id": self.env["marketplace.workflow"]
                .create({"name": "Confirm FBB", "confirm_order": True})
                .id,
            }
        )

    # simulator ----------------------------------------------------------------------------------
    def add_orders(self, **spec):
        return self.sim("POST", "/_sim/bol/add_orders", spec)

    def set_status(self, order_id, status, **extra):
        return self.sim("POST", "/_sim/bol/set_order_status", dict(order_id=order_id, status=status, **extra))

    def sim_order(self, order_id):
        return self.sim("POST", "/_sim/bol/get_order", {"order_id": order_id})

    # Odoo --------------------------------------------------------------------------------------------
    def confirm(self):
        self.instance.action_confirm()
        self.rewind()

    def rewind(self, minutes=10):
        """Import Orders reads the changes of the last minutes again."""
        self.job("import_orders").cursor = fields.Datetime.subtract(fields.Datetime.now(), minutes=minutes)

    def product(self, offer):
        return self.products.filtered(lambda p: p.barcode == offer["ean"])
