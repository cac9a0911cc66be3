from odoo import _, api, models
from odoo.exceptions import UserError

from ..adapter.client import PRODUCTION


class MarketplaceInstance(models.Model):
    """The BigCommerce account of an instance is its store hash: confirmed on one active
    instance only (see marketplace_base's marketplace_instance_account.py)."""

    _inherit = "marketplace.instance"

    @api.depends("bigcommerce_store_hash")
    def _compute_account_key(self):
        return super()._compute_account_key()

    def _bigcommerce_account_key(self):
        return self._account_key_of(
            (self.bigcommerce_store_hash or "").strip().lower(), production=[PRODUCTION]
        )

    def _bigcommerce_check_reference(self, reference):
        """Recover Order: a BigCommerce order is known by its number."""
        if not reference.isdigit():
            raise UserError(_("%s is not a BigCommerce order number: digits only.", reference))
