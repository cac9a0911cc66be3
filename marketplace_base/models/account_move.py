from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        """An invoice of a marketplace order is paid: its payment may have to be reported to the
        marketplace (Mark Order as Paid?, see sale.order._marketplace_payment_registered)."""
        res = super()._invoice_paid_hook()
        orders = self.filtered(lambda m: m.move_type == "out_invoice").line_ids.sale_line_ids.order_id
        orders.filtered("marketplace_instance_id")._marketplace_payment_registered()
        return res
