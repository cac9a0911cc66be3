import logging

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.marketplace_base.tests.other_host import OtherHostMixin

from .common import AmazonCase

TRANSPORT_LOGGER = "odoo.addons.marketplace_base.adapter.transport"


@tagged("post_install", "-at_install")
class TestAmazonAccountOnce(AmazonCase):
    """An Amazon account (seller id and region) is confirmed on one active instance only."""

    def second(self, **vals):
        return self.env["marketplace.instance"].create(
            dict(
                {
                    "name": "Amazon Second Account",
                    "marketplace": "amazon",
                    "amazon_seller_id": "simseller1 ",
                    "amazon_region": "eu",
                    "amazon_refresh_token": "sim-refresh-token",
                    "amazon_lwa_client_id": "sim-lwa-client",
                    "amazon_lwa_client_secret": "sim-lwa-secret",
                    "api_base_url": self.sim_url + "/amazon/",
                },
                **vals,
            )
        )

    def test_the_same_seller_in_the_same_region_is_refused(self):
        self.confirm()
        other = self.second()  # the same seller id and endpoint, written differently
        calls = self.server.sim.request_count
        with self.assertRaises(UserError) as refused:
            other.action_confirm()
        self.assertIn("Amazon Test Account", str(refused.exception))
        self.assertEqual(other.state, "draft")
        self.assertEqual(self.server.sim.request_count, calls, "refused before asking Amazon")

    def test_the_seller_in_another_region_is_another_account(self):
        self.confirm()
        other = self.second(amazon_region="na")
        other.action_confirm()
        self.assertEqual(other.state, "confirmed")

    def test_an_account_without_seller_id_is_not_confirmed(self):
        self.instance.amazon_seller_id = False
        with self.assertRaisesRegex(UserError, "Seller ID"):
            self.instance.action_confirm()
        self.assertEqual(self.instance.state, "draft")


@tagged("post_install", "-at_install")
class TestAmazonCredentialsGoToTheApiOnly(OtherHostMixin, AmazonCase):
    """The LWA credentials and the access token are sent to the API Base URL only (no redirect is
    followed), and an answer the connector does not understand is not echoed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_other_host()

    def test_a_redirect_of_the_token_request_is_not_followed(self):
        self.fault(
            "lwaToken",
            "answer",
            count=10,
            status=307,
            body="",
            headers={"Location": self.other_url + "/amazon/auth/o2/token"},
        )
        answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertEqual(
            self.other_host_requests(), 0, "the refresh token and client secret went nowhere else"
        )

    def test_a_redirect_of_an_api_call_is_not_followed(self):
        self.fault(
            "getMarketplaceParticipations",
            "answer",
            count=5,
            status=302,
            body="",
            headers={"Location": self.other_url + "/amazon/sellers/v1/marketplaceParticipations"},
        )
        answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("getMarketplaceParticipations: HTTP 302", answer["message"])
        self.assertEqual(self.other_host_requests(), 0, "the access token went nowhere else")

    def test_an_unexpected_answer_is_not_echoed(self):
        page = "<html><body>Gateway error at 10.0.0.9: SECRET-DETAIL</body></html>"
        self.fault(
            "getMarketplaceParticipations",
            "answer",
            count=5,
            status=403,
            body=page,
            headers={"Content-Type": "text/html"},
        )
        with self.assertLogs(TRANSPORT_LOGGER, logging.INFO) as server_log:
            answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("getMarketplaceParticipations: HTTP 403", answer["message"])
        self.assertNotIn("SECRET-DETAIL", answer["message"])
        self.assertTrue([line for line in server_log.output if "SECRET-DETAIL" in line])
