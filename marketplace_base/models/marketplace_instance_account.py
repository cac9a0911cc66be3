import hashlib
import re
from urllib.parse import urlsplit

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.sql import index_exists

from ..adapter.download import origin

# One active confirmed instance per marketplace account: a partial unique index (two people
# confirming the same account at once cannot both succeed; the second waits for the first's
# commit, then fails). Declared in _sql_constraints without a definition, so that Odoo's RPC
# layer shows its message for any write the index refuses.
ACCOUNT_INDEX = "marketplace_instance_account_key_confirmed_once"


def _endpoint(url):
    """An API Base URL as one comparable text (scheme, host, explicit port, path); '' for none."""
    where = origin((url or "").strip())
    if not where:
        return ""
    parts = urlsplit(url.strip())
    return "%s://%s:%s%s" % (parts.scheme.lower(), where[0], where[1], parts.path.rstrip("/"))


class MarketplaceInstance(models.Model):
    """Which marketplace account an instance is, and where its credentials go.

    * One account, one instance: each connector names its account (hook `account_key`: Amazon's
      seller id and region, BigCommerce's store hash, Bol.com's client id), and an account can be
      confirmed on one active instance of the database only, whatever the company. Confirm of a
      second one is refused, naming the instance that holds it: a second instance of one store
      would import every order a second time.
    * The API Base URL decides where the credentials and tokens are sent: only administrators
      (Settings) may set it (the field is theirs, and create/write say so in plain words).
    """

    _inherit = "marketplace.instance"

    account_key = fields.Char(
        compute="_compute_account_key",
        store=True,
        readonly=True,
        copy=False,
        help="The marketplace account of the instance (a digest of the marketplace, its API Base URL and the "
        "connector's account identity): confirmed on one active instance only.",
    )

    _sql_constraints = [
        (
            "account_key_confirmed_once",
            "",
            "This marketplace account is already confirmed on another active instance: an account is connected "
            "once. Use that instance, or archive it or reset it to draft first.",
        ),
    ]

    def init(self):
        super().init()
        cr = self.env.cr
        if index_exists(cr, ACCOUNT_INDEX):
            return
        cr.execute("""SELECT array_agg(name ORDER BY id) FROM marketplace_instance
                      WHERE active AND state = 'confirmed' AND account_key IS NOT NULL
                      GROUP BY account_key HAVING count(*) > 1""")
        duplicates = [names for (names,) in cr.fetchall()]
        if duplicates:
            raise UserError(
                _(
                    "These instances are confirmed on the same marketplace account: %s. Archive or "
                    "reset to draft all but one of each, then update the module again.",
                    "; ".join(", ".join(names) for names in duplicates),
                )
            )
        cr.execute(
            """CREATE UNIQUE INDEX %s ON marketplace_instance (account_key)
                      WHERE active AND state = 'confirmed'"""
            % ACCOUNT_INDEX
        )

    @api.depends("marketplace", "api_base_url")
    def _compute_account_key(self):
        """The connector's hook `account_key` (see `_account_key_of`); none for a generic
        instance, which talks to no account. Connectors add the fields it depends on."""
        for instance in self:
            hook = instance.marketplace and instance._hook("account_key")
            instance.account_key = (hook and hook()) or False

    def _account_key_of(self, identity, production=()):
        """The key of the account `identity` of this instance's marketplace at its API Base URL
        (a sandbox or a simulator is another place than production; the production URLs given
        count as production). A digest: the identity may be a credential (Bol.com's client id)."""
        self.ensure_one()
        identity = (identity or "").strip()
        if not identity:
            return False
        endpoint = _endpoint(self.sudo().api_base_url)  # sudo: an administrators' field, compared only
        if endpoint in {_endpoint(url) for url in production}:
            endpoint = ""
        digest = hashlib.sha256("\n".join((self.marketplace, endpoint, identity)).encode()).hexdigest()
        return "%s:%s" % (self.marketplace, digest)

    # one account, one instance ---------------------------------------------------------------
    def _account_holder(self):
        """The other active confirmed instance holding this instance's account (any company)."""
        self.ensure_one()
        if not self.account_key:
            return self.browse()
        # sudo: the holder may be another company's instance; only its name is ever told
        return self.sudo().search(
            [("account_key", "=", self.account_key), ("state", "=", "confirmed"), ("id", "!=", self.id)],
            limit=1,
        )

    def _account_held_message(self, holder_name):
        return _(
            "The %(marketplace)s account of %(instance)s is already connected to the instance %(holder)s. "
            "An account can be confirmed on one active instance only (a second one would import every order "
            "again): use %(holder)s, or archive it or reset it to draft first.",
            marketplace=self._marketplace_label(),
            instance=self.name,
            holder=holder_name,
        )

    def _check_account_free(self):
        """Refuse, naming the holder, when another active confirmed instance holds the account of
        one of these instances (which are about to be confirmed, or unarchived)."""
        for instance in self.filtered("account_key"):
            holder = instance._account_holder()
            if holder:
                raise ValidationError(instance._account_held_message(holder.name))

    def _account_taken_message(self, error):
        """The refusal of the index (`error`), naming the instance that holds the account: in
        this transaction, else as committed now (a fresh transaction: in a race, this one's
        snapshot predates the commit of whoever confirmed it first)."""
        key = re.search(r"\(account_key\)=\((.*)\)", error.diag.message_detail or "")
        key = key.group(1) if key else ""
        # sudo: as in _account_holder, the holder's name only
        holder = (
            self.sudo()
            .search(
                [("account_key", "=", key), ("state", "=", "confirmed"), ("id", "not in", self.ids)], limit=1
            )
            .name
        )
        if not holder:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    """SELECT name FROM marketplace_instance WHERE account_key = %s AND active
                              AND state = 'confirmed' AND id NOT IN %s LIMIT 1""",
                    (key, tuple(self.ids) or (0,)),
                )
                row = cr.fetchone()
            holder = row[0] if row else _("another instance")
        instance = self.filtered(lambda i: i.account_key == key)[:1] or self[:1]
        return instance._account_held_message(holder)

    def action_confirm(self):
        # Refused before any call to the marketplace when the account is known to be taken; the
        # database refuses it when someone confirmed it meanwhile (see write). The caller's
        # rights first: only a Marketplace Manager of the instance hears of another's account.
        self.env["marketplace.access"]._check(self, "manager", "write")
        self.filtered("active")._check_account_free()
        return super().action_confirm()

    # where the credentials go ----------------------------------------------------------------
    def _check_may_set_api_base_url(self):
        if not (self.env.su or self.env.user._is_system()):
            raise AccessError(
                _(
                    "Only administrators (Settings) may set the API Base URL of an instance: the "
                    "credentials and tokens are sent to it."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("api_base_url") for vals in vals_list):
            self._check_may_set_api_base_url()
        return super().create(vals_list)

    def write(self, vals):
        if "api_base_url" in vals:
            self._check_may_set_api_base_url()
        if vals.get("state") != "confirmed" and not any(instance.state == "confirmed" for instance in self):
            return super().write(vals)
        if vals.get("state") == "confirmed" or vals.get("active"):  # confirmed, or unarchived: said first
            self.filtered(
                lambda i: vals.get("active", i.active) and vals.get("state", i.state) == "confirmed"
            )._check_account_free()
        # A confirmed instance whose account changes, or that someone else's confirmation races:
        # the index refuses it, here rather than at a later flush, with the holder named.
        try:
            with self.env.cr.savepoint():
                return super().write(vals)
        except psycopg2.errors.UniqueViolation as err:
            if err.diag.constraint_name != ACCOUNT_INDEX:
                raise
            raise ValidationError(self._account_taken_message(err)) from None
