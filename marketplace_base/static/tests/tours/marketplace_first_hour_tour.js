/** @odoo-module **/
/*
 * A merchant's first hour, in the browser (data made by marketplace_base/tests/test_ui_tour.py):
 * the dashboard, a job button and its notification, the instance, a queue and its failed line;
 * then (after the test has run the background worker) the imported order and the pairing of the
 * item no product matched.
 */
import { registry } from "@web/core/registry";

const card = (name) => `.o_marketplace_dashboard .o_kanban_record:contains("${name}")`;

registry.category("web_tour.tours").add("marketplace_first_hour", {
    test: true,
    url: "/web#action=marketplace_base.action_marketplace_dashboard",
    steps: () => [
        {
            content: "The dashboard shows a card per instance, with its graph of orders per day",
            trigger: `${card("Tour Store")} .o_marketplace_graph canvas`,
            isCheck: true,
        },
        {
            content: "Failed queue lines show in red",
            trigger: `${card("Tour Store")} .o_marketplace_failed.text-danger .o_marketplace_failed_count:contains("1")`,
            isCheck: true,
        },
        {
            content: "...and not in red when there is none",
            trigger: `${card("Quiet Store")} .o_marketplace_failed:not(.text-danger) .o_marketplace_failed_count:contains("0")`,
            isCheck: true,
        },
        {
            content: "A draft instance shows its set-up steps instead of job lines",
            trigger: `${card("Draft Store")} .o_marketplace_setup li[data-step="confirm"]`,
            isCheck: true,
        },
        {
            content: "A job that never ran says so",
            trigger: `${card("Quiet Store")} tr[data-job="process_queues"] .badge:contains("Not run yet")`,
            isCheck: true,
        },
        {
            content: "A run ends elsewhere (the scheduler): the bus tells the web client...",
            trigger: card("Quiet Store"),
            run: async () => {
                const env = odoo.__WOWL_DEBUG__.root.env;
                const [id] = await env.services.orm.search("marketplace.instance", [["name", "=", "Quiet Store"]]);
                await env.services.orm.call("marketplace.instance", "action_process_queues", [[id]]);
                // (the tours' server has no websocket: the relay of marketplace_job_service.js is played here)
                env.bus.trigger("MARKETPLACE:JOB", { instance_id: id, job: "process_queues", state: "done" });
            },
        },
        {
            content: "...and the card shows the outcome without a reload",
            trigger: `${card("Quiet Store")} tr[data-job="process_queues"] .badge:contains("Done")`,
            isCheck: true,
        },
        {
            content: "Start Process Queues from the card",
            trigger: `${card("Tour Store")} .o_marketplace_job_buttons button:contains("Process Queues")`,
        },
        {
            content: "The button answers at once: the job runs in the background",
            trigger: '.o_notification:contains("Process Queues started")',
            isCheck: true,
        },
        {
            content: "The card shows the job running at once, without a reload",
            trigger: `${card("Tour Store")} tr[data-job="process_queues"] .badge:contains("Running")`,
            isCheck: true,
        },
        {
            content: "Back to the dashboard",
            trigger: '.o_main_navbar a[data-menu-xmlid="marketplace_base.menu_marketplace_dashboard"]',
        },
        {
            content: "The card shows the job running",
            trigger: `${card("Tour Store")} tr[data-job="process_queues"] .badge:contains("Running")`,
            isCheck: true,
        },
        {
            content: "Open the instance",
            trigger: `${card("Tour Store")} .o_kanban_card_header a:contains("Tour Store")`,
        },
        {
            content: "The instance form has the same job button",
            trigger: '.o_form_view .o_statusbar_buttons button:contains("Process Queues")',
            isCheck: true,
        },
        {
            content: "Open its failed queue lines",
            trigger: '.o_form_view .oe_stat_button:contains("Failed Lines")',
        },
        {
            content: "Open the failed line",
            trigger: '.o_list_view .o_data_row:contains("TOUR-BAD") .o_data_cell[name="name"]',
        },
        {
            content: "The line says why it failed",
            trigger: '.o_form_view .o_field_widget[name="error"]:contains("XXX")',
            isCheck: true,
        },
        {
            content: "...and shows the payload indented",
            trigger: '.o_form_view .o_field_widget[name="payload_pretty"] .ace_content:contains("external_id")',
            isCheck: true,
        },
        {
            content: "Back to the instance",
            trigger: '.o_breadcrumb a:contains("Tour Store")',
        },
        {
            content: "Open its queues",
            trigger: '.o_form_view .oe_stat_button:contains("To Process")',
        },
        {
            content: "Open the queue that failed",
            trigger: '.o_list_view .o_data_row:contains("Failed") .o_data_cell[name="name"]',
        },
        {
            content: "The queue lists its lines, the failed one with a Retry button",
            trigger: '.o_form_view .o_field_widget[name="line_ids"] .o_data_row:contains("TOUR-BAD") button[name="action_retry"]',
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("marketplace_order_matching", {
    test: true,
    url: "/web#action=marketplace_base.action_sale_order_marketplace",
    steps: () => [
        {
            content: "The imported order is listed with its instance",
            trigger: '.o_list_view .o_data_row:contains("TOUR-1"):contains("Tour Store") .o_data_cell[name="name"]',
        },
        {
            content: "The marketplace block is on the order itself",
            trigger: '.o_form_view .o_field_widget[name="marketplace_order_ref"]:contains("TOUR-1")',
            isCheck: true,
        },
        {
            content: "The item no product matched is flagged",
            trigger: '.o_form_view .alert-info button:contains("Pair their listings")',
        },
        {
            content: "Edit the product of the unknown SKU",
            // (while a dialog is open, a tour looks for its triggers inside it)
            trigger: '.o_field_widget[name="line_ids"] .o_data_row:contains("TOUR-SKU") .o_data_cell[name="product_id"]',
        },
        {
            content: "Search the product",
            trigger: '.o_field_widget[name="line_ids"] .o_field_widget[name="product_id"] input',
            run: "text Widget 2",
        },
        {
            content: "Choose it",
            trigger: '.o-autocomplete--dropdown-item a:contains("Widget 2")',
        },
        {
            content: "Pair",
            trigger: 'footer button[name="action_apply"]',
        },
        {
            content: "The merchant is told what changed",
            trigger: '.o_notification:contains("Listings paired")',
            isCheck: true,
        },
        {
            content: "The order no longer waits for matching",
            trigger: '.o_form_view:not(:has(.alert-info button:contains("Pair their listings")))',
            isCheck: true,
        },
    ],
});
