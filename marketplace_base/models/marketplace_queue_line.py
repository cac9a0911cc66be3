import json
import logging
import re

import psycopg2.errors
import psycopg2.extensions
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from .marketplace_batch import batch_memo_scope, clear_batch_memo
from .marketplace_queue_line_start import MAX_WORKER_STOPS, WorkerTrace

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"

# What PostgreSQL refuses in text: NUL, and lone UTF-16 surrogates (not characters at all, so
# not encodable in UTF-8). Python strings hold them when a marketplace sends bytes that are not
# UTF-8 (decoded with "surrogateescape", byte 0xFF becoming U+DCFF) or JSON such as "\udc80".
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text):
    """Any text (or bytes, or value) as a str PostgreSQL stores: what it cannot hold is written
    as a visible escape (\\udc80, \\x00) instead of failing the whole transaction."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    return UNSTORABLE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def _json_default(value):
    if isinstance(value, bytes):
        # Kept byte for byte: bytes that are not UTF-8 come back as surrogates that _load reports.
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _describe_bad_char(char):
    code = ord(char)
    if code == 0:
        return _("a NUL character, which text cannot hold")
    if 0xDC80 <= code <= 0xDCFF:
        return _("\\u%(code)04x is not a character (byte 0x%(byte)02X of text that is not UTF-8, or half of "
                 "a UTF-16 surrogate pair)", code=code, byte=code - 0xDC00)
    return _("\\u%04x is not a character (half of a UTF-16 surrogate pair)", code)


def _find_bad_text(value, path=()):
    """(where, what) of the first text of a loaded payload that is not valid text, or None."""
    if isinstance(value, str):
        match = UNSTORABLE.search(value)
        return (".".join(path) or "payload", _describe_bad_char(match.group())) if match else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = path + (storable_text(key),)
        found = (_find_bad_text(key, where) if isinstance(key, str) else None) or _find_bad_text(item, where)
        if found:
            return found
    return None


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


class MarketplaceQueueLine(models.Model):
    """One raw marketplace record (an order, a listing, a stock level...) and its fate."""

    _name = "marketplace.queue.line"
    _description = "Marketplace Data Queue Line"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id"
    _check_company_auto = True

    name = fields.Char(string="Reference", index=True, help="The marketplace's reference of the record.")
    queue_id = fields.Many2one("marketplace.queue", required=True, ondelete="cascade", index=True, check_company=True)
    instance_id = fields.Many2one(related="queue_id.instance_id", store=True, index=True)
    company_id = fields.Many2one(related="queue_id.company_id", store=True)
    kind = fields.Selection(related="queue_id.kind", store=True, index=True)
    payload = fields.Text(help="The raw record as the marketplace sent it (JSON). Only Marketplace "
                          "Managers may edit it; each edit is kept in the chatter with the previous payload.")
    can_edit_payload = fields.Boolean(compute="_compute_can_edit_payload")
    external_updated_at = fields.Datetime(
        string="Updated on Marketplace", readonly=True,
        help="When the marketplace last changed the record in this version (orders): a version "
        "already queued or imported is not read again.")
    state = fields.Selection(
        [("draft", "To Process"), ("done", "Done"), ("failed", "Failed"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True, default=0)
    error = fields.Text(readonly=True)
    processed_at = fields.Datetime(readonly=True)
    res_model = fields.Char(string="Result Model", readonly=True)
    res_id = fields.Many2oneReference(string="Result ID", model_field="res_model", readonly=True)
    result_name = fields.Char(compute="_compute_result_name", string="Result")
    result_ref = fields.Reference(selection="_selection_result_model", compute="_compute_result_name",
                                  string="Result Record", help="The record this line produced (open it).")
    payload_pretty = fields.Text(
        string="Payload (formatted)", compute="_compute_payload_pretty", inverse="_inverse_payload_pretty",
        help="The raw record as the marketplace sent it, indented to read. Only Marketplace Managers may edit it; "
        "each edit is kept in the chatter with the previous payload.")
    worker_stops = fields.Integer(
        compute="_compute_worker_stops",
        help="Times a worker started this line without finishing it: stopped by a memory or time limit, "
        "or killed (or processing it right now). Such lines wait until the others are done, and are "
        "set aside as failed after three stops.",
    )

    @api.depends_context("uid")
    def _compute_can_edit_payload(self):
        editable = self.env.user.has_group(MANAGER_GROUP)
        for line in self:
            line.can_edit_payload = editable

    def _compute_worker_stops(self):
        stops = {}
        if self.ids:
            self.env.cr.execute(
                "SELECT line_id, started - finished FROM marketplace_queue_line_start WHERE line_id = ANY(%s)",
                [self.ids],
            )
            stops = dict(self.env.cr.fetchall())
        for line in self:
            line.worker_stops = max(stops.get(line.id, 0), 0) if line.state == "draft" else 0

    def _compute_result_name(self):
        for line in self:
            record = line._result()
            line.result_name = record.display_name if record else False
            line.result_ref = "%s,%s" % (record._name, record.id) if record else False

    @api.model
    def _selection_result_model(self):
        # sudo: the names of the models a line's result may be (a selection's labels)
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for line in self:
            try:
                line.payload_pretty = storable_text(json.dumps(json.loads(line.payload), indent=2, ensure_ascii=False))
            except (TypeError, ValueError):
                line.payload_pretty = line.payload  # not JSON (what the marketplace sent): as it came

    def _inverse_payload_pretty(self):
        for line in self:
            line.payload = line.payload_pretty

    def _result(self):
        self.ensure_one()
        if self.res_model and self.res_id and self.res_model in self.env:
            return self.env[self.res_model].browse(self.res_id).exists()
        return None

    # storage ---------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._storable_vals(vals) for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        self._check_user_write(vals)
        vals = self._storable_vals(vals)
        edited = {}
        if "payload" in vals:
            edited = {line.id: line.payload for line in self if (line.payload or "") != (vals["payload"] or "")}
        res = super().write(vals)
        if edited:
            self.filtered(lambda l: l.id in edited)._log_payload_edit(edited)
        return res

    def unlink(self):
        ids = self.ids
        res = super().unlink()
        self.env.cr.execute("DELETE FROM marketplace_queue_line_start WHERE line_id = ANY(%s)", [ids])
        return res

    def _storable_vals(self, vals):
        """Reference and payload as text the database takes, whoever writes them."""
        vals = dict(vals)
        if vals.get("name"):
            vals["name"] = storable_text(vals["name"])
        if vals.get("payload"):
            vals["payload"] = self._dump(vals["payload"])
        return vals

    def _check_user_write(self, vals):
        """A line is the engine's record of what the marketplace sent and what became of it: only
        managers edit it (the payload, to correct what the marketplace sent). Users act on lines
        through the Retry and Cancel buttons; their write access is there for the chatter and
        the activities of failed lines."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        if "payload" in vals:
            raise AccessError(_("Only Marketplace Managers may edit the payload of a queue line."))
        mixin_fields = set(self.env["mail.thread"]._fields) | set(self.env["mail.activity.mixin"]._fields)
        own = sorted(set(vals) - mixin_fields)
        if own:
            raise AccessError(_(
                "Queue lines change through their Retry and Cancel buttons; only Marketplace Managers "
                "may edit them (%s).", ", ".join(own)))

    def _log_payload_edit(self, previous):
        """Keep every payload a manager replaced in the chatter (escaped: it is raw marketplace text)."""
        for line in self:
            line.message_post(
                body=Markup("<p>%s</p><pre>%s</pre>") % (
                    _("Payload edited by %s. The previous payload was:", self.env.user.name),
                    previous[line.id] or "",
                ),
                subtype_xmlid="mail.mt_note",
            )

    @staticmethod
    def _dump(payload):
        """The payload as text the database stores, whatever the marketplace sent.

        Records are written as JSON; non-ASCII characters stay as they are (the payload is read by
        people), but what PostgreSQL cannot store — lone surrogates (bytes that were not UTF-8, or
        JSON such as "\\udc80"), NUL — is written as its JSON escape (as ensure_ascii=True would):
        queuing never fails, and processing reports the bad text on this line only (_load).
        """
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8", "surrogateescape")
        if not isinstance(payload, str):
            payload = json.dumps(payload, ensure_ascii=False, default=_json_default)
        return storable_text(payload)

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
        query = """
            SELECT id FROM marketplace_queue_line
             WHERE instance_id = %s AND state = 'draft' {restrict}
             ORDER BY id
             LIMIT %s
             FOR UPDATE SKIP LOCKED
        """
        params = [instance.id] + params + [limit]
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query.format(restrict=restrict), params, log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.extensions.TransactionRollbackError:
            # Another worker committed some of these lines after this transaction's snapshot
            # was taken: they are not ours to take. The caller starts a new transaction or stops.
            return None
        return self.browse(ids)

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
                lines = lines[len(group):]
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
            self._fail(log, _(
                "This line stopped its worker %s times without finishing (memory or time limit, or "
                "the process was killed): it was set aside so that the other lines go on. Check its "
                "payload, then Retry it.", MAX_WORKER_STOPS))
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
                _logger.info("Marketplace queue line %s (%s) met a concurrent worker: %s", self.id, self.name, err)
                self.write({"attempts": self.attempts + 1, "error": _(
                    "Another worker was writing the same records; the line is retried on the next run.")})
                return
        self._fail(log, self._readable_error(err))

    def _done(self, log, record):
        self.write({
            "state": "done",
            "attempts": self.attempts + 1,
            "error": False,
            "processed_at": fields.Datetime.now(),
            "res_model": record._name if record else False,
            "res_id": record.id if record else False,
        })
        log._add(
            "success",
            _("%(ref)s processed: %(result)s", ref=self.name or self.id,
              result=record.display_name if record else _("nothing to do")),
            record=record,
            queue_line=self,
        )

    def _fail(self, log, error):
        message = storable_text(self.instance_id._scrub(error))
        _logger.info("Marketplace queue line %s (%s) failed: %s", self.id, self.name, message)
        self.write({
            "state": "failed",
            "attempts": self.attempts + 1,
            "error": message,
            "processed_at": fields.Datetime.now(),
        })
        log._add("error", message, queue_line=self)
        self._schedule_failure_activity()

    def _load(self):
        try:
            payload = json.loads(self.payload or "")
        except ValueError as err:
            raise ValidationError(_("Malformed payload, not valid JSON: %s", err)) from None
        if not isinstance(payload, dict):
            raise ValidationError(_("Malformed payload: a JSON object was expected."))
        bad_text = _find_bad_text(payload)
        if bad_text:
            raise ValidationError(_("Invalid text in the payload at %(where)s: %(what)s.",
                                    where=bad_text[0], what=bad_text[1]))
        return payload

    @staticmethod
    def _readable_error(err):
        if isinstance(err, (UserError, ValidationError)):
            return str(err.args[0])
        errors = getattr(err, "errors", None)
        if callable(errors):  # pydantic.ValidationError
            try:
                return _("Invalid payload: %s") % "; ".join(
                    "%s: %s" % (".".join(str(p) for p in e["loc"]) or "payload", e["msg"]) for e in errors()
                )
            except Exception:  # pylint: disable=broad-except
                pass
        return "%s: %s" % (type(err).__name__, err)

    def _schedule_failure_activity(self):
        """One activity per failed line for the responsible user, not repeated on new failures."""
        instance = self.instance_id
        if not instance.activity_type_id:
            return
        if self.activity_ids.filtered(lambda a: a.activity_type_id == instance.activity_type_id):
            return
        user = instance.activity_user_id or instance.user_id or self.env.user
        # sudo: the activity of this failed line, for its responsible (not the processing user's own)
        self.sudo().activity_schedule(
            activity_type_id=instance.activity_type_id.id,
            date_deadline=fields.Date.add(fields.Date.context_today(self), days=instance.activity_due_days),
            user_id=user.id,
            summary=_("Marketplace %(kind)s %(ref)s failed", kind=self.kind, ref=self.name or self.id),
            note=plaintext2html(self.error or ""),  # the marketplace's text: escaped, never HTML
        )

    # actions -------------------------------------------------------------------------------------
    # Users may not edit lines (see _check_user_write): the buttons check that the user may act on
    # the lines, then change their state as the engine does (sudo: the state of the checked lines only).
    def action_retry(self):
        """Put failed lines back in the queue and process them now."""
        lines = self._check_may_act().filtered(lambda l: l.state == "failed")
        lines.sudo().write({"state": "draft"})
        with WorkerTrace(self.env) as trace:
            trace.forget(lines.ids)  # the user retries it: count its worker stops afresh
        lines._process_now()
        return True

    def action_cancel(self):
        self._check_may_act().filtered(lambda l: l.state in ("draft", "failed")).sudo().write({"state": "cancelled"})
        return True

    def _check_may_act(self):
        """These lines, when the user may act on them (the Marketplace User group, write access,
        their companies): the buttons then change only these lines' state, as the engine does."""
        return self.env["marketplace.access"]._check(self, "user", "write")

    def _process_now(self):
        """Process these waiting lines now, in a log per instance."""
        for instance in self.instance_id:
            instance._process_lines(self.filtered(lambda l: l.instance_id == instance))
