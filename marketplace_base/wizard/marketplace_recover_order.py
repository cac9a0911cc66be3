from odoo import fields, models


class MarketplaceRecoverOrder(models.TransientModel):
    """Import one order by its marketplace reference, whatever the instance's Last Processed On
    says (e.g. an order missed before the first import, or whose sale order was deleted)."""

    _name = "marketplace.recover.order"
    _description = "Recover a Marketplace Order"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance",
        string="Instance",
        required=True,
        domain=[("state", "=", "confirmed")],
        check_company=True,
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    reference = fields.Char(
        string="Marketplace Order Reference",
        required=True,
        help="The order's number on the marketplace: e.g. 028-1234567-1234567 on Amazon, the order id "
        "on Bol.com or BigCommerce.",
    )

    def action_recover(self):
        self.ensure_one()
        self.env["marketplace.access"]._check(self.instance_id)
        order_id = self.instance_id.action_recover_order(self.reference)
        if not order_id:
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order_id,
            "view_mode": "form",
        }
