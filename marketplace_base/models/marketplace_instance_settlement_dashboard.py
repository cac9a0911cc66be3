from odoo import _, fields, models
from odoo.tools.misc import format_date, formatLang


class MarketplaceInstance(models.Model):
    """The money part of an instance's dashboard card: its last payout (amount, date), the
    fees of that payout as a share of its sales, the settlement lines left to match and the
    next payout (the open period's estimate). Computed on read, nothing stored."""

    _inherit = "marketplace.instance"

    settlement_last_payout = fields.Float(compute="_compute_settlement_dashboard", string="Last Payout")
    settlement_last_payout_text = fields.Char(
        compute="_compute_settlement_dashboard", string="Last Payout Amount and Date"
    )
    settlement_fee_share = fields.Float(
        compute="_compute_settlement_dashboard",
        string="Fees (% of Sales)",
        help="The fees of the last payout as a share of its sales.",
    )
    settlement_open_line_count = fields.Integer(
        compute="_compute_settlement_dashboard",
        string="Settlement Lines to Match",
        help="Settlement lines waiting on the suspense account, and refunds without their credit note.",
    )
    settlement_next_payout_text = fields.Char(compute="_compute_settlement_dashboard", string="Next Payout")

    def _compute_settlement_dashboard(self):
        Settlement = self.env["marketplace.settlement"]
        for instance in self:
            booked = Settlement.search(
                [("instance_id", "=", instance.id), ("state", "=", "booked")],
                order="payout_date desc, date_end desc, id desc",
                limit=1,
            )
            upcoming = Settlement.search(
                [("instance_id", "=", instance.id), ("state", "=", "open")],
                order="date_start desc, id desc",
                limit=1,
            )
            unfinished = Settlement.search(
                [
                    ("instance_id", "=", instance.id),
                    "|",
                    ("refund_ids.state", "=", "open"),
                    ("line_ids.is_reconciled", "=", False),
                ]
            )
            instance.settlement_last_payout = booked.payout_amount
            instance.settlement_last_payout_text = booked and self._payout_text(booked) or False
            instance.settlement_fee_share = booked.fee_share
            instance.settlement_open_line_count = sum(unfinished.mapped("open_line_count"))
            instance.settlement_next_payout_text = upcoming and self._payout_text(upcoming) or False

    def _payout_text(self, settlement):
        amount = formatLang(self.env, settlement.payout_amount or 0.0, currency_obj=settlement.currency_id)
        day = settlement.payout_date or settlement.date_end
        if not day:
            return amount
        return _("%(amount)s on %(date)s", amount=amount, date=format_date(self.env, day))
