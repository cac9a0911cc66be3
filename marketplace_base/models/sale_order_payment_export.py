from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """The payment of an imported order reported back to its marketplace ("Mark Order as Paid?",
    see marketplace.payment.exporter)."""

    _inherit = "sale.order"

    marketplace_payment_export = fields.Selection(
        [
            ("pending", "To Report"),
            ("sending", "Sending"),
            ("uncertain", "Unconfirmed"),
            ("done", "Reported"),
            ("failed", "Failed"),
        ],
        string="Payment Export",
        copy=False,
        readonly=True,
        index=True,
        help="Whether the payment registered in Odoo has reached the marketplace (Mark Order as Paid?). "
        "Unconfirmed: the answer was lost; the next run reads the marketplace before reporting it again.",
    )
    marketplace_payment_export_error = fields.Text(string="Payment Export Error", copy=False, readonly=True)
    marketplace_can_report_payment = fields.Boolean(compute="_compute_marketplace_can_report_payment")

    @api.depends("marketplace_instance_id", "marketplace_payment_export", "invoice_ids.payment_state")
    def _compute_marketplace_can_report_payment(self):
        for order in self:
            order.marketplace_can_report_payment = bool(
                order._marketplace_reports_payments()
                and order.marketplace_payment_export != "done"
                and order._marketplace_payment_in_odoo()
            )

    def _marketplace_payment_in_odoo(self):
        """Whether a payment of the order is registered in Odoo: a posted customer invoice of it
        paid (or in payment). Only such a payment is ever reported to the marketplace."""
        self.ensure_one()
        # sudo: the payment state of this order's invoices, which a salesperson may not read
        return any(
            move.move_type == "out_invoice"
            and move.state == "posted"
            and move.payment_state in ("paid", "in_payment")
            for move in self.sudo().invoice_ids
        )

    def _marketplace_reports_payments(self):
        """Whether this order's instance reports payments: "Mark Order as Paid?" on, and its
        connector implements Export Payments."""
        self.ensure_one()
        instance = self.marketplace_instance_id.sudo()  # sudo: two settings of the order's instance, read
        return bool(instance and instance.mark_order_paid and "export_payments" in instance._declared_jobs())

    def _marketplace_payment_registered(self):
        """Invoices of these orders were paid in Odoo: report the payments the marketplace still
        needs (the connector may say, without a call, that it already has them:
        `_<code>_payment_needed(order)`).

        Called by the invoice's payment (account.move._invoice_paid_hook), never over RPC: the
        payment is registered by whoever Odoo allows to (an accountant needs no marketplace
        right), and reporting it is the engine's bookkeeping, for these orders only (sudo)."""
        todo = self.sudo().browse()
        for order in self.sudo().filtered(lambda o: o.marketplace_payment_export != "done"):
            if not order._marketplace_reports_payments():
                continue
            needed = order.marketplace_instance_id._hook("payment_needed")
            if needed and not needed(order):
                continue
            todo |= order
        if todo:
            todo.write({"marketplace_payment_export": "pending", "marketplace_payment_export_error": False})
            self.env["marketplace.payment.exporter"]._report_now(todo)

    def action_marketplace_report_payment(self):
        """The Mark Order as Paid button: report the order's payment, registered in Odoo, now
        (once per order). A Marketplace User who may see the orders may press it; the export
        state is the engine's to write (sudo, these orders only)."""
        self.env["marketplace.access"]._check(self)
        orders = self.filtered(
            lambda o: o._marketplace_reports_payments() and o.marketplace_payment_export != "done"
        )
        unpaid = orders.filtered(lambda o: not o._marketplace_payment_in_odoo())
        if unpaid:
            raise UserError(
                _(
                    "Register the payment of %s in Odoo first (its invoice paid): Mark Order as Paid "
                    "reports to the marketplace a payment Odoo holds.",
                    ", ".join(unpaid.mapped("name")),
                )
            )
        if not orders:
            raise UserError(
                _(
                    "The payment of these orders is already reported, or their instance does not "
                    "report payments (Mark Order as Paid?)."
                )
            )
        orders.sudo().write(
            {"marketplace_payment_export": "pending", "marketplace_payment_export_error": False}
        )
        self.env["marketplace.payment.exporter"]._report_now(orders)
        return True
