import json
from datetime import datetime, timedelta

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .order_common import OrderCase


@tagged("post_install", "-at_install")
class TestDashboard(OrderCase):
    """What a merchant sees: the dashboard's card per instance, the marketplace orders, the
    marketplace block of an order, queue lines, deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        confirm = cls.env.ref("marketplace_base.workflow_confirm")
        cls.instance.write(
            {
                "state": "confirmed",
                "marketplace_warehouse_id": cls.instance.warehouse_id.id,
                "workflow_id": confirm.id,
                "marketplace_workflow_id": confirm.id,
            }
        )

    def _now(self, **delta):
        return (datetime.utcnow() + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _arch(self, model, view_type, view=None):
        """The arch the web client receives (after groups and inheritance)."""
        view_id = self.env.ref(view).id if view else None
        return etree.fromstring(self.env[model].get_view(view_id, view_type)["arch"])

    # the card -----------------------------------------------------------------------------
    def test_card_counts_orders_by_fulfilment_over_30_days_and_per_day(self):
        self._import(
            self._order("M-1", date_order=self._now()),
            self._order("M-2", date_order=self._now(minutes=-1)),
            self._order("F-1", date_order=self._now(), fulfilment="marketplace"),
            self._order("OLD-1", date_order=self._now(days=-40)),
        )
        instance = self.instance.with_context(tz="UTC")
        self.assertEqual(
            (instance.order_merchant_count, instance.order_marketplace_count),
            (2, 1),
            "the last 30 days, by who ships",
        )
        self.assertEqual(instance.order_today_count, 3)
        graph = json.loads(instance.dashboard_graph_data)[0]
        values = graph["values"]
        self.assertEqual(len(values), 30, "one bar per day")
        self.assertFalse(graph["is_sample_data"])
        self.assertEqual(values[-1]["value"], 3, "today's bar")
        self.assertEqual(values[-1]["type"], "future", "today in its own colour, as Odoo's dashboards")
        self.assertEqual(sum(v["value"] for v in values), 3, "the order of 40 days ago is not on the graph")
        empty = self.env["marketplace.instance"].create({"name": "Empty", "marketplace": "generic"})
        self.assertTrue(
            json.loads(empty.dashboard_graph_data)[0]["is_sample_data"],
            "sample bars until the first order, as Odoo's dashboards",
        )

    def test_card_days_follow_the_viewers_timezone(self):
        # Half past midnight today in Tokyo (UTC+9) is still the day before in UTC.
        tokyo_today = (datetime.utcnow() + timedelta(hours=9)).date()
        placed = (
            datetime.combine(tokyo_today, datetime.min.time()) - timedelta(hours=9) + timedelta(minutes=30)
        )
        self._import(self._order("TZ-1", date_order=placed.strftime("%Y-%m-%dT%H:%M:%SZ")))
        tokyo = json.loads(self.instance.with_context(tz="Asia/Tokyo").dashboard_graph_data)[0]["values"]
        utc = json.loads(self.instance.with_context(tz="UTC").dashboard_graph_data)[0]["values"]
        self.assertEqual(tokyo[-1]["value"], 1, "today in Tokyo")
        utc_index = -1 - (datetime.utcnow().date() - placed.date()).days
        self.assertEqual(utc[utc_index]["value"], 1, "the day it was in UTC")
        self.assertNotEqual(tokyo[-1]["label"], utc[utc_index]["label"])

    def test_queue_progress_waiting_failed_done(self):
        self._queue([("SKU1", self._listing_payload("WID-1")), ("SKU2", self._listing_payload("NOPE"))])
        self.instance.action_process_queues()
        self._queue([("SKU3", self._listing_payload("WID-2"))])
        self.instance.invalidate_recordset()
        self.assertEqual(
            (
                self.instance.queue_draft_count,
                self.instance.queue_failed_count,
                self.instance.queue_done_count,
            ),
            (1, 1, 1),
        )

    def test_job_lines_in_the_viewers_timezone_and_language(self):
        self.instance.action_process_queues()
        log = self._logs()[:1]
        log.end = datetime(2026, 3, 1, 12, 0)
        self.env["res.lang"]._activate_lang("fr_FR")
        english = json.loads(self.instance.with_context(tz="UTC", lang="en_US").dashboard_data)["jobs"]
        french = json.loads(self.instance.with_context(tz="Asia/Tokyo", lang="fr_FR").dashboard_data)["jobs"]
        job_en = next(job for job in english if job["code"] == "process_queues")
        job_fr = next(job for job in french if job["code"] == "process_queues")
        self.assertRegex(job_en["last_run"], r"^3/1/26, 12:00\s?PM$", "UTC, English format")
        self.assertEqual(job_fr["last_run"], "01/03/2026 21:00", "Tokyo time, French format")
        self.assertEqual((job_en["state"], job_en["outcome"]), ("done", "Done"))
        self.assertIn(
            "Process Queues: 3/1/26", self.instance.with_context(tz="UTC", lang="en_US").last_sync_summary
        )

    def test_a_started_job_shows_as_running(self):
        self.instance.with_context(marketplace_job="process_queues").action_start_job()
        jobs = json.loads(self.instance.dashboard_data)["jobs"]
        job = next(job for job in jobs if job["code"] == "process_queues")
        self.assertEqual((job["state"], job["outcome"]), ("running", "Running"))

    def test_a_switched_off_job_shows_off_and_a_job_never_run_not_run_yet(self):
        job = self.instance.job_ids.filtered(lambda j: j.job == "process_queues")
        line = lambda: next(
            j
            for j in json.loads(self.instance.dashboard_data)["jobs"]  # noqa: E731
            if j["code"] == "process_queues"
        )
        self.assertEqual(
            (line()["state"], line()["outcome"], line()["last_run"]), ("never", "Not run yet", "")
        )
        job.cron_active = False
        self.env.invalidate_all()
        self.assertEqual((line()["state"], line()["outcome"]), ("off", "Off"), "not run on schedule")
        self.instance.action_process_queues()  # run by hand: still off, with its last run
        self.env.invalidate_all()
        self.assertEqual(line()["state"], "off")
        self.assertTrue(line()["last_run"])
        job.cron_active = True
        self.env.invalidate_all()
        self.assertEqual((line()["state"], line()["outcome"]), ("done", "Done"))
        self.assertEqual(job.display_state, "done", "the Automatic Jobs tab shows the same")
        arch = self._arch(
            "marketplace.instance", "kanban", "marketplace_base.marketplace_instance_view_kanban"
        )
        self.assertTrue(arch.xpath("//span[contains(@t-attf-class, \"'off'\")]"), "Off has its own colour")

    def test_the_card_and_the_form_update_by_themselves(self):
        """A run's start and end are announced to the company (the dashboard and the instance
        form reload on them: marketplace_views.js), the outcome to who started it."""
        channel = (self.instance.company_id, "marketplace_jobs")
        self.instance.with_context(marketplace_job="process_queues").action_start_job()
        self.assertEqual(
            [(p["instance_id"], p["job"], p["state"]) for p in self.bus_payloads(channel)],
            [(self.instance.id, "process_queues", "running")],
            "the button: Running at once",
        )
        self.env["marketplace.job"]._run_requested()
        states = [p["state"] for p in self.bus_payloads(channel)]
        self.assertEqual(states, ["running", "running", "done"], "the run's start and end")
        for view, js_class in (
            ("kanban", "marketplace_dashboard_kanban"),
            ("form", "marketplace_instance_form"),
        ):
            self.assertEqual(self._arch("marketplace.instance", view).get("js_class"), js_class)

    def test_marketplace_users_hear_of_their_companies_runs(self):
        user = new_test_user(self.env, "mp_listener", groups="marketplace_base.group_marketplace_user")
        channels = self.env["marketplace.instance"].with_user(user)._job_bus_channels()
        self.assertEqual(channels, [(user.company_id, "marketplace_jobs")])
        other = new_test_user(self.env, "mp_stranger", groups="base.group_user")
        self.assertEqual(
            self.env["marketplace.instance"].with_user(other)._job_bus_channels(),
            [],
            "a user without the marketplace groups hears nothing",
        )

    def test_job_lines_and_buttons_use_the_job_names(self):
        labels = dict(self.env["marketplace.job"]._fields["job"].selection)
        jobs = json.loads(self.instance.dashboard_data)["jobs"]
        self.assertEqual([job["label"] for job in jobs], [labels[job["code"]] for job in jobs])
        arch = self._arch(
            "marketplace.instance", "kanban", "marketplace_base.marketplace_instance_view_kanban"
        )
        buttons = arch.xpath("//button[@name='action_start_job']")
        self.assertEqual(
            {json.loads(b.get("context").replace("'", '"'))["marketplace_job"] for b in buttons},
            {"import_orders", "process_queues", "export_shipments", "export_inventory"},
            "the main jobs",
        )
        for button in buttons:
            code = json.loads(button.get("context").replace("'", '"'))["marketplace_job"]
            self.assertEqual(button.text.strip(), labels[code], "a button has its job's name")

    def test_draft_instance_shows_its_set_up_steps(self):
        draft = self.env["marketplace.instance"].create({"name": "New Store", "marketplace": "generic"})
        self.assertEqual(
            json.loads(draft.dashboard_data)["setup"],
            {"credentials": True, "warehouses": True, "workflow": True},
        )
        draft.workflow_id = False
        draft.invalidate_recordset()
        self.assertFalse(json.loads(draft.dashboard_data)["setup"]["workflow"])
        arch = self._arch(
            "marketplace.instance", "kanban", "marketplace_base.marketplace_instance_view_kanban"
        )
        steps = arch.xpath("//div[hasclass('o_marketplace_setup')]//li")
        self.assertEqual(len(steps), 5)
        self.assertTrue(arch.xpath("//div[hasclass('o_marketplace_setup')]//button[@name='action_confirm']"))

    # generic marketplace ----------------------------------------------------------------------
    def test_generic_marketplace_offered_in_developer_mode_only(self):
        Instance = self.env["marketplace.instance"]
        self.assertIn(
            "generic",
            dict(Instance.fields_get(["marketplace"])["marketplace"]["selection"]),
            "still offered while a generic instance exists (its form must show it)",
        )
        Instance.with_context(active_test=False).search([("marketplace", "=", "generic")]).unlink()
        self.assertNotIn(
            "generic",
            dict(Instance.fields_get(["marketplace"])["marketplace"]["selection"]),
            "outside developer mode, a merchant does not pick the integrators' generic marketplace",
        )
        created = Instance.create({"name": "Script", "marketplace": "generic"})
        self.assertEqual(created.marketplace, "generic", "scripts and XML-RPC still create them")

    # marketplace orders ----------------------------------------------------------------------
    def test_marketplace_orders_views(self):
        action = self.env.ref("marketplace_base.action_sale_order_marketplace")
        self.assertEqual(set(action.view_mode.split(",")), {"tree", "kanban", "form", "pivot", "graph"})
        views = {v.view_mode: v.view_id for v in action.view_ids}
        columns = {
            "marketplace_instance_id",
            "marketplace_site",
            "marketplace_fulfilment",
            "marketplace_status",
            "marketplace_sync_error",
        }
        tree = etree.fromstring(self.env["sale.order"].get_view(views["tree"].id, "tree")["arch"])
        self.assertLessEqual(columns, set(tree.xpath("//field/@name")))
        for kind in ("kanban", "pivot", "graph"):
            self.env["sale.order"].get_view(views[kind].id, kind)  # valid for the web client
        search = etree.fromstring(self.env["sale.order"].get_view(action.search_view_id.id, "search")["arch"])
        group_bys = {
            json.loads(f.get("context").replace("'", '"'))["group_by"]
            for f in search.xpath("//filter[contains(@context, 'group_by')]")
        }
        self.assertLessEqual(
            {
                "marketplace_instance_id",
                "marketplace_site",
                "marketplace_fulfilment",
                "marketplace_status",
                "marketplace_sync_error",
            },
            group_bys,
        )
        filters = set(search.xpath("//filter/@name"))
        self.assertLessEqual(
            {
                "marketplace_sync_error",
                "marketplace_needs_matching",
                "fulfilment_merchant",
                "fulfilment_marketplace",
                "last_30_days",
            },
            filters,
        )
        self.assertTrue(
            search.xpath("//field[@name='marketplace_instance_id']"), "the dashboard's links filter by it"
        )

    def test_order_form_shows_the_marketplace_block_on_the_order(self):
        arch = self._arch("sale.order", "form")
        block = arch.xpath("//group[@name='marketplace']")
        self.assertEqual(len(block), 1)
        self.assertFalse(block[0].xpath("ancestor::page"), "on the order itself, not at the bottom of a tab")
        names = set(block[0].xpath(".//field/@name"))
        self.assertLessEqual(
            {
                "marketplace_instance_id",
                "marketplace_order_ref",
                "marketplace_site",
                "marketplace_fulfilment",
                "marketplace_status",
                "marketplace_payment_status_label",
                "marketplace_sync_error",
                "marketplace_sync_message",
                "marketplace_export_error",
            },
            names,
        )

    def test_order_says_payment_status_in_words_and_why_a_shipment_failed(self):
        sale = self._import_one(self._order("P-1", payment_status="authorized", marketplace_id="SITE-DE"))
        self.assertEqual(sale.marketplace_payment_status_label, "Authorized, not captured yet")
        self.assertEqual(sale.marketplace_site_ref, "SITE-DE")
        self.assertEqual(sale.marketplace_site, "SITE-DE", "a marketplace without site names shows the id")
        picking = sale.picking_ids[:1]
        picking.write(
            {
                "marketplace_export_state": "failed",
                "marketplace_export_error": "The tracking number is not valid for carrier DHL.",
            }
        )
        self.assertTrue(sale.marketplace_sync_failed)
        self.assertIn("The tracking number is not valid for carrier DHL.", sale.marketplace_export_error)
        self.assertIn(picking.name, sale.marketplace_export_error)

    # queues and lines ------------------------------------------------------------------------
    def test_queue_lines_newest_first_without_new_button(self):
        for model, view in (
            ("marketplace.queue.line", "marketplace_base.marketplace_queue_line_view_tree"),
            ("marketplace.queue", "marketplace_base.marketplace_queue_view_tree"),
        ):
            arch = self._arch(model, "tree", view)
            self.assertEqual(arch.get("create"), "false", "%s: queues are filled by the jobs" % model)
        self.assertEqual(
            self._arch(
                "marketplace.queue.line", "tree", "marketplace_base.marketplace_queue_line_view_tree"
            ).get("default_order"),
            "id desc",
        )
        self.assertEqual(
            self._arch(
                "marketplace.queue.line", "form", "marketplace_base.marketplace_queue_line_view_form"
            ).get("create"),
            "false",
        )
        form = self._arch("marketplace.queue", "form", "marketplace_base.marketplace_queue_view_form")
        self.assertEqual(form.xpath("//field[@name='line_ids']/tree/@default_order"), ["id desc"])

    def test_queue_line_payload_pretty_printed_and_result_linked(self):
        queue = self._queue([("P-2", self._order("P-2"))], kind="order")
        line = queue.line_ids
        self.assertIn('\n  "external_id": "P-2"', line.payload_pretty, "indented JSON")
        self.instance.action_process_queues()
        sale = self.env["sale.order"].search([("marketplace_order_ref", "=", "P-2")])
        self.assertEqual(line.result_ref, sale, "the order it produced, as a link")
        raw = self._raw_line(queue, "RAW", "not json {")
        self.assertEqual(raw.payload_pretty, "not json {", "what is not JSON shows as it came")

    def test_only_managers_edit_the_formatted_payload(self):
        line = self._queue([("P-3", self._order("P-3"))], kind="order").line_ids
        edited = line.payload_pretty.replace('"P-3"', '"P-3b"')
        line.payload_pretty = edited
        self.assertEqual(json.loads(line.payload)["external_id"], "P-3b")
        self.assertTrue(
            line.message_ids.filtered(lambda m: "previous payload" in (m.body or "")),
            "the edit is kept in the chatter",
        )
        user = new_test_user(self.env, "mp_viewer", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            line.with_user(user).payload_pretty = edited.replace("P-3b", "P-3c")

    # deliveries --------------------------------------------------------------------------------
    def test_delivery_export_state_read_only_and_hidden_when_the_marketplace_ships(self):
        arch = self._arch("stock.picking", "form")
        field = arch.xpath("//group[@name='marketplace']/field[@name='marketplace_export_state']")[0]
        self.assertEqual(field.get("readonly"), "1")
        self.assertIn("not marketplace_export_state", field.get("invisible"))
        fba = self._import_one(self._order("F-2", fulfilment="marketplace"))
        self.assertFalse(
            any(fba.picking_ids.mapped("marketplace_export_state")),
            "a delivery the marketplace made has no export state: the field is hidden",
        )
