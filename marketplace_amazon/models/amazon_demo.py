from odoo import api, models

DEMO_SITES = ("A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER")


class AmazonDemo(models.AbstractModel):
    """Demo data: a confirmed Amazon account on the local simulator and its catalogue as products
    with stock, so the first import shows orders of real products without credentials."""

    _name = "amazon.demo"
    _description = "Amazon Demo Account"

    @api.model
    def _create_instance(self):
        """Confirmed without calling Amazon: the simulator may not run while the database is set up.
        The account of the demo's European company (home marketplace Amazon.de), following
        Amazon's taxes: German, French and British VAT as Amazon charged them, none where Amazon
        collects the tax itself (Amazon.com's sales tax, as marketplace facilitator)."""
        Demo = self.env["marketplace.demo"]
        company = Demo._europe_company()
        sites = self.env["amazon.marketplace"].search([("api_ref", "in", DEMO_SITES)])
        instance = (
            self.env["marketplace.instance"]
            .with_company(company)
            .create(
                {
                    "name": "Amazon.de (simulator)",
                    "company_id": company.id,
                    "tax_system": "marketplace",
                    "marketplace": "amazon",
                    "amazon_seller_id": "SIMSELLER1",
                    "amazon_region": "eu",
                    "amazon_refresh_token": "sim-refresh-token",
                    "amazon_lwa_client_id": "sim-lwa-client",
                    "amazon_lwa_client_secret": "sim-lwa-secret",
                    "api_base_url": Demo._simulator_url() + "/amazon",
                    "amazon_home_marketplace_id": sites.filtered(lambda m: m.api_ref == "A1PA6795UKMFR9").id,
                    "amazon_available_marketplace_ids": [(6, 0, sites.ids)],
                    "amazon_marketplace_ids": [(6, 0, sites.ids)],
                    "log_level": "all",
                }
            )
        )
        instance.write(
            {
                "marketplace_warehouse_id": self.env["amazon.marketplace"]._warehouse(instance).id,
                "team_id": self.env["amazon.marketplace"]._team(instance).id,
                "state": "confirmed",
            }
        )
        catalogue = "marketplace_amazon/data/demo_catalogue.csv"
        instance = Demo._ready(instance, "marketplace_amazon.demo_instance", catalogue, days=30)
        Demo._give_company_taxes(catalogue, company)
        return instance
