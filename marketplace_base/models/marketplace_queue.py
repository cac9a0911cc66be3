from odoo import _, api, fields, models

from .payload_text import storable_payload, storable_text

QUEUE_KINDS = [
    ("order", "Orders"),
    ("listing", "Listings"),
    ("stock", "Stock"),
    ("price", "Prices"),
    ("shipment", "Shipments"),
    ("return", "Returns"),
]


class MarketplaceQueue(models.Model):
    """A batch of raw marketplace records waiting to become Odoo records."""

    _name = "marketplace.queue"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Data Queue"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    kind = fields.Selection(QUEUE_KINDS, required=True, index=True)
    line_ids = fields.One2many("marketplace.queue.line", "queue_id", string="Lines")
    # Progress is computed on read, never stored: workers finishing lines of one queue at the
    # same time would otherwise all update the queue's row and fail on each other's updates.
    state = fields.Selection(
        [("draft", "To Process"), ("partial", "In Progress"), ("done", "Done"), ("failed", "Failed")],
        compute="_compute_progress",
        search="_search_state",
    )
    total_count = fields.Integer(compute="_compute_progress", string="Total")
    done_count = fields.Integer(compute="_compute_progress", string="Done")
    failed_count = fields.Integer(compute="_compute_progress", string="Failed")
    draft_count = fields.Integer(compute="_compute_progress", string="To Do")
    progress = fields.Float(compute="_compute_progress", help="Share of lines finished, in %.")

    @api.depends("line_ids.state")
    def _compute_progress(self):
        counts = {}
        if self.ids:
            groups = self.env["marketplace.queue.line"]._read_group(
                [("queue_id", "in", self.ids)], ["queue_id", "state"], ["__count"]
            )
            for queue, state, count in groups:
                counts.setdefault(queue.id, {})[state] = count
        for queue in self:
            by_state = counts.get(queue.id, {})
            total = sum(by_state.values())
            done = by_state.get("done", 0) + by_state.get("cancelled", 0)
            failed = by_state.get("failed", 0)
            draft = by_state.get("draft", 0)
            queue.total_count = total
            queue.done_count = done
            queue.failed_count = failed
            queue.draft_count = draft
            queue.progress = 100.0 * (done + failed) / total if total else 0.0
            queue.state = self._state_from_counts(total, draft, failed)

    @staticmethod
    def _state_from_counts(total, draft, failed):
        if draft == total:
            return "draft"
        if draft:
            return "partial"
        return "failed" if failed else "done"

    def _search_state(self, operator, value):
        values = {value} if isinstance(value, str) else set(value or ())
        if operator in ("!=", "not in"):
            values = {"draft", "partial", "done", "failed"} - values
        elif operator not in ("=", "in"):
            raise NotImplementedError(operator)
        self.env["marketplace.queue.line"].flush_model(["queue_id", "state"])
        query = """
            SELECT id FROM (
                SELECT q.id,
                       CASE WHEN COUNT(l.id) FILTER (WHERE l.state = 'draft') = COUNT(l.id) THEN 'draft'
                            WHEN COUNT(l.id) FILTER (WHERE l.state = 'draft') > 0 THEN 'partial'
                            WHEN COUNT(l.id) FILTER (WHERE l.state = 'failed') > 0 THEN 'failed'
                            ELSE 'done' END AS state
                  FROM marketplace_queue q
                  LEFT JOIN marketplace_queue_line l ON l.queue_id = q.id
                 GROUP BY q.id
            ) AS progress WHERE state = ANY(%s)
        """
        return [("id", "inselect", (query, [list(values)]))]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("marketplace.queue") or _("New")
        return super().create(vals_list)

    @api.model
    def _enqueue(self, instance, kind, records, queue=None):
        """Queue raw records in one queue; `records` are (reference, payload dict) pairs.

        A record that already waits, unchanged, in the instance's queues is not queued again, so
        running an import twice adds nothing. Waiting lines are never rewritten: a worker may be
        processing them right now. With `queue`, the lines are added to that queue (a job that
        queues page after page keeps one queue per run).

        Whatever the payloads hold (text that is not valid, bytes that are not UTF-8), queuing
        succeeds: the line keeps it in a form the database stores and fails alone when processed.
        Queues are the engine's records: a job run by any user queues as superuser (users may
        not create queues or lines themselves).
        """
        # sudo: queues and lines are the engine's records, for this instance only (see above)
        Line = self.env["marketplace.queue.line"].sudo()
        # (reference, payload) or (reference, payload, the marketplace's last-update time)
        records = [
            (
                storable_text(rec[0]) if rec[0] else rec[0],
                storable_payload(rec[1]),
                rec[2] if len(rec) > 2 else False,
            )
            for rec in records
        ]
        if not records:
            return self.browse()
        waiting = {
            (line.name, line.payload)
            for line in Line.search(
                [
                    ("instance_id", "=", instance.id),
                    ("kind", "=", kind),
                    ("state", "=", "draft"),
                    ("name", "in", [rec[0] for rec in records]),
                ]
            )
        }
        new_lines = [rec for rec in records if rec[:2] not in waiting]
        if not new_lines:
            return self.browse()
        queue = queue or self.sudo().create({"instance_id": instance.id, "kind": kind})  # sudo: as the lines
        Line.with_context(tracking_disable=True).create(
            [
                {"queue_id": queue.id, "name": ref, "payload": payload, "external_updated_at": updated}
                for ref, payload, updated in new_lines
            ]
        )
        return queue.with_env(self.env)

    def action_process(self):
        """Process this queue's waiting lines now."""
        self.env["marketplace.access"]._check(self)
        self.line_ids.filtered(lambda l: l.state == "draft")._check_may_act()._process_now()
        return True

    def action_retry_failed(self):
        self.env["marketplace.access"]._check(self)
        self.line_ids.filtered(lambda l: l.state == "failed").action_retry()
        return True

    def action_cancel(self):
        self.env["marketplace.access"]._check(self)
        self.line_ids.action_cancel()
        return True
