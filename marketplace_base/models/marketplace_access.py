from odoo import _, api, models
from odoo.exceptions import AccessError

USER_GROUP = "marketplace_base.group_marketplace_user"
MANAGER_GROUP = "marketplace_base.group_marketplace_manager"
GROUPS = {"user": USER_GROUP, "manager": MANAGER_GROUP}


class MarketplaceAccess(models.AbstractModel):
    """The suite's trust boundary, checked in one place.

    Every public method (anything callable over RPC: `action_*`, buttons, wizards) starts with
    `self.env["marketplace.access"]._check(records, level, operation)` on the records it acts
    on, before the engine goes on with `sudo()` for the bookkeeping a clerk may not write. The
    check is the one a person needs: the Marketplace User group for daily jobs (import,
    process, retry, recover, export, Retry Sync, Mark Order as Paid, pairing), the Marketplace
    Manager group for settings (Test Connection, Confirm, Reset to Draft), then Odoo's own
    access rights and record rules (the multi-company rules) on the records themselves. Portal
    users, internal users without a marketplace group and users of another company get an
    AccessError before anything is created, changed or sent.

    The engine itself (crons run as superuser, and code already running under `sudo()` after
    this check) passes: nothing is asked of it. Nothing in the context opens the check: a
    context is what an RPC caller sends.
    """

    _name = "marketplace.access"
    _description = "Marketplace Access Checks"

    @api.model
    def _check(self, records, level="user", operation="read"):
        """Raise AccessError unless the caller may act on `records` as `level` ("user" for
        daily jobs, "manager" for settings) with `operation` ("read" for running a job on an
        instance, "write" for changing records); return `records`."""
        env = records.env
        if env.su:
            return records
        if not env.user.has_group(GROUPS[level]):
            raise AccessError(self._group_message(level))
        records.check_access_rights(operation)
        records.check_access_rule(operation)
        return records

    @api.model
    def _group_message(self, level):
        if level == "manager":
            return _(
                "Only Marketplace Managers may change the settings of marketplace accounts. Ask an "
                "administrator for the Marketplace Manager right (Settings > Users)."
            )
        return _(
            "Only Marketplace Users may run the marketplace jobs and buttons. Ask an administrator for "
            "the Marketplace User right (Settings > Users)."
        )

    @api.model
    def _check_engine_fields(self, records, vals, fnames):
        """Refuse a person's write (or create) of fields only the engine writes: what was sent
        to the marketplace, its answer, which cron runs a job. The engine writes them under
        `sudo()` (its jobs run as superuser); a person changes them through the buttons."""
        if records.env.su:
            return
        touched = sorted(set(vals) & set(fnames))
        if touched:
            labels = ", ".join(records._fields[fname]._description_string(records.env) for fname in touched)
            raise AccessError(
                _(
                    "%(fields)s of %(model)s are kept by the marketplace engine: they change through "
                    "its jobs and buttons only.",
                    fields=labels,
                    model=records._description,
                )
            )
