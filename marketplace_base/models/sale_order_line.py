from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    marketplace_line_ref = fields.Char(string="Marketplace Line Reference", copy=False)
    marketplace_gift_message = fields.Text(string="Gift Message", copy=False)
