from odoo import fields, models

from ..adapter.client import TRANSPORTER_CODES


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    bol_transporter_code = fields.Selection(
        [(code, code) for code in TRANSPORTER_CODES],
        string="Bol.com Transporter",
        help="The transporter Bol.com is told for shipments with this carrier; empty: found from the "
        "carrier's name (PostNL is TNT, DHL, DPD, UPS, ...), else OTHER.",
    )
