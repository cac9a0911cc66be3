from odoo import _, api, fields, models
from odoo.tools import float_is_zero

SALES_KINDS = ("order",)
FEE_KINDS = ("fee",)
REFUND_KINDS = ("refund",)


class MarketplaceSettlement(models.Model):
    """One payout period of a marketplace account (Amazon's financial event group, a Bol.com
    invoice...), read by Import Settlements. An open period is the next payout (its estimated
    amount); a closed one is booked once as a bank statement of the instance's settlement
    journal whose lines are the period's money lines, each matched with what it pays (see
    marketplace.settlement.booking). Unique per instance and marketplace id."""

    _name = "marketplace.settlement"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Settlement"
    _order = "date_end desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Settlement",
        required=True,
        readonly=True,
        help="The marketplace's id of the period or payout.",
    )
    instance_id = fields.Many2one(
        "marketplace.instance",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    date_start = fields.Datetime(string="Period Start", readonly=True)
    date_end = fields.Datetime(string="Period End", readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    payout_amount = fields.Monetary(
        string="Payout",
        readonly=True,
        help="What the marketplace pays out for the period; while the period is open, its estimate.",
    )
    payout_date = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("booking", "Booking"), ("booked", "Booked")],
        default="open",
        required=True,
        readonly=True,
        help="Open: the marketplace has not closed the period (only its refunds are booked, as credit notes); "
        "Booking: its statement is being made (a run that stopped is resumed by the next); Booked: its "
        "statement holds every line.",
    )
    statement_id = fields.Many2one("account.bank.statement", readonly=True, check_company=True)
    journal_id = fields.Many2one(related="statement_id.journal_id", string="Journal")
    refunds_read_until = fields.Datetime(
        readonly=True,
        help="(open period) the refunds posted up to this time are made into credit notes; the next run reads "
        "those posted after it.",
    )
    line_ids = fields.One2many(
        "account.bank.statement.line", "marketplace_settlement_id", string="Statement Lines", readonly=True
    )
    refund_ids = fields.One2many(
        "marketplace.settlement.refund", "settlement_id", string="Open-Period Refunds", readonly=True
    )
    amount_sales = fields.Monetary(compute="_compute_figures", string="Sales")
    amount_fees = fields.Monetary(compute="_compute_figures", string="Fees")
    amount_refunds = fields.Monetary(compute="_compute_figures", string="Refunds")
    amount_others = fields.Monetary(
        compute="_compute_figures",
        string="Others",
        help="Reimbursements, adjustments, reserves and transfers of the period.",
    )
    amount_lines = fields.Monetary(compute="_compute_figures", string="Sum of the Lines")
    fee_share = fields.Float(
        compute="_compute_figures",
        string="Fees (% of Sales)",
        digits=(16, 2),
        help="The marketplace's fees as a share of the period's sales.",
    )
    open_line_count = fields.Integer(
        compute="_compute_figures",
        string="Lines to Match",
        help="Lines waiting on the suspense account, and refunds of an open period without their credit note.",
    )
    amount_difference = fields.Monetary(
        compute="_compute_figures",
        string="Difference",
        help="The payout minus the sum of the booked lines: 0 once the statement is complete.",
    )

    _sql_constraints = [
        (
            "settlement_unique",
            "UNIQUE(instance_id, name)",
            "A marketplace settlement is booked once per instance.",
        ),
    ]

    @api.depends("name", "instance_id")
    def _compute_display_name(self):
        for settlement in self:
            settlement.display_name = "%s %s" % (settlement.instance_id.name or "", settlement.name or "")

    def _compute_figures(self):
        # sudo: the figures of these settlements' own statement lines, shown to whoever sees the
        # settlement (a Marketplace User need not read bank statements)
        Line = self.env["account.bank.statement.line"].sudo()
        groups = Line._read_group(
            [("marketplace_settlement_id", "in", self.ids)],
            ["marketplace_settlement_id", "marketplace_kind"],
            ["amount:sum"],
        )
        sums = {(settlement.id, kind): amount for settlement, kind, amount in groups}
        unmatched = dict(
            (settlement.id, count)
            for settlement, count in Line._read_group(
                [("marketplace_settlement_id", "in", self.ids), ("is_reconciled", "=", False)],
                ["marketplace_settlement_id"],
                ["__count"],
            )
        )
        refunds_open = dict(
            (settlement.id, count)
            for settlement, count in self.env["marketplace.settlement.refund"]
            .sudo()
            ._read_group(
                [("settlement_id", "in", self.ids), ("state", "=", "open")], ["settlement_id"], ["__count"]
            )
        )
        kinds = dict(self.env["account.bank.statement.line"]._fields["marketplace_kind"].selection)
        for settlement in self:
            by_kind = {kind: sums.get((settlement.id, kind), 0.0) for kind in kinds}
            every = sum(by_kind.values())
            sales = sum(by_kind[kind] for kind in SALES_KINDS)
            fees = sum(by_kind[kind] for kind in FEE_KINDS)
            refunds = sum(by_kind[kind] for kind in REFUND_KINDS)
            settlement.amount_sales, settlement.amount_fees, settlement.amount_refunds = sales, fees, refunds
            settlement.amount_others = every - sales - fees - refunds
            settlement.amount_lines = every
            settlement.fee_share = -100.0 * fees / sales if sales else 0.0
            settlement.open_line_count = unmatched.get(settlement.id, 0) + refunds_open.get(settlement.id, 0)
            settlement.amount_difference = (
                (settlement.payout_amount or 0.0) - every if settlement.state != "open" else 0.0
            )

    def _payout_differs(self, amount):
        """Whether a payout read now differs from the one this settlement was booked with."""
        self.ensure_one()
        return not float_is_zero(
            (amount or 0.0) - (self.payout_amount or 0.0), precision_rounding=self.currency_id.rounding
        )

    # buttons ---------------------------------------------------------------------------------
    def action_match_again(self):
        """Retry the lines left open (their reason fixed: an order imported, a fee type given an
        account...): each is matched as the booking would now. A Marketplace User may; the
        bookkeeping is done as superuser, on these settlements only."""
        self.env["marketplace.access"]._check(self, "user", "read")
        matched = self.env["marketplace.settlement.matching"].sudo()._match_again(self.sudo())
        self.invalidate_recordset(["open_line_count"])
        left = sum(self.mapped("open_line_count"))
        return self.instance_id[:1]._notification(
            _("Match Again"),
            _("%(matched)s lines matched, %(left)s left to match.", matched=matched, left=left),
            "success" if not left else "warning",
        )

    def action_open_statement(self):
        self.ensure_one()
        self.env["marketplace.access"]._check(self, "user", "read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.bank.statement",
            "res_id": self.statement_id.id,
            "views": [[False, "form"]],
            "target": "current",
        }

    def action_open_lines_to_match(self):
        self.env["marketplace.access"]._check(self, "user", "read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketplace_base.action_marketplace_lines_to_match"
        )
        action["domain"] = [("marketplace_settlement_id", "in", self.ids)]
        return action
