from odoo import _, api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_instance_id = fields.Many2one(
        "marketplace.instance", string="Marketplace Instance", index=True, copy=False, readonly=True
    )
    marketplace_order_ref = fields.Char(
        string="Marketplace Order Reference", copy=False, readonly=True, index=True
    )
    marketplace_fulfilment = fields.Selection(
        [("merchant", "Merchant"), ("marketplace", "Marketplace")], string="Fulfilled By", copy=False
    )
    marketplace_status = fields.Char(string="Marketplace Status", copy=False)
    marketplace_updated_at = fields.Datetime(
        string="Marketplace Last Update",
        copy=False,
        readonly=True,
        help="When the marketplace last changed the order, as of the version applied: an older "
        "version arriving later (a retry, an overlapping download) is ignored.",
    )
    marketplace_shipped_outside = fields.Boolean(
        string="Shipped Outside Odoo",
        copy=False,
        readonly=True,
        help="The marketplace said the merchant had already shipped this order when it was first "
        "imported: its delivery was recorded as done and is not exported to the marketplace.",
    )
    marketplace_site_ref = fields.Char(
        string="Marketplace Site ID",
        copy=False,
        readonly=True,
        help="The marketplace's own id of the site the order was placed on (e.g. Amazon.de's id).",
    )
    marketplace_site = fields.Char(
        string="Marketplace Site",
        compute="_compute_marketplace_site",
        store=True,
        help="The site the order was placed on, by its name (e.g. Amazon.de).",
    )
    marketplace_payment_gateway_id = fields.Many2one(
        "marketplace.payment.gateway", string="Payment Gateway", copy=False, readonly=True
    )
    marketplace_payment_status = fields.Char(string="Payment Status", copy=False, readonly=True)
    marketplace_gift_message = fields.Text(string="Gift Message", copy=False)
    # how the marketplace showed its prices and taxes, for a line paired to its product later
    # (sale.order.line._marketplace_replace_product): it takes the taxes the import would have given
    marketplace_prices_include_tax = fields.Boolean(
        string="Marketplace Prices Include Tax", copy=False, readonly=True
    )
    marketplace_taxes_stated = fields.Boolean(
        string="Marketplace States Taxes",
        copy=False,
        readonly=True,
        default=True,
        help="The marketplace stated each line's tax (off: only that its prices include tax, e.g. Bol.com; "
        "the products' taxes then decide).",
    )
    marketplace_sync_error = fields.Boolean(
        string="Marketplace Sync Error",
        copy=False,
        help="Something about this order needs a person: see the message.",
    )
    marketplace_sync_message = fields.Text(string="Marketplace Sync Message", copy=False)
    marketplace_sync_failed = fields.Boolean(
        compute="_compute_marketplace_sync_failed",
        search="_search_marketplace_sync_failed",
        string="Shipment Sync Failed",
        help="The marketplace refused a delivery of this order: fix it, then Retry Sync.",
    )
    marketplace_export_error = fields.Text(
        compute="_compute_marketplace_sync_failed",
        string="Shipment Export Error",
        help="Why the marketplace refused this order's deliveries.",
    )
    marketplace_payment_status_label = fields.Char(
        compute="_compute_marketplace_payment_status_label", string="Payment"
    )
    marketplace_needs_matching = fields.Boolean(
        compute="_compute_marketplace_needs_matching",
        search="_search_marketplace_needs_matching",
        string="Needs Matching",
        help="Items of this order matched no Odoo product: pair their listings.",
    )

    _sql_constraints = [
        (
            "marketplace_order_unique",
            "UNIQUE(marketplace_instance_id, marketplace_order_ref)",
            "This marketplace order has already been imported for this instance.",
        ),
    ]

    def _prepare_confirmation_values(self):
        """A marketplace order keeps the marketplace's purchase date when it is confirmed (Odoo
        would date it at the import), so "orders today" counts the orders placed today."""
        values = super()._prepare_confirmation_values()
        if all(order.marketplace_instance_id for order in self):
            values.pop("date_order", None)
        return values

    def _marketplace_flag(self, message):
        """Mark the order for a person, keeping every reason given."""
        for order in self:
            text = "\n".join(filter(None, [order.marketplace_sync_message, message]))
            order.write({"marketplace_sync_error": True, "marketplace_sync_message": text})

    def _marketplace_shipped(self):
        """Whether anything of the order has left the warehouse."""
        self.ensure_one()
        return any(move.state == "done" for move in self.order_line.move_ids)

    # shipment sync failures (every connector) ---------------------------------------------------
    def _marketplace_sync_tag(self):
        """The tag "Synchronization with <marketplace> failed" of this order's marketplace."""
        self.ensure_one()
        name = _("Synchronization with %s failed", self.marketplace_instance_id._marketplace_label())
        Tag = self.env["crm.tag"].sudo()  # sudo: the engine's one tag per marketplace, found or made
        return Tag.search([("name", "=", name)], limit=1) or Tag.create({"name": name})

    @api.depends("picking_ids.marketplace_export_state", "picking_ids.marketplace_export_error")
    def _compute_marketplace_sync_failed(self):
        for order in self:
            failed = order.picking_ids.filtered(lambda p: p.marketplace_export_state == "failed")
            order.marketplace_sync_failed = bool(failed)
            order.marketplace_export_error = (
                "\n".join("%s: %s" % (p.name, p.marketplace_export_error or _("refused")) for p in failed)
                or False
            )

    @api.depends("marketplace_payment_status")
    @api.depends("marketplace_site_ref", "marketplace_instance_id")
    def _compute_marketplace_site(self):
        names = {}
        for order in self:
            key = (order.marketplace_instance_id, order.marketplace_site_ref)
            if key not in names:
                names[key] = order.marketplace_site_ref and order.marketplace_instance_id._site_name(
                    order.marketplace_site_ref
                )
            order.marketplace_site = names[key] or False

    def _compute_marketplace_payment_status_label(self):
        words = {
            "paid": _("Paid"),
            "captured": _("Paid (captured)"),
            "authorized": _("Authorized, not captured yet"),
            "pending": _("Payment pending"),
            "refunded": _("Refunded"),
            "partially_refunded": _("Partially refunded"),
            "partially_paid": _("Partially paid"),
            "voided": _("Voided"),
            "void": _("Voided"),
            "declined": _("Declined"),
            "unpaid": _("Not paid"),
        }
        for order in self:
            status = (order.marketplace_payment_status or "").strip()
            key = status.lower().replace(" ", "_").replace("-", "_")
            order.marketplace_payment_status_label = (
                words.get(key) or status.replace("_", " ").capitalize() or False
            )

    @api.depends("order_line.marketplace_needs_matching")
    def _compute_marketplace_needs_matching(self):
        for order in self:
            order.marketplace_needs_matching = any(order.order_line.mapped("marketplace_needs_matching"))

    def _search_marketplace_needs_matching(self, operator, value):
        lines = self.env["sale.order.line"]._search([("marketplace_needs_matching", "=", True)])
        positive = (operator == "=") == bool(value)
        return [("order_line", "in" if positive else "not in", lines)]

    def _search_marketplace_sync_failed(self, operator, value):
        failed = self.env["stock.picking"]._search([("marketplace_export_state", "=", "failed")])
        positive = (operator == "=") == bool(value)
        return [("picking_ids", "in" if positive else "not in", failed)]

    def _marketplace_flag_sync_failure(self):
        for order in self.filtered("marketplace_instance_id"):
            order.tag_ids = [(4, order._marketplace_sync_tag().id)]

    def action_marketplace_retry_sync(self):
        """Send the deliveries the marketplace refused again, once the cause is fixed in Odoo.

        A Marketplace User who may see the orders may retry: the tag, the deliveries' export
        state and the export itself are the job's to write (sudo, these orders only), never
        edited by hand."""
        self.env["marketplace.access"]._check(self)
        for order in self.sudo().filtered("marketplace_instance_id"):
            pickings = order.picking_ids.filtered(lambda p: p.marketplace_export_state == "failed")
            if not pickings:
                continue
            pickings.write({"marketplace_export_state": "pending", "marketplace_export_error": False})
            order.tag_ids = [(3, order._marketplace_sync_tag().id)]
            instance = order.marketplace_instance_id
            with instance._job_run("export_shipments") as run:
                order.env["marketplace.shipment.exporter"]._run(instance, run, pickings)
        return True
