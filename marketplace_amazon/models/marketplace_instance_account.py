from odoo import _, api, models
from odoo.exceptions import UserError

from ..adapter.client import PRODUCTION


class MarketplaceInstance(models.Model):
    """The Amazon account of an instance is its seller id in its region: confirmed on one
    active instance only (see marketplace_base's marketplace_instance_account.py)."""

    _inherit = "marketplace.instance"

    @api.depends("amazon_seller_id", "amazon_region")
    def _compute_account_key(self):
        return super()._compute_account_key()

    def _amazon_account_key(self):
        seller = (self.amazon_seller_id or "").strip().upper()
        return self._account_key_of(
            seller and "%s:%s" % (self.amazon_region or "eu", seller),
            production=[url for url, _aws_region in PRODUCTION.values()],
        )

    def _amazon_confirm(self):
        """An account is known by its seller id: none, no confirmation (nor listings to import)."""
        if not (self.amazon_seller_id or "").strip():
            raise UserError(
                _("Fill in the Seller ID (merchant token) of %s before confirming it.", self.name)
            )
        return super()._amazon_confirm()
