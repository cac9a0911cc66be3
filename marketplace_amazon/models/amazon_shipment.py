from odoo import _, api, models
from odoo.exceptions import UserError

from ..adapter.mapping import shipment_package


class AmazonShipment(models.AbstractModel):
    """An FBM delivery as Amazon's confirmShipment takes it, and what Amazon already counts as
    shipped (read before a confirmation whose answer was lost is sent again)."""

    _name = "amazon.shipment"
    _description = "Amazon Shipment Confirmation"

    @api.model
    def _arguments(self, instance, picking):
        """confirmShipment arguments of a delivery; a missing tracking number stops it here."""
        if not picking.carrier_tracking_ref:
            raise UserError(_("Amazon requires a tracking number: set one on %s.", picking.name))
        items = [
            {"order_item_id": ref, "quantity": int(quantity)}
            for ref, quantity in picking._marketplace_items().items()
        ]
        if not items:
            raise UserError(_("%s ships no Amazon order item.", picking.name))
        sale = picking.sale_id
        return {
            "order_id": sale.marketplace_order_ref,
            "marketplace_id": sale.marketplace_site_ref or instance._home_amazon_marketplace().api_ref,
            "package": shipment_package(
                picking.id,
                picking.carrier_id.name or _("Self Delivery"),
                picking.carrier_tracking_ref,
                picking.date_done,
                items,
            ),
        }

    @api.model
    def _already_shipped(self, client, picking):
        """Whether Amazon already counts this delivery's items as shipped."""
        shipped = client.shipped_quantities(picking.sale_id.marketplace_order_ref)
        before = picking._marketplace_items_exported_before()
        return all(
            shipped.get(ref, 0) >= before.get(ref, 0) + quantity
            for ref, quantity in picking._marketplace_items().items()
        )
