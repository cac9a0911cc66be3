from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """The payment of an imported order reported back to its marketplace ("Mark Order as Paid?",
    see marketplace.payment.exporter)."""

    _inherit = "sale.order"

    marketplace_payment_export = fields.Selection(
        [("pending", "To Report"), ("sending", "Sending"), ("uncertain", "Unconfirmed"), ("done", "Reported"),
         ("failed", "Failed")],
        string="Payment Export", copy=False, readonly=True, index=True,
        help="Whether the payment registered in Odoo has reached the marketplace (Mark Order as Paid?). "
        "Unconfirmed: the answer was lost; the next run reads the marketplace before reporting it again.")
    marketplace_payment_export_error = fields.Text(string="Payment Export Error", copy=False, readonly=True)
    marketplace_can_report_payment = fields.Boolean(compute="_compute_marketplace_can_report_payment")

    @api.depends("marketplace_instance_id", "marketplace_payment_export")
    def _compute_marketplace_can_report_payment(self):
        for order in self:
            order.marketplace_can_report_payment = bool(
                order._marketplace_reports_payments() and order.marketplace_payment_export != "done")

    def _marketplace_reports_payments(self):
        """Whether this order's instance reports payments: "Mark Order as Paid?" on, and its
        connector implements Export Payments."""
        self.ensure_one()
        instance = self.marketplace_instance_id.sudo()
        return bool(instance and instance.mark_order_paid and "export_payments" in instance._declared_jobs())

    def _marketplace_payment_registered(self):
        """Invoices of these orders were paid in Odoo: report the payments the marketplace still
        needs (the connector may say, without a call, that it already has them:
        `_<code>_payment_needed(order)`)."""
        todo = self.browse()
        for order in self.filtered(lambda o: o.marketplace_payment_export != "done"):
            if not order._marketplace_reports_payments():
                continue
            needed = order.marketplace_instance_id._hook("payment_needed")
            if needed and not needed(order):
                continue
            todo |= order
        if todo:
            todo.sudo().write({"marketplace_payment_export": "pending", "marketplace_payment_export_error": False})
            self.env["marketplace.payment.exporter"]._report_now(todo)

    def action_marketplace_report_payment(self):
        """The Mark Order as Paid button: report the order's payment now (once per order)."""
        self.check_access_rights("read")
        self.check_access_rule("read")
        orders = self.filtered(lambda o: o.marketplace_can_report_payment)
        if not orders:
            raise UserError(_("The payment of these orders is already reported, or their instance does not "
                              "report payments (Mark Order as Paid?)."))
        orders.sudo().write({"marketplace_payment_export": "pending", "marketplace_payment_export_error": False})
        self.env["marketplace.payment.exporter"]._report_now(orders)
        return True
