from odoo import api, fields, models
from odoo.tools import float_compare


class MarketplaceWorkflow(models.Model):
    """What happens automatically to an imported order: confirm, invoice, post, pay."""

    _name = "marketplace.workflow"
    _description = "Marketplace Order Workflow"
    _order = "name"
    _check_company_auto = True

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
        check_company=True,
        domain="[('journal_id', '=', journal_id), ('payment_type', '=', 'inbound')]",
    )
    sale_journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        check_company=True,
        help="Journal of the invoices; the company's default sales journal when empty.",
    )

    @api.model
    def _set_default_payment_journals(self):
        """Workflows that register payments without a journal take the company's first bank
        journal (the shipped workflow, installed before the merchant chose one)."""
        for workflow in self.search([("register_payment", "=", True), ("journal_id", "=", False)]):
            workflow.journal_id = self.env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", workflow.company_id.id)], limit=1
            )

    @api.model
    def _default_for(self, company):
        """The confirming workflow a new instance of `company` starts with."""
        workflow = self.env.ref("marketplace_base.workflow_confirm", raise_if_not_found=False)
        if workflow and workflow.company_id == company:
            return workflow
        return self.search(
            [("company_id", "=", company.id), ("confirm_order", "=", True), ("create_invoice", "=", False)],
            limit=1,
        )

    # applying workflows ---------------------------------------------------------------------------
    @api.model
    def _for_order(self, sale):
        """The workflow of an imported order: by payment gateway and status when a rule of the
        instance says so, else the instance's workflow for the order's fulfilment."""
        instance = sale.marketplace_instance_id
        rule = instance.workflow_rule_ids._match(
            sale.marketplace_payment_gateway_id, sale.marketplace_payment_status
        )
        if rule:
            return rule.workflow_id
        if sale.marketplace_fulfilment == "marketplace":
            return instance.marketplace_workflow_id
        return instance.workflow_id

    @api.model
    def _apply_to_order(self, sale):
        workflow = self._for_order(sale)
        if not workflow:
            return
        if workflow.confirm_order and sale.state in ("draft", "sent"):
            sale.action_confirm()
        workflow._invoice(sale)

    @api.model
    def _invoice_after_delivery(self, sales):
        """Deliveries made lines invoiceable: invoice them as the orders' workflows say."""
        for sale in sales:
            workflow = self._for_order(sale)
            if workflow:
                workflow._invoice(sale)

    def _invoice(self, sale):
        """Create (and post, and pay) the invoice of what can be invoiced now.

        With "Create Single Invoice?" the invoice waits until everything ordered can be
        invoiced at once; otherwise each delivery is invoiced as it happens."""
        self.ensure_one()
        if not self.create_invoice or sale.state != "sale" or sale.invoice_status != "to invoice":
            return
        lines = sale.order_line.filtered(lambda l: not l.display_type)
        if sale.marketplace_instance_id.create_single_invoice and any(
            float_compare(
                l.qty_invoiced + l.qty_to_invoice,
                l.product_uom_qty,
                precision_rounding=l.product_uom.rounding,
            )
            < 0
            for l in lines
            if l.product_uom_qty > 0
        ):
            return
        if self.sale_journal_id:
            sale = sale.with_context(default_journal_id=self.sale_journal_id.id)
        invoices = sale._create_invoices()
        if not self.validate_invoice:
            return
        invoices.action_post()
        # a buyer who pays later (cash on delivery: the marketplace says "unpaid") is not marked paid
        if (
            self.register_payment
            and self.journal_id
            and (sale.marketplace_payment_status or "").lower() != "unpaid"
        ):
            self._pay(invoices)

    def _pay(self, invoices):
        vals = {"journal_id": self.journal_id.id}
        if self.payment_method_line_id:
            vals["payment_method_line_id"] = self.payment_method_line_id.id
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create(vals)._create_payments()
