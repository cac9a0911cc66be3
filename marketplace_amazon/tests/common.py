from odoo.addons.marketplace_base.tests.simulator_case import SimulatorCase

from ..adapter.restricted import forget_restricted_tokens

DE, UK, FR, US = "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER"


class AmazonCase(SimulatorCase):
    """An Amazon account on a local simulator over real HTTP (no API is patched)."""

    MARKETPLACE = "amazon"
    SEED = 11
    SIZES = {"orders": 40, "products": 20}
    RATE_SCALE = 100

    def setUp(self):
        forget_restricted_tokens()  # each test counts its own calls
        super().setUp()
        self.sim("POST", "/_sim/amazon/feed_timing", {"stage_seconds": 0})
        self.instance = self.env["marketplace.instance"].create(
            {
                "name": "Amazon Test Account",
                "marketplace": "amazon",
                "amazon_seller_id": "SIMSELLER1",
                "amazon_region": "eu",
                "amazon_refresh_token": "sim-refresh-token",
                "amazon_lwa_client_id": "sim-lwa-client",
                "amazon_lwa_client_secret": "sim-lwa-secret",
                "api_base_url": self.sim_url + "/amazon",
                "log_level": "all",
            }
        )

    # Odoo --------------------------------------------------------------------------------------------
    def confirm(self):
        self.instance.action_confirm()
        self.instance.amazon_home_marketplace_id = self.env["amazon.marketplace"].search(
            [("api_ref", "=", DE)]
        )
        self.job("import_orders").cursor = "2020-01-01 00:00:00"

    def add_order(self, **spec):
        """One order on the simulator (an Unshipped FBM order of Amazon.de unless `spec` says
        otherwise; see marketplace_simulator/amazon/control.py); its reference."""
        spec = dict({"marketplace_id": DE, "fulfillment_channel": "MFN", "status": "Unshipped"}, **spec)
        return self.sim("POST", "/_sim/amazon/add_orders", {"orders": [spec]})["orders"][0]

    def sim_order(self, reference):
        """Everything the simulator knows of an order (PII included), in Orders v0's shape."""
        return self.sim("POST", "/_sim/amazon/get_order", {"amazon_order_id": reference})
