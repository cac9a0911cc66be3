from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_instance_id = fields.Many2one(
        "marketplace.instance", string="Marketplace Instance", index=True, copy=False, readonly=True
    )
    marketplace_order_ref = fields.Char(
        string="Marketplace Order Reference", copy=False, readonly=True, index=True
    )
    marketplace_fulfilment = fields.Selection(
        [("merchant", "Merchant"), ("marketplace", "Marketplace")], string="Fulfilled By", copy=False
    )
    marketplace_status = fields.Char(string="Marketplace Status", copy=False)
    marketplace_site_ref = fields.Char(
        string="Marketplace Site", copy=False, readonly=True,
        help="The marketplace of the account the order was placed on (e.g. Amazon.de's id).",
    )
    marketplace_payment_gateway_id = fields.Many2one(
        "marketplace.payment.gateway", string="Payment Gateway", copy=False, readonly=True
    )
    marketplace_payment_status = fields.Char(string="Payment Status", copy=False, readonly=True)
    marketplace_gift_message = fields.Text(string="Gift Message", copy=False)
    marketplace_sync_error = fields.Boolean(
        string="Marketplace Sync Error", copy=False,
        help="Something about this order needs a person: see the message.",
    )
    marketplace_sync_message = fields.Text(string="Marketplace Sync Message", copy=False)

    _sql_constraints = [
        ("marketplace_order_unique", "UNIQUE(marketplace_instance_id, marketplace_order_ref)",
         "This marketplace order has already been imported for this instance."),
    ]

    def _marketplace_flag(self, message):
        """Mark the order for a person, keeping every reason given."""
        for order in self:
            text = "\n".join(filter(None, [order.marketplace_sync_message, message]))
            order.write({"marketplace_sync_error": True, "marketplace_sync_message": text})

    def _marketplace_shipped(self):
        """Whether anything of the order has left the warehouse."""
        self.ensure_one()
        return any(move.state == "done" for move in self.order_line.move_ids)
