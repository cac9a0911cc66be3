from odoo import fields, models
from odoo.tools import index_exists

LINE_INDEX = "account_bank_statement_line_marketplace_line_uniq"

# The kinds of a settlement's lines (schemas/settlement.py LINE_KINDS), as a person reads them.
MARKETPLACE_KINDS = [
    ("order", "Order"),
    ("refund", "Refund"),
    ("fee", "Fee"),
    ("reimbursement", "Reimbursement"),
    ("adjustment", "Adjustment"),
    ("reserve", "Reserve"),
    ("payout", "Payout"),
]


class AccountBankStatementLine(models.Model):
    """A statement line made from one line of a marketplace settlement (see
    marketplace.settlement.booking): which settlement, which of its lines, and, while it waits on
    the suspense account, why (marketplace_match_note)."""

    _inherit = "account.bank.statement.line"

    marketplace_settlement_id = fields.Many2one(
        "marketplace.settlement",
        string="Marketplace Settlement",
        index=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    marketplace_line_ref = fields.Char(
        string="Marketplace Line",
        readonly=True,
        copy=False,
        help="The key of this line in its settlement (unique): the marketplace's key of the line, followed by "
        "~n for the n-th correction of it.",
    )
    marketplace_source_ref = fields.Char(
        string="Marketplace Line Key",
        readonly=True,
        copy=False,
        help="The marketplace's key of the line this one books or corrects.",
    )
    marketplace_kind = fields.Selection(MARKETPLACE_KINDS, string="Marketplace Line Kind", readonly=True)
    marketplace_order_ref = fields.Char(string="Marketplace Order", readonly=True, index="btree_not_null")
    marketplace_refund_ref = fields.Char(string="Marketplace Refund", readonly=True)
    marketplace_fee_type_id = fields.Many2one(
        "marketplace.fee.type", string="Fee Type", readonly=True, check_company=True
    )
    marketplace_line_data = fields.Json(
        string="Marketplace Line Data",
        readonly=True,
        help="(refunds) the neutral line, to make its credit note.",
    )
    marketplace_match_note = fields.Char(
        string="Matching Note",
        readonly=True,
        help="Why the line is not matched yet (it waits on the suspense account), or what differed when it "
        "was matched.",
    )

    def init(self):
        super().init()
        # One statement line per line of a settlement, whatever the number of workers or runs.
        if not index_exists(self.env.cr, LINE_INDEX):
            self.env.cr.execute(
                """CREATE UNIQUE INDEX %s ON account_bank_statement_line
                          (marketplace_settlement_id, marketplace_line_ref)
                          WHERE marketplace_settlement_id IS NOT NULL"""
                % LINE_INDEX
            )
