import os
from datetime import timedelta

from odoo import api, fields, models


class BolDemo(models.AbstractModel):
    """Demo data: a confirmed Bol.com account (FBR & FBB) on the local simulator, so the first
    import shows orders without credentials."""

    _name = "bol.demo"
    _description = "Bol.com Demo Account"

    @api.model
    def _create_instance(self):
        """Confirmed without calling Bol.com: the simulator may not run while the database is set up."""
        url = self._simulator_url()
        instance = self.env["marketplace.instance"].create({
            "name": "Bol.com (simulator)",
            "marketplace": "bol",
            "bol_client_id": "sim-bol-client",
            "bol_client_secret": "sim-bol-secret",
            "bol_fulfilment": "ALL",
            "api_base_url": url + "/bol",
            "order_prefix": "BOL-",
            "marketplace_order_prefix": "BOLFBB-",
            "log_level": "all",
            # the demo database has none of the simulated offers' products: they are made from Bol's items
            "create_products": True,
        })
        instance.write({"marketplace_warehouse_id": instance._bol_fbb_warehouse().id, "state": "confirmed"})
        instance._job("import_orders").cursor = fields.Datetime.now() - timedelta(days=7)
        instance.job_ids.filtered(lambda j: j.job in ("import_orders", "process_queues")).cron_active = True
        self.env["ir.model.data"]._update_xmlids([{
            "xml_id": "marketplace_bol.demo_instance", "record": instance, "noupdate": True,
        }])
        return instance

    @api.model
    def _simulator_url(self):
        """Where the local simulator answers: system parameter, else the environment, else localhost."""
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param("marketplace.simulator_url") or os.environ.get("MARKETPLACE_SIMULATOR_URL") \
            or "http://localhost:8700"
        params.set_param("marketplace.simulator_url", url)
        return url.rstrip("/")
