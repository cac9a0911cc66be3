"""The base of the tests that need several database connections at once, as several cron
workers would have: their data is committed (another connection sees nothing else), and each
test removes it at the end."""

import threading

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase
from odoo.tests.common import get_db_name


class CommittedCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _env(self, cr, **context):
        return api.Environment(cr, SUPERUSER_ID, dict({"tracking_disable": True}, **context))

    def _together(self, worker, count=2, timeout=120):
        """Run `worker(barrier)` in `count` threads, each on its own connection if it opens
        one, released at once by the barrier; fails the test with what a worker raised."""
        barrier = threading.Barrier(count)
        errors = []

        def run():
            try:
                worker(barrier)
            except Exception as err:  # reported to the test thread below
                errors.append(err)

        threads = [threading.Thread(target=run) for _i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=timeout)
        self.assertFalse(errors)
