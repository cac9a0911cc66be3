from collections import Counter, namedtuple

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..schemas.settlement import SettlementLine

# Statement lines made (and committed, under a cron) together: a settlement of tens of thousands of
# lines is booked in steps, and a run that stops resumes after the last step.
BATCH_SIZE = 500

# One line to book: the neutral line (its amount is what to book), its key in the settlement, the
# key of the marketplace's line it books or corrects, and how ("" / "correction" / "reversal").
ToBook = namedtuple("ToBook", "line ref source how")


class MarketplaceSettlementBooking(models.AbstractModel):
    """A closed settlement booked as one bank statement of the instance's settlement journal:
    one statement line per line of the settlement (created in batches, each with its
    counterpart when it is known at once), matched by marketplace.settlement.matching, and a
    statement whose ending balance adds the payout to its starting one.

    Nothing is booked twice: the settlement is unique per instance, a statement line unique per
    (settlement, line key), and the settlement's row is locked FOR UPDATE while it is booked (a
    second worker waits, then finds it booked). A run that stopped midway resumes: the lines
    already there are skipped. A settlement the marketplace corrected after it was booked (a
    different payout, changed, added or removed lines) gets only the difference: the new lines,
    a "Correction of ..." line for a changed amount, a "Reversal of ..." line for a removed
    one."""

    _name = "marketplace.settlement.booking"
    _description = "Marketplace Settlement Booking"

    # the settlement record -----------------------------------------------------------------------
    @api.model
    def _lock(self, settlement):
        """Hold the settlement's row until the transaction ends (a concurrent booking waits)."""
        self.env.cr.execute("SELECT id FROM marketplace_settlement WHERE id = %s FOR UPDATE", [settlement.id])
        settlement.invalidate_recordset()

    @api.model
    def _settlement(self, instance, header):
        """The marketplace.settlement of a neutral header (Settlement), created the first time;
        an open one follows what the marketplace says of it now (period, estimated payout)."""
        Settlement = self.env["marketplace.settlement"]
        settlement = Settlement.search([("instance_id", "=", instance.id), ("name", "=", header.external_id)])
        values = {
            "date_start": self._naive(header.start),
            "date_end": self._naive(header.end),
            "payout_date": self._naive(header.payout_date),
        }
        if not settlement:
            values.update(
                {
                    "name": header.external_id,
                    "instance_id": instance.id,
                    "currency_id": instance._currency(header.currency).id,
                    "payout_amount": header.payout_amount or 0.0,
                }
            )
            return Settlement.create(values)
        if settlement.state == "open":
            values["payout_amount"] = header.payout_amount or 0.0
            settlement.write(values)
        return settlement

    @api.model
    def _naive(self, value):
        return value and self.env["marketplace.order.service"]._naive(value)

    # booking -------------------------------------------------------------------------------------
    @api.model
    def _book(self, settlement, header, lines, log=None):
        """Book a closed settlement (`header`: Settlement, `lines`: its every SettlementLine);
        returns (lines booked, matched, left open)."""
        instance = settlement.instance_id
        self._lock(settlement)
        self._check_keys(settlement, lines)
        journal = instance._settlement_journal()
        to_book = self._to_book(settlement, lines)
        if settlement.state == "booked":
            self._warn_correction(settlement, header, to_book, log)
        settlement.write(
            {
                "state": "booking",
                "payout_amount": header.payout_amount,
                "date_start": self._naive(header.start),
                "date_end": self._naive(header.end),
                "payout_date": self._naive(header.payout_date),
                "refunds_read_until": False,
            }
        )
        booked = matched = 0
        for start in range(0, len(to_book), BATCH_SIZE):
            if instance._maybe_commit():
                self._lock(settlement)
            st_lines, done = self._create_lines(settlement, journal, to_book[start : start + BATCH_SIZE])
            booked, matched = booked + len(st_lines), matched + len(done)
        self._finish(settlement)
        return booked, matched, booked - matched

    @api.model
    def _check_keys(self, settlement, lines):
        twice = sorted(key for key, count in Counter(line.external_id for line in lines).items() if count > 1)
        if twice:
            raise UserError(
                _(
                    "Settlement %(settlement)s has several lines with the key %(keys)s: nothing of it is booked. "
                    "The connector must give each line its own key.",
                    settlement=settlement.name,
                    keys=", ".join(twice[:5]),
                )
            )

    @api.model
    def _booked_totals(self, settlement):
        """{line key: (amount booked in the settlement's currency, statement lines, one of them)}."""
        totals = {}
        for st_line in settlement.with_context(prefetch_fields=False).line_ids:
            amount = st_line.amount_currency if st_line.foreign_currency_id else st_line.amount
            total, count, first = totals.get(st_line.marketplace_source_ref, (0.0, 0, st_line))
            totals[st_line.marketplace_source_ref] = (total + amount, count + 1, first)
        return totals

    @api.model
    def _to_book(self, settlement, lines):
        """[ToBook]: what the statement lacks to hold `lines` exactly."""
        currency = settlement.currency_id
        booked = self._booked_totals(settlement)
        result = []
        for line in lines:
            total, count, _first = booked.pop(line.external_id, (0.0, 0, None))
            if not count:
                result.append(ToBook(line, line.external_id, line.external_id, ""))
            elif currency.compare_amounts(line.amount, total):
                change = line.model_copy(update={"amount": currency.round(line.amount - total)})
                result.append(
                    ToBook(change, "%s~%d" % (line.external_id, count), line.external_id, "correction")
                )
        for source, (total, count, first) in booked.items():
            if not currency.is_zero(total):
                gone = self.env["marketplace.settlement.matching"]._neutral(first)
                gone = gone.model_copy(update={"amount": currency.round(-total), "label": first.payment_ref})
                result.append(ToBook(gone, "%s~%d" % (source, count), source, "reversal"))
        return result

    @api.model
    def _warn_correction(self, settlement, header, to_book, log):
        """A booked settlement read again with other figures: say what changed."""
        changes = []
        if settlement._payout_differs(header.payout_amount):
            changes.append(
                _("payout %(old)s -> %(new)s", old=settlement.payout_amount, new=header.payout_amount)
            )
        labels = {"": _("added"), "correction": _("changed"), "reversal": _("removed")}
        for how in ("", "correction", "reversal"):
            keys = [item.source for item in to_book if item.how == how]
            if keys:
                changes.append(
                    "%s: %s" % (labels[how], ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else ""))
                )
        if changes and log:
            log._add(
                "warning",
                _(
                    "Settlement %(settlement)s was corrected by the marketplace after it was booked; only the "
                    "difference is booked (%(changes)s).",
                    settlement=settlement.name,
                    changes="; ".join(changes),
                ),
                record=settlement,
            )

    @api.model
    def _create_lines(self, settlement, journal, batch):
        """The statement lines of one batch, matched; (statement lines, matched ones)."""
        Matching = self.env["marketplace.settlement.matching"]
        targets = Matching._targets(settlement, [item.line for item in batch])
        date = self._line_date(settlement)
        vals_list = [
            self._line_values(settlement, journal, item, target, date) for item, target in zip(batch, targets)
        ]
        st_lines = self.env["account.bank.statement.line"].create(vals_list)
        if not settlement.statement_id:
            settlement.statement_id = self.env["account.bank.statement"].create(
                {
                    "name": "%s %s" % (settlement.instance_id.name, settlement.name),
                    "reference": settlement.name,
                    "line_ids": [Command.set(st_lines.ids)],
                }
            )
        done = Matching._apply(st_lines, targets)
        return st_lines, done

    @api.model
    def _line_date(self, settlement):
        day = settlement.payout_date or settlement.date_end
        return day.date() if day else fields.Date.context_today(self)

    @api.model
    def _line_values(self, settlement, journal, item, target, date):
        line = item.line
        values = {
            "journal_id": journal.id,
            "statement_id": settlement.statement_id.id,
            "date": date,
            "payment_ref": self._label(line, item.how),
            "marketplace_settlement_id": settlement.id,
            "marketplace_line_ref": item.ref,
            "marketplace_source_ref": item.source,
            "marketplace_kind": line.kind,
            "marketplace_order_ref": line.order_ref,
            "marketplace_refund_ref": line.refund_ref,
            "marketplace_fee_type_id": target.fee_type.id if target.fee_type else False,
            "marketplace_match_note": target.note or False,
            "marketplace_line_data": line.model_dump(mode="json") if line.kind == "refund" else False,
        }
        values.update(self._amounts(settlement, journal, line.amount, date))
        if target.simple:
            values["counterpart_account_id"] = target.account.id
            values["partner_id"] = target.partner.id if target.partner else False
        return values

    @api.model
    def _amounts(self, settlement, journal, amount, date):
        """The statement line's amount in the journal's currency (and the settlement's amount as
        its foreign amount when the two differ)."""
        currency = settlement.currency_id
        journal_currency = journal.currency_id or journal.company_id.currency_id
        if currency == journal_currency:
            return {"amount": currency.round(amount)}
        converted = currency._convert(amount, journal_currency, journal.company_id, date)
        return {
            "amount": converted,
            "foreign_currency_id": currency.id,
            "amount_currency": currency.round(amount),
        }

    @api.model
    def _label(self, line, how):
        if line.label:
            label = line.label
        elif line.kind == "order":
            label = _("Order %s", line.order_ref)
        elif line.kind == "refund":
            label = _("Refund %(refund)s of %(order)s", refund=line.refund_ref, order=line.order_ref)
        else:
            kinds = dict(self.env["account.bank.statement.line"]._fields["marketplace_kind"].selection)
            label = " ".join(filter(None, [kinds.get(line.kind, line.kind), line.fee_type, line.order_ref]))
        if how == "correction":
            return _("Correction of %s", label)
        if how == "reversal":
            return _("Reversal of %s", label)
        return label

    @api.model
    def _finish(self, settlement):
        """Every line is there: the statement ends at its start plus the payout, and is complete
        when the lines add up to the payout (the settlement's Difference says by how much not)."""
        statement = settlement.statement_id
        if statement:
            journal = statement.journal_id
            journal_currency = journal.currency_id or journal.company_id.currency_id
            if journal_currency == settlement.currency_id:
                statement.balance_end_real = statement.balance_start + settlement.payout_amount
            else:
                statement.balance_end_real = statement.balance_end
        settlement.state = "booked"

    # lines of a settlement ------------------------------------------------------------------------
    @api.model
    def _validate_lines(self, settlement, raw_lines):
        """The neutral lines of raw dicts (or models), refused together with the key of the
        first line that is not valid."""
        lines = []
        for raw in raw_lines:
            try:
                lines.append(raw if isinstance(raw, SettlementLine) else SettlementLine.model_validate(raw))
            except ValueError as err:
                key = raw.get("external_id") if isinstance(raw, dict) else None
                raise UserError(
                    _(
                        "Settlement %(settlement)s, line %(line)s: %(error)s",
                        settlement=settlement.name,
                        line=key or "?",
                        error=settlement.instance_id._error_text(err),
                    )
                ) from None
        return lines
