from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestQueueProcessing(MarketplaceCase):
    def _listings(self):
        return self.env["marketplace.listing"].search([("instance_id", "=", self.instance.id)])

    def test_bad_lines_fail_alone_and_the_batch_goes_on(self):
        self.instance.queue_batch_limit = 2  # several batches
        queue = self._queue(
            [
                ("A", self._listing_payload("WID-1")),
                ("B", self._listing_payload("WID-2")),
                ("C", self._listing_payload("UNKNOWN-SKU")),
                ("D", self._listing_payload("WID-3")),
            ]
        )
        malformed = self._raw_line(queue, "E", '{"sku": "WID-1", ')
        not_object = self._raw_line(queue, "F", "[1, 2]")
        self.instance.action_process_queues()

        lines = {line.name: line for line in queue.line_ids}
        self.assertEqual([lines[r].state for r in "ABD"], ["done"] * 3)
        self.assertEqual(lines["C"].state, "failed")
        self.assertIn("No Odoo product matches SKU UNKNOWN-SKU", lines["C"].error)
        self.assertEqual(malformed.state, "failed")
        self.assertIn("Malformed payload, not valid JSON", malformed.error)
        self.assertIn("a JSON object was expected", not_object.error)
        self.assertEqual(self._listings().mapped("sku"), ["WID-1", "WID-2", "WID-3"])
        self.assertEqual(lines["A"]._result(), self._listings().filtered(lambda l: l.sku == "WID-1"))
        self.assertEqual(
            (queue.total_count, queue.done_count, queue.failed_count, queue.state, round(queue.progress)),
            (6, 3, 3, "failed", 100),
        )
        log = self._logs()[:1]
        self.assertEqual((log.success_count, log.error_count, log.state), (3, 3, "error"))
        self.assertEqual(len(log.line_ids), 3, "log level 'error' keeps only the errors")

    def test_second_run_does_nothing_new(self):
        queue = self._queue([("A", self._listing_payload("WID-1")), ("C", self._listing_payload("NOPE"))])
        self.instance.action_process_queues()
        attempts = queue.line_ids.mapped("attempts")
        self.instance.action_process_queues()
        self.assertEqual(queue.line_ids.mapped("attempts"), attempts)
        self.assertEqual(len(self._listings()), 1)
        log = self._logs()[:1]
        self.assertEqual((log.success_count, log.error_count), (0, 0))
        # Queuing the same item again updates its listing instead of duplicating it.
        self._queue([("A", self._listing_payload("WID-1", name="Renamed"))])
        self.instance.action_process_queues()
        self.assertEqual(len(self._listings()), 1)
        self.assertEqual(self._listings().name, "Renamed")

    def test_failed_line_can_be_retried_or_cancelled(self):
        queue = self._queue([("C", self._listing_payload("LATE-1")), ("D", self._listing_payload("LATE-2"))])
        self.instance.action_process_queues()
        line_c, line_d = queue.line_ids
        self.assertEqual((line_c.state, line_d.state), ("failed", "failed"))
        self.env["product.product"].create({"name": "Late", "default_code": "LATE-1"})
        line_c.action_retry()
        self.assertEqual((line_c.state, line_c.attempts, line_c.error), ("done", 2, False))
        line_d.action_cancel()
        self.assertEqual(line_d.state, "cancelled")
        self.assertEqual(queue.state, "done")

    def test_unchanged_waiting_record_is_not_queued_twice(self):
        self._queue([("A", self._listing_payload("WID-1"))])
        self.assertFalse(self._queue([("A", self._listing_payload("WID-1"))]), "same record, nothing new")
        self._queue([("A", self._listing_payload("WID-1", name="Newer"))])
        lines = self.env["marketplace.queue.line"].search([("instance_id", "=", self.instance.id)])
        self.assertEqual(len(lines), 2, "a changed record is queued after the first")
        self.instance.action_process_queues()
        self.assertEqual(self._listings().name, "Newer", "processed in order, the newer wins")

    def test_matching_follows_the_instance_rule(self):
        barcode = self.products[1].barcode
        payload = self._listing_payload("OTHER-SKU", barcode=barcode)
        self.instance.sync_listings_on = "sku"
        queue = self._queue([("X", payload)])
        self.instance.action_process_queues()
        self.assertEqual(queue.line_ids.state, "failed")
        self.instance.sync_listings_on = "barcode"
        queue.line_ids.action_retry()
        self.assertEqual(queue.line_ids.state, "done")
        self.assertEqual(self._listings().product_id, self.products[1])

    def test_products_are_created_when_the_instance_says_so(self):
        self.instance.create_products = True
        self._queue([("N", self._listing_payload("NEW-9", price=12.5, name="Brand new"))])
        self.instance.action_process_queues()
        listing = self._listings()
        self.assertEqual(listing.product_id.default_code, "NEW-9")
        self.assertEqual(listing.product_id.list_price, 12.5)

    def test_log_level_all_keeps_successes(self):
        self.instance.log_level = "all"
        self._queue([("A", self._listing_payload("WID-1"))])
        self.instance.action_process_queues()
        log = self._logs()[:1]
        self.assertEqual(log.line_ids.mapped("level"), ["success"])
        self.assertEqual(log.line_ids.queue_line_id.name, "A")
