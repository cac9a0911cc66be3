import os
import re

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.config import configmanager

from .order_common import OrderCase

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTILE = "EVIL<script>alert(1)</script><b>bold</b>"


@tagged("post_install", "-at_install")
class TestApiBaseUrlIsAnAdministratorsSetting(OrderCase):
    """The API Base URL decides where the credentials and tokens are sent: only administrators
    (Settings) read or set it; a Marketplace Manager configures everything else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "mp_url_manager", groups="marketplace_base.group_marketplace_manager"
        )
        cls.admin = new_test_user(
            cls.env, "mp_url_admin", groups="base.group_system,marketplace_base.group_marketplace_manager"
        )
        cls.instance.api_base_url = "https://sandbox.example.com/api"

    def test_a_manager_can_neither_set_nor_read_it(self):
        Instance = self.env["marketplace.instance"].with_user(self.manager)
        with self.assertRaises(AccessError):
            Instance.create(
                {"name": "Elsewhere", "marketplace": "generic", "api_base_url": "https://evil.example.com"}
            )
        with self.assertRaises(AccessError):
            self.instance.with_user(self.manager).write({"api_base_url": "https://evil.example.com"})
        self.assertEqual(self.instance.api_base_url, "https://sandbox.example.com/api")
        with self.assertRaises(AccessError):
            self.instance.with_user(self.manager).read(["api_base_url"])
        self.assertNotIn("api_base_url", Instance.fields_get())
        form = Instance.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("api_base_url", form)
        # everything else stays the manager's; a copy points at production until an administrator says
        self.instance.with_user(self.manager).write({"name": "Renamed Store"})
        copy = self.instance.with_user(self.manager).copy()
        self.assertFalse(copy.api_base_url)
        self.assertTrue(Instance.create({"name": "Plain", "marketplace": "generic"}))

    def test_an_administrator_sets_it(self):
        instance = self.instance.with_user(self.admin)
        instance.write({"api_base_url": "http://127.0.0.1:8700/generic"})
        self.assertEqual(instance.api_base_url, "http://127.0.0.1:8700/generic")
        created = (
            self.env["marketplace.instance"]
            .with_user(self.admin)
            .create(
                {"name": "Sandbox", "marketplace": "generic", "api_base_url": "https://sandbox.example.com"}
            )
        )
        self.assertEqual(created.api_base_url, "https://sandbox.example.com")
        self.assertIn("api_base_url", self.env["marketplace.instance"].with_user(self.admin).fields_get())


@tagged("post_install", "-at_install")
class TestMarketplaceTextStaysText(OrderCase):
    """Text from a marketplace (a SKU, a buyer's note) reaches HTML escaped: activity notes,
    the chatter and mails show `<b>` as text, and never run a `<script>`."""

    def assertEscaped(self, html):
        self.assertIn("&lt;b&gt;bold&lt;/b&gt;", html)
        self.assertNotIn("<b>bold", html)
        self.assertNotIn("<script", html)

    def test_activity_note_and_summary_mail_of_a_failed_line(self):
        recipient = self.env["res.partner"].create({"name": "Ops", "email": "ops@example.com"})
        self.instance.write(
            {
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                "activity_user_id": self.env.ref("base.user_admin").id,
                "notify_partner_ids": [(6, 0, recipient.ids)],
            }
        )
        queue = self._queue([("BAD", self._listing_payload(HOSTILE))])
        self.instance.action_process_queues()
        line = queue.line_ids
        self.assertEqual(line.state, "failed")
        self.assertIn(HOSTILE, line.error, "the error keeps the marketplace's text as it was")
        self.assertEscaped(str(line.activity_ids.note))
        mail = self.env["mail.mail"].search([("recipient_ids", "in", recipient.id)])
        self.assertEscaped(str(mail.body_html))

    def test_order_notes_in_the_chatter(self):
        sale = self._import_one(self._order("HTML-1", notes=["Gift wrap: " + HOSTILE]))
        notes = sale.message_ids.filtered(lambda m: "Gift wrap" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertEscaped(str(notes.body))


@tagged("post_install", "-at_install")
class TestShippedConfiguration(OrderCase):
    """What the repository ships to run the suite carries no working master password and does
    not publish the simulator's unauthenticated control API beyond the local machine."""

    def test_odoo_conf_has_no_working_master_password(self):
        config = configmanager()
        config.rcfile = os.path.join(REPO, "odoo.conf")
        config.load()
        self.assertIn("admin_passwd", config.options)
        for password in ("admin", "", "odoo"):
            self.assertFalse(config.verify_admin_password(password), password)

    def test_docker_compose_publishes_on_loopback_only(self):
        with open(os.path.join(REPO, "docker-compose.yml"), encoding="utf-8") as compose:
            text = compose.read()
        published = re.findall(r'^\s*-\s*"?([0-9.:]+)"?\s*$', text, re.M)
        self.assertIn("127.0.0.1:8700:8700", published, "the simulator, on this machine only")
        for port in published:
            self.assertTrue(port.startswith("127.0.0.1:"), port)
