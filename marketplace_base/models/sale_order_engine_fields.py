from odoo import api, fields, models

# Which marketplace order an order is, and whether its payment reached the marketplace: written
# by the engine only (an order made by hand and pointed at an instance would be shipped and
# reported to the marketplace as if it had come from there; a payment state set by hand would
# be reported without a payment in Odoo).
ENGINE_FIELDS = (
    "marketplace_instance_id",
    "marketplace_order_ref",
    "marketplace_updated_at",
    "marketplace_payment_export",
    "marketplace_payment_export_error",
)


class SaleOrder(models.Model):
    """The fields of a marketplace order that only the engine writes (see marketplace.access)."""

    _inherit = "sale.order"

    # an order of one company never belongs to another company's instance
    marketplace_instance_id = fields.Many2one(check_company=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        return super().write(vals)
