from odoo import fields, models


class MarketplaceOrderStatus(models.Model):
    """A marketplace's order status, offered in the instance's 'Order Statuses to Import'."""

    _name = "marketplace.order.status"
    _description = "Marketplace Order Status"
    _order = "marketplace, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="The status as the marketplace's API names it.")
    marketplace = fields.Char(required=True, index=True, help="Code of the marketplace.")
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_unique", "UNIQUE(marketplace, code)", "A status appears once per marketplace."),
    ]
