from textwrap import shorten

from odoo import _, api, fields, models

# (code, label, defaults): one automatic job per entry, each run by `action_<code>`. What a
# merchant needs every day runs on schedule as soon as the instance is confirmed ("cron_active"):
# orders in, shipments and tracking out and their outcome read back, stock out, returns in, payouts
# booked.
JOBS = [
    (
        "import_orders",
        "Import Orders",
        {"interval_number": 15, "interval_type": "minutes", "cron_active": True},
    ),
    (
        "export_shipments",
        "Export Order Status / Tracking",
        {"interval_number": 30, "interval_type": "minutes", "cron_active": True},
    ),
    ("import_inventory", "Import Product's Inventory", {"interval_number": 1, "interval_type": "days"}),
    (
        "export_inventory",
        "Export Product's Inventory",
        {"interval_number": 1, "interval_type": "hours", "cron_active": True},
    ),
    ("export_prices", "Export Product's Price", {"interval_number": 1, "interval_type": "days"}),
    (
        "check_results",
        "Check Export Results",
        {"interval_number": 10, "interval_type": "minutes", "cron_active": True},
    ),
    ("import_listings", "Import Listings", {"interval_number": 1, "interval_type": "days"}),
    ("export_payments", "Export Payments", {"interval_number": 1, "interval_type": "hours"}),
    (
        "import_returns",
        "Import Returns",
        {"interval_number": 1, "interval_type": "hours", "cron_active": True},
    ),
    (
        "import_settlements",
        "Import Settlements",
        {"interval_number": 1, "interval_type": "days", "cron_active": True},
    ),
    (
        "process_queues",
        "Process Queues",
        {"interval_number": 5, "interval_type": "minutes", "cron_active": True},
    ),
]
# Jobs on schedule when the instance's setting asks for them: created switched on when the setting
# is on, switched on when the setting is (the merchant may switch the job off again).
ON_WITH_SETTING = {"export_prices": "export_sale_price", "export_payments": "mark_order_paid"}
# What the dashboard and the Automatic Jobs tab show of a job.
DISPLAY_STATES = [
    ("running", "Running"),
    ("done", "Done"),
    ("error", "With Errors"),
    ("off", "Off"),
    ("never", "Not run yet"),
]


# Written by the engine only (see marketplace.access._check_engine_fields): which cron runs the
# job, and who asked for a run and when (the background worker's queue of requests).
ENGINE_FIELDS = ("cron_id", "requested_by_id", "requested_at")


class MarketplaceJob(models.Model):
    """The schedule of one automatic job of one instance, mirrored into its own ir.cron.

    Users edit these settings on the instance; the cron follows (users never edit crons).
    """

    _name = "marketplace.job"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Automatic Job"
    _order = "instance_id, id"
    _rec_name = "job"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    job = fields.Selection([(code, label) for code, label, _defaults in JOBS], required=True)
    cron_active = fields.Boolean(string="Active", default=False)
    interval_number = fields.Integer(string="Interval Number", default=1, required=True)
    interval_type = fields.Selection(
        [
            ("minutes", "Minutes"),
            ("hours", "Hours"),
            ("days", "Days"),
            ("weeks", "Weeks"),
            ("months", "Months"),
        ],
        string="Interval Unit",
        default="hours",
        required=True,
    )
    # Derived from the job's logs rather than written on a shared row: two workers finishing
    # at once would otherwise collide on that row.
    last_run = fields.Datetime(string="Last Run", compute="_compute_last_run")
    cursor = fields.Datetime(
        string="Last Processed On",
        copy=False,
        help="The marketplace's own time up to which this job has read everything (for Import "
        "Orders: orders changed after it are read at the next run). Set it back (developer mode) "
        "to read older records again: nothing is duplicated.",
    )
    cron_id = fields.Many2one(
        "ir.cron", string="Scheduled Action", readonly=True, copy=False, ondelete="set null"
    )
    # A run asked for by a person (a job button): the background worker runs it at once and
    # tells that person the outcome.
    requested_by_id = fields.Many2one("res.users", string="Started By", readonly=True, copy=False)
    requested_at = fields.Datetime(string="Started At", readonly=True, copy=False)
    running = fields.Boolean(compute="_compute_running", help="Started, or running right now.")
    last_state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("error", "With Errors")],
        compute="_compute_last_run",
        string="Last Outcome",
    )
    next_call = fields.Datetime(related="cron_id.nextcall", string="Next Run")
    display_state = fields.Selection(
        DISPLAY_STATES,
        compute="_compute_display_state",
        string="Status",
        help="Running: started or running now; Off: not run on schedule (switched off); Not run yet: "
        "on schedule, never run; else the outcome of its last run.",
    )

    _sql_constraints = [
        ("job_unique", "UNIQUE(instance_id, job)", "Each job appears once per instance."),
        ("interval_positive", "CHECK(interval_number > 0)", "The interval must be positive."),
    ]

    def _compute_last_run(self):
        ends = self.env["marketplace.log"]._read_group(
            [("instance_id", "in", self.instance_id.ids), ("end", "!=", False)],
            ["instance_id", "job"],
            ["end:max", "id:max"],
        )
        last = {(instance.id, job): (end, log_id) for instance, job, end, log_id in ends}
        # sudo: the outcome of the jobs' own last runs, shown to whoever sees the jobs
        states = dict(
            self.env["marketplace.log"]
            .browse([v[1] for v in last.values()])
            .sudo()
            .mapped(lambda log: (log.id, log.state))
        )
        for job in self:
            end, log_id = last.get((job.instance_id.id, job.job), (False, False))
            job.last_run = end
            job.last_state = states.get(log_id, False)

    @api.depends("requested_at")
    def _compute_running(self):
        # sudo: whether these jobs' own runs are open, shown to whoever sees the jobs
        running = (
            self.env["marketplace.log"]
            .sudo()
            ._read_group(
                [("instance_id", "in", self.instance_id.ids), ("state", "=", "running")],
                ["instance_id", "job"],
            )
        )
        running = set((instance.id, job) for instance, job in running)
        for job in self:
            job.running = bool(job.requested_at) or (job.instance_id.id, job.job) in running

    @api.depends("running", "cron_active", "last_state")
    def _compute_display_state(self):
        for job in self:
            if job.running:
                job.display_state = "running"
            elif not job.cron_active:
                job.display_state = "off"
            else:
                job.display_state = job.last_state or "never"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
            setting = ON_WITH_SETTING.get(vals.get("job"))
            if setting and "cron_active" not in vals:
                vals["cron_active"] = bool(
                    self.env["marketplace.instance"].browse(vals["instance_id"])[setting]
                )
        jobs = super().create(vals_list)
        jobs._sync_cron()
        return jobs

    def write(self, vals):
        self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        res = super().write(vals)
        if {"cron_active", "interval_number", "interval_type"} & set(vals):
            self._sync_cron()
        return res

    def unlink(self):
        # Only the crons these jobs made go with them (see _own_cron), whatever cron_id says.
        crons = self.env["ir.cron"].sudo().concat(*(job._own_cron() for job in self))
        res = super().unlink()
        crons.unlink()
        return res

    def _cron_code(self):
        return "model._run_from_cron(%d)" % self.id

    def _own_cron(self):
        """The job's cron when it is the one the engine made for this job: a cron of this model
        whose code runs this job (empty otherwise). The engine only ever writes and deletes
        that cron: a cron_id pointing anywhere else (Odoo's mail scheduler, another job's
        cron) is never renamed, rewritten, switched off or deleted."""
        self.ensure_one()
        # sudo: crons are the superuser's records; reading this one decides nothing else.
        cron = self.sudo().cron_id
        if (
            cron
            and cron.model_id.model == self._name
            and cron.state == "code"
            and (cron.code or "").strip() == self._cron_code()
        ):
            return cron
        return self.env["ir.cron"].sudo()

    def _cron_values(self):
        instance = self.instance_id
        label = dict(self._fields["job"]._description_selection(self.env))[self.job]
        return {
            "name": _("Marketplace %(instance)s: %(job)s", instance=instance.name, job=label),
            "model_id": self.env["ir.model"]._get_id(self._name),
            "state": "code",
            "code": self._cron_code(),
            "interval_number": self.interval_number,
            "interval_type": self.interval_type,
            "numbercall": -1,
            "user_id": self.env.ref("base.user_root").id,
            # A cron runs only for a live, confirmed instance whose job is switched on.
            "active": bool(self.cron_active and instance.active and instance.state == "confirmed"),
        }

    def _sync_cron(self):
        """Keep each job's own cron in step with its settings; a job without one (or whose
        cron_id is not its own) gets a new one. sudo: crons are the superuser's records, and
        only these jobs' own crons are written."""
        for job in self.sudo():
            vals = job._cron_values()
            cron = job._own_cron()
            if cron:
                cron.write(vals)
            else:
                job.cron_id = self.env["ir.cron"].sudo().create(vals)

    @api.model
    def _run_from_cron(self, job_id):
        job = self.browse(job_id).exists()
        if not job:
            return
        instance = job.instance_id.with_context(marketplace_auto_commit=True)
        getattr(instance, "action_%s" % job.job)()

    # runs started by a person ------------------------------------------------------------------
    def _request_run(self):
        """Ask the background worker to run this job now (a button never runs a long job in the
        browser's request); True when asked, False when it is already started or running."""
        self.ensure_one()
        # sudo: the request is the engine's record (requested_by_id, requested_at); the caller
        # passed marketplace.access._check on the instance (action_start_job)
        job = self.sudo()
        if job.running:
            return False
        job.write({"requested_by_id": self.env.uid, "requested_at": fields.Datetime.now()})
        # sudo: waking the background worker's cron (the superuser's record), nothing more
        self.env.ref("marketplace_base.ir_cron_marketplace_requested_jobs").sudo()._trigger()
        self.instance_id._notify_job_state(self.job, "running")
        return True

    @api.model
    def _run_requested(self):
        """The background worker: run the jobs people started, oldest first, each committed as
        it goes, and tell each person the outcome. sudo: this is the scheduler's cron (run as
        superuser); each request was checked when the person made it (action_start_job)."""
        for job in self.sudo().search([("requested_at", "!=", False)], order="requested_at, id"):
            user = job.requested_by_id
            job.write({"requested_at": False, "requested_by_id": False})
            instance = job.instance_id.with_context(
                marketplace_auto_commit=True, marketplace_started_by=user.id
            )
            instance._maybe_commit()
            try:
                instance._run_job(job.job)
            except Exception as err:  # pylint: disable=broad-except
                # The job could not start (e.g. the instance went back to draft): say so.
                if instance._commits_enabled():
                    self.env.cr.rollback()
                job.with_context(lang=user.lang or self.env.lang)._notify_start_failure(user, err)
                continue
            job.with_context(lang=user.lang or self.env.lang)._notify_outcome(user)
            instance._maybe_commit()

    def _notify_outcome(self, user):
        """Tell the person who started the run what a merchant counts (orders imported, updated,
        failed), the first error in plain words, with links to the log and to the orders."""
        # sudo: the last log of this job only, whose outcome goes to the person who started it
        log = (
            self.env["marketplace.log"]
            .sudo()
            .search(
                [("instance_id", "=", self.instance_id.id), ("job", "=", self.job)], order="id desc", limit=1
            )
        )
        if not (user and log):
            return
        label = dict(self._fields["job"]._description_selection(self.env))[self.job]
        kind = "danger" if log.state == "error" else "success"
        message = log._merchant_summary()
        if log.state == "error":
            first = log.line_ids.filtered(lambda l: l.level == "error")[:1].message
            message = "%s %s" % (message, shorten(first or "", 300, placeholder="..."))
        self.instance_id._notify_job_state(
            self.job,
            log.state,
            user=user,
            notification={
                "title": _("%(job)s of %(instance)s finished", job=label, instance=self.instance_id.name),
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "links": log._links(),
            },
        )

    def _notify_start_failure(self, user, err):
        if not user:
            return
        self.instance_id._notify_job_state(
            self.job,
            "error",
            user=user,
            notification={
                "title": _("%s could not start", self.instance_id.name),
                "message": self.instance_id._explain(err)[0],
                "type": "danger",
                "sticky": True,
                "links": [],
            },
        )
