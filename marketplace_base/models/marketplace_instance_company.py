from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class MarketplaceInstance(models.Model):
    """An instance works for one company: every record it points at is that company's (or
    shared by every company), so that its jobs never book one company's orders on another's
    warehouse, pricelist, workflow, accounts or products (Odoo's `_check_company`). A new
    instance of another company than the one in use starts with that company's defaults."""

    _inherit = "marketplace.instance"
    _check_company_auto = True

    pricelist_id = fields.Many2one(check_company=True)
    team_id = fields.Many2one(check_company=True)
    analytic_account_id = fields.Many2one(check_company=True)
    payment_term_id = fields.Many2one(check_company=True)
    order_status_ids = fields.Many2many(
        check_company=True, domain="[('marketplace', '=', marketplace), ('instance_id', 'in', (False, id))]"
    )
    tax_account_id = fields.Many2one(check_company=True)
    refund_tax_account_id = fields.Many2one(check_company=True)
    receivable_account_id = fields.Many2one(check_company=True)
    delivery_product_id = fields.Many2one(check_company=True)
    custom_product_id = fields.Many2one(check_company=True)
    custom_storable_product_id = fields.Many2one(check_company=True)
    gift_certificate_product_id = fields.Many2one(check_company=True)
    default_product_id = fields.Many2one(check_company=True)
    gift_wrap_product_id = fields.Many2one(check_company=True)
    discount_product_id = fields.Many2one(check_company=True)
    workflow_id = fields.Many2one(check_company=True)
    marketplace_workflow_id = fields.Many2one(check_company=True)
    anonymous_partner_id = fields.Many2one(check_company=True)

    @api.constrains("order_status_ids")
    def _check_order_statuses(self):
        for instance in self:
            if instance.order_status_ids.filtered(
                lambda s: s.instance_id and s.instance_id.id != instance.id
            ):
                raise ValidationError(
                    _(
                        "%s imports the statuses of its own store (or the marketplace's), not "
                        "another store's.",
                        instance.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
            if company != self.env.company:
                self._company_defaults(vals, company)
        return super().create(vals_list)

    @api.model
    def _company_defaults(self, vals, company):
        """The defaults that depend on the company, for an instance created for another company
        than the one in use (Odoo's defaults would be the company in use's)."""
        Workflow = self.env["marketplace.workflow"]
        for fname in ("workflow_id", "marketplace_workflow_id"):
            vals.setdefault(fname, Workflow._default_for(company).id)
        vals.setdefault(
            "warehouse_id", self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).id
        )
        vals.setdefault("currency_id", company.currency_id.id)
