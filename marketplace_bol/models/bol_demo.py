from odoo import api, models

from .marketplace_instance import fbb_warehouse


class BolDemo(models.AbstractModel):
    """Demo data: a confirmed Bol.com account (FBR & FBB) on the local simulator and its offers
    as products (FBR ones with stock), so the first import shows orders of real products without
    credentials."""

    _name = "bol.demo"
    _description = "Bol.com Demo Account"

    @api.model
    def _create_instance(self):
        """Confirmed without calling Bol.com: the simulator may not run while the database is set up.
        The account of the demo's European company: Bol's prices include VAT without stating it,
        so the products' Dutch VAT applies (Belgian VAT for buyers in Belgium: fiscal position)."""
        Demo = self.env["marketplace.demo"]
        company = Demo._europe_company()
        url = Demo._simulator_url()
        instance = (
            self.env["marketplace.instance"]
            .with_company(company)
            .create(
                {
                    "name": "Bol.com (simulator)",
                    "company_id": company.id,
                    "marketplace": "bol",
                    "bol_client_id": "sim-bol-client",
                    "bol_client_secret": "sim-bol-secret",
                    "bol_fulfilment": "ALL",
                    "api_base_url": url + "/bol",
                    "order_prefix": "BOL-",
                    "marketplace_order_prefix": "BOLFBB-",
                    "log_level": "all",
                    # an offer the merchant adds on the simulator later still arrives as a product
                    "create_products": True,
                }
            )
        )
        instance.write({"marketplace_warehouse_id": fbb_warehouse(instance).id, "state": "confirmed"})
        catalogue = "marketplace_bol/data/demo_catalogue.csv"
        instance = Demo._ready(instance, "marketplace_bol.demo_instance", catalogue, days=7)
        Demo._give_company_taxes(catalogue, company)
        return instance
