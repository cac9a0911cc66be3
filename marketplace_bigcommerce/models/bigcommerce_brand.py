from odoo import api, fields, models


class BigCommerceBrand(models.Model):
    """A brand of the store's catalogue, imported through the queue after Confirm."""

    _name = "bigcommerce.brand"
    _inherit = ["marketplace.instance.bound"]
    _description = "BigCommerce Brand"
    _order = "instance_id, name"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True, readonly=True)
    name = fields.Char(required=True)

    _sql_constraints = [
        ("brand_unique", "UNIQUE(instance_id, bigcommerce_id)", "A brand appears once per instance."),
    ]

    @api.model
    def _import(self, instance, row):
        brand = self.search([("instance_id", "=", instance.id), ("bigcommerce_id", "=", row["id"])])
        if brand:
            brand.name = row["name"]
            return brand
        return self.create({"instance_id": instance.id, "bigcommerce_id": row["id"], "name": row["name"]})
