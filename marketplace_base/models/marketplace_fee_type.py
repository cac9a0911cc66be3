from odoo import _, api, fields, models

FEE_KINDS = [("fee", "Fee"), ("reimbursement", "Reimbursement"), ("adjustment", "Adjustment")]


class MarketplaceFeeType(models.Model):
    """Where the settlement engine books one kind of money line of a marketplace (a commission,
    a fulfilment fee, a reimbursement for lost goods...): its account, and optionally a tax and
    an analytic distribution. Filled at Confirm from the connector's documented types (hook
    `fee_types`); a code met in a settlement that is not here yet is added without account and
    its lines wait on the journal's suspense account until someone sets one (then Match Again)."""

    _name = "marketplace.fee.type"
    _inherit = ["analytic.mixin"]
    _description = "Marketplace Fee Type"
    _order = "marketplace, kind, code"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    marketplace = fields.Char(
        required=True,
        help="The marketplace's code (the instance's Marketplace): every account of that marketplace in the "
        "company shares its fee types.",
    )
    code = fields.Char(required=True, help="The marketplace's own code of the type, as its settlements say.")
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(FEE_KINDS, required=True, default="fee")
    account_id = fields.Many2one(
        "account.account",
        string="Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Lines of this type are booked here; empty: they wait on the settlement journal's suspense "
        "account.",
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Tax",
        check_company=True,
        help="The tax the marketplace's amount includes (e.g. the VAT on its commission), split off "
        "the booked amount.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_unique",
            "UNIQUE(company_id, marketplace, code)",
            "A fee type code appears once per marketplace and company.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for fee_type in self:
            fee_type.display_name = (
                fee_type.name
                if fee_type.name == fee_type.code
                else "%s (%s)" % (fee_type.name, fee_type.code)
            )

    # the engine's helpers ----------------------------------------------------------------------
    @api.model
    def _for_codes(self, instance, codes_kinds):
        """{code: fee type} of the instance's company and marketplace for the given
        {code: kind}; the codes not known yet are added without account (archived ones are
        found, never made twice: the unique index would refuse it)."""
        Type = self.with_context(active_test=False)
        domain = [
            ("company_id", "=", instance.company_id.id),
            ("marketplace", "=", instance.marketplace),
        ]
        found = {t.code: t for t in Type.search(domain + [("code", "in", list(codes_kinds))])}
        KeyLock = self.env["marketplace.key.lock"]
        for code, kind in codes_kinds.items():
            if code in found:
                continue
            found[code] = KeyLock._find_or_create(
                Type,
                instance.company_id,
                ("fee type", instance.marketplace, code),
                domain + [("code", "=", code)],
                {
                    "company_id": instance.company_id.id,
                    "marketplace": instance.marketplace,
                    "code": code,
                    "name": code,
                    "kind": kind if kind in dict(FEE_KINDS) else "adjustment",
                },
            )
        return found

    @api.model
    def _fill_documented(self, instance):
        """The connector's documented types (hook `fee_types`: (code, label, kind)) for the
        instance's company, with the chart's default accounts: expense for fees and adjustments,
        income for reimbursements. Existing types (and the accounts chosen for them) are kept."""
        hook = instance._hook("fee_types")
        if not hook:
            return self.browse()
        documented = list(hook())
        company = instance.company_id
        existing = set(
            self.with_context(active_test=False)
            .search([("company_id", "=", company.id), ("marketplace", "=", instance.marketplace)])
            .mapped("code")
        )
        accounts = {kind: self._default_account(company, kind) for kind in dict(FEE_KINDS)}
        return self.create(
            [
                {
                    "company_id": company.id,
                    "marketplace": instance.marketplace,
                    "code": code,
                    "name": label or code,
                    "kind": kind,
                    "account_id": accounts.get(kind, self.env["account.account"]).id,
                }
                for code, label, kind in documented
                if code not in existing
            ]
        )

    @api.model
    def _default_account(self, company, kind):
        """The chart's default income (reimbursements) or expense account of the company."""
        fname = (
            "property_account_income_categ_id"
            if kind == "reimbursement"
            else "property_account_expense_categ_id"
        )
        account = self.env["ir.property"].with_company(company)._get(fname, "product.category")
        if account:
            return account
        account_type = "income" if kind == "reimbursement" else "expense"
        return self.env["account.account"].search(
            [
                ("company_id", "=", company.id),
                ("account_type", "=", account_type),
                ("deprecated", "=", False),
            ],
            limit=1,
        )

    def _missing_account_note(self):
        self.ensure_one()
        return _(
            "fee type %s has no account: set one in Fee Types, then Match Again",
            self.code,
        )
