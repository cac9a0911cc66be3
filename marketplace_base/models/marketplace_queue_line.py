import json

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import plaintext2html

from .marketplace_queue_line_start import WorkerTrace
from .payload_text import storable_payload, storable_text

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"


class MarketplaceQueueLine(models.Model):
    """One raw marketplace record (an order, a listing, a stock level...) and its fate: what it
    produced, or why it failed, and the Retry and Cancel buttons. Lines are processed by the
    engine in marketplace_queue_processing.py."""

    _name = "marketplace.queue.line"
    _description = "Marketplace Data Queue Line"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id"
    _check_company_auto = True

    name = fields.Char(string="Reference", index=True, help="The marketplace's reference of the record.")
    queue_id = fields.Many2one(
        "marketplace.queue", required=True, ondelete="cascade", index=True, check_company=True
    )
    instance_id = fields.Many2one(related="queue_id.instance_id", store=True, index=True)
    company_id = fields.Many2one(related="queue_id.company_id", store=True)
    kind = fields.Selection(related="queue_id.kind", store=True, index=True)
    payload = fields.Text(
        help="The raw record as the marketplace sent it (JSON). Only Marketplace "
        "Managers may edit it; each edit is kept in the chatter with the previous payload."
    )
    can_edit_payload = fields.Boolean(compute="_compute_can_edit_payload")
    external_updated_at = fields.Datetime(
        string="Updated on Marketplace",
        readonly=True,
        help="When the marketplace last changed the record in this version (orders): a version "
        "already queued or imported is not read again.",
    )
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
    result_ref = fields.Reference(
        selection="_selection_result_model",
        compute="_compute_result_name",
        string="Result Record",
        help="The record this line produced (open it).",
    )
    payload_pretty = fields.Text(
        string="Payload (formatted)",
        compute="_compute_payload_pretty",
        inverse="_inverse_payload_pretty",
        help="The raw record as the marketplace sent it, indented to read. Only Marketplace Managers may edit it; "
        "each edit is kept in the chatter with the previous payload.",
    )
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
                line.payload_pretty = storable_text(
                    json.dumps(json.loads(line.payload), indent=2, ensure_ascii=False)
                )
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
            edited = {
                line.id: line.payload for line in self if (line.payload or "") != (vals["payload"] or "")
            }
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
            vals["payload"] = storable_payload(vals["payload"])
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
            raise AccessError(
                _(
                    "Queue lines change through their Retry and Cancel buttons; only Marketplace Managers "
                    "may edit them (%s).",
                    ", ".join(own),
                )
            )

    def _log_payload_edit(self, previous):
        """Keep every payload a manager replaced in the chatter (escaped: it is raw marketplace text)."""
        for line in self:
            line.message_post(
                body=Markup("<p>%s</p><pre>%s</pre>")
                % (
                    _("Payload edited by %s. The previous payload was:", self.env.user.name),
                    previous[line.id] or "",
                ),
                subtype_xmlid="mail.mt_note",
            )

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
        self._check_may_act().filtered(lambda l: l.state in ("draft", "failed")).sudo().write(
            {"state": "cancelled"}
        )
        return True

    def _check_may_act(self):
        """These lines, when the user may act on them (the Marketplace User group, write access,
        their companies): the buttons then change only these lines' state, as the engine does."""
        return self.env["marketplace.access"]._check(self, "user", "write")

    def _process_now(self):
        """Process these waiting lines now, in a log per instance."""
        for instance in self.instance_id:
            instance._process_lines(self.filtered(lambda l: l.instance_id == instance))
