from odoo.tests import tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderKnownVersions(OrderCase):
    """Import Orders skips, without calling the marketplace, the orders it already has in the
    same version (marketplace.order.importer._known_versions): waiting in a queue, or imported.
    A line that produced nothing, or whose sale order was deleted, does not count: rewinding
    Last Processed On imports such an order again."""

    def _known(self, *refs):
        return self.env["marketplace.order.importer"]._known_versions(self.instance, list(refs))

    def test_waiting_and_imported_orders_are_known(self):
        self._queue([("ORD-W", self._order("ORD-W"))], kind="order")
        self.assertIn("ORD-W", self._known("ORD-W"), "waiting in a queue")
        sale = self._import_one(self._order("ORD-I", updated_at="2026-11-20T11:00:00Z"))
        known = self._known("ORD-I")
        self.assertEqual(str(known["ORD-I"]), "2026-11-20 11:00:00", "with the version imported")
        self.assertTrue(sale)

    def test_a_deleted_sale_order_or_a_line_that_made_nothing_is_not_known(self):
        sale = self._import_one(self._order("ORD-D"))
        sale._action_cancel()
        sale.unlink()
        self.assertNotIn("ORD-D", self._known("ORD-D"), "its sale order was deleted: read again")
        self.instance.import_orders_after = "2099-01-01 00:00:00"
        sales, lines = self._import(self._order("ORD-S"))
        self.assertFalse(sales)
        self.assertEqual((lines.state, lines.res_id), ("done", 0), "skipped: done, nothing made")
        self.assertNotIn("ORD-S", self._known("ORD-S"), "skipped: read again once the setting changes")
