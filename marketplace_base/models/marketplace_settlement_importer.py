import logging
from dataclasses import dataclass, field

import psycopg2.errors

from odoo import _, api, models
from odoo.exceptions import UserError

from ..schemas.settlement import Settlement

_logger = logging.getLogger(__name__)

# A concurrent worker committed the same settlement (or a fee type) meanwhile: this transaction's
# snapshot cannot see it. Under a cron the settlement is done again in a new transaction, which sees
# what the other did (a booked settlement is then skipped).
CONCURRENT = (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation)
ATTEMPTS = 5


@dataclass
class Outcome:
    """What one run did, for its log and its cursor."""

    booked: int = 0
    skipped: int = 0
    open: int = 0
    failed: int = 0
    lines: int = 0
    matched: int = 0
    left_open: int = 0
    refunds: int = 0
    # the start of every period to read again at the next run (open, or not booked yet)
    again: list = field(default_factory=list)
    # the start of the periods booked in this run or before
    done: list = field(default_factory=list)


class MarketplaceSettlementImporter(models.AbstractModel):
    """Import Settlements: the payout periods a connector reads (hook `read_settlements`, neutral
    Settlement headers, schemas/settlement.py) and their money lines (hook `settlement_lines`,
    pages of SettlementLine dicts).

    - A closed period already booked with the same payout is skipped without any API call;
      else all its lines are read and booked (marketplace.settlement.booking): a new one, one
      whose booking stopped midway, or one the marketplace corrected.
    - An open period is the next payout (its estimated amount); of its lines, only the refunds
      posted after those read last are made into credit notes, once per refund.
    - The cursor (the job's Last Processed On) stays at the start of the earliest period that is
      open or not booked, so that it is read again; booked periods are not.
    - The lines left open (on suspense, or refunds without credit note) are retried."""

    _name = "marketplace.settlement.importer"
    _description = "Marketplace Settlement Import"

    # job -----------------------------------------------------------------------------------------
    @api.model
    def _run(self, instance, run):
        job = instance._job("import_settlements")
        read_headers = instance._hook("read_settlements", required=True)
        read_lines = instance._hook("settlement_lines", required=True)
        instance._settlement_setup()
        outcome = self._import(
            instance,
            read_headers(run.client, job.cursor),
            lambda header, posted_after: read_lines(run.client, header, posted_after),
            run.log,
        )
        cursor = self._cursor(job.cursor, outcome)
        if cursor:
            job.cursor = cursor
        matched = self._retry_open(instance)
        self._summary(run.log, outcome, matched)

    @api.model
    def _cursor(self, current, outcome):
        """Where the next run starts reading: the earliest period to read again, else the latest
        booked one (read again cheaply: skipped without a call); never before a failure."""
        if outcome.failed:
            return current
        if outcome.again:
            return min(outcome.again)
        if outcome.done:
            return max(outcome.done)
        return current

    @api.model
    def _retry_open(self, instance):
        """Lines of earlier periods still open: matched if their reason is gone."""
        Settlement = self.env["marketplace.settlement"]
        open_settlements = Settlement.search(
            [
                ("instance_id", "=", instance.id),
                "|",
                ("refund_ids.state", "=", "open"),
                ("line_ids.is_reconciled", "=", False),
            ]
        )
        matched = 0
        for settlement in open_settlements:
            matched += self.env["marketplace.settlement.matching"]._match_again(settlement)
            instance._maybe_commit()
        return matched

    @api.model
    def _summary(self, log, outcome, matched):
        log._add(
            "success" if outcome.booked or outcome.refunds or matched else "info",
            _(
                "Settlements booked: %(booked)s (%(lines)s lines: %(ok)s matched, %(left)s left to match), "
                "already booked: %(skipped)s, open: %(open)s (credit notes of their refunds: %(refunds)s); "
                "lines matched again: %(again)s.",
                booked=outcome.booked,
                lines=outcome.lines,
                ok=outcome.matched,
                left=outcome.left_open,
                skipped=outcome.skipped,
                open=outcome.open,
                refunds=outcome.refunds,
                again=matched,
            ),
        )

    # settlements ---------------------------------------------------------------------------------
    @api.model
    def _import(self, instance, headers, read_lines, log):
        """Each header (a Settlement, or its dict) read or booked; `read_lines(header,
        posted_after)` gives the pages of a period's lines. Returns the Outcome."""
        outcome = Outcome()
        for raw in headers:
            try:
                header = raw if isinstance(raw, Settlement) else Settlement.model_validate(raw)
            except ValueError as err:
                outcome.failed += 1
                key = raw.get("external_id") if isinstance(raw, dict) else None
                log._add(
                    "error",
                    _(
                        "Settlement %(settlement)s could not be read: %(error)s",
                        settlement=key or "?",
                        error=instance._error_text(err),
                    ),
                )
                continue
            self._one_safely(instance, header, read_lines, log, outcome)
            instance._maybe_commit()
        return outcome

    @api.model
    def _one_safely(self, instance, header, read_lines, log, outcome):
        """One settlement on its own: a refusal is logged and the others go on. Under a cron the
        booking commits as it goes (a refusal undoes what this settlement did since the last
        commit: the next run resumes it); else it is undone by a savepoint. A concurrent
        worker's commit makes it start again in a new transaction (under a cron)."""
        commits = instance._commits_enabled()
        for attempt in range(ATTEMPTS):
            try:
                if commits:
                    return self._one(instance, header, read_lines, log, outcome)
                with self.env.cr.savepoint():
                    return self._one(instance, header, read_lines, log, outcome)
            except UserError as err:
                if commits:
                    self.env.cr.rollback()
                outcome.failed += 1
                log._add("error", instance._error_text(err), detail=header.external_id)
                return None
            except CONCURRENT as err:
                if not commits or attempt == ATTEMPTS - 1:
                    raise
                _logger.info("Settlement %s: another worker was on it (%s); again.", header.external_id, err)
                self.env.cr.rollback()
        return None

    @api.model
    def _one(self, instance, header, read_lines, log, outcome):
        Booking = self.env["marketplace.settlement.booking"]
        settlement = self.env["marketplace.settlement"].search(
            [("instance_id", "=", instance.id), ("name", "=", header.external_id)]
        )
        if (
            header.closed
            and settlement.state == "booked"
            and not settlement._payout_differs(header.payout_amount)
        ):
            outcome.skipped += 1
            outcome.done += [Booking._naive(header.start)] if header.start else []
            return settlement
        settlement = Booking._settlement(instance, header)
        if not header.closed:
            return self._open(settlement, header, read_lines, outcome)
        raw_lines = header.lines or [line for page in read_lines(header, None) for line in page]
        lines = Booking._validate_lines(settlement, raw_lines)
        booked, matched, left = Booking._book(settlement, header, lines, log)
        outcome.booked += 1
        outcome.lines, outcome.matched, outcome.left_open = (
            outcome.lines + booked,
            outcome.matched + matched,
            outcome.left_open + left,
        )
        outcome.done += [Booking._naive(header.start)] if header.start else []
        self._log_booked(settlement, booked, left, log)
        return settlement

    @api.model
    def _open(self, settlement, header, read_lines, outcome):
        """An open period: the next payout; the credit notes of the refunds posted since the
        last read."""
        Booking = self.env["marketplace.settlement.booking"]
        Refunds = self.env["marketplace.refund.service"]
        outcome.open += 1
        outcome.again += [Booking._naive(header.start)] if header.start else []
        if header.lines:
            pages = [header.lines]
        else:
            pages = read_lines(header, settlement.refunds_read_until)
        last = settlement.refunds_read_until
        for page in pages:
            lines = Booking._validate_lines(settlement, page)
            for line in lines:
                last = max(filter(None, [last, Booking._naive(line.date)]), default=None)
                if line.kind == "refund":
                    record = Refunds._book_open_refund(settlement, line)
                    outcome.refunds += record.state == "done"
        if last:
            settlement.refunds_read_until = last
        return settlement

    @api.model
    def _log_booked(self, settlement, booked, left, log):
        if not log:
            return
        message = _(
            "Settlement %(settlement)s booked: %(lines)s lines, payout %(payout)s %(currency)s, %(left)s left to "
            "match.",
            settlement=settlement.name,
            lines=booked,
            payout=settlement.payout_amount,
            currency=settlement.currency_id.name,
            left=left,
        )
        log._add("success", message, record=settlement)
        difference = settlement.amount_difference
        if not settlement.currency_id.is_zero(difference):
            log._add(
                "warning",
                _(
                    "Settlement %(settlement)s: its lines come to %(lines)s but its payout is %(payout)s; the "
                    "statement is not complete until the difference (%(difference)s) is found.",
                    settlement=settlement.name,
                    lines=settlement.amount_lines,
                    payout=settlement.payout_amount,
                    difference=difference,
                ),
                record=settlement,
            )
