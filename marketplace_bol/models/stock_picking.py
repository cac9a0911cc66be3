from odoo import fields, models

from ..adapter.client import HANDLING_RESULTS

LABELS = {
    "RETURN_RECEIVED": "Return received",
    "EXCHANGE_PRODUCT": "Exchange product",
    "RETURN_DOES_NOT_MEET_CONDITIONS": "Return does not meet conditions",
    "REPAIR_PRODUCT": "Repair product",
    "CUSTOMER_KEEPS_PRODUCT_PAID": "Customer keeps product (paid)",
    "STILL_APPROVED": "Still approved",
}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    bol_handling_result = fields.Selection(
        [(code, LABELS[code]) for code in HANDLING_RESULTS],
        string="Bol.com Handling Result",
        default="RETURN_RECEIVED",
        copy=False,
        help="What Bol.com is told when this return picking of an unhandled Bol.com return is validated.",
    )
