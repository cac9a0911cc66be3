from odoo import api, fields, models

# Whether a delivery (or a return) reached the marketplace: written by the engine only (see
# marketplace.access); a person retries a refused one with Retry Sync on its order.
ENGINE_FIELDS = ("marketplace_export_state", "marketplace_export_ref", "marketplace_return_id")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_instance_id = fields.Many2one(
        related="sale_id.marketplace_instance_id", store=True, string="Marketplace Instance"
    )
    marketplace_export_state = fields.Selection(
        [
            ("pending", "To Export"),
            ("sending", "Sending"),
            ("uncertain", "Unconfirmed"),
            ("sent", "Waiting for the Marketplace"),
            ("exported", "Exported"),
            ("failed", "Failed"),
        ],
        string="Shipment Export",
        copy=False,
        readonly=True,
        help="Whether this delivery's shipment and tracking (or this return's receipt) have reached the "
        "marketplace. Unconfirmed: the marketplace's answer was lost; the next run reads its state before "
        "sending again. Waiting for the Marketplace: sent, the marketplace answers later (Check Export Results).",
    )
    marketplace_export_ref = fields.Char(
        string="Marketplace Process",
        copy=False,
        readonly=True,
        help="The marketplace's reference of an asynchronous confirmation (e.g. Bol.com's process status id).",
    )
    marketplace_return_id = fields.Many2one(
        "marketplace.return",
        string="Marketplace Return",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    marketplace_export_error = fields.Text(string="Shipment Export Error", copy=False)
    marketplace_gift_message = fields.Text(
        string="Gift Message",
        compute="_compute_marketplace_gift_message",
        help="Gift messages of the order and of its items, for the packer.",
    )

    def _compute_marketplace_gift_message(self):
        for picking in self:
            messages = [picking.sale_id.marketplace_gift_message] + [
                "%s: %s" % (move.product_id.display_name, move.sale_line_id.marketplace_gift_message)
                for move in picking.move_ids
                if move.sale_line_id.marketplace_gift_message
            ]
            picking.marketplace_gift_message = "\n".join(filter(None, messages)) or False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        return super().write(vals)

    def _action_done(self):
        res = super()._action_done()
        # Merchant-fulfilled marketplace deliveries wait for the shipment export; invoices
        # that depended on the delivery follow the order's workflow. sudo: the export state of
        # the pickings just validated (by whoever Odoo let validate them) is the engine's.
        outgoing = self.sudo().filtered(
            lambda p: p.marketplace_instance_id and p.picking_type_code == "outgoing"
        )
        outgoing.filtered(
            lambda p: (
                p.sale_id.marketplace_fulfilment == "merchant"
                and not p.marketplace_export_state
                and not p.sale_id.marketplace_shipped_outside
            )
        ).write({"marketplace_export_state": "pending"})
        self.env["marketplace.workflow"]._invoice_after_delivery(outgoing.sale_id.with_env(self.env))
        # returns the marketplace waits for (e.g. Bol.com's unhandled returns): their receipt is exported
        self.sudo().filtered(
            lambda p: (
                p.picking_type_code == "incoming"
                and p.marketplace_return_id.notify_on_receipt
                and not p.marketplace_export_state
            )
        ).write({"marketplace_export_state": "pending"})
        return res

    def _marketplace_items(self):
        """{marketplace order line reference: quantity} this delivery ships."""
        self.ensure_one()
        items = {}
        for move in self.move_ids.filtered(lambda m: m.sale_line_id.marketplace_line_ref and m.quantity):
            ref = move.sale_line_id.marketplace_line_ref
            items[ref] = items.get(ref, 0) + move.quantity
        return items

    def _marketplace_items_exported_before(self):
        """{line reference: quantity} the order's other deliveries already told the marketplace."""
        self.ensure_one()
        items = {}
        others = self.sale_id.picking_ids.filtered(
            lambda p: p != self and p.marketplace_export_state == "exported"
        )
        for other in others:
            for ref, quantity in other._marketplace_items().items():
                items[ref] = items.get(ref, 0) + quantity
        return items

    def _marketplace_order_fully_shipped(self):
        """Whether the marketplace, told of this delivery, counts every item of the order shipped:
        what this and the order's other exported deliveries ship covers each order line."""
        self.ensure_one()
        shipped = self._marketplace_items_exported_before()
        for ref, quantity in self._marketplace_items().items():
            shipped[ref] = shipped.get(ref, 0) + quantity
        lines = self.sale_id.order_line.filtered(lambda l: l.marketplace_line_ref and l.product_uom_qty > 0)
        return all(shipped.get(line.marketplace_line_ref, 0) >= line.product_uom_qty for line in lines)
