import json
from datetime import datetime, time as dtime, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.tools.misc import format_date, format_datetime, get_lang

# The dashboard's period (orders per day, counts by fulfilment) and the shape of its sample
# graph before the first order arrives.
DASHBOARD_DAYS = 30
SAMPLE_GRAPH = (3, 5, 4, 6, 8, 7, 5, 9, 11, 8)


class MarketplaceInstanceDashboard(models.AbstractModel):
    """What the dashboard card of an instance shows (Marketplaces > Dashboard): its orders of the
    last 30 days, its queues, its jobs' last runs and a draft instance's set-up steps.

    A mixin of marketplace.instance, kept apart from the instance's settings: everything here
    is computed on read, nothing is stored."""

    _name = "marketplace.instance.dashboard"
    _description = "Marketplace Instance Dashboard"

    # Computed on read (the dashboard's kanban reads them all at once): nothing a worker would
    # have to update on a shared row.
    order_today_count = fields.Integer(compute="_compute_dashboard", string="Orders Today")
    order_merchant_count = fields.Integer(
        compute="_compute_dashboard",
        string="Merchant-Fulfilled Orders",
        help="Orders of the last 30 days that you ship.",
    )
    order_marketplace_count = fields.Integer(
        compute="_compute_dashboard",
        string="Marketplace-Fulfilled Orders",
        help="Orders of the last 30 days that the marketplace ships.",
    )
    order_matching_count = fields.Integer(
        compute="_compute_dashboard",
        string="Orders Needing Matching",
        help="Orders with items no Odoo product matched (they are on the default product).",
    )
    queue_failed_count = fields.Integer(compute="_compute_dashboard", string="Failed Lines")
    queue_draft_count = fields.Integer(compute="_compute_dashboard", string="Lines to Process")
    queue_done_count = fields.Integer(compute="_compute_dashboard", string="Processed Lines")
    last_sync_summary = fields.Text(compute="_compute_dashboard", string="Last Sync")
    dashboard_data = fields.Text(
        compute="_compute_dashboard",
        help="JSON for the dashboard card: each job's last run and outcome in the user's timezone "
        "and language, and the set-up steps of a draft instance.",
    )
    dashboard_graph_data = fields.Text(
        compute="_compute_dashboard_graph", help="Orders per day, last 30 days."
    )

    def _dashboard_tz(self):
        """The timezone of the person looking (the web client's, else their preference)."""
        try:
            return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _dashboard_day_start(self, days_ago=0):
        """Start (UTC, naive as Odoo stores it) of the person's day `days_ago` days before today."""
        tz = self._dashboard_tz()
        day = datetime.now(tz).date() - timedelta(days=days_ago)
        return tz.localize(datetime.combine(day, dtime.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends_context("tz", "lang", "uid")
    def _compute_dashboard(self):
        today, month = self._dashboard_day_start(), self._dashboard_day_start(DASHBOARD_DAYS - 1)
        Order = self.env["sale.order"]
        orders = Order._read_group(
            [("marketplace_instance_id", "in", self.ids), ("date_order", ">=", month)],
            ["marketplace_instance_id", "marketplace_fulfilment"],
            ["__count"],
        )
        by_fulfilment = {(instance.id, fulfilment): count for instance, fulfilment, count in orders}
        today_counts = dict(
            (instance.id, count)
            for instance, count in Order._read_group(
                [("marketplace_instance_id", "in", self.ids), ("date_order", ">=", today)],
                ["marketplace_instance_id"],
                ["__count"],
            )
        )
        matching = dict(
            (instance.id, count)
            for instance, count in Order._read_group(
                [
                    ("marketplace_instance_id", "in", self.ids),
                    ("order_line.marketplace_needs_matching", "=", True),
                ],
                ["marketplace_instance_id"],
                ["__count"],
            )
        )
        lines = self.env["marketplace.queue.line"]._read_group(
            [("instance_id", "in", self.ids)], ["instance_id", "state"], ["__count"]
        )
        line_counts = {(instance.id, state): count for instance, state, count in lines}
        for instance in self:
            key = instance.id
            instance.order_today_count = today_counts.get(key, 0)
            instance.order_merchant_count = by_fulfilment.get((key, "merchant"), 0)
            instance.order_marketplace_count = by_fulfilment.get((key, "marketplace"), 0)
            instance.order_matching_count = matching.get(key, 0)
            instance.queue_failed_count = line_counts.get((key, "failed"), 0)
            instance.queue_draft_count = line_counts.get((key, "draft"), 0)
            instance.queue_done_count = line_counts.get((key, "done"), 0)
            jobs = instance._dashboard_jobs()
            instance.last_sync_summary = "\n".join(
                "%s: %s" % (job["label"], job["last_run"] or _("never")) for job in jobs
            )
            instance.dashboard_data = json.dumps({"jobs": jobs, "setup": instance._dashboard_setup()})

    def _dashboard_jobs(self):
        """Each job's name (as on its button), last run (the person's timezone and language) and
        status (marketplace.job.display_state: Running, Off, Not run yet, or its last outcome)."""
        labels = dict(self.env["marketplace.job"]._fields["job"]._description_selection(self.env))
        outcomes = dict(self.env["marketplace.job"]._fields["display_state"]._description_selection(self.env))
        tz = self._dashboard_tz().zone
        result = []
        for job in self.job_ids:
            state = job.display_state
            result.append(
                {
                    "code": job.job,
                    "label": labels.get(job.job, job.job),
                    "last_run": format_datetime(self.env, job.last_run, tz=tz, dt_format="short")
                    if job.last_run
                    else "",
                    "state": state,
                    "outcome": outcomes.get(state),
                }
            )
        return result

    def _dashboard_setup(self):
        """The set-up steps of a draft instance: which are done."""
        secrets = [fname for fname in self._secret_fields() if fname.startswith("%s_" % self.marketplace)]
        sudo = self.sudo()  # sudo: whether the credentials are filled, never their values
        return {
            "credentials": all(sudo[fname] for fname in secrets),
            "warehouses": bool(self.warehouse_id),
            "workflow": bool(self.workflow_id and self.marketplace_workflow_id),
        }

    @api.depends_context("tz", "lang")
    def _compute_dashboard_graph(self):
        """Orders per day over the last 30 days, for the `dashboard_graph` widget (bar), in the
        format of sales_team's crm.team: the current day in its own colour, sample bars when no
        order came in yet."""
        tz = self._dashboard_tz()
        start = self._dashboard_day_start(DASHBOARD_DAYS - 1)
        groups = (
            self.env["sale.order"]
            .with_context(tz=tz.zone)
            ._read_group(
                [("marketplace_instance_id", "in", self.ids), ("date_order", ">=", start)],
                ["marketplace_instance_id", "date_order:day"],
                ["__count"],
            )
        )
        counts = {}
        for instance, day, count in groups:
            day = day.date() if isinstance(day, datetime) else day
            counts[(instance.id, day)] = count
        last_day = datetime.now(tz).date()
        days = [last_day - timedelta(days=n) for n in range(DASHBOARD_DAYS - 1, -1, -1)]
        locale = get_lang(self.env).code
        for instance in self:
            values = [
                {
                    "label": format_date(self.env, day, lang_code=locale, date_format="d MMM"),
                    "value": counts.get((instance.id, day), 0),
                    "type": "future" if day == last_day else "past",
                }
                for day in days
            ]
            sample = not any(value["value"] for value in values)
            if sample:
                for n, value in enumerate(values):
                    value.update(type="o_sample_data", value=SAMPLE_GRAPH[n % len(SAMPLE_GRAPH)])
            instance.dashboard_graph_data = json.dumps(
                [
                    {
                        "values": values,
                        "area": True,
                        "title": "",
                        "is_sample_data": sample,
                        "key": _("Sample data") if sample else _("Orders"),
                    }
                ]
            )
