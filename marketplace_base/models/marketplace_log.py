from odoo import Command, _, api, fields, models

from .marketplace_job import JOBS

# Which line levels each instance log level keeps.
# Warnings (e.g. a total that differs from the marketplace's) need a person like errors do, but
# are not failures: kept at every level, not counted as errors.
KEPT_LEVELS = {
    "all": ("info", "success", "warning", "error"),
    "success": ("success", "warning", "error"),
    "error": ("warning", "error"),
}


class MarketplaceLog(models.Model):
    """One run of one job of one instance, with its counts and the lines worth keeping."""

    _name = "marketplace.log"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Log"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    job = fields.Selection([(code, label) for code, label, _defaults in JOBS], required=True)
    start = fields.Datetime(default=fields.Datetime.now, readonly=True)
    end = fields.Datetime(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Started By",
        readonly=True,
        help="Who started the run (a button), or the scheduler's user.",
    )
    success_count = fields.Integer(readonly=True)
    error_count = fields.Integer(readonly=True)
    api_calls = fields.Integer(string="API Calls", readonly=True, help="Requests sent to the marketplace.")
    throttled_calls = fields.Integer(readonly=True, help="Requests the marketplace answered with 429.")
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("error", "With Errors")], default="running", readonly=True
    )
    line_ids = fields.One2many("marketplace.log.line", "log_id", string="Lines")
    # What a merchant counts (the run's notification): orders made and orders updated by this run.
    order_created_count = fields.Integer(string="Orders Imported", readonly=True)
    order_updated_count = fields.Integer(string="Orders Updated", readonly=True)
    order_ids = fields.Many2many(
        "sale.order",
        string="Orders",
        readonly=True,
        check_company=True,
        help="The sale orders this run created or updated.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("marketplace.log") or _("New")
        return super().create(vals_list)

    def _add(self, level, message, record=None, queue_line=None, detail=None):
        """Count one event and keep its line when the instance's log level asks for it; `detail`
        is what the integrator reads beside a merchant's message (the operation, the raw error)."""
        self.ensure_one()
        if level == "success":
            self.success_count += 1
        elif level == "error":
            self.error_count += 1
        if level not in KEPT_LEVELS[self.instance_id.log_level]:
            return
        self.env["marketplace.log.line"].create(
            {
                "log_id": self.id,
                "level": level,
                "message": self.instance_id._scrub(message),
                "res_model": record._name if record else False,
                "res_id": record.id if record else False,
                "queue_line_id": queue_line.id if queue_line else False,
                "detail": self.instance_id._scrub(detail) if detail else False,
            }
        )

    def _count_order(self, sale, created):
        """An order this run created or updated (inside the line's savepoint: undone with it)."""
        self.ensure_one()
        if created:
            self.order_created_count += 1
        else:
            self.order_updated_count += 1
        self.order_ids = [Command.link(sale.id)]

    def _merchant_summary(self):
        """The run's outcome as a merchant counts it."""
        self.ensure_one()
        if self.job == "import_orders" or self.order_created_count or self.order_updated_count:
            return _(
                "Orders imported: %(created)s, updated: %(updated)s, failed: %(failed)s.",
                created=self.order_created_count,
                updated=self.order_updated_count,
                failed=self.error_count,
            )
        return _("%(ok)s succeeded, %(ko)s failed.", ok=self.success_count, ko=self.error_count)

    def _links(self):
        """[{label, action}] opening this log and the orders of the run (the notification's links)."""
        self.ensure_one()
        links = [
            {
                "label": _("Open log %s", self.name),
                "action": {
                    "type": "ir.actions.act_window",
                    "res_model": "marketplace.log",
                    "res_id": self.id,
                    "views": [[False, "form"]],
                    "target": "current",
                },
            }
        ]
        if self.order_ids:
            links.append(
                {
                    "label": _("Open the %s orders", len(self.order_ids)),
                    "action": {
                        "type": "ir.actions.act_window",
                        "res_model": "sale.order",
                        "name": _("Orders of %s", self.name),
                        "domain": [("id", "in", self.order_ids.ids)],
                        "views": [[False, "list"], [False, "form"]],
                        "target": "current",
                    },
                }
            )
        return links

    def _close_interrupted_runs(self):
        """Close the earlier runs of this job that never ended (their worker was killed): the
        caller holds the job's lock, so none of them is still running."""
        self.ensure_one()
        stale = self.search(
            [
                ("instance_id", "=", self.instance_id.id),
                ("job", "=", self.job),
                ("state", "=", "running"),
                ("id", "<", self.id),
            ]
        )
        for log in stale:
            log._add("error", _("The run was interrupted before it finished (worker stopped)."))
        stale._close()

    def _close(self):
        for log in self:
            log.write({"end": fields.Datetime.now(), "state": "error" if log.error_count else "done"})
            log._send_summary()

    def _send_summary(self):
        """Mail the run's counts to the instance's recipients when the run did something."""
        instance = self.instance_id
        if not instance.notify_partner_ids or not (self.success_count or self.error_count):
            return
        template = self.env.ref("marketplace_base.mail_template_job_summary", raise_if_not_found=False)
        if template:
            # sudo: this run's summary to the instance's own recipients (a job's user may not send mail)
            template.sudo().send_mail(
                self.id,
                email_values={"recipient_ids": [(6, 0, instance.notify_partner_ids.ids)]},
            )
