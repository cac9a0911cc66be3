import logging

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.marketplace_base.tests.other_host import OtherHostMixin

from .common import BigCommerceCase

TRANSPORT_LOGGER = "odoo.addons.marketplace_base.adapter.transport"


@tagged("post_install", "-at_install")
class TestBigCommerceAccountOnce(BigCommerceCase):
    """A BigCommerce store (its store hash) is confirmed on one active instance only: the same
    store connected twice imported every order twice."""

    def test_the_same_store_twice_is_refused(self):
        self.confirm()
        other = self.env["marketplace.instance"].create(
            {
                "name": "Same Store Again",
                "marketplace": "bigcommerce",
                "bigcommerce_store_hash": " SimStore ",
                "bigcommerce_access_token": "sim-token",
                "api_base_url": self.sim_url + "/bigcommerce",
            }
        )
        calls = self.server.sim.request_count
        with self.assertRaises(UserError) as refused:
            other.action_confirm()
        self.assertIn("BigCommerce Test Store", str(refused.exception))
        self.assertEqual(other.state, "draft")
        self.assertEqual(self.server.sim.request_count, calls, "refused before asking BigCommerce")
        self.assertFalse(
            self.env["marketplace.queue"].search([("instance_id", "=", other.id)]), "nothing imported"
        )


@tagged("post_install", "-at_install")
class TestBigCommerceCredentialsGoToTheApiOnly(OtherHostMixin, BigCommerceCase):
    """The access token (a header of every request) is sent to the API Base URL only: no
    redirect is followed; an answer the connector does not understand is not echoed; an order
    number a person types is checked before it reaches a URL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_other_host()

    def test_a_redirect_is_not_followed(self):
        self.fault(
            "getStore",
            "answer",
            count=5,
            status=301,
            body="",
            headers={"Location": self.other_url + "/bigcommerce/stores/simstore/v2/store"},
        )
        answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("getStore: HTTP 301", answer["message"])
        self.assertEqual(self.other_host_requests(), 0, "the access token went nowhere else")

    def test_an_unexpected_answer_is_not_echoed(self):
        page = "<html><body>Varnish cache server SECRET-DETAIL</body></html>"
        self.fault(
            "getStore", "answer", count=5, status=404, body=page, headers={"Content-Type": "text/html"}
        )
        with self.assertLogs(TRANSPORT_LOGGER, logging.INFO) as server_log:
            answer = self.instance.action_test_connection()["params"]
        self.assertEqual(answer["type"], "danger")
        self.assertIn("getStore: HTTP 404", answer["message"])
        self.assertNotIn("SECRET-DETAIL", answer["message"])
        self.assertTrue([line for line in server_log.output if "SECRET-DETAIL" in line])

    def test_recover_order_takes_an_order_number_only(self):
        self.confirm()
        calls = self.server.sim.request_count
        for reference in ("12/../../catalog/products", "12?limit=1", "abc", "1 2"):
            with self.assertRaises(UserError, msg=reference):
                self.instance.action_recover_order(reference)
        self.assertEqual(self.server.sim.request_count, calls, "nothing was sent")
        [order_id] = self.add_orders({"status": "Completed"})
        sale_id = self.instance.action_recover_order(" %s " % order_id)
        self.assertEqual(self.env["sale.order"].browse(sale_id).marketplace_order_ref, str(order_id))
