import json
import logging

import psycopg2.errors
import psycopg2.extensions

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

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


class MarketplaceQueueLine(models.Model):
    """One raw marketplace record (an order, a listing, a stock level...) and its fate."""

    _name = "marketplace.queue.line"
    _description = "Marketplace Data Queue Line"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id"

    name = fields.Char(string="Reference", index=True, help="The marketplace's reference of the record.")
    queue_id = fields.Many2one("marketplace.queue", required=True, ondelete="cascade", index=True)
    instance_id = fields.Many2one(related="queue_id.instance_id", store=True, index=True)
    company_id = fields.Many2one(related="queue_id.company_id", store=True)
    kind = fields.Selection(related="queue_id.kind", store=True, index=True)
    payload = fields.Text(help="The raw record as the marketplace sent it (JSON).")
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

    def _compute_result_name(self):
        for line in self:
            record = line._result()
            line.result_name = record.display_name if record else False

    def _result(self):
        self.ensure_one()
        if self.res_model and self.res_id and self.res_model in self.env:
            return self.env[self.res_model].browse(self.res_id).exists()
        return None

    @staticmethod
    def _dump(payload):
        return payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)

    # locking -----------------------------------------------------------------------------------
    def _acquire(self, instance, limit, domain_ids=None, exclude_ids=()):
        """Lock and return up to `limit` waiting lines of the instance no other worker holds.

        FOR UPDATE SKIP LOCKED lets any number of workers share one queue: each takes rows the
        others have not locked, and a row stays locked until its worker's transaction ends.
        Returns None when this transaction's snapshot is too old to lock (see below).
        """
        self.env.flush_all()
        query = """
            SELECT id FROM marketplace_queue_line
             WHERE instance_id = %s AND state = 'draft' {restrict}
             ORDER BY id
             LIMIT %s
             FOR UPDATE SKIP LOCKED
        """
        params = [instance.id]
        restrict = ""
        if domain_ids is not None:
            restrict = "AND id = ANY(%s)"
            params.append(list(domain_ids))
        if exclude_ids:
            restrict += " AND id != ALL(%s)"
            params.append(list(exclude_ids))
        params.append(limit)
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
        """Process locked lines one by one, each in a savepoint so one failure spoils nothing."""
        for line in self:
            line._process_one(log)

    def _process_one(self, log):
        instance = self.instance_id
        try:
            with self.env.cr.savepoint():
                record = instance._queue_handler(self.kind)(self, self._load(), log)
        except TRANSIENT_ERRORS as err:
            if self.attempts + 1 < MAX_TRANSIENT_ATTEMPTS:
                _logger.info("Marketplace queue line %s (%s) met a concurrent worker: %s", self.id, self.name, err)
                self.write({"attempts": self.attempts + 1, "error": _(
                    "Another worker was writing the same records; the line is retried on the next run.")})
                return
            self._fail(log, self._readable_error(err))
            return
        except Exception as err:  # pylint: disable=broad-except
            self._fail(log, self._readable_error(err))
            return
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
        message = self.instance_id._scrub(error)
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
        self.sudo().activity_schedule(
            activity_type_id=instance.activity_type_id.id,
            date_deadline=fields.Date.add(fields.Date.context_today(self), days=instance.activity_due_days),
            user_id=user.id,
            summary=_("Marketplace %(kind)s %(ref)s failed", kind=self.kind, ref=self.name or self.id),
            note=self.error,
        )

    # actions -------------------------------------------------------------------------------------
    def action_retry(self):
        """Put failed lines back in the queue and process them now."""
        lines = self.filtered(lambda l: l.state == "failed")
        lines.write({"state": "draft"})
        for instance in lines.instance_id:
            instance._process_lines(lines.filtered(lambda l: l.instance_id == instance))
        return True

    def action_cancel(self):
        self.filtered(lambda l: l.state in ("draft", "failed")).write({"state": "cancelled"})
        return True
