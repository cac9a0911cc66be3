from odoo import _, api, fields, models
from odoo.exceptions import UserError


class BigCommerceCategory(models.Model):
    """A category of the store's catalogue and the Odoo product category that mirrors it (the
    same tree), imported through the queue after Confirm."""

    _name = "bigcommerce.category"
    _inherit = ["marketplace.instance.bound"]
    _description = "BigCommerce Category"
    _order = "instance_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True, readonly=True)
    name = fields.Char(required=True)
    parent_id = fields.Many2one(
        "bigcommerce.category", string="Parent", ondelete="set null", check_company=True
    )
    product_category_id = fields.Many2one("product.category", string="Odoo Category")

    _sql_constraints = [
        ("category_unique", "UNIQUE(instance_id, bigcommerce_id)", "A category appears once per instance."),
    ]

    @api.model
    def _import(self, instance, row):
        """A queued category (GET /v3/catalog/categories row): created or renamed, under its
        parent (queued before it); its Odoo category sits at the same place of the tree."""
        parent = self.browse()
        if row.get("parent_id"):
            parent = self.search(
                [("instance_id", "=", instance.id), ("bigcommerce_id", "=", row["parent_id"])]
            )
            if not parent:
                raise UserError(
                    _(
                        "Category %(name)s: its parent %(parent)s is not imported yet; Retry once it is.",
                        name=row.get("name"),
                        parent=row["parent_id"],
                    )
                )
        category = self.search([("instance_id", "=", instance.id), ("bigcommerce_id", "=", row["id"])])
        odoo_parent = parent.product_category_id
        vals = {"name": row["name"], "parent_id": parent.id or False}
        if not category:
            product_category = self.env["product.category"].search(
                [("name", "=", row["name"]), ("parent_id", "=", odoo_parent.id or False)], limit=1
            ) or self.env["product.category"].create(
                {"name": row["name"], "parent_id": odoo_parent.id or False}
            )
            return self.create(
                dict(
                    vals,
                    instance_id=instance.id,
                    bigcommerce_id=row["id"],
                    product_category_id=product_category.id,
                )
            )
        category.write(vals)
        category.product_category_id.write({"name": row["name"], "parent_id": odoo_parent.id or False})
        return category

    @api.model
    def _product_category(self, instance, category_ids):
        """The Odoo category of a product's first known BigCommerce category."""
        for category_id in category_ids or []:
            category = self.search(
                [("instance_id", "=", instance.id), ("bigcommerce_id", "=", category_id)], limit=1
            )
            if category.product_category_id:
                return category.product_category_id
        return self.env["product.category"]
