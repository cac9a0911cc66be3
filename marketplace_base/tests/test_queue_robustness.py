from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from ..models.marketplace_queue_line_start import WorkerTrace
from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestQueueRobustness(OrderCase):
    """Text a marketplace should not have sent, and lines that stopped their worker."""

    def _sales(self, *refs):
        return self.env["sale.order"].search(
            [("marketplace_instance_id", "=", self.instance.id), ("marketplace_order_ref", "in", refs)]
        )

    # invalid text ------------------------------------------------------------------------------
    def test_invalid_text_fails_its_own_line_only(self):
        bad_name = self._order("SURR-1", customer={"name": "Zo\udc80 M\u00fcller", "email": "z@example.com"})
        not_utf8 = self._order("BYTES-1", customer={"name": b"M\xfcller", "email": "m@example.com"})
        nul = self._order("NUL-1")
        nul["lines"][0]["name"] = "Widget\x00one"
        raw_bytes = (
            b'{"external_id": "RAW-1", "date_order": "2026-11-20T10:00:00Z", "currency": "EUR", '
            b'"lines": [{"sku": "WID-1", "name": "Caf\xe9", "quantity": 1, "unit_price": 10}]}'
        )
        queue = self._queue(
            [
                ("GOOD-1", self._order("GOOD-1")),
                ("SURR-1", bad_name),
                ("BYTES-1", not_utf8),
                ("NUL-1", nul),
                ("RAW-1", raw_bytes),
                ("REF-\udc81", self._order("GOOD-2")),
            ],
            kind="order",
        )
        self.assertEqual(len(queue.line_ids), 6, "queuing never fails on what the marketplace sent")
        lines = {line.name: line for line in queue.line_ids}
        self.assertIn("REF-\\udc81", lines, "the reference keeps the bad character as a visible escape")
        self.assertIn('"Zo\\udc80 Müller"', lines["SURR-1"].payload, "readable text stays as it is")
        self.assertIn("\\udcfc", lines["BYTES-1"].payload, "the bytes are kept, escaped")
        # A raw line holding text the database cannot store is created all the same.
        raw_text = self._raw_line(queue, "RAW-2", '{"external_id": "RAW-2", "bad": "\udcff\x00"}')
        self.assertEqual(raw_text.payload, '{"external_id": "RAW-2", "bad": "\\udcff\\u0000"}')

        self.instance.action_process_queues()

        self.assertEqual(lines["GOOD-1"].state, "done")
        self.assertEqual(lines["REF-\\udc81"].state, "done")
        self.assertEqual(len(self._sales("GOOD-1", "GOOD-2")), 2)
        expected = {
            "SURR-1": "Invalid text in the payload at customer.name: \\udc80 is not a character",
            "BYTES-1": "Invalid text in the payload at customer.name: \\udcfc is not a character (byte 0xFC "
            "of text that is not UTF-8",
            "NUL-1": "Invalid text in the payload at lines.0.name: a NUL character",
            "RAW-1": "Invalid text in the payload at lines.0.name: \\udce9 is not a character (byte 0xE9",
        }
        for ref, error in expected.items():
            self.assertEqual(lines[ref].state, "failed", ref)
            self.assertIn(error, lines[ref].error, ref)
        self.assertEqual(raw_text.state, "failed")
        self.assertIn(
            "Invalid text in the payload at bad: \\udcff is not a character (byte 0xFF", raw_text.error
        )
        self.assertFalse(self._sales("SURR-1", "BYTES-1", "NUL-1", "RAW-1", "RAW-2"))
        log = self._logs()[:1]
        self.assertEqual((log.success_count, log.error_count, log.state), (2, 5, "error"))
        self.assertEqual(len(log.line_ids), 5, "every failure is on the log, readable")

    def test_same_bad_record_is_not_queued_twice(self):
        order = self._order("SURR-2", customer={"name": "\ud83d alone"})
        self.assertTrue(self._queue([("SURR-2", order)], kind="order"))
        self.assertFalse(
            self._queue([("SURR-2", order)], kind="order"), "unchanged and waiting: not queued again"
        )
        # A well-formed pair of surrogates (text from UTF-16) is one character, and is imported.
        lines = [{"sku": "WID-1", "name": "Widget \ud83d\ude00", "quantity": 1, "unit_price": 10.0}]
        sale = self._import_one(self._order("EMOJI-1", lines=lines))
        self.assertEqual(sale.order_line.filtered("product_id").mapped("name")[:1], ["Widget \U0001f600"])

    # lines that stopped their worker -------------------------------------------------------------
    def _record_stops(self, line, started, finished=0):
        """Counters as workers killed on this line would have left them (committed elsewhere)."""
        registry = self.env.registry
        with registry.cursor() as cr:
            cr.execute(
                """
                INSERT INTO marketplace_queue_line_start (line_id, started, finished, last_start)
                VALUES (%s, %s, %s, now() at time zone 'UTC')
            """,
                (line.id, started, finished),
            )
        self.addCleanup(self._forget_counters, line.id)

    def _forget_counters(self, line_id):
        with self.env.registry.cursor() as cr:
            cr.execute("DELETE FROM marketplace_queue_line_start WHERE line_id = %s", (line_id,))

    def _stops(self, line):
        with WorkerTrace(self.env) as trace:
            return trace.stops(line.id)

    def test_lines_that_stopped_workers_come_last_and_are_set_aside(self):
        self.instance.log_level = "all"
        queue = self._queue(
            [(ref, self._listing_payload("WID-%s" % (n % 3 + 1))) for n, ref in enumerate("ABCD")]
        )
        a, b, c, d = queue.line_ids
        self._record_stops(b, started=1)  # stopped its worker once
        self._record_stops(c, started=4, finished=1)  # three times
        for line in (a, b, c, d):
            self.addCleanup(self._forget_counters, line.id)

        taken = self.env["marketplace.queue.line"]._acquire(self.instance, 10)
        self.assertEqual(taken, a | d, "the lines that never stopped a worker come first")

        self.instance.action_process_queues()
        log = self._logs()[:1]
        self.assertEqual(
            log.line_ids.mapped("queue_line_id.name"),
            ["A", "D", "B", "C"],
            "then each one that stopped a worker, alone",
        )
        self.assertEqual((a.state, b.state, d.state), ("done", "done", "done"))
        self.assertEqual(c.state, "failed")
        self.assertIn("stopped its worker 3 times", c.error)
        self.assertEqual(log.line_ids[-1].message, c.error)
        self.assertEqual(self._stops(b), 1, "its stop is remembered, its finish counted")
        self.assertEqual(self._stops(c), 3, "set aside without being started")
        self.assertEqual(self._stops(a), 0)

        # Once the cause is fixed, Retry starts counting afresh and processes it.
        c.action_retry()
        self.assertEqual(c.state, "done")
        self.assertEqual(self._stops(c), 0)

    def test_starts_are_counted_outside_the_transaction(self):
        queue = self._queue([("A", self._listing_payload("WID-1"))])
        line = queue.line_ids
        self.addCleanup(self._forget_counters, line.id)
        with WorkerTrace(self.env) as trace:
            self.assertEqual(trace.start(line.id), 0)
        # Another connection sees the start at once, although this transaction is not committed:
        # a worker killed now would leave it behind.
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT started, finished FROM marketplace_queue_line_start WHERE line_id = %s", (line.id,)
            )
            self.assertEqual(cr.fetchall(), [(1, 0)])
        with WorkerTrace(self.env) as trace:
            self.assertEqual(trace.stoppers([line.id]), [line.id])
            trace.finish(line.id)
            self.assertEqual(trace.stoppers([line.id]), [])
        with self.env.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM marketplace_queue_line_start WHERE line_id = %s", (line.id,))
            self.assertEqual(cr.fetchone()[0], 0, "a line finished at its first start leaves nothing behind")

    def test_counters_of_lines_gone_are_vacuumed(self):
        gone, in_flight = 2 * 10**9, 2 * 10**9 + 1  # no such lines (deleted, or not committed yet)
        for line_id in (gone, in_flight):
            self.addCleanup(self._forget_counters, line_id)
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                INSERT INTO marketplace_queue_line_start (line_id, started, finished, last_start)
                VALUES (%s, 2, 1, now() at time zone 'UTC' - interval '2 days'),
                       (%s, 1, 0, now() at time zone 'UTC')
            """,
                (gone, in_flight),
            )
            api.Environment(cr, SUPERUSER_ID, {})["marketplace.queue.line.start"]._gc_counters()
            cr.execute(
                "SELECT line_id FROM marketplace_queue_line_start WHERE line_id IN %s", ((gone, in_flight),)
            )
            self.assertEqual(
                [row[0] for row in cr.fetchall()],
                [in_flight],
                "a line started today may be in a transaction not committed yet",
            )
