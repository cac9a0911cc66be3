from odoo import _, fields, models

RESERVE_ACCOUNT_CODE = "MPRES"


class MarketplaceInstance(models.Model):
    """Where an instance's payouts are booked (Import Settlements): its settlement journal, a
    bank journal standing for the money the marketplace holds for the seller, and the current
    asset of the reserves the marketplace keeps back. Both are made at Confirm when the
    connector imports settlements, and the documented fee types with them."""

    _inherit = "marketplace.instance"

    settlement_journal_id = fields.Many2one(
        "account.journal",
        string="Settlement Journal",
        check_company=True,
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        help="Bank journal of the marketplace's payouts: one statement per payout period, its lines the "
        "period's sales, fees, refunds and reserves. Made at Confirm when empty.",
    )
    settlement_reserve_account_id = fields.Many2one(
        "account.account",
        string="Reserve Account",
        check_company=True,
        domain="[('account_type', '=', 'asset_current'), ('company_id', '=', company_id)]",
        help="What the marketplace holds back from a payout (a reserve) and pays later: a current asset. "
        "'Marketplace Reserves' of the company when empty.",
    )
    settlement_ids = fields.One2many("marketplace.settlement", "instance_id", string="Settlements")

    def action_confirm(self):
        res = super().action_confirm()
        for instance in self:
            if "import_settlements" in instance._declared_jobs():
                # sudo: the journal, account and fee types Confirm sets up are the accountant's
                # records; the caller passed the manager check of action_confirm
                instance.sudo()._settlement_setup()
        return res

    def _settlement_setup(self):
        """The settlement journal, the reserve account and the documented fee types; nothing
        for a company without a chart of accounts yet (the first run makes them then)."""
        self.ensure_one()
        if not self.company_id.chart_template:
            return
        self._settlement_journal()
        self._settlement_reserve_account()
        self.env["marketplace.fee.type"]._fill_documented(self)

    def _settlement_journal(self):
        """The instance's settlement journal, made when it has none: "<Marketplace> Settlements
        (<instance>)", a free short code, in the store's currency when not the company's."""
        self.ensure_one()
        if self.settlement_journal_id:
            return self.settlement_journal_id
        company = self.company_id
        currency = self.currency_id if self.currency_id != company.currency_id else self.env["res.currency"]
        self.settlement_journal_id = self.env["account.journal"].create(
            {
                "name": _(
                    "%(marketplace)s Settlements (%(instance)s)",
                    marketplace=self._marketplace_label(),
                    instance=self.name,
                ),
                "type": "bank",
                "code": self._free_journal_code(),
                "company_id": company.id,
                "currency_id": currency.id,
            }
        )
        return self.settlement_journal_id

    def _free_journal_code(self):
        Journal = self.env["account.journal"].with_context(active_test=False)
        used = set(Journal.search([("company_id", "=", self.company_id.id)]).mapped("code"))
        stem = (self.marketplace or "MP")[:3].upper()
        for candidate in ["%sS" % stem] + ["%s%d" % (stem, n) for n in range(1, 100)]:
            if candidate not in used:
                return candidate
        return "MP%d" % self.id

    def _settlement_reserve_account(self):
        """The reserve account: the instance's, else the company's 'Marketplace Reserves' (made
        once per company)."""
        self.ensure_one()
        if not self.settlement_reserve_account_id:
            Account = self.env["account.account"]
            account = Account.search(
                [("company_id", "=", self.company_id.id), ("code", "=", RESERVE_ACCOUNT_CODE)], limit=1
            ) or Account.create(
                {
                    "name": _("Marketplace Reserves"),
                    "code": RESERVE_ACCOUNT_CODE,
                    "account_type": "asset_current",
                    "reconcile": True,
                    "company_id": self.company_id.id,
                }
            )
            self.settlement_reserve_account_id = account
        return self.settlement_reserve_account_id
