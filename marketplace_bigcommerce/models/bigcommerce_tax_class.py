from odoo import api, fields, models


class BigCommerceTaxClass(models.Model):
    """A tax class of the store (GET /v2/tax_classes), read on Confirm; an Odoo tax may be set
    on it for reference."""

    _name = "bigcommerce.tax.class"
    _inherit = ["marketplace.instance.bound"]
    _description = "BigCommerce Tax Class"
    _order = "instance_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
    )

    _sql_constraints = [
        ("tax_class_unique", "UNIQUE(instance_id, bigcommerce_id)", "A tax class appears once per instance."),
    ]

    @api.model
    def _update(self, instance, rows):
        known = {c.bigcommerce_id: c for c in self.search([("instance_id", "=", instance.id)])}
        for row in rows:
            if row["id"] in known:
                known[row["id"]].name = row.get("name")
            else:
                self.create(
                    {"instance_id": instance.id, "bigcommerce_id": row["id"], "name": row.get("name")}
                )
