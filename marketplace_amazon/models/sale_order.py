from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_sync_failed = fields.Boolean(
        compute="_compute_amazon_sync_failed", string="Synchronization with Amazon failed")

    @api.depends("tag_ids")
    def _compute_amazon_sync_failed(self):
        tag = self.env.ref("marketplace_amazon.tag_amazon_sync_failed", raise_if_not_found=False)
        for order in self:
            order.amazon_sync_failed = bool(tag) and tag in order.tag_ids

    def _amazon_flag_sync_failure(self):
        tag = self.env.ref("marketplace_amazon.tag_amazon_sync_failed")
        self.write({"tag_ids": [(4, tag.id)]})

    def action_amazon_retry_sync(self):
        """Send the deliveries Amazon refused again (after the cause was fixed in Odoo)."""
        tag = self.env.ref("marketplace_amazon.tag_amazon_sync_failed")
        for order in self.filtered(lambda o: o.marketplace_instance_id.marketplace == "amazon"):
            pickings = order.picking_ids.filtered(lambda p: p.marketplace_export_state == "failed")
            if not pickings:
                continue
            pickings.write({"marketplace_export_state": "pending", "marketplace_export_error": False})
            order.write({"tag_ids": [(3, tag.id)]})
            instance = order.marketplace_instance_id
            with instance._job_log("export_shipments") as log:
                instance._amazon_export_shipments(log, pickings)
        return True
