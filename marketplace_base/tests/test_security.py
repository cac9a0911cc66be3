from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestCredentialsAndAccess(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mp_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(
            cls.env, "mp_manager", groups="marketplace_base.group_marketplace_manager"
        )
        cls.secret_fields = cls.env["marketplace.instance"]._secret_fields()
        cls.instance.write({name: "secret-%s-value" % name for name in cls.secret_fields})

    def test_every_connector_declares_credentials(self):
        codes = [
            code
            for code, _label in self.env["marketplace.instance"]._fields["marketplace"].selection
            if code != "generic"
        ]
        for code in codes:
            self.assertTrue(
                [f for f in self.secret_fields if f.startswith(code + "_")], "%s has credential fields" % code
            )

    def test_credentials_are_unreadable_for_a_marketplace_user(self):
        instance = self.instance.with_user(self.user)
        self.assertEqual(instance.name, "Test Store", "the user sees the instance")
        for fname in self.secret_fields:
            with self.assertRaises(AccessError, msg=fname):
                instance.read([fname])
        self.assertFalse(set(self.secret_fields) & set(instance.fields_get()), "nor in the field list")
        manager_view = self.instance.with_user(self.manager).read(self.secret_fields)[0]
        for fname in self.secret_fields:
            self.assertEqual(manager_view[fname], "secret-%s-value" % fname)

    def test_credentials_never_reach_errors_and_logs(self):
        secret = "secret-%s-value" % self.secret_fields[0]
        self.assertEqual(self.instance._scrub("refused token %s here" % secret), "refused token *** here")
        log = self.env["marketplace.log"].create({"instance_id": self.instance.id, "job": "import_orders"})
        log._add("error", "Bad credentials: %s" % secret)
        self.assertNotIn(secret, log.line_ids.message)
        self.assertFalse(self.instance.message_ids.filtered(lambda m: secret in (m.body or "")))

    def test_users_see_only_their_companies_instances(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.env["marketplace.instance"].create(
            {
                "name": "Foreign",
                "marketplace": self.code,
                "company_id": other.id,
                "warehouse_id": self.env["stock.warehouse"]
                .search([("company_id", "=", other.id)], limit=1)
                .id,
            }
        )
        visible = self.env["marketplace.instance"].with_user(self.user).search([])
        self.assertIn(self.instance, visible)
        self.assertNotIn(foreign, visible)

    def test_user_cannot_change_configuration(self):
        with self.assertRaises(AccessError):
            self.instance.with_user(self.user).write({"name": "Hacked"})
