import logging
import threading
from contextlib import contextmanager

from odoo import _, api, models
from odoo.exceptions import UserError

from ..adapter.transport import MarketplaceError
from ..schemas.order import Order as NeutralOrder
from ..schemas.returns import Return as NeutralReturn
from .marketplace_job import JOBS

_logger = logging.getLogger(__name__)

# Namespace of the PostgreSQL advisory locks that keep one run per job and instance at a time
# (the second key is the marketplace.job id). Session-level locks survive the job's commits and
# vanish with the connection of a worker that was killed.
JOB_LOCK_NAMESPACE = 0x4D504A42  # "MPJB"

# The engine's body of each job: (model, method), called as method(instance, client, log).
JOB_RUNNERS = {
    "import_orders": ("marketplace.order.importer", "_run"),
    "export_shipments": ("marketplace.shipment.exporter", "_run"),
    "import_inventory": ("marketplace.inventory.importer", "_run"),
    "export_inventory": ("marketplace.export", "_run_stock"),
    "export_prices": ("marketplace.export", "_run_prices"),
    "check_results": ("marketplace.export", "_run_check"),
    "import_listings": ("marketplace.listing", "_run_import"),
    "export_payments": ("marketplace.payment.exporter", "_run"),
    "import_returns": ("marketplace.return.importer", "_run"),
    "import_settlements": ("marketplace.settlement.importer", "_run"),
}


def readable_error(err):
    """The text of an error as a person reads it: a UserError's message (ValidationError,
    AccessError...), the marketplace's answer, the fields of a payload pydantic refused; else the
    kind of error and its text."""
    if isinstance(err, UserError):
        return str(err.args[0])
    if isinstance(err, MarketplaceError):
        return str(err)
    errors = getattr(err, "errors", None)
    if callable(errors):  # pydantic.ValidationError
        try:
            return _("Invalid payload: %s") % "; ".join(
                "%s: %s" % (".".join(str(p) for p in e["loc"]) or "payload", e["msg"]) for e in errors()
            )
        except Exception:  # pylint: disable=broad-except
            pass
    return "%s: %s" % (type(err).__name__, err) if str(err) else type(err).__name__


class JobRun:
    """One run of one job: its log and, created on first use, the connector's API client
    (whose call counters the log shows when the run ends)."""

    def __init__(self, instance, log):
        self.instance, self.log, self._client = instance, log, None

    @property
    def client(self):
        if self._client is None:
            self._client = self.instance._hook("client", required=True)()
        return self._client

    def close_client(self):
        if self._client is not None:
            self.log.write(
                {
                    "api_calls": getattr(self._client, "calls", 0),
                    "throttled_calls": getattr(self._client, "throttled", 0),
                }
            )
            # what the client had to say once in the run (e.g. data the marketplace withheld): (level, text)
            for level, message in getattr(self._client, "notices", None) or ():
                self.log._add(level, message)
            close = getattr(self._client, "close", None)
            if close:
                close()


class MarketplaceJobRunner(models.AbstractModel):
    """How an instance runs its jobs: the public `action_<job>` entry points (crons, buttons,
    XML-RPC), one run per job at a time, a log that is always closed, commits under crons, and
    the dispatch to the connector's hooks and to the queue lines' handlers. The job bodies live
    in the engine's services.

    The connector contract. A connector adds its code <x> to the `marketplace` selection and
    speaks its marketplace's API through methods `_<x>_<hook>` of marketplace.instance, as
    delivery.carrier's providers do with `<delivery_type>_rate_shipment`: the engine calls
    nothing else of it, and no other method of the instance is named `_<x>_...`. Each line
    gives a hook, what it returns, and when a connector defines it: always, for a job it
    declares (`any-job`: any job besides Process Queues), or optional. The types are those of
    adapter/records.py (OrderPage, OrderHeader, ExportStatus, InventoryLine) and the errors
    those of adapter/transport.py (MarketplaceError, Ambiguous, Throttled), Settlement and
    SettlementLine those of schemas/settlement.py (as models or dicts); `client` is the
    run's API client, `log` its marketplace.log. The README's table ("The connector contract")
    says what each does; tests/test_connector_contract.py keeps connectors, this list and the
    README in step.

    _<x>_jobs() -> list of job codes                                         optional
    _<x>_client() -> adapter.transport.Transport                             any-job
    _<x>_test_connection() -> anything, raises on refusal                    always
    _<x>_confirm() -> None                                                   optional
    _<x>_account_key() -> str or False                                       optional
    _<x>_site_name(site_ref) -> str                                          optional
    _<x>_fetch_orders(client, since, token) -> OrderPage                     import_orders
    _<x>_order_details(client, header) -> dict                               optional
    _<x>_fetch_order(client, reference) -> OrderHeader                       import_orders
    _<x>_check_reference(reference) -> None, raises UserError                optional
    _<x>_map_order(payload) -> dict                                          import_orders
    _<x>_queue_<kind>(line, payload, log) -> record                          optional
    _<x>_keep_product_taxes() -> bool                                        optional
    _<x>_send_shipment(client, picking) -> None or str                       export_shipments
    _<x>_shipment_sent(client, picking) -> bool or str                       optional
    _<x>_read_shipment(client, picking) -> ExportStatus                      optional
    _<x>_order_status(client, picking) -> str or None                        optional
    _<x>_send_return(client, picking) -> None or str                         optional
    _<x>_return_sent(client, picking) -> bool or str                         optional
    _<x>_read_return(client, picking) -> ExportStatus                        optional
    _<x>_read_returns(client) -> iterable of lists of dict                   import_returns
    _<x>_read_settlements(client, since) -> iterable of Settlement           import_settlements
    _<x>_settlement_lines(client, settlement, posted_after) -> iterable of lists of dict  import_settlements
    _<x>_fee_types() -> list of (code, label, kind)                          optional
    _<x>_refund_booked(credit_note, line) -> None                            optional
    _<x>_export_batch_size(kind) -> int                                      optional
    _<x>_prepare_prices(values, currency, log) -> dict                       optional
    _<x>_stock_locations() -> dict                                           optional
    _<x>_prepare_stock(client, values, log) -> dict                          optional
    _<x>_send_export(client, kind, values) -> str or (str, dict)             export_inventory export_prices
    _<x>_find_export(client, export) -> str or None                          optional
    _<x>_read_export(client, export) -> ExportStatus                         check_results
    _<x>_prefetch_results(client) -> None                                    optional
    _<x>_read_inventory(client) -> iterable of InventoryLine                 import_inventory
    _<x>_inventory_location(key) -> stock.location                           optional
    _<x>_read_listings(client) -> iterable of lists of dict                  import_listings
    _<x>_register_payment(client, order) -> None                             export_payments
    _<x>_payment_needed(order) -> bool                                       optional
    """

    _name = "marketplace.job.runner"
    _description = "Marketplace Job Runner"

    # public entry points -------------------------------------------------------------------
    def action_import_orders(self):
        return self._run_job("import_orders")

    def action_export_shipments(self):
        return self._run_job("export_shipments")

    def action_import_inventory(self):
        return self._run_job("import_inventory")

    def action_export_inventory(self):
        return self._run_job("export_inventory")

    def action_export_prices(self):
        return self._run_job("export_prices")

    def action_check_results(self):
        """Poll the marketplace for the outcome of asynchronous exports (feeds, process statuses)."""
        return self._run_job("check_results")

    def action_import_listings(self):
        return self._run_job("import_listings")

    def action_export_payments(self):
        """Report the payments registered in Odoo that have not reached the marketplace yet."""
        return self._run_job("export_payments")

    def action_import_returns(self):
        return self._run_job("import_returns")

    def action_import_settlements(self):
        """Book the marketplace's closed payout periods, and the refunds of the open one."""
        return self._run_job("import_settlements")

    def action_process_queues(self):
        return self._run_job("process_queues")

    # buttons: jobs in the background -------------------------------------------------------
    def action_start_job(self):
        """A job button (the job's code in the context key `marketplace_job`): the job runs in
        the background worker and the button answers at once; the person is told the outcome
        when it ends. `action_<job>` stays synchronous for crons, XML-RPC and scripts."""
        self.ensure_one()
        self.env["marketplace.access"]._check(self)
        code = self.env.context.get("marketplace_job")
        if code not in dict(self.env["marketplace.job"]._fields["job"].selection):
            raise UserError(_("Unknown job %s.", code))
        if code != "process_queues":
            self._check_job_runnable(code)
        label = self._job_label(code)
        if not self._job(code)._request_run():
            return self._notification(
                _("%s is already running", label),
                _("It was started earlier; you are told when it ends."),
                "warning",
            )
        return self._notification(
            _("%s started", label),
            _("It runs in the background: you are told when it ends, and the dashboard shows its progress."),
            "info",
        )

    @api.model
    def _notification(self, title, message, kind="success", sticky=False):
        """A client notification answering a button at once (success, info, warning, danger)."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": title, "message": message, "type": kind, "sticky": sticky},
        }

    # running -------------------------------------------------------------------------------
    def _run_job(self, job):
        """Run one job on each instance, each run in a log closed whatever happens; return True
        for RPC callers. The outcome (counts, errors) is on the log.

        Every `action_<job>` comes here: the caller's rights on these instances are checked
        first (the Marketplace User group, the instances' access rules and companies), so
        the sudo below never runs a job on an instance the caller could not read."""
        self.env["marketplace.access"]._check(self)
        for instance in self:
            if job == "process_queues":
                # Any number of workers share the queues (SKIP LOCKED): no job lock.
                with instance._job_run(job) as run:
                    instance._process_queues(run.log)
                continue
            instance._check_job_runnable(job)
            # Whoever may press the button runs the whole job: it writes what the job needs
            # (cursor, exports, deliveries' export state), which a Marketplace User may not edit
            # by hand. The job's own code decides what is written, never the user.
            instance = instance.sudo()
            job_record = instance._job(job)
            if not instance._try_job_lock(job_record):
                _logger.info("Marketplace %s: %s is already running, skipped.", instance.name, job)
                if not self.env.context.get("marketplace_auto_commit"):
                    raise UserError(
                        _(
                            "%(job)s is already running for %(instance)s.",
                            job=instance._job_label(job),
                            instance=instance.name,
                        )
                    )
                continue
            try:
                with instance._job_run(job) as run:
                    run.log._close_interrupted_runs()
                    model, method = JOB_RUNNERS[job]
                    getattr(instance.env[model], method)(instance, run)
            finally:
                instance._release_job_lock(job_record)
        return True

    def _check_job_runnable(self, job):
        if self.state != "confirmed":
            raise UserError(_("Confirm the instance %s before running its jobs.", self.name))
        if job not in self._declared_jobs():
            raise UserError(
                _(
                    "%(marketplace)s does not support the job '%(job)s'.",
                    marketplace=self._marketplace_label(),
                    job=self._job_label(job),
                )
            )

    @contextmanager
    def _job_run(self, job):
        """A log for one run: kept (committed at once under a cron) whatever happens, closed with
        its counters, and with the error that stopped the run, if any."""
        self.ensure_one()
        # sudo: a run's log is the engine's record (users only read logs); who started it comes
        # from the background worker only (a context is what an RPC caller sends)
        started_by = self.env.su and self.env.context.get("marketplace_started_by")
        log = (
            self.env["marketplace.log"]
            .sudo()
            .create(
                {
                    "instance_id": self.id,
                    "job": job,
                    "user_id": started_by or self.env.uid,
                }
            )
        )
        self._notify_job_state(job, "running")
        self._maybe_commit()
        run = JobRun(self, log)
        try:
            if self._commits_enabled():
                yield run
            else:
                # No commit happens in this transaction: a savepoint undoes what the failed run
                # did, and the log survives it.
                with self.env.cr.savepoint():
                    yield run
        except Exception as err:  # pylint: disable=broad-except
            if self._commits_enabled():
                self.env.cr.rollback()
            _logger.info(
                "Marketplace %s: %s stopped: %s", self.name, job, err, exc_info=not isinstance(err, UserError)
            )
            message, detail = self._explain(err)
            log._add("error", _("The run stopped: %s", message), detail=detail)
        finally:
            try:
                run.close_client()
            finally:
                log._close()
                self._notify_job_state(job, log.state)
                self._maybe_commit()

    # one run per job at a time ------------------------------------------------------------
    def _job(self, code):
        self.ensure_one()
        job = self.job_ids.filtered(lambda j: j.job == code)
        if not job:
            self._ensure_jobs()
            job = self.job_ids.filtered(lambda j: j.job == code)
        return job

    def _try_job_lock(self, job):
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", (JOB_LOCK_NAMESPACE, job.id))
        return self.env.cr.fetchone()[0]

    def _release_job_lock(self, job):
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", (JOB_LOCK_NAMESPACE, job.id))

    # commits -------------------------------------------------------------------------------
    def _commits_enabled(self):
        """Whether this run commits as it goes: under a cron (or a caller asking for it), never
        in tests, which run in one transaction that must not be committed (as Odoo's crons)."""
        return bool(self.env.context.get("marketplace_auto_commit")) and not getattr(
            threading.current_thread(), "testing", False
        )

    def _maybe_commit(self):
        """Commit when the job commits as it goes, so that a crash loses at most the current step."""
        if self._commits_enabled():
            self.env.cr.commit()
            return True
        return False

    # connector dispatch --------------------------------------------------------------------
    def _hook(self, name, required=False):
        """The connector's implementation of a hook (`_<marketplace>_<name>`), or None."""
        self.ensure_one()
        method = getattr(self, "_%s_%s" % (self.marketplace, name), None)
        if method is None and required:
            raise UserError(
                _(
                    "%(marketplace)s does not implement '%(hook)s'.",
                    marketplace=self._marketplace_label(),
                    hook=name,
                )
            )
        return method

    def _call_connector(self, name, *args, **kwargs):
        """Call a hook for a person (Test Connection, Confirm): the marketplace's refusal becomes
        a readable error without credentials."""
        try:
            return self._hook(name, required=True)(*args, **kwargs)
        except UserError as err:
            raise UserError(self._error_text(err)) from None
        except MarketplaceError as err:
            raise UserError(self._explain(err)[0]) from None

    def _error_text(self, err):
        """The readable text of an error (see readable_error) without the credentials of these
        instances, for records that keep the marketplace's own answer (a payment, an export);
        what a merchant reads of a stopped job or button is `_explain`."""
        return self._scrub(readable_error(err))

    def _declared_jobs(self):
        """The jobs the connector implements (hook `jobs`), plus queue processing for all."""
        self.ensure_one()
        declared = self._hook("jobs")
        codes = set(declared() if declared else ())
        codes.add("process_queues")
        return [code for code, _label, _defaults in JOBS if code in codes]

    def _marketplace_label(self):
        return dict(self._fields["marketplace"]._description_selection(self.env)).get(
            self.marketplace, self.marketplace or ""
        )

    def _site_name(self, site_ref):
        """The name a merchant knows a marketplace site by (hook `site_name`; else its id)."""
        self.ensure_one()
        hook = self._hook("site_name")
        return (hook and hook(site_ref)) or site_ref

    @api.model
    def _job_label(self, job):
        return dict(self.env["marketplace.job"]._fields["job"]._description_selection(self.env)).get(job, job)

    # queue dispatch --------------------------------------------------------------------------
    def _queue_handler(self, kind):
        """The method turning a payload of this kind into an Odoo record.

        A connector's `_<code>_queue_<kind>(line, payload, log)` wins over the base's
        `_queue_<kind>(line, payload, log)`.
        """
        handler = getattr(self, "_%s_queue_%s" % (self.marketplace, kind), None) or getattr(
            self, "_queue_%s" % kind, None
        )
        if not handler:
            raise UserError(_("No processing is defined for queue lines of kind '%s'.", kind))
        return handler

    def _process_queues(self, log, line_ids=None):
        """Process waiting lines batch after batch until none is left for this worker."""
        self.ensure_one()
        Line = self.env["marketplace.queue.line"]
        seen = set()  # lines left waiting by a transient error are not retried in this run
        while True:
            batch = Line._acquire(self, self.queue_batch_limit, line_ids, exclude_ids=seen)
            if batch is None:  # lines moved under an old snapshot: go on in a new transaction
                if not self._maybe_commit():
                    break
                continue
            if not batch:
                break
            seen.update(batch.ids)
            batch._process(log)
            self._maybe_commit()

    def _process_lines(self, lines):
        """Process the given waiting lines now (queue buttons), in a log of their own."""
        self.ensure_one()
        with self._job_run("process_queues") as run:
            self._process_queues(run.log, lines.ids)

    def _queue_listing(self, line, payload, log):
        return self.env["marketplace.listing"]._import_payload(self, payload)

    def _queue_return(self, line, payload, log):
        """A neutral return (schemas.returns.Return, from the connector's `read_returns`)."""
        return self.env["marketplace.return.importer"]._import(
            self, NeutralReturn.model_validate(payload), log
        )

    def _queue_order(self, line, payload, log):
        """An order payload -> sale.order: the connector's `map_order` hook turns its raw order
        into the neutral one (schemas.order.Order); a generic instance queues neutral orders."""
        mapper = self._hook("map_order")
        order = NeutralOrder.model_validate(mapper(payload) if mapper else payload)
        return self.env["marketplace.order.service"]._import(self, order, log)
