from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_instance_id = fields.Many2one(
        related="sale_id.marketplace_instance_id", store=True, string="Marketplace Instance"
    )
    marketplace_export_state = fields.Selection(
        [("pending", "To Export"), ("exported", "Exported"), ("failed", "Failed")],
        string="Shipment Export", copy=False,
        help="Whether this delivery's shipment and tracking have reached the marketplace.",
    )
    marketplace_export_error = fields.Text(string="Shipment Export Error", copy=False)
