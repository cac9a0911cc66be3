from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .order_common import OrderCase

USER = "marketplace_base.group_marketplace_user"
MANAGER = "marketplace_base.group_marketplace_manager"


class RightsCase(OrderCase):
    """Who is who: a Marketplace User and a Manager of the main company; the outsiders, who may
    do nothing of the suite's work: a portal customer, a salesperson without a marketplace right,
    and a Marketplace User of another company (who works on that company's instance)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.state = "confirmed"
        cls.user = new_test_user(cls.env, "trust_user", groups=USER)
        cls.manager = new_test_user(cls.env, "trust_manager", groups=MANAGER)
        cls.portal = new_test_user(cls.env, "trust_portal", groups="base.group_portal")
        cls.clerk = new_test_user(cls.env, "trust_clerk", groups="sales_team.group_sale_salesman")
        cls.other_company = cls.env["res.company"].create({"name": "Other Marketplace Co"})
        cls.foreign_user = new_test_user(
            cls.env,
            "trust_foreign",
            groups=USER,
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.foreign = cls.env["marketplace.instance"].create(
            {
                "name": "Other Co Store",
                "marketplace": "generic",
                "company_id": cls.other_company.id,
                "currency_id": cls.eur.id,
            }
        )
        cls.foreign.state = "confirmed"
        cls.outsiders = {"portal": cls.portal, "clerk": cls.clerk, "other company": cls.foreign_user}

    def _sales(self, instance=None):
        return self.env["sale.order"].search(
            [("marketplace_instance_id", "=", (instance or self.instance).id)]
        )

    def _log_count(self, instance=None):
        return self.env["marketplace.log"].search_count(
            [("instance_id", "=", (instance or self.instance).id)]
        )


@tagged("post_install", "-at_install")
class TestWhoMayRunWhat(RightsCase):
    """Every public method checks the caller before the engine works as superuser: outsiders get
    an AccessError and nothing is created, changed or sent; the crons work as before."""

    def test_outsiders_run_no_job(self):
        queue = self._queue([("TR-1", self._order("TR-1"))], kind="order")
        line = queue.line_ids
        job = self.instance._job("process_queues")
        for who, user in self.outsiders.items():
            instance = self.instance.with_user(user)
            for method in (
                "action_process_queues",
                "action_import_orders",
                "action_export_shipments",
                "action_export_inventory",
                "action_export_prices",
                "action_check_results",
                "action_import_listings",
                "action_import_inventory",
                "action_export_payments",
                "action_import_returns",
            ):
                with self.assertRaises(AccessError, msg="%s: %s" % (who, method)):
                    getattr(instance, method)()
            with self.assertRaises(AccessError, msg=who):
                instance.with_context(marketplace_job="process_queues").action_start_job()
            with self.assertRaises(AccessError, msg=who):
                instance.action_recover_order("TR-1")
        self.assertEqual(line.state, "draft", "the queued order waits, unprocessed")
        self.assertFalse(self._sales(), "no sale order was created")
        self.assertFalse(self._log_count(), "no job ran, not even a log")
        self.assertFalse(job.requested_at or job.requested_by_id, "no run was asked of the background worker")

    def test_a_user_of_another_company_works_on_hers_only(self):
        mine = self._queue([("TR-OWN", self._order("TR-OWN"))], kind="order", instance=self.foreign)
        theirs = self._queue([("TR-B", self._order("TR-B"))], kind="order")
        as_foreign = self.foreign.with_user(self.foreign_user)
        # asked for both instances at once: refused as a whole, neither is processed
        with self.assertRaises(AccessError):
            (self.instance | self.foreign).with_user(self.foreign_user).action_process_queues()
        self.assertEqual((mine.line_ids.state, theirs.line_ids.state), ("draft", "draft"))
        as_foreign.action_process_queues()
        self.assertEqual(mine.line_ids.state, "done", mine.line_ids.error)
        self.assertEqual(self._sales(self.foreign).company_id, self.other_company)
        self.assertEqual(theirs.line_ids.state, "draft", "the main company's queue is untouched")
        self.assertFalse(self._sales())

    def test_settings_need_a_manager(self):
        for user in (self.user, self.clerk, self.portal):
            instance = self.instance.with_user(user)
            for method in ("action_test_connection", "action_confirm", "action_reset_to_draft"):
                with self.assertRaises(AccessError, msg="%s: %s" % (user.login, method)):
                    getattr(instance, method)()
        self.assertEqual(self.instance.state, "confirmed")
        with self.assertRaises(AccessError):
            self.instance.with_user(self.foreign_user).action_reset_to_draft()
        self.instance.with_user(self.manager).action_reset_to_draft()
        self.assertEqual(self.instance.state, "draft")

    def test_queue_buttons_need_a_marketplace_user_of_the_company(self):
        queue = self._queue(
            [("TR-L1", self._listing_payload("NOPE-1")), ("TR-L2", self._listing_payload("WID-1"))]
        )
        failed, waiting = queue.line_ids
        self.instance.action_process_queues()
        self.assertEqual((failed.state, waiting.state), ("failed", "done"))
        waiting.sudo().state = "draft"
        for who, user in self.outsiders.items():
            for records, method in (
                (queue, "action_process"),
                (queue, "action_retry_failed"),
                (queue, "action_cancel"),
                (failed, "action_retry"),
                (failed, "action_cancel"),
            ):
                with self.assertRaises(AccessError, msg="%s: %s.%s" % (who, records._name, method)):
                    getattr(records.with_user(user), method)()
        self.assertEqual((failed.state, waiting.state, failed.attempts), ("failed", "draft", 1))
        queue.with_user(self.user).action_process()
        self.assertEqual(waiting.state, "done", "a Marketplace User of the company may")

    def test_cron_path_and_started_jobs_still_work(self):
        queue = self._queue([("TR-CRON", self._order("TR-CRON"))], kind="order")
        job = self.instance._job("process_queues")
        self.env["marketplace.job"]._run_from_cron(job.id)  # what the job's ir.cron runs, as superuser
        self.assertEqual(queue.line_ids.state, "done", queue.line_ids.error)
        self.assertEqual(len(self._sales()), 1)
        # a button: the Marketplace User asks, the background worker (a cron) runs it
        second = self._queue([("TR-BTN", self._order("TR-BTN"))], kind="order")
        self.instance.with_user(self.user).with_context(marketplace_job="process_queues").action_start_job()
        self.assertEqual(job.requested_by_id, self.user)
        self.assertEqual(second.line_ids.state, "draft", "nothing ran in the button's request")
        self.env["marketplace.job"]._run_requested()
        self.assertEqual(second.line_ids.state, "done", second.line_ids.error)
        self.assertFalse(job.requested_at)
        self.assertEqual(self._logs()[:1].user_id, self.user, "the run is the user's, in the log")

    def test_recover_and_pairing_need_a_marketplace_user(self):
        sale = self._import_one(
            self._order(
                "TR-PAIR",
                lines=[{"sku": "TR-UNKNOWN", "name": "Unknown mug", "quantity": 1, "unit_price": 5.0}],
            )
        )
        self.assertTrue(sale.marketplace_needs_matching)
        for user in (self.clerk, self.portal):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["marketplace.recover.order"].with_user(user).create(
                    {"instance_id": self.instance.id, "reference": "TR-X"}
                )
            with self.assertRaises(AccessError, msg=user.login):
                sale.order_line.with_user(user).action_marketplace_pair_listing()
        with self.assertRaises(AccessError):
            self.env["marketplace.recover.order"].with_user(self.foreign_user).create(
                {"instance_id": self.instance.id, "reference": "TR-X"}
            )
        # a wizard row naming another company's instance, written over RPC, pairs nothing
        wizard = self.env["marketplace.pair.listing"].with_user(self.foreign_user).create({})
        with self.assertRaises(AccessError):
            self.env["marketplace.pair.listing.line"].with_user(self.foreign_user).create(
                {
                    "wizard_id": wizard.id,
                    "instance_id": self.instance.id,
                    "sku": "TR-UNKNOWN",
                    "product_id": self.products[1].id,
                }
            )
        self.assertFalse(self.env["marketplace.listing"].search([("sku", "=", "TR-UNKNOWN")]))
        self.assertTrue(sale.order_line.marketplace_needs_matching)

    def test_retry_sync_and_mark_as_paid_need_a_marketplace_user(self):
        sale = self._import_one(self._order("TR-SYNC"))
        logs = self._log_count()
        sale.message_subscribe(partner_ids=self.portal.partner_id.ids)  # the customer follows the order
        sale.user_id = self.clerk  # the salesperson's own order
        self.assertTrue(sale.with_user(self.portal).name, "the portal customer sees the order")
        self.assertTrue(sale.with_user(self.clerk).name, "the salesperson sees the order")
        for who, user in self.outsiders.items():
            for method in ("action_marketplace_retry_sync", "action_marketplace_report_payment"):
                with self.assertRaises(AccessError, msg="%s: %s" % (who, method)):
                    getattr(sale.with_user(user), method)()
        self.assertFalse(sale.marketplace_payment_export)
        self.assertEqual(self._log_count(), logs, "no job ran")


@tagged("post_install", "-at_install")
class TestEngineFields(RightsCase):
    """What only the engine writes: which cron runs a job and who asked for a run, the exports'
    cursors, the orders' marketplace identity and payment export, the deliveries' export."""

    def test_job_crons_and_requests_are_not_writable(self):
        job = self.instance._job("process_queues")
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        as_manager = job.with_user(self.manager)
        for vals in (
            {"cron_id": mail_cron.id},
            {"requested_by_id": self.manager.id},
            {"requested_at": "2026-01-01 00:00:00"},
        ):
            with self.assertRaises(AccessError, msg=vals):
                as_manager.write(vals)
        with self.assertRaises(AccessError):
            self.env["marketplace.job"].with_user(self.manager).create(
                {"instance_id": self.foreign.id, "job": "import_orders", "cron_id": mail_cron.id}
            )
        as_manager.write({"interval_number": 9})  # the settings a manager does edit
        self.assertEqual(job.cron_id.interval_number, 9)
        self.assertNotEqual(job.cron_id, mail_cron)

    def test_the_engine_never_touches_a_cron_it_did_not_make(self):
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        before = mail_cron.read(["name", "code", "active", "interval_number", "interval_type", "model_id"])[0]
        job = self.instance._job("process_queues")
        other_cron = self.foreign._job("process_queues").cron_id
        # a job's cron_id pointing elsewhere (written before this guard existed, or by SQL)
        job.cron_id = mail_cron
        job.with_user(self.manager).write({"interval_number": 3, "cron_active": False})
        self.assertNotEqual(job.cron_id, mail_cron, "the job made a cron of its own")
        self.assertIn("_run_from_cron(%d)" % job.id, job.cron_id.code)
        self.assertEqual(job.cron_id.interval_number, 3)
        self.instance.with_user(self.manager).write({"name": "Renamed Store"})
        self.instance.with_user(self.manager).action_reset_to_draft()
        job.cron_id = other_cron
        job.with_user(self.manager).unlink()
        mail_cron.invalidate_recordset()
        self.assertEqual(mail_cron.read(list(before))[0], before, "Odoo's mail scheduler is untouched")
        self.assertTrue(other_cron.exists(), "another job's cron survives this job")
        self.assertTrue(other_cron.active)

    def test_listing_export_cursors_are_the_engines(self):
        listing = self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": "TR-LST", "product_id": self.product.id}
        )
        as_user = listing.with_user(self.user)
        for vals in (
            {"exported_qty": 5},
            {"exported_price": 1.0},
            {"sync_state": "synced"},
            {"sync_error": False},
            {"exported_locations": {"1": 3}},
        ):
            with self.assertRaises(AccessError, msg=vals):
                as_user.write(vals)
        as_user.write({"name": "Renamed by the user"})  # what a user does edit
        self.assertEqual(listing.sync_state, "pending")

    def test_order_identity_and_payment_export_are_the_engines(self):
        sale = self._import_one(self._order("TR-ENG"))
        for user in (self.user, self.clerk):
            for vals in (
                {"marketplace_payment_export": "pending"},
                {"marketplace_instance_id": self.foreign.id},
                {"marketplace_order_ref": "OTHER"},
            ):
                with self.assertRaises(AccessError, msg="%s %s" % (user.login, vals)):
                    sale.with_user(user).write(vals)
            with self.assertRaises(AccessError, msg=user.login):
                self.env["sale.order"].with_user(user).create(
                    {
                        "partner_id": sale.partner_id.id,
                        "marketplace_instance_id": self.instance.id,
                        "marketplace_order_ref": "BY-HAND",
                    }
                )
        self.assertFalse(sale.marketplace_payment_export)
        self.assertEqual(self._sales(), sale)

    def test_delivery_export_state_is_the_engines(self):
        self.instance.workflow_id = self.env.ref("marketplace_base.workflow_confirm")
        sale = self._import_one(self._order("TR-SHIP"))
        picking = sale.picking_ids
        self.assertTrue(picking)
        with self.assertRaises(AccessError):
            picking.with_user(self.user).write({"marketplace_export_state": "exported"})
        self.assertFalse(picking.marketplace_export_state)


@tagged("post_install", "-at_install")
class TestCompanies(RightsCase):
    """Every record of an instance is its company's: another company's users neither see it nor
    attach their records to it; the engine makes what it makes in the instance's company."""

    def test_an_instances_records_stay_with_it(self):
        listing = self.env["marketplace.listing"].create(
            {"instance_id": self.instance.id, "sku": "TR-MOVE", "product_id": self.product.id}
        )
        listing.write({"instance_id": self.instance.id, "name": "same instance: fine"})
        for record in (listing, self.instance._job("process_queues")):
            with self.assertRaises(UserError, msg=record._name):
                record.write({"instance_id": self.foreign.id})
        self.assertEqual(listing.instance_id, self.instance)

    def test_no_record_points_at_another_companys_instance_or_data(self):
        with self.assertRaises(AccessError):
            self.env["marketplace.listing"].with_user(self.user).create(
                {"instance_id": self.foreign.id, "sku": "TR-FOREIGN", "product_id": self.product.id}
            )
        other_product = self.env["product.product"].create(
            {"name": "Other Co's product", "company_id": self.other_company.id}
        )
        with self.assertRaises(UserError):
            self.env["marketplace.listing"].create(
                {"instance_id": self.instance.id, "sku": "TR-OP", "product_id": other_product.id}
            )
        with self.assertRaises(UserError):
            self.instance.pricelist_id = self.env["product.pricelist"].create(
                {"name": "Other Co prices", "company_id": self.other_company.id}
            )
        self.assertFalse(self.env["marketplace.listing"].search([("sku", "in", ("TR-FOREIGN", "TR-OP"))]))

    def test_users_see_only_their_companies_records(self):
        self._queue([("TR-V", self._listing_payload("NOPE"))], instance=self.foreign)
        self.foreign.action_process_queues()
        for model in ("marketplace.queue", "marketplace.queue.line", "marketplace.log", "marketplace.job"):
            mine = self.env[model].with_user(self.user).search([])
            self.assertFalse(mine.filtered(lambda r: r.instance_id == self.foreign), model)
            theirs = self.env[model].with_user(self.foreign_user).search([])
            self.assertTrue(theirs, model)
            self.assertEqual(theirs.instance_id, self.foreign, model)

    def test_products_made_for_an_instance_are_its_companys(self):
        self.foreign.create_products = True
        self._queue(
            [("TR-NEW", self._listing_payload("TR-NEW-SKU", name="Made for Other Co"))], instance=self.foreign
        )
        self.foreign.action_process_queues()
        product = self.env["product.product"].search([("default_code", "=", "TR-NEW-SKU")])
        self.assertEqual(product.company_id, self.other_company)
        self.assertFalse(
            self.env["product.product"].with_user(self.user).search([("default_code", "=", "TR-NEW-SKU")]),
            "the main company's users do not see it",
        )

    def test_a_new_instance_of_another_company_takes_that_companys_defaults(self):
        instance = self.env["marketplace.instance"].create(
            {"name": "Defaults", "marketplace": "generic", "company_id": self.other_company.id}
        )
        self.assertEqual(instance.warehouse_id.company_id, self.other_company)
        self.assertFalse(
            (instance.workflow_id | instance.marketplace_workflow_id).filtered(
                lambda w: w.company_id != self.other_company
            ),
            "no workflow of the company in use",
        )
