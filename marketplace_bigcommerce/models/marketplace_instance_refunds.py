from odoo import models


class MarketplaceInstance(models.Model):
    """BigCommerce's hooks of Import Settlements: its refunds (see bigcommerce.refund)."""

    _inherit = "marketplace.instance"

    def _bigcommerce_read_settlements(self, client, since):
        """One settlement that never closes: the store's refunds (BigCommerce pays nothing out)."""
        return [self.env["bigcommerce.refund"]._settlement(self)]

    def _bigcommerce_settlement_lines(self, client, settlement, posted_after):
        """Pages of the refunds created since `posted_after` as neutral refund lines."""
        return self.env["bigcommerce.refund"]._lines(self, client, posted_after)

    def _bigcommerce_refund_booked(self, credit_note, line):
        """Pay the credit note back through the gateway's journal when the order was paid there."""
        self.env["bigcommerce.refund"]._pay_back(self, credit_note, line)
