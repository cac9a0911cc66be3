from collections import defaultdict
from dataclasses import dataclass, field

from odoo import Command, _, api, models
from odoo.exceptions import UserError

from ..schemas.settlement import SettlementLine


@dataclass
class Target:
    """Where one settlement line goes: its counterpart account and partner, the journal items
    it is reconciled with, the fee type's tax and analytic distribution, and a note (why it
    waits on the suspense account when there is no account, or what differed)."""

    account: object = None
    partner: object = None
    items: object = None
    tax: object = None
    analytic: dict = None
    note: str = False
    fee_type: object = None
    credit_note: object = None
    extra: dict = field(default_factory=dict)

    @property
    def simple(self):
        """Booked at once by the statement line's own counterpart (no tax split, no analytic)."""
        return bool(self.account) and not self.tax and not self.analytic


class MarketplaceSettlementMatching(models.AbstractModel):
    """What each line of a settlement pays, the way a bank reconciliation does it in Odoo
    Community: the statement line's counterpart replaces its suspense line (an order's invoice
    receivable, a fee type's account...) and `reconcile()` pairs it with the invoice's or
    credit note's open receivable (or, when the order's workflow already registered a payment,
    with that payment's outstanding receipt). A line whose counterpart is not known yet stays on
    the suspense account with its reason; Match Again (and the next run of the job) retries it.

    Targets are worked out for many lines at once (orders, fee types and credit notes read in
    batches) so that a settlement of thousands of lines costs a few queries per batch."""

    _name = "marketplace.settlement.matching"
    _description = "Marketplace Settlement Matching"

    # targets ------------------------------------------------------------------------------------
    @api.model
    def _targets(self, settlement, lines):
        """[Target] of the neutral lines (SettlementLine), in their order."""
        instance = settlement.instance_id
        Refunds = self.env["marketplace.refund.service"]
        order_refs = {line.order_ref for line in lines if line.kind in ("order", "refund") and line.order_ref}
        sales = Refunds._sale_orders(instance, order_refs) if order_refs else {}
        codes = {
            self._fee_code(line): line.kind
            for line in lines
            if line.kind in ("fee", "reimbursement", "adjustment")
        }
        fee_types = self.env["marketplace.fee.type"]._for_codes(instance, codes) if codes else {}
        targets = []
        for line in lines:
            if line.kind == "order":
                target = self._order_target(instance, sales.get(line.order_ref), line)
            elif line.kind == "refund":
                target = self._refund_target(instance, sales.get(line.order_ref), line)
            elif line.kind == "reserve":
                target = self._account_target(instance._settlement_reserve_account(), _("reserve account"))
            elif line.kind == "payout":
                target = self._account_target(instance.company_id.transfer_account_id, _("transfer account"))
            else:
                target = self._fee_target(fee_types[self._fee_code(line)])
            targets.append(target)
        self._note_differences(settlement, lines, targets)
        return targets

    @api.model
    def _fee_code(self, line):
        return line.fee_type or line.kind

    @api.model
    def _account_target(self, account, what):
        if account:
            return Target(account=account)
        return Target(
            note=_("the company has no %s: set it in the accounting settings, then Match Again", what)
        )

    @api.model
    def _fee_target(self, fee_type):
        if not fee_type.account_id:
            return Target(fee_type=fee_type, note=fee_type._missing_account_note())
        return Target(
            account=fee_type.account_id,
            tax=fee_type.tax_id,
            analytic=fee_type.analytic_distribution or None,
            fee_type=fee_type,
        )

    @api.model
    def _order_target(self, instance, sale, line):
        Refunds = self.env["marketplace.refund.service"]
        if not sale:
            return Target(note=Refunds._unknown_order_reason(line.order_ref))
        invoices = Refunds._invoices(sale)
        if not invoices:
            return Target(note=Refunds._no_invoice_reason(sale))
        return self._document_target(invoices, sale.name)

    @api.model
    def _refund_target(self, instance, sale, line):
        try:
            note = self.env["marketplace.refund.service"]._credit_note(instance, line, sale=sale)
        except UserError as err:
            return Target(note=instance._error_text(err))
        target = self._document_target(note, note.name)
        target.credit_note = note
        return target

    @api.model
    def _document_target(self, moves, name):
        """The open items of invoices or credit notes: their receivables not reconciled yet,
        else the outstanding receipts (or payments) of the payments registered on them."""
        items = moves.line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable" and not l.reconciled
        )
        if not items:
            payments = moves._get_reconciled_payments()
            items = payments.move_id.line_ids.filtered(
                lambda l: l.account_id in payments.outstanding_account_id and not l.reconciled
            )
        if not items:
            return Target(note=_("%s is already paid: nothing is left to match with this line", name))
        items = items.filtered(lambda l: l.account_id == items[0].account_id)
        return Target(
            account=items[0].account_id, partner=items[0].partner_id.commercial_partner_id, items=items
        )

    @api.model
    def _note_differences(self, settlement, lines, targets):
        """Lines paying other than what their documents leave open are matched partially: say so
        (all the lines paying the same documents together)."""
        groups = defaultdict(list)
        for line, target in zip(lines, targets):
            if target.items:
                groups[tuple(sorted(target.items.ids))].append((line, target))
        currency = settlement.currency_id
        for pairs in groups.values():
            items = pairs[0][1].items
            if items.currency_id != currency:
                continue
            paid = sum(line.amount for line, _target in pairs)
            left = sum(items.mapped("amount_residual_currency"))
            if currency.compare_amounts(paid, left):
                note = _(
                    "%(documents)s left %(left)s open and the marketplace's lines come to %(paid)s: matched "
                    "partially",
                    documents=", ".join(items.move_id.mapped("name")),
                    left=currency.round(left),
                    paid=currency.round(paid),
                )
                for _line, target in pairs:
                    target.note = note

    # applying targets ---------------------------------------------------------------------------
    @api.model
    def _apply(self, st_lines, targets, created=True):
        """After the statement lines were `created` (simple targets already on their
        counterpart, the others on suspense) or for lines on suspense: their counterpart (with
        its tax and analytic) replaces the suspense item, then each group of lines is reconciled
        with the items it pays. Returns the matched lines."""
        matched = self.env["account.bank.statement.line"]
        plan = defaultdict(lambda: self.env["account.move.line"])
        for st_line, target in zip(st_lines, targets):
            if not target.account:
                continue
            if not (created and target.simple):
                self._replace_suspense(st_line, target)
            matched |= st_line
            if target.items:
                counterpart = st_line.move_id.line_ids.filtered(
                    lambda l, account=target.account: l.account_id == account and not l.reconciled
                )
                key = tuple(sorted(target.items.ids))
                plan[key] |= counterpart | target.items
        if plan:
            self.env["account.move.line"]._reconcile_plan(list(plan.values()))
        return matched

    @api.model
    def _replace_suspense(self, st_line, target):
        """The statement line's suspense item becomes its counterpart (account, partner, the fee
        type's analytic distribution) and, with a tax, its tax items split off the amount: the
        journal entry written as Odoo's own reconciliation does, without Enterprise."""
        liquidity, suspense, _other = st_line._seek_for_lines()
        partner = target.partner or self.env["res.partner"]
        commands = []
        if liquidity.partner_id != partner:
            commands.append(Command.update(liquidity.id, {"partner_id": partner.id}))
        base = {"account_id": target.account.id, "partner_id": partner.id}
        if target.analytic:
            base["analytic_distribution"] = target.analytic
        if target.tax:
            base_amounts, tax_lines = self._tax_split(suspense, target.tax)
            base.update(base_amounts)
            commands += [Command.create(dict(vals, partner_id=partner.id)) for vals in tax_lines]
        commands.append(Command.update(suspense.id, base))
        st_line.move_id.with_context(skip_invoice_sync=True).write({"line_ids": commands})

    @api.model
    def _tax_split(self, suspense, tax):
        """(values of the base item, [values of the tax items]) of a suspense item whose amount
        includes `tax`, in the item's currency and the company's, to the cent."""
        amount = suspense.amount_currency
        refund = amount > 0 if tax.type_tax_use == "sale" else amount < 0
        computed = tax.with_context(force_price_include=True).compute_all(
            abs(amount), currency=suspense.currency_id, is_refund=refund
        )
        sign = 1 if amount > 0 else -1
        ratio = suspense.balance / amount if amount else 0.0
        company_currency = suspense.company_currency_id
        tax_lines, taxed_balance = [], 0.0
        for tax_vals in computed["taxes"]:
            balance = company_currency.round(sign * tax_vals["amount"] * ratio)
            taxed_balance += balance
            tax_lines.append(
                {
                    "name": tax_vals["name"],
                    "account_id": tax_vals["account_id"] or suspense.account_id.id,
                    "tax_repartition_line_id": tax_vals["tax_repartition_line_id"],
                    "tax_tag_ids": [Command.set(tax_vals["tag_ids"])],
                    "tax_base_amount": sign * computed["total_excluded"] * ratio,
                    "currency_id": suspense.currency_id.id,
                    "amount_currency": sign * tax_vals["amount"],
                    "balance": balance,
                }
            )
        base = {
            "tax_ids": [Command.set(tax.ids)],
            "tax_tag_ids": [Command.set(computed["base_tags"])],
            "amount_currency": sign * computed["total_excluded"],
            "balance": company_currency.round(suspense.balance - taxed_balance),
        }
        return base, tax_lines

    # lines left open -----------------------------------------------------------------------------
    @api.model
    def _match_again(self, settlements):
        """Retry the open lines of these settlements (and the open refunds of their periods):
        each settlement row locked while it is worked on. Returns how many were matched."""
        matched = 0
        for settlement in settlements:
            self.env["marketplace.settlement.booking"]._lock(settlement)
            matched += len(self.env["marketplace.refund.service"]._retry(settlement.refund_ids))
            open_lines = settlement.line_ids.filtered(lambda l: not l.is_reconciled)
            if not open_lines:
                continue
            lines = [self._neutral(st_line) for st_line in open_lines]
            targets = self._targets(settlement, lines)
            done = self._apply(open_lines, targets, created=False)
            for st_line, target in zip(open_lines, targets):
                st_line.write(self._st_line_values(target))
            matched += len(done)
        return matched

    @api.model
    def _st_line_values(self, target):
        values = {"marketplace_match_note": target.note or False}
        if target.fee_type:
            values["marketplace_fee_type_id"] = target.fee_type.id
        return values

    @api.model
    def _neutral(self, st_line):
        """The neutral line a statement line books (what Match Again works from)."""
        data = dict(st_line.marketplace_line_data or {})
        amount = st_line.amount_currency if st_line.foreign_currency_id else st_line.amount
        data.update(
            {
                "external_id": st_line.marketplace_line_ref,
                "kind": st_line.marketplace_kind,
                "amount": amount,
                "order_ref": st_line.marketplace_order_ref or None,
                "refund_ref": st_line.marketplace_refund_ref or None,
                "fee_type": st_line.marketplace_fee_type_id.code or data.get("fee_type"),
            }
        )
        return SettlementLine.model_validate(data)
