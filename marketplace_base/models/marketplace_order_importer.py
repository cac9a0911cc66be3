import re
import time
from datetime import timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..adapter.transport import MarketplaceError

# What the import has queued is committed at least this often (seconds; system parameter
# marketplace.import_commit_seconds), so that a run cut off by Odoo's time limit (while a slow
# per-order call paces the import) keeps what it read.
COMMIT_SECONDS = 5.0
# Where a first import starts when the job has no cursor yet.
FIRST_IMPORT_DAYS = 3
# An order reference a person types (Recover Order): every marketplace's order numbers fit.
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class MarketplaceOrderImporter(models.AbstractModel):
    """Import Orders: orders changed since the job's cursor, read page after page through the
    connector's hooks and queued one line per order; the cursor then moves to the
    marketplace's own "safe until" time.

    An order already queued or imported in this version costs no further call, so a run that
    was cut off progresses at the next one instead of reading the same orders again."""

    _name = "marketplace.order.importer"
    _description = "Marketplace Order Import"

    @api.model
    def _run(self, instance, run):
        job = instance._job("import_orders")
        since = job.cursor or fields.Datetime.now() - timedelta(days=FIRST_IMPORT_DAYS)
        every = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(  # sudo: a system parameter, read only
                "marketplace.import_commit_seconds", COMMIT_SECONDS
            )
            or COMMIT_SECONDS
        )
        batch = _OrderBatch(self.env, instance, run.log, every)
        fetch = instance._hook("fetch_orders", required=True)
        token, safe_until, newest = None, None, None
        try:
            while True:
                page = fetch(run.client, since, token)
                known = self._known_versions(instance, [h.reference for h in page.orders])
                for header in page.orders:
                    updated = _naive(header.updated_at)
                    newest = max(filter(None, (newest, updated)), default=None)
                    if header.reference in known and (not updated or known[header.reference] >= updated):
                        batch.skipped += 1
                        continue
                    batch.add(header.reference, self._details(instance, run, header), updated)
                batch.flush()
                token, safe_until = page.next_token, _naive(page.safe_until) or safe_until
                if not token:
                    break
        except (MarketplaceError, UserError) as err:
            batch.flush()
            self._process_queued(instance, run, batch)
            message, detail = instance._explain(err)
            run.log._add(
                "error",
                _(
                    "Order import stopped: %(error)s The next run reads again the orders changed "
                    "since %(since)s.",
                    error=message,
                    since=instance._reader_time(since, run.log.user_id),
                ),
                detail=_(
                    "%(error)s; Last Processed On kept at %(since)s UTC.",
                    error=detail or message,
                    since=since,
                ),
            )
            return
        batch.flush(final=True)
        self._process_queued(instance, run, batch)
        # The marketplace's own time; without one, the newest change seen (never Odoo's clock).
        job.cursor = max(filter(None, (since, safe_until or newest)))

    @api.model
    def _process_queued(self, instance, run, batch):
        """The orders this run queued become sale orders: in this run when a person started it
        (what they are told then counts the orders imported, updated and failed), else by the
        Process Queues cron, woken at once."""
        waiting = batch.queue.line_ids.filtered(lambda line: line.state == "draft") if batch.queue else None
        if waiting and self.env.context.get("marketplace_started_by"):
            instance._process_queues(run.log, waiting.ids)
        else:
            self._wake_processing(instance, batch.queued)

    @api.model
    def _wake_processing(self, instance, queued):
        """Orders just queued become sale orders at once: the instance's Process Queues cron runs
        now (when it is active) rather than at its next interval."""
        cron = instance._job("process_queues")._own_cron()  # sudo: triggering the instance's own cron only
        if queued and cron.active:
            cron._trigger()

    @api.model
    def _details(self, instance, run, header):
        details = instance._hook("order_details")
        return details(run.client, header) if details else header.raw

    @api.model
    def _known_versions(self, instance, references):
        """{reference: newest version (last update time) already queued or imported}."""
        if not references:
            return {}
        known = {}
        lines = self.env["marketplace.queue.line"].search_read(
            [
                ("instance_id", "=", instance.id),
                ("kind", "=", "order"),
                ("name", "in", references),
                ("state", "in", ("draft", "done")),
            ],
            ["name", "external_updated_at", "state", "res_model", "res_id"],
        )
        orders = self.env["sale.order"].search_read(
            [
                ("marketplace_instance_id", "=", instance.id),
                ("marketplace_order_ref", "in", references),
            ],
            ["marketplace_order_ref", "marketplace_updated_at", "id"],
        )
        # A done line counts only while its sale order exists: one that produced nothing (skipped)
        # or whose order was deleted is read again when Last Processed On is rewound.
        existing = {o["id"] for o in orders}
        lines = [
            l
            for l in lines
            if l["state"] == "draft" or (l["res_model"] == "sale.order" and l["res_id"] in existing)
        ]
        versions = [(l["name"], l["external_updated_at"]) for l in lines] + [
            (o["marketplace_order_ref"], o["marketplace_updated_at"]) for o in orders
        ]
        for reference, updated in versions:
            # A version without a time is known but older than any dated one.
            updated = updated or fields.Datetime.to_datetime("1970-01-01 00:00:00")
            known[reference] = max(known.get(reference, updated), updated)
        return known

    @api.model
    def _checked_reference(self, instance, reference):
        """A reference a person typed, checked before it reaches a URL: letters, digits, "-" and
        "_" (every marketplace's order numbers), at most 64; the connector's hook
        `check_reference(reference)` may be stricter (raises UserError). The clients also
        percent-encode it (adapter.transport.path_segment)."""
        reference = (reference or "").strip() if isinstance(reference, str) else str(reference or "")
        if not REFERENCE.fullmatch(reference):
            raise UserError(
                _(
                    "%(reference)s is not an order reference of %(marketplace)s: letters, digits, '-' and "
                    "'_' only, at most 64.",
                    reference=reference[:64] or '""',
                    marketplace=instance._marketplace_label(),
                )
            )
        check = instance._hook("check_reference")
        if check:
            check(reference)
        return reference

    @api.model
    def _recover(self, instance, reference):
        """Import one order by its marketplace reference, whatever the cursor says; return the
        sale order (empty when the order is not imported, e.g. cancelled before import)."""
        reference = self._checked_reference(instance, reference)
        with instance._job_run("import_orders") as run:
            header = instance._hook("fetch_order", required=True)(run.client, reference)
            queue = self.env["marketplace.queue"]._enqueue(
                instance,
                "order",
                [(header.reference, self._details(instance, run, header), _naive(header.updated_at))],
            )
            if queue:
                instance._process_queues(run.log, queue.line_ids.ids)
        return self.env["sale.order"].search(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_order_ref", "=", reference)],
            limit=1,
        )


class _OrderBatch:
    """Orders read but not queued yet; queued (and committed under a cron) every few seconds
    and at the end of each page."""

    def __init__(self, env, instance, log, every):
        self.env, self.instance, self.log, self.every = env, instance, log, every
        self.records, self.queue = [], None
        self.queued = self.skipped = 0
        self.flushed_at = time.monotonic()

    def add(self, reference, payload, updated_at):
        self.records.append((reference, payload, updated_at))
        if time.monotonic() - self.flushed_at >= self.every:
            self.flush()

    def flush(self, final=False):
        if self.records:
            self.queue = (
                self.env["marketplace.queue"]._enqueue(self.instance, "order", self.records, queue=self.queue)
                or self.queue
            )
            self.queued += len(self.records)
            self.records = []
            self.instance._maybe_commit()
        self.flushed_at = time.monotonic()
        if final:
            self.log._add(
                "success" if self.queued else "info",
                _(
                    "%(queued)s orders queued, %(skipped)s already queued or imported.",
                    queued=self.queued,
                    skipped=self.skipped,
                ),
            )


def _naive(value):
    """A UTC datetime without tzinfo, as Odoo stores them."""
    if value and value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
