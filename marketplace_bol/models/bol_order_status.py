from odoo import models

from ..adapter.mapping import to_neutral_orders


class MarketplaceInstance(models.Model):
    """Bol.com's status of an order after a shipment (hook `order_status`): Bol gives each item's
    state, not the order's, so the order is read back and its FBR part worded as the import
    words it (Shipped, Partially shipped...)."""

    _inherit = "marketplace.instance"

    def _bol_order_status(self, client, picking):
        order = client.order(picking.sale_id.marketplace_order_ref)
        parts = to_neutral_orders(order, ("FBR",))
        return parts[0]["status"] if parts else None
