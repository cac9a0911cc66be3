from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    marketplace_return_line_ref = fields.Char(
        string="Marketplace Return Item",
        copy=False,
        readonly=True,
        help="The marketplace's id of the returned item this move brings back (e.g. Bol.com's RMA id).",
    )
