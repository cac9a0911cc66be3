import threading

import requests

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.marketplace_base.tests.committed_case import CommittedCase
from odoo.addons.marketplace_base.tests.simulator_case import serve_in_thread

from ..adapter import client as client_module


@tagged("post_install", "-at_install")
class TestBolAccountRace(CommittedCase):
    """Two people confirm two instances of the same Bol.com account at the same moment, each on
    its own database connection (as two browser sessions are): one succeeds, the other is
    refused by the database, naming the instance that won. Neither could see the other's
    confirmation when it checked (both transactions began before either committed), so only
    the database's unique index stops the second.

    The data is committed (the other connection cannot see uncommitted rows) and removed at the
    end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server, cls.sim_url = serve_in_thread(port=0, rate_limits=False)
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)

    def setUp(self):
        super().setUp()
        requests.post(
            self.sim_url + "/_sim/reset",
            json={"seed": 5, "sizes": {"bol": {"orders": 0, "products": 2}}, "rate_limits": False},
            timeout=30,
        ).raise_for_status()
        client_module.reset_rate_limits()
        client_module.forget_tokens()
        with self.registry.cursor() as cr:
            instances = self._env(cr)["marketplace.instance"].create(
                [
                    {
                        "name": name,
                        "marketplace": "bol",
                        "bol_client_id": "sim-bol-client",
                        "bol_client_secret": "sim-bol-secret",
                        "bol_fulfilment": "FBR",
                        "api_base_url": self.sim_url + "/bol",
                    }
                    for name in ("Bol Race Alice", "Bol Race Bob")
                ]
            )
            self.instance_ids = instances.ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            instances = (
                self._env(cr)["marketplace.instance"]
                .with_context(active_test=False)
                .browse(self.instance_ids)
            )
            pricelists = instances.pricelist_id
            instances.unlink()
            pricelists.unlink()

    def test_two_people_confirming_one_account_at_once(self):
        waiting, lock, outcomes = list(self.instance_ids), threading.Lock(), {}

        def person(barrier):
            with lock:
                instance_id = waiting.pop()
            with self.registry.cursor() as cr:
                instance = self._env(cr)["marketplace.instance"].browse(instance_id)
                instance._check_account_free()  # the check each would pass alone; the snapshot is taken
                barrier.wait(timeout=30)
                try:
                    instance.action_confirm()
                    cr.commit()
                    outcomes[instance_id] = "confirmed"
                except UserError as refused:
                    cr.rollback()
                    outcomes[instance_id] = str(refused)

        with mute_logger("odoo.sql_db"):  # the refused UPDATE is logged as a bad query
            self._together(person)
        with self.registry.cursor() as cr:
            instances = self._env(cr)["marketplace.instance"].browse(self.instance_ids)
            confirmed = instances.filtered(lambda i: i.state == "confirmed")
            self.assertEqual(len(confirmed), 1, outcomes)
            loser = instances - confirmed
            self.assertEqual(loser.state, "draft")
            self.assertEqual(outcomes[confirmed.id], "confirmed")
            self.assertIn("already connected to the instance %s" % confirmed.name, outcomes[loser.id])
