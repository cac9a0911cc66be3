from odoo import fields, models


class MarketplaceWorkflowRule(models.Model):
    """Which workflow an order gets for its payment gateway and payment status."""

    _name = "marketplace.workflow.rule"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Workflow by Payment"
    _order = "instance_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    gateway_id = fields.Many2one(
        "marketplace.payment.gateway",
        string="Payment Gateway",
        check_company=True,
        domain="[('instance_id', '=', instance_id)]",
        help="Empty: any gateway.",
    )
    payment_status = fields.Char(
        help="Payment status as the marketplace sends it (e.g. captured); empty: any."
    )
    workflow_id = fields.Many2one(
        "marketplace.workflow", required=True, string="Workflow", check_company=True
    )

    def _match(self, gateway, payment_status):
        """The first rule for this gateway and status; the most specific rules first."""
        status = (payment_status or "").lower()
        candidates = self.filtered(
            lambda r: (
                (not r.gateway_id or r.gateway_id == gateway)
                and (not r.payment_status or r.payment_status.lower() == status)
            )
        )
        return candidates.sorted(lambda r: (not r.gateway_id, not r.payment_status, r.sequence))[:1]
