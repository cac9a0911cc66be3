from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestAutomaticJobs(MarketplaceCase):
    def _job(self, code):
        return self.instance.job_ids.filtered(lambda j: j.job == code)

    def test_only_the_connectors_jobs_get_a_cron(self):
        # A generic instance takes neutral payloads pushed by other systems: it implements no
        # marketplace job, so only queue processing exists (no cron, job line or button else).
        jobs = self.instance.job_ids
        self.assertEqual(jobs.mapped("job"), ["process_queues"])
        self.assertEqual(self.instance.job_codes, "process_queues")
        self.assertEqual(len(jobs.cron_id), 1, "one ir.cron per instance and job")
        for job in jobs:
            self.assertIn("_run_from_cron(%d)" % job.id, job.cron_id.code)
            self.assertIn(self.instance.name, job.cron_id.name)
        # A draft instance runs nothing on schedule, even for switched-on jobs.
        self.assertFalse(any(jobs.cron_id.mapped("active")))

    def test_cron_follows_job_settings(self):
        self.instance.state = "confirmed"
        job = self._job("process_queues")
        job.write({"cron_active": True, "interval_number": 7, "interval_type": "hours"})
        self.assertTrue(job.cron_id.active)
        self.assertEqual((job.cron_id.interval_number, job.cron_id.interval_type), (7, "hours"))
        self.assertEqual(job.cron_id.numbercall, -1)
        job.cron_active = False
        self.assertFalse(job.cron_id.active)

    def test_cron_stops_with_archive_and_draft_and_goes_with_delete(self):
        self.instance.state = "confirmed"
        job = self._job("process_queues")
        self.assertTrue(job.cron_active, "queue processing is on by default")
        cron = job.cron_id
        self.assertTrue(cron.active)
        self.instance.action_archive()
        self.assertFalse(cron.active)
        self.instance.action_unarchive()
        self.assertTrue(cron.active)
        self.instance.action_reset_to_draft()
        self.assertFalse(cron.active)
        crons = self.instance.job_ids.cron_id
        self.instance.unlink()
        self.assertFalse(crons.exists(), "deleting the instance deletes its crons")

    def test_cron_runs_the_job_and_records_last_processed_on(self):
        self.instance.state = "confirmed"
        job = self._job("process_queues")
        self._queue([("SKU1", self._listing_payload("WID-1"))])
        self.assertFalse(job.last_run)
        job.cron_id.method_direct_trigger()
        job.invalidate_recordset(["last_run"])
        self.assertTrue(job.last_run)
        self.assertEqual(
            self.env["marketplace.listing"].search_count([("instance_id", "=", self.instance.id)]), 1
        )
        log = self._logs()[:1]
        self.assertEqual((log.success_count, log.error_count, log.state), (1, 0, "done"))

    def test_jobs_need_a_confirmed_instance_and_a_connector(self):
        with self.assertRaisesRegex(UserError, "Confirm the instance"):
            self.instance.action_import_orders()
        # XML-RPC callers get a plain True back from the public job methods.
        self.assertIs(self.instance.action_process_queues(), True)
        self.instance.action_confirm()
        self.assertEqual(self.instance.state, "confirmed")
        with self.assertRaisesRegex(UserError, "does not support the job 'Import Orders'"):
            self.instance.action_import_orders()

    def test_blank_pricelist_is_created_in_the_store_currency(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        self.instance.currency_id = usd
        self.instance._ensure_pricelist()
        self.assertEqual(self.instance.pricelist_id.currency_id, usd)
        pricelist = self.instance.pricelist_id
        self.instance._ensure_pricelist()
        self.assertEqual(self.instance.pricelist_id, pricelist, "an existing pricelist is kept")
