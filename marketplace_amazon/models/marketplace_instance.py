from odoo import api, fields, models

MANAGER = "marketplace_base.group_marketplace_manager"


class MarketplaceInstance(models.Model):
    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("amazon", "Amazon")], ondelete={"amazon": "cascade"})
    amazon_seller_id = fields.Char(string="Seller ID", help="Merchant token of the seller account.")
    amazon_region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")], string="Region", default="eu"
    )
    amazon_refresh_token = fields.Char(string="Authorization Token", groups=MANAGER, copy=False,
                                       help="The LWA refresh token of the authorization.")
    amazon_lwa_client_id = fields.Char(string="LWA Client ID", groups=MANAGER, copy=False)
    amazon_lwa_client_secret = fields.Char(string="LWA Client Secret", groups=MANAGER, copy=False)

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + [
            "amazon_refresh_token", "amazon_lwa_client_id", "amazon_lwa_client_secret"
        ]
