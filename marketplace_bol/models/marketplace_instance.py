from odoo import api, fields, models

MANAGER = "marketplace_base.group_marketplace_manager"


class MarketplaceInstance(models.Model):
    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("bol", "Bol.com")], ondelete={"bol": "cascade"})
    bol_client_id = fields.Char(string="Client ID", groups=MANAGER, copy=False)
    bol_client_secret = fields.Char(string="Client Secret", groups=MANAGER, copy=False)
    bol_fulfilment = fields.Selection(
        [("FBR", "FBR"), ("FBB", "FBB"), ("ALL", "FBR & FBB")], string="Use Operation For", default="FBR"
    )
    bol_return_status = fields.Selection(
        [("unhandled", "Unhandled"), ("handled", "Handled")], string="Import Return for Status",
        default="unhandled",
    )

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + ["bol_client_id", "bol_client_secret"]
