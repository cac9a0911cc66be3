from odoo import _, api, fields, models


class AmazonMarketplace(models.Model):
    """An Amazon marketplace (Amazon.de, Amazon.com, ...) as the SP-API identifies it."""

    _name = "amazon.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True, help="e.g. Amazon.se")
    api_ref = fields.Char(string="API Identifier", required=True, help="The MarketplaceId, e.g. A2NODRKZP88ZB9.")
    country_id = fields.Many2one("res.country", string="Country")
    domain = fields.Char(help="The shop's domain, e.g. www.amazon.se.")
    region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")], required=True,
        help="The SP-API region serving this marketplace.",
    )
    seller_central_url = fields.Char(string="Seller Central URL")
    prices_include_tax = fields.Boolean(
        string="Prices Include Tax",
        help="Amazon's item prices include VAT here (Europe, most of the world) or not (US, Canada).",
    )

    _sql_constraints = [
        ("api_ref_unique", "UNIQUE(api_ref)", "A marketplace identifier appears once."),
    ]

    @api.model
    def _update_account(self, instance, participations):
        """Fill an account's available marketplaces from its participations: new ones are
        synchronized until the user removes them; those it left are no longer synchronized.
        Marketplaces unknown here are skipped (a developer adds them as records, and they
        appear at the next update)."""
        ids = [p["marketplace"]["id"] for p in participations
               if p.get("participation", {}).get("isParticipating", True)]
        available = self.search([("api_ref", "in", ids)])
        new = available - instance.amazon_available_marketplace_ids
        instance.write({
            "amazon_available_marketplace_ids": [(6, 0, available.ids)],
            "amazon_marketplace_ids": [(4, m.id) for m in new]
            + [(3, m.id) for m in instance.amazon_marketplace_ids - available],
        })
        if not instance.amazon_home_marketplace_id and available:
            instance.amazon_home_marketplace_id = available[:1]

    @api.model
    def _warehouse(self, instance):
        """Amazon's stock of the company lives in one warehouse shared by its accounts."""
        Warehouse = self.env["stock.warehouse"]
        company = instance.company_id
        return Warehouse.search([("company_id", "=", company.id), ("code", "=", "AMZN")], limit=1) \
            or Warehouse.create({"name": _("Amazon"), "code": "AMZN", "company_id": company.id})

    @api.model
    def _team(self, instance):
        Team = self.env["crm.team"]
        company = instance.company_id
        return Team.search([("name", "=", "Amazon"), ("company_id", "in", (False, company.id))], limit=1) \
            or Team.create({"name": "Amazon", "company_id": company.id})
