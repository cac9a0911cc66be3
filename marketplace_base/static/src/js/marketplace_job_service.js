/** @odoo-module **/
/*
 * The runs of the marketplace jobs, heard on the bus (marketplace.instance._notify_job_state):
 * every start and end is relayed on the web client's bus as MARKETPLACE:JOB (the dashboard and
 * the instance form reload themselves, see marketplace_views.js), and the person who started a
 * run gets its outcome as a notification whose links open the log and the orders.
 */
import { registry } from "@web/core/registry";

export const JOB_EVENT = "MARKETPLACE:JOB";

export const marketplaceJobService = {
    dependencies: ["bus_service", "notification", "action"],
    start(env, { bus_service, notification, action }) {
        bus_service.subscribe("marketplace_job", (payload) => {
            env.bus.trigger(JOB_EVENT, payload);
            const note = payload.notification;
            if (!note) {
                return;
            }
            let close = () => {};
            close = notification.add(note.message, {
                title: note.title,
                type: note.type,
                sticky: note.sticky,
                buttons: (note.links || []).map((link) => ({
                    name: link.label,
                    onClick: () => {
                        close();
                        action.doAction(link.action);
                    },
                })),
            });
        });
        bus_service.start();
    },
};

registry.category("services").add("marketplace_job", marketplaceJobService);
