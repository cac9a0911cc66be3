from odoo import api, fields, models


class MarketplaceOrderCancellation(models.Model):
    """An order the marketplace cancelled, remembered for good.

    A cancellation may be seen before the order is (the order was cancelled before the first
    download, or its earlier version waits in a queue or fails and is retried later): without
    this record, that earlier version would create an order the buyer no longer wants. And a
    cancelled marketplace order never comes back, so no later version re-opens it.
    """

    _name = "marketplace.order.cancellation"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Order Cancellation"
    _order = "id desc"
    _rec_name = "order_ref"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    order_ref = fields.Char(string="Marketplace Order Reference", required=True, readonly=True)
    name = fields.Char(string="Order Number", readonly=True, help="The order number shown to the seller.")
    sale_order_id = fields.Many2one(
        "sale.order", string="Sale Order", readonly=True, ondelete="set null", check_company=True
    )
    cancelled_at = fields.Datetime(
        readonly=True,
        help="When the marketplace changed the order to cancelled (when it was seen, if unknown).",
    )

    _sql_constraints = [
        (
            "order_unique",
            "UNIQUE(instance_id, order_ref)",
            "This marketplace order's cancellation is already recorded for this instance.",
        ),
    ]

    @api.model
    def _is_cancelled(self, instance, order_ref):
        # sudo: the engine's record of this instance's cancellations, counted only
        return bool(
            self.sudo().search_count(
                [("instance_id", "=", instance.id), ("order_ref", "=", order_ref)], limit=1
            )
        )

    @api.model
    def _remember(self, instance, order, sale=None):
        """Record the cancellation of a neutral order (schemas.order.Order) once; engine
        bookkeeping, written whatever the rights of the user processing the queue."""
        if self._is_cancelled(instance, order.external_id):
            return
        updated_at = order.updated_at and self.env["marketplace.order.service"]._naive(order.updated_at)
        self.sudo().create(
            {
                "instance_id": instance.id,
                "order_ref": order.external_id,
                "name": order.reference,
                "sale_order_id": sale.id if sale else False,
                "cancelled_at": updated_at or fields.Datetime.now(),
            }
        )
