import pytz

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

from ..adapter.transport import MarketplaceError
from .marketplace_job import ON_WITH_SETTING

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"
FORM_VIEW = "marketplace_base.marketplace_instance_view_form"
# The bus channel (per company) on which every run's start and end are announced, so that the
# dashboards and instance forms open in that company update by themselves.
JOB_CHANNEL = "marketplace_jobs"


class MarketplaceInstanceFeedback(models.Model):
    """What the engine tells people: errors in the merchant's words (the raw text stays in the log
    for the integrator), times in the reader's timezone, where a setting really is and who may
    change it, and the bus messages that keep dashboards and instance forms up to date."""

    _inherit = "marketplace.instance"

    def write(self, vals):
        res = super().write(vals)
        # A setting that asks for a job (e.g. Export Odoo Product's Sale Price?) switches it on.
        switched_on = [job for job, setting in ON_WITH_SETTING.items() if vals.get(setting)]
        if switched_on:
            self.job_ids.filtered(lambda j: j.job in switched_on and not j.cron_active).cron_active = True
        return res

    # errors --------------------------------------------------------------------------------------
    def _explain(self, err):
        """(what a merchant reads, what the integrator reads) of an error that stopped a job or a
        button: the marketplace's failure in plain words, the operation and raw answer apart."""
        if isinstance(err, UserError):
            return self._error_text(err), None
        if not isinstance(err, MarketplaceError):
            return (
                _("An unexpected error stopped it; the details are in the log, for your integrator."),
                self._error_text(err),
            )
        name = self._marketplace_label()
        detail = self._scrub(err.detail)
        reason = err.reason
        if reason == MarketplaceError.UNREACHABLE:
            if self.api_base_url:
                where = _(
                    "check the API Base URL on the Configuration tab (developer mode) and that the server "
                    "it names is up"
                )
            else:
                where = _("%s may be down or out of reach of this server", name)
            return _(
                "%(marketplace)s did not answer (tried %(attempts)s times); %(where)s. Nothing is lost: "
                "the job tries again at its next run.",
                marketplace=name,
                attempts=err.attempts or 1,
                where=where,
            ), detail
        if reason == MarketplaceError.SERVER:
            return _(
                "%(marketplace)s failed on its side (tried %(attempts)s times). Nothing is lost: the job "
                "tries again at its next run.",
                marketplace=name,
                attempts=err.attempts or 1,
            ), detail
        if reason == MarketplaceError.THROTTLED:
            return _(
                "%s asked to slow down for longer than the job may wait; the rest follows at its next run.",
                name,
            ), detail
        if reason == MarketplaceError.CREDENTIALS:
            return _(
                "%(marketplace)s refused the credentials of %(instance)s (%(reason)s): check them on the "
                "Credentials tab, then Test Connection. %(ask)s",
                marketplace=name,
                instance=self.name,
                reason=self._scrub(err.message),
                ask=self._ask_a_manager(),
            ), detail
        if reason == MarketplaceError.AMBIGUOUS:
            return _(
                "%s did not confirm that it received this; it is asked before anything is sent again.", name
            ), detail
        # a refusal: the marketplace's own words say why
        return _(
            "%(marketplace)s refused: %(reason)s", marketplace=name, reason=self._scrub(err.message)
        ), detail

    @staticmethod
    def _ask_a_manager():
        return _("If you may not change it, ask a Marketplace Manager.")

    # settings ------------------------------------------------------------------------------------
    def _setting_place(self, fname):
        """'<label> (<tab> tab)': where the instance form shows a setting (read from the form,
        connectors' tabs included, so that a message never names a tab the field is not on)."""
        label = self._fields[fname]._description_string(self.env)
        arch = self.env.ref(FORM_VIEW).sudo()._get_combined_arch()
        page = arch.xpath("//page[.//field[@name='%s']]" % fname)
        if not page:
            return label
        return _("%(field)s (%(tab)s tab)", field=label, tab=page[-1].get("string"))

    def _setting_advice(self, fname):
        """How to fix a missing setting: where it is, then Retry, and whom to ask."""
        return _(
            "set %(setting)s on the instance %(instance)s, then Retry. %(ask)s",
            setting=self._setting_place(fname),
            instance=self.name,
            ask=self._ask_a_manager(),
        )

    # times ---------------------------------------------------------------------------------------
    def _reader_time(self, value, user=None):
        """A time as its reader sees it: in the reader's timezone and language, the timezone
        named. The reader is `user` (who started the run), else the instance's salesperson
        when the scheduler (which has no timezone of its own) runs the job."""
        reader = user or self.env.user
        if reader._is_superuser() or not reader.tz:
            reader = self.user_id if self.user_id.tz else reader
        tz = reader.tz if reader.tz in pytz.all_timezones_set else "UTC"
        return "%s (%s)" % (
            format_datetime(
                self.env, value, tz=tz, dt_format="short", lang_code=reader.lang or self.env.lang
            ),
            tz,
        )

    # the bus -------------------------------------------------------------------------------------
    def _notify_job_state(self, job, state, user=None, notification=None):
        """A run started or ended: every dashboard and instance form of the company reloads (bus
        channel per company). With `notification`: the outcome told to `user` (who started it),
        with its links, and their views reload."""
        self.ensure_one()
        payload = {"instance_id": self.id, "job": job, "state": state}
        bus = self.env["bus.bus"].sudo()
        if notification:
            if user:
                bus._sendone(user.partner_id, "marketplace_job", dict(payload, notification=notification))
            return
        bus._sendone((self.company_id, JOB_CHANNEL), "marketplace_job", payload)

    def _job_bus_channels(self):
        """The channels on which the current user hears of the runs: one per company of theirs."""
        if not self.env.user.has_group("marketplace_base.group_marketplace_user"):
            return []
        return [(company, JOB_CHANNEL) for company in self.env.user.company_ids]
