from odoo.tests import tagged
from odoo.tools import mute_logger

from .committed_case import CommittedCase


@tagged("post_install", "-at_install")
class TestSettlementConcurrency(CommittedCase):
    """Two workers on two database connections book the same payout period at the same moment
    (two crons, a cron and a button): one statement, each line once, each invoice paid once.
    The data is committed (the other connection sees nothing else) and removed at the end."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            company = env.company
            workflow = env["marketplace.workflow"].create(
                {
                    "name": "Race Invoice",
                    "confirm_order": True,
                    "create_invoice": True,
                    "validate_invoice": True,
                }
            )
            instance = env["marketplace.instance"].create(
                {
                    "name": "Settlement Race Store",
                    "marketplace": "generic",
                    "currency_id": company.currency_id.id,
                    "workflow_id": workflow.id,
                    "marketplace_workflow_id": workflow.id,
                }
            )
            instance.state = "confirmed"
            self.reserve_before = env["account.account"].search([("code", "=", "MPRES")]).ids
            instance._settlement_setup()
            self.fee_account = env["account.account"].create(
                {"name": "Race Fees", "code": "RACEF1", "account_type": "expense", "company_id": company.id}
            )
            env["marketplace.fee.type"].create(
                {
                    "marketplace": "generic",
                    "code": "RaceFee",
                    "name": "Race fee",
                    "account_id": self.fee_account.id,
                }
            )
            orders = [self._order("SR-%d" % n) for n in (1, 2)]
            env["marketplace.queue"]._enqueue(instance, "order", [(o["external_id"], o) for o in orders])
            instance.action_process_queues()
            self.instance_id, self.workflow_id = instance.id, workflow.id
            self.currency = company.currency_id.name
        self.addCleanup(self._cleanup)

    @staticmethod
    def _order(ref):
        return {
            "external_id": ref,
            "date_order": "2026-11-20T10:00:00Z",
            "currency": "USD",
            "customer": {"name": "Racer", "email": "settlement.racer@example.com"},
            "lines": [{"sku": "NOTHING", "quantity": 1, "unit_price": 30.0}],
        }

    def _header(self):
        lines = [
            {"external_id": "O-1", "kind": "order", "amount": 30.0, "order_ref": "SR-1"},
            {"external_id": "O-2", "kind": "order", "amount": 30.0, "order_ref": "SR-2"},
            {"external_id": "F-1", "kind": "fee", "amount": -4.5, "fee_type": "RaceFee"},
            {"external_id": "F-2", "kind": "fee", "amount": -1.25, "fee_type": "NewRaceFee"},
        ]
        return {
            "external_id": "RACE-1",
            "currency": self.currency,
            "closed": True,
            "payout_amount": 54.25,
            "payout_date": "2026-11-30T00:00:00Z",
            "lines": lines,
        }

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            instance = env["marketplace.instance"].browse(self.instance_id)
            settlements = env["marketplace.settlement"].search([("instance_id", "=", instance.id)])
            sales = env["sale.order"].search([("marketplace_instance_id", "=", instance.id)])
            invoices = sales.invoice_ids
            st_lines = settlements.line_ids
            (st_lines.move_id.line_ids | invoices.line_ids).remove_move_reconcile()
            statements = settlements.statement_id
            st_lines.with_context(force_delete=True).unlink()
            statements.unlink()
            settlements.unlink()
            invoices.button_draft()
            invoices.with_context(force_delete=True).unlink()
            sales._action_cancel()
            partners = sales.partner_id | sales.partner_invoice_id | sales.partner_shipping_id
            sales.unlink()
            journal = instance.settlement_journal_id
            accounts = journal.default_account_id | self.fee_account
            accounts |= env["account.account"].search(
                [("code", "=", "MPRES"), ("id", "not in", self.reserve_before)]
            )
            env["marketplace.fee.type"].with_context(active_test=False).search(
                [("marketplace", "=", "generic"), ("code", "in", ("RaceFee", "NewRaceFee"))]
            ).unlink()
            pricelist = instance.pricelist_id
            instance.unlink()
            journal.unlink()
            accounts.unlink()
            partners.unlink()
            pricelist.unlink()
            env["marketplace.workflow"].browse(self.workflow_id).unlink()

    def test_two_workers_book_one_statement(self):
        outcomes = []

        def worker(barrier):
            with self.registry.cursor() as cr:
                env = self._env(cr, marketplace_auto_commit=True)
                instance = env["marketplace.instance"].browse(self.instance_id)
                log = env["marketplace.log"].create({"instance_id": instance.id, "job": "import_settlements"})
                cr.commit()
                barrier.wait(timeout=30)
                outcome = env["marketplace.settlement.importer"]._import(
                    instance, [self._header()], lambda header, after: [], log
                )
                cr.commit()
                outcomes.append((outcome.booked, outcome.skipped, outcome.failed, log.error_count))

        with mute_logger("odoo.sql_db"):  # the worker that lost the race hears it from the database
            self._together(worker)
        self.assertEqual(
            sorted(outcomes), [(0, 1, 0, 0), (1, 0, 0, 0)], "one booked it, the other found it booked"
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            settlement = env["marketplace.settlement"].search([("instance_id", "=", self.instance_id)])
            self.assertEqual(len(settlement), 1)
            self.assertEqual(settlement.state, "booked")
            self.assertEqual(len(settlement.statement_id), 1)
            self.assertEqual(
                sorted(settlement.line_ids.mapped("marketplace_line_ref")), ["F-1", "F-2", "O-1", "O-2"]
            )
            statement = settlement.statement_id
            self.assertEqual(statement.line_ids, settlement.line_ids)
            self.assertAlmostEqual(statement.balance_end_real - statement.balance_start, 54.25)
            sales = env["sale.order"].search([("marketplace_instance_id", "=", self.instance_id)])
            self.assertEqual(sales.invoice_ids.mapped("payment_state"), ["paid", "paid"])
            fee_types = env["marketplace.fee.type"].search(
                [("marketplace", "=", "generic"), ("code", "=", "NewRaceFee")]
            )
            self.assertEqual(len(fee_types), 1, "the new fee type is made once")
