from odoo import api, fields, models

MANAGER = "marketplace_base.group_marketplace_manager"


class MarketplaceInstance(models.Model):
    _inherit = "marketplace.instance"

    marketplace = fields.Selection(
        selection_add=[("bigcommerce", "BigCommerce")], ondelete={"bigcommerce": "cascade"}
    )
    bigcommerce_store_hash = fields.Char(string="Store Hash")
    bigcommerce_access_token = fields.Char(string="Access Token", groups=MANAGER, copy=False)

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + ["bigcommerce_access_token"]
