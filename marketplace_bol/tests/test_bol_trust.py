import logging
import xmlrpc.client

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.marketplace_base.tests.other_host import OtherHostMixin

from .common import BolCase

TRANSPORT_LOGGER = "odoo.addons.marketplace_base.adapter.transport"


@tagged("post_install", "-at_install")
class TestBolAccountOnce(OtherHostMixin, BolCase):
    """A Bol.com account (its client id) is confirmed on one active instance only: a second one
    would import every order again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_other_host()

    def second(self, **vals):
        return self.env["marketplace.instance"].create(
            dict(
                {
                    "name": "Bol Second Account",
                    "marketplace": "bol",
                    "bol_client_id": "sim-bol-client",
                    "bol_client_secret": "sim-bol-secret",
                    "api_base_url": self.sim_url + "/bol",
                },
                **vals,
            )
        )

    def test_confirm_of_a_second_instance_is_refused_naming_the_first(self):
        self.confirm()
        other = self.second()
        requests_before = self.server.sim.request_count
        with self.assertRaises(UserError) as refused:
            other.action_confirm()
        self.assertIn("Bol Test Account", str(refused.exception), "the instance holding the account is named")
        self.assertEqual(other.state, "draft")
        self.assertEqual(self.server.sim.request_count, requests_before, "refused before asking Bol.com")
        # the same account in another company is the same account
        company = self.env["res.company"].create({"name": "Other Bol Co"})
        foreign = self.second(
            name="Foreign Bol",
            company_id=company.id,
            workflow_id=False,
            marketplace_workflow_id=False,
            warehouse_id=self.env["stock.warehouse"].search([("company_id", "=", company.id)]).id,
        )
        with self.assertRaises(UserError):
            foreign.action_confirm()

    def test_archived_or_draft_instances_free_the_account(self):
        self.confirm()
        other = self.second()
        self.instance.action_reset_to_draft()
        other.action_confirm()
        self.assertEqual(other.state, "confirmed")
        with self.assertRaises(UserError) as refused:
            self.instance.action_confirm()
        self.assertIn("Bol Second Account", str(refused.exception))
        other.action_archive()
        self.instance.action_confirm()
        self.assertEqual(self.instance.state, "confirmed")
        # bringing the archived one back would make two: refused, the holder named
        with self.assertRaises(ValidationError) as refused:
            other.action_unarchive()
        self.assertIn("Bol Test Account", str(refused.exception))
        self.assertFalse(other.active)

    def test_new_credentials_cannot_take_a_confirmed_account(self):
        self.confirm()
        other = self.second(bol_client_id="another-client")
        other.state = "confirmed"  # as if confirmed with its own account
        with mute_logger("odoo.sql_db"), self.assertRaises(ValidationError) as refused:
            other.bol_client_id = "sim-bol-client"
        self.assertIn("Bol Test Account", str(refused.exception))
        self.assertEqual(other.sudo().bol_client_id, "another-client")

    def test_the_same_client_id_on_another_endpoint_is_another_account(self):
        """A sandbox (or a simulator) is another place than production: its account is its own."""
        self.confirm()
        other = self.second(api_base_url=self.other_url + "/bol")
        other.action_confirm()
        self.assertEqual(other.state, "confirmed")
        self.assertNotEqual(other.account_key, self.instance.account_key)
        self.assertTrue(self.instance.account_key.startswith("bol:"))
        self.assertNotIn(
            "sim-bol-client", self.instance.account_key, "the client id is not readable from the key"
        )


@tagged("post_install", "-at_install")
class TestBolCredentialsGoToTheApiOnly(OtherHostMixin, BolCase):
    """The client secret and the token are sent to the API Base URL only (no redirect is
    followed), and an answer the connector does not understand is not echoed to the merchant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_other_host()

    def test_a_redirect_of_the_token_request_is_not_followed(self):
        self.fault(
            "token", "answer", count=5, status=307, headers={"Location": self.other_url + "/bol/token"}
        )
        answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("token: HTTP 307", answer["message"])
        self.assertEqual(self.other_host_requests(), 0, "the client secret went nowhere else")

    def test_a_redirect_of_an_api_call_is_not_followed(self):
        self.fault(
            "get-orders",
            "answer",
            count=5,
            status=302,
            headers={"Location": self.other_url + "/bol/retailer/orders"},
        )
        answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("get-orders: HTTP 302", answer["message"])
        self.assertEqual(self.other_host_requests(), 0, "the token went nowhere else")

    def test_an_unexpected_answer_is_not_echoed(self):
        page = "<html><body>Proxy error: upstream 10.0.0.7 SECRET-DETAIL stack trace</body></html>"
        self.fault(
            "get-orders", "answer", count=1, status=400, body=page, headers={"Content-Type": "text/html"}
        )
        with self.assertLogs(TRANSPORT_LOGGER, logging.INFO) as server_log:
            answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("get-orders: HTTP 400", answer["message"], "which call and the status")
        self.assertNotIn("SECRET-DETAIL", answer["message"])
        self.assertTrue(
            [line for line in server_log.output if "SECRET-DETAIL" in line], "the detail is in the server log"
        )
        # nor in a job's log
        self.sim("DELETE", "/_sim/faults")
        self.confirm()
        self.fault(
            "get-orders", "answer", count=5, status=400, body=page, headers={"Content-Type": "text/html"}
        )
        self.instance.action_import_orders()
        log = self.last_log("import_orders")
        self.assertTrue(log.line_ids.filtered(lambda l: "get-orders: HTTP 400" in l.message))
        self.assertFalse(log.line_ids.filtered(lambda l: "SECRET-DETAIL" in l.message))

    def test_a_manager_uses_the_url_an_administrator_set(self):
        manager = new_test_user(
            self.env, "bol_trust_manager", groups="marketplace_base.group_marketplace_manager"
        )
        instance = self.instance.with_user(manager)
        self.assertNotIn("api_base_url", instance.fields_get(), "an administrator's setting")
        self.assertEqual(instance.action_test_connection()["params"]["type"], "success")


@tagged("post_install", "-at_install")
class TestBolRecoverOrderOverRpc(HttpCase, BolCase):
    """Recover Order over XML-RPC: the reference is checked before it reaches a URL, and the
    answer is the sale order's id (a record cannot be marshalled)."""

    def setUp(self):
        super().setUp()
        self.confirm()

    def rpc(self, *args):
        uid = self.xmlrpc_common.authenticate(get_db_name(), "admin", "admin", {})
        return self.xmlrpc_object.execute_kw(
            get_db_name(),
            uid,
            "admin",
            "marketplace.instance",
            "action_recover_order",
            [[self.instance.id], *args],
        )

    def test_recover_order_answers_the_order_id(self):
        order_id = self.add_orders(minutes_ago=600)["orders"][0]
        result = self.rpc(" %s " % order_id)
        self.assertIsInstance(result, int)
        sale = self.env["sale.order"].browse(result)
        self.assertEqual(sale.marketplace_order_ref, order_id)
        self.assertEqual(sale.marketplace_instance_id, self.instance)

    def test_a_reference_is_checked_before_it_reaches_a_url(self):
        requests_before = self.server.sim.request_count
        for reference in ("../../shared/process-status/1", "1?page=2", "12 34", "1%2F2", "", "x" * 65):
            with mute_logger("odoo.http"), self.assertRaises(xmlrpc.client.Fault, msg=reference) as refused:
                self.rpc(reference)
            self.assertIn("is not an order reference of Bol.com", refused.exception.faultString)
        self.assertEqual(self.server.sim.request_count, requests_before, "nothing was sent")
