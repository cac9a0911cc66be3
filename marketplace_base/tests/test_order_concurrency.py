from odoo.tests import tagged

from .committed_case import CommittedCase


@tagged("post_install", "-at_install")
class TestOrderConcurrency(CommittedCase):
    """Two workers on two database connections import two different orders at the same moment
    that need the same new record (a buyer, a tax, a pricelist): it is created once.

    The data is committed (the other connection cannot see uncommitted rows) and removed at
    the end."""

    def _setup(self, orders, **instance_values):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            usd = env.ref("base.USD")
            instance = env["marketplace.instance"].create(
                dict(
                    {
                        "name": "Partner Race Store",
                        "marketplace": "generic",
                        "queue_batch_limit": 1,
                        "currency_id": usd.id,
                        "workflow_id": False,
                        "marketplace_workflow_id": False,
                    },
                    **instance_values,
                )
            )
            instance.pricelist_id = env["product.pricelist"].create(
                {"name": "Race USD", "currency_id": usd.id}
            )
            env["marketplace.queue"]._enqueue(instance, "order", [(o["external_id"], o) for o in orders])
            self.instance_id, self.pricelist_ids = instance.id, instance.pricelist_id.ids
            self.taxes_before = set(env["account.tax"].with_context(active_test=False).search([]).ids)
            # active beforehand: two workers activating it would collide on the currency instead
            self.eur_active = env.ref("base.EUR").active
            env.ref("base.EUR").active = True
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            sales = env["sale.order"].search([("marketplace_instance_id", "=", self.instance_id)])
            partners = sales.partner_id | sales.partner_invoice_id | sales.partner_shipping_id
            pricelists = sales.pricelist_id | env["product.pricelist"].browse(self.pricelist_ids)
            sales.unlink()
            env["marketplace.instance"].browse(self.instance_id).unlink()
            partners.unlink()
            pricelists.unlink()
            Tax = env["account.tax"].with_context(active_test=False)
            Tax.search([("id", "not in", list(self.taxes_before))]).unlink()
            env.ref("base.EUR").active = self.eur_active

    @staticmethod
    def _order(ref, email, currency="USD", taxes=()):
        return {
            "external_id": ref,
            "date_order": "2026-11-20T10:00:00Z",
            "currency": currency,
            "customer": {"name": email.split("@")[0], "email": email},
            "invoice_address": {
                "name": email.split("@")[0],
                "street": "Race Lane 1",
                "city": "Gouda",
                "zip": "2801 JK",
                "country_code": "NL",
            },
            "lines": [{"sku": "NOTHING", "quantity": 1, "unit_price": 10.0, "taxes": list(taxes)}],
        }

    def _race(self, check):
        """Each worker claims one line, then both process theirs at once; then a normal run
        processes what a worker left for the next run. `check(env, sales)` asserts the result."""

        def worker(barrier):
            with self.registry.cursor() as cr:
                env = self._env(cr, marketplace_auto_commit=True)
                instance = env["marketplace.instance"].browse(self.instance_id)
                line = env["marketplace.queue.line"]._acquire(instance, 1)
                log = env["marketplace.log"].create({"instance_id": instance.id, "job": "process_queues"})
                barrier.wait(timeout=30)
                line._process(log)
                cr.commit()

        self._together(worker)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["marketplace.instance"].browse(self.instance_id).action_process_queues()
            cr.commit()
            lines = env["marketplace.queue.line"].search([("instance_id", "=", self.instance_id)])
            self.assertEqual(set(lines.mapped("state")), {"done"}, lines.mapped("error"))
            sales = env["sale.order"].search([("marketplace_instance_id", "=", self.instance_id)])
            check(env, sales.sorted("marketplace_order_ref"))

    def test_two_workers_one_new_buyer(self):
        self._setup([self._order("PR-1", "racer@example.com"), self._order("PR-2", "racer@example.com")])

        def check(env, sales):
            self.assertEqual(len(sales), 2)
            self.assertEqual(sales[0].partner_id, sales[1].partner_id, "one customer for both orders")
            buyers = env["res.partner"].search([("email_normalized", "=", "racer@example.com")])
            self.assertEqual(len(buyers), 1)
            self.assertEqual(buyers.company_id, env.company, "in the instance's company")

        self._race(check)

    def test_two_workers_one_new_tax(self):
        taxed = [{"rate": 13.7}]
        self._setup(
            [
                self._order("PT-1", "tax.a@example.com", taxes=taxed),
                self._order("PT-2", "tax.b@example.com", taxes=taxed),
            ],
            tax_system="marketplace",
        )

        def check(env, sales):
            self.assertEqual(len(sales), 2)
            self.assertEqual(sales[0].order_line.tax_id, sales[1].order_line.tax_id)
            taxes = (
                env["account.tax"]
                .with_context(active_test=False)
                .search([("amount", "=", 13.7), ("type_tax_use", "=", "sale")])
            )
            self.assertEqual(len(taxes), 1)

        self._race(check)

    def test_two_workers_one_new_pricelist(self):
        self._setup(
            [
                self._order("PP-1", "pl.a@example.com", currency="EUR"),
                self._order("PP-2", "pl.b@example.com", currency="EUR"),
            ]
        )

        def check(env, sales):
            self.assertEqual(len(sales), 2)
            self.assertEqual(sales[0].pricelist_id, sales[1].pricelist_id)
            self.assertEqual(sales[0].pricelist_id.currency_id.name, "EUR")
            pricelists = env["product.pricelist"].search([("name", "=", "Partner Race Store EUR")])
            self.assertEqual(len(pricelists), 1)

        self._race(check)

    def test_a_cancellation_racing_the_first_import_wins(self):
        order = self._order("PC-1", "cancel.race@example.com")
        self._setup([order, dict(order, cancelled=True, status="Canceled")])

        def check(env, sales):
            # whichever worker went first, the order the buyer cancelled is not left open
            self.assertEqual(sales.mapped("state"), ["cancel"] if sales else [])
            cancellations = env["marketplace.order.cancellation"].search(
                [("instance_id", "=", self.instance_id)]
            )
            self.assertEqual(cancellations.mapped("order_ref"), ["PC-1"])

        self._race(check)
