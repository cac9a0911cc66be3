from odoo import api, fields, models


class MarketplacePaymentGateway(models.Model):
    """A payment gateway seen on the orders of an instance (created on first sight)."""

    _name = "marketplace.payment.gateway"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Payment Gateway"
    _order = "instance_id, name"
    _check_company_auto = True

    name = fields.Char(required=True)
    code = fields.Char(required=True, help="The gateway as the marketplace names it.")
    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(instance_id, code)", "A gateway appears once per instance."),
    ]

    @api.model
    def _get(self, instance, code):
        if not code:
            return self.browse()
        return self.search([("instance_id", "=", instance.id), ("code", "=", code)], limit=1) or self.create(
            {"instance_id": instance.id, "code": code, "name": code}
        )
