from odoo import fields, models


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
