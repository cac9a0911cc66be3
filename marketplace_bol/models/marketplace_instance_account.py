from odoo import api, models

from ..adapter.client import PRODUCTION_API


class MarketplaceInstance(models.Model):
    """The Bol.com account of an instance is its client id: confirmed on one active instance
    only (see marketplace_base's marketplace_instance_account.py)."""

    _inherit = "marketplace.instance"

    @api.depends("bol_client_id")
    def _compute_account_key(self):
        return super()._compute_account_key()

    def _bol_account_key(self):
        # sudo: the client id is a managers' field, only hashed here
        return self._account_key_of(self.sudo().bol_client_id, production=[PRODUCTION_API])
