from odoo import fields, models


class MarketplaceOrderStatus(models.Model):
    """A marketplace's order status, offered in the instance's 'Order Statuses to Import'.

    Statuses a connector ships (Bol.com's) belong to no instance and are shared; those a store
    defines itself and Confirm imports (BigCommerce's, with the store's own labels) belong to
    the instance that imported them, so that two stores never overwrite each other's labels."""

    _name = "marketplace.order.status"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Order Status"
    _order = "marketplace, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="The status as the marketplace's API names it.")
    marketplace = fields.Char(required=True, index=True, help="Code of the marketplace.")
    sequence = fields.Integer(default=10)
    instance_id = fields.Many2one(
        "marketplace.instance",
        ondelete="cascade",
        index=True,
        check_company=True,
        help="The instance whose store defines this status (empty: the marketplace's own, shared).",
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)

    _sql_constraints = [
        (
            "code_unique",
            "UNIQUE(marketplace, instance_id, code)",
            "A status appears once per marketplace and store.",
        ),
    ]
