from odoo import fields, models
from odoo.tools import index_exists

REFUND_INDEX = "account_move_marketplace_refund_uniq"


class AccountMove(models.Model):
    _inherit = "account.move"

    # A credit note made for a marketplace's refund (settlements): one per refund and instance,
    # enforced by the unique index below, whichever worker or run makes it.
    marketplace_refund_instance_id = fields.Many2one(
        "marketplace.instance",
        string="Refunded on Marketplace",
        readonly=True,
        copy=False,
        check_company=True,
        ondelete="restrict",
    )
    marketplace_refund_ref = fields.Char(
        string="Marketplace Refund",
        readonly=True,
        copy=False,
        help="The marketplace's id of the refund this credit note books.",
    )

    def init(self):
        super().init()
        if not index_exists(self.env.cr, REFUND_INDEX):
            self.env.cr.execute(
                """CREATE UNIQUE INDEX %s ON account_move (marketplace_refund_instance_id, marketplace_refund_ref)
                          WHERE marketplace_refund_ref IS NOT NULL"""
                % REFUND_INDEX
            )

    def _invoice_paid_hook(self):
        """An invoice of a marketplace order is paid: its payment may have to be reported to the
        marketplace (Mark Order as Paid?, see sale.order._marketplace_payment_registered)."""
        res = super()._invoice_paid_hook()
        orders = self.filtered(lambda m: m.move_type == "out_invoice").line_ids.sale_line_ids.order_id
        orders.filtered("marketplace_instance_id")._marketplace_payment_registered()
        return res
