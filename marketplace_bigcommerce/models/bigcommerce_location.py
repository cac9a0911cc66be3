from odoo import api, fields, models


class BigCommerceLocation(models.Model):
    """A BigCommerce inventory location, mapped to the Odoo warehouse and stock location whose
    stock it holds. Only enabled locations take part in stock imports and exports."""

    _name = "bigcommerce.location"
    _inherit = ["marketplace.instance.bound"]
    _description = "BigCommerce Location"
    _order = "instance_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True, readonly=True)
    code = fields.Char(readonly=True)
    name = fields.Char(required=True)
    bigcommerce_active = fields.Boolean(
        string="Active on BigCommerce",
        readonly=True,
        help="Whether the location is enabled in the BigCommerce control panel.",
    )
    sync_enabled = fields.Boolean(
        string="Enabled",
        help="Import and export this location's stock, from and to the stock location below.",
    )
    warehouse_id = fields.Many2one("stock.warehouse", string="Warehouse", check_company=True)
    stock_location_id = fields.Many2one(
        "stock.location",
        string="Stock Location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=?', warehouse_id)]",
        help="Where this location's stock is counted in Odoo (and its children).",
    )

    _sql_constraints = [
        (
            "location_unique",
            "UNIQUE(instance_id, bigcommerce_id)",
            "A BigCommerce location appears once per instance.",
        ),
    ]

    @api.onchange("warehouse_id")
    def _onchange_warehouse_id(self):
        if self.warehouse_id and self.stock_location_id.warehouse_id != self.warehouse_id:
            self.stock_location_id = self.warehouse_id.lot_stock_id

    @api.model
    def _update(self, instance, rows):
        """The store's locations (GET /v3/inventory/locations). A new one maps to the warehouse
        whose code is the location's, else to the instance's warehouse; only the first location
        is enabled by default, so that no Odoo stock is counted twice until the merchant maps
        the others."""
        known = {loc.bigcommerce_id: loc for loc in instance.bigcommerce_location_ids}
        for row in rows:
            vals = {
                "name": row.get("label") or row.get("code"),
                "code": row.get("code"),
                "bigcommerce_active": bool(row.get("enabled")),
            }
            if row["id"] in known:
                known[row["id"]].write(vals)
                continue
            warehouse = self.env["stock.warehouse"].search(
                [("code", "=", (row.get("code") or "")[:5]), ("company_id", "=", instance.company_id.id)],
                limit=1,
            )
            first = not known and vals["bigcommerce_active"]
            warehouse = warehouse or instance.warehouse_id
            known[row["id"]] = self.create(
                dict(
                    vals,
                    instance_id=instance.id,
                    bigcommerce_id=row["id"],
                    warehouse_id=warehouse.id,
                    stock_location_id=warehouse.lot_stock_id.id,
                    sync_enabled=first,
                )
            )
