from odoo import fields, models


class MarketplaceWorkflow(models.Model):
    """What happens automatically to an imported order: confirm, invoice, post, pay."""

    _name = "marketplace.workflow"
    _description = "Marketplace Order Workflow"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    confirm_order = fields.Boolean(string="Confirm Order", default=True)
    create_invoice = fields.Boolean(string="Create Invoice")
    validate_invoice = fields.Boolean(string="Validate Invoice")
    register_payment = fields.Boolean(string="Register Payment")
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        check_company=True,
    )
    payment_method_line_id = fields.Many2one(
        "account.payment.method.line",
        string="Payment Method",
        domain="[('journal_id', '=', journal_id), ('payment_type', '=', 'inbound')]",
    )
    sale_journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        check_company=True,
        help="Journal of the invoices; the company's default sales journal when empty.",
    )
