from odoo import api, fields, models


class BigCommerceChannel(models.Model):
    """A sales channel of the store (storefront, marketplace, point of sale), read on Confirm."""

    _name = "bigcommerce.channel"
    _inherit = ["marketplace.instance.bound"]
    _description = "BigCommerce Sales Channel"
    _order = "instance_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    platform = fields.Char(readonly=True)
    channel_type = fields.Char(string="Type", readonly=True)
    status = fields.Char(readonly=True)

    _sql_constraints = [
        ("channel_unique", "UNIQUE(instance_id, bigcommerce_id)", "A channel appears once per instance."),
    ]

    @api.model
    def _update(self, instance, rows):
        known = {c.bigcommerce_id: c for c in self.search([("instance_id", "=", instance.id)])}
        for row in rows:
            vals = {
                "name": row.get("name"),
                "platform": row.get("platform"),
                "channel_type": row.get("type"),
                "status": row.get("status"),
            }
            if row["id"] in known:
                known[row["id"]].write(vals)
            else:
                self.create(dict(vals, instance_id=instance.id, bigcommerce_id=row["id"]))
