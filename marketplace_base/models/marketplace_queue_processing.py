import logging

import psycopg2.errors

from odoo import _, fields, models

from .marketplace_batch import batch_memo_scope, clear_batch_memo
from .marketplace_claim import claim
from .marketplace_job_runner import readable_error
from .marketplace_queue_line_start import MAX_WORKER_STOPS, WorkerTrace
from .payload_text import load_payload, storable_text

_logger = logging.getLogger(__name__)

# Errors a concurrent worker causes (two lines racing to create the same order or customer):
# the line waits for the next run, where it finds what the other worker created.
TRANSIENT_ERRORS = (
    psycopg2.errors.UniqueViolation,
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)
MAX_TRANSIENT_ATTEMPTS = 5

# Kinds of lines processed in groups under one savepoint (see _process): their handlers only
# write to the database (no call to the marketplace, no download), so undoing a group and
# processing its lines again one by one repeats nothing outside the transaction.
GROUPED_KINDS = ("order",)
# Lines per group: large enough for Odoo to compute the figures of many orders together, small
# enough that undoing a group after a failure costs little.
GROUP_SIZE = 20


class GroupFallback(Exception):
    """A grouped line must be processed alone (see _process_group)."""


class MarketplaceQueueProcessing(models.Model):
    """How waiting queue lines are processed: taken by one worker among any number (FOR UPDATE
    SKIP LOCKED), order lines in groups under one savepoint, the others one by one, each
    failure undone alone and set aside with its error, lines that stopped a worker set aside
    (marketplace.queue.line.start), and lines a concurrent worker got in the way of retried at
    the next run. Kept apart from the record (marketplace_queue_line.py) as OCA/queue keeps
    job.py apart from the queue.job record."""

    _inherit = "marketplace.queue.line"

    # locking -----------------------------------------------------------------------------------
    def _acquire(self, instance, limit, domain_ids=None, exclude_ids=()):
        """Lock and return up to `limit` waiting lines of the instance no other worker holds.

        FOR UPDATE SKIP LOCKED lets any number of workers share one queue: each takes rows the
        others have not locked, and a row stays locked until its worker's transaction ends.
        Returns None when this transaction's snapshot is too old to lock (see below).

        Lines that stopped a worker before (see marketplace.queue.line.start) come after all the
        others, each alone in its batch: if it stops the worker again, no other line's work is
        lost with it and the others are already committed.
        """
        self.env.flush_all()
        with WorkerTrace(self.env) as trace:
            stoppers = trace.stoppers(domain_ids)
        restrict, params = "", []
        if domain_ids is not None:
            restrict = "AND id = ANY(%s)"
            params.append(list(domain_ids))
        if exclude_ids:
            restrict += " AND id != ALL(%s)"
            params.append(list(exclude_ids))
        if not stoppers:
            return self._lock_waiting(instance, limit, restrict, params)
        batch = self._lock_waiting(instance, limit, restrict + " AND id != ALL(%s)", params + [stoppers])
        if batch is None or batch:
            return batch
        return self._lock_waiting(instance, 1, restrict + " AND id = ANY(%s)", params + [stoppers])

    def _lock_waiting(self, instance, limit, restrict, params):
        ids = claim(
            self.env,
            "marketplace_queue_line",
            "instance_id = %s AND state = 'draft' " + restrict,
            [instance.id] + params,
            limit=limit,
        )
        return None if ids is None else self.browse(ids)

    # processing --------------------------------------------------------------------------------
    def _process(self, log):
        """Process locked lines, so that one failure spoils nothing: a failed line is undone
        alone and set aside with its error, the others are done.

        Order lines go through in groups under one savepoint (GROUPED_KINDS): the work of the
        whole group is flushed once, which lets Odoo compute the orders' totals, invoice and
        delivery figures for many orders at a time instead of one by one. When anything in the
        group fails, the group is undone and its lines are processed one by one, each in its own
        savepoint, as the other kinds always are: the failure is the line's, never its
        neighbours'. After a failure the lines go one by one until one succeeds, then in groups
        twice as large each time: a run of failing lines costs what it costs line by line, and
        a failure costs at most the work of the group it spoiled, done again.

        Processing creates what the lines hold (orders, customers, taxes, listings, stock) whatever
        the rights of the user who pressed a button, as the cron does: it runs as superuser, for
        these locked lines only. The buttons check that the user may act on the lines first.
        """
        log = log.sudo()  # sudo: see above; these locked lines only, and their run's log
        lines = self.sudo()
        size = GROUP_SIZE
        with WorkerTrace(self.env) as trace, batch_memo_scope(self.env):
            while lines:
                group = lines._next_group(size)
                lines = lines[len(group) :]
                if len(group) > 1 and group._process_group(log, trace):
                    size = min(size * 2, GROUP_SIZE)
                    continue
                for line in group:
                    line._process_one(log, trace)
                # after a failure, lines one by one until one succeeds, then groups again
                failed = len(group) > 1 or group.state != "done"
                size = 1 if failed else min(size * 2, GROUP_SIZE)

    def _next_group(self, size):
        """The first lines, up to `size` in a row of one grouped kind, else the first line alone."""
        kind = self[:1].kind
        if kind not in GROUPED_KINDS:
            return self[:1]
        count = 1
        while count < min(size, len(self)) and self[count].kind == kind:
            count += 1
        return self[:count]

    def _process_group(self, log, trace):
        """Process these lines under one savepoint; True when every one succeeded, else False
        with everything they did undone (the caller then processes them one by one)."""
        try:
            with self.env.cr.savepoint():
                for line in self:
                    if trace.start(line.id) is None:
                        raise GroupFallback()  # to be set aside: _process_one says why
                    try:
                        record = line.instance_id._queue_handler(line.kind)(line, line._load(), log)
                    finally:
                        trace.finish(line.id)
                    line._done(log, record)
        except Exception as err:  # pylint: disable=broad-except
            clear_batch_memo(self.env)  # it may hold records the rollback removed
            _logger.debug("Marketplace queue lines %s processed one by one: %s", self.ids, err)
            return False
        return True

    def _process_one(self, log, trace):
        stops = trace.start(self.id)
        if stops is None:
            self._fail(
                log,
                _(
                    "This line stopped its worker %s times without finishing (memory or time limit, or "
                    "the process was killed): it was set aside so that the other lines go on. Check its "
                    "payload, then Retry it.",
                    MAX_WORKER_STOPS,
                ),
            )
            return
        try:
            self._run_handler(log)
        finally:
            trace.finish(self.id)

    def _run_handler(self, log):
        instance = self.instance_id
        try:
            with self.env.cr.savepoint():
                record = instance._queue_handler(self.kind)(self, self._load(), log)
        except Exception as err:  # pylint: disable=broad-except
            clear_batch_memo(self.env)  # it may hold records the rollback removed
            self._handle_error(log, err)
            return
        self._done(log, record)

    def _handle_error(self, log, err):
        """A line that failed: kept for the next run when a concurrent worker got in the way
        (a few times), else set aside with its error."""
        if isinstance(err, TRANSIENT_ERRORS):
            if self.attempts + 1 < MAX_TRANSIENT_ATTEMPTS:
                _logger.info(
                    "Marketplace queue line %s (%s) met a concurrent worker: %s", self.id, self.name, err
                )
                self.write(
                    {
                        "attempts": self.attempts + 1,
                        "error": _(
                            "Another worker was writing the same records; the line is retried on the next run."
                        ),
                    }
                )
                return
        self._fail(log, readable_error(err))  # scrubbed by _fail

    def _done(self, log, record):
        self.write(
            {
                "state": "done",
                "attempts": self.attempts + 1,
                "error": False,
                "processed_at": fields.Datetime.now(),
                "res_model": record._name if record else False,
                "res_id": record.id if record else False,
            }
        )
        log._add(
            "success",
            _(
                "%(ref)s processed: %(result)s",
                ref=self.name or self.id,
                result=record.display_name if record else _("nothing to do"),
            ),
            record=record,
            queue_line=self,
        )

    def _fail(self, log, error):
        message = storable_text(self.instance_id._scrub(error))
        _logger.info("Marketplace queue line %s (%s) failed: %s", self.id, self.name, message)
        self.write(
            {
                "state": "failed",
                "attempts": self.attempts + 1,
                "error": message,
                "processed_at": fields.Datetime.now(),
            }
        )
        log._add("error", message, queue_line=self)
        self._schedule_failure_activity()

    def _load(self):
        return load_payload(self.payload)
