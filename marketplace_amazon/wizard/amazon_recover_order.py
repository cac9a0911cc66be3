from odoo import fields, models


class AmazonRecoverOrder(models.TransientModel):
    """Import one Amazon order by its reference (e.g. one missed before Last Order Sync)."""

    _name = "amazon.recover.order"
    _description = "Recover an Amazon Order"

    instance_id = fields.Many2one("marketplace.instance", required=True, domain=[("marketplace", "=", "amazon")])
    reference = fields.Char(string="Amazon Order Reference", required=True, help="e.g. 028-1234567-1234567")

    def action_recover(self):
        self.ensure_one()
        order = self.instance_id.action_recover_order(self.reference.strip())
        if not order:
            return {"type": "ir.actions.act_window_close"}
        return {"type": "ir.actions.act_window", "res_model": "sale.order", "res_id": order.id, "view_mode": "form"}
