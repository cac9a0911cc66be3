/** @odoo-module **/
/*
 * The dashboard (kanban of marketplace.instance) and the instance form update by themselves:
 * when a job button was pressed (the card shows "Running" at once) and whenever a run of the
 * company's instances starts or ends (MARKETPLACE:JOB, relayed from the bus).
 */
import { registry } from "@web/core/registry";
import { useBus } from "@web/core/utils/hooks";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { formView } from "@web/views/form/form_view";
import { FormController } from "@web/views/form/form_controller";

import { JOB_EVENT } from "@marketplace_base/js/marketplace_job_service";

const JOB_BUTTON = "action_start_job";

export class MarketplaceDashboardController extends KanbanController {
    setup() {
        super.setup();
        useBus(this.env.bus, JOB_EVENT, () => this.model.load());
    }

    async afterExecuteActionButton(clickParams) {
        await super.afterExecuteActionButton(...arguments);
        if (clickParams.name === JOB_BUTTON) {
            await this.model.load();
        }
    }
}

export class MarketplaceInstanceFormController extends FormController {
    setup() {
        super.setup();
        useBus(this.env.bus, JOB_EVENT, ({ detail }) => this.reloadIfUntouched(detail.instance_id));
    }

    async afterExecuteActionButton(clickParams) {
        await super.afterExecuteActionButton(...arguments);
        if (clickParams.name === JOB_BUTTON) {
            await this.reloadIfUntouched(this.model.root.resId);
        }
    }

    /** Reload the instance shown, unless the person is editing it. */
    async reloadIfUntouched(instanceId) {
        const record = this.model.root;
        if (record.resId && record.resId === instanceId && !(await record.isDirty())) {
            await record.load();
        }
    }
}

registry.category("views").add("marketplace_dashboard_kanban", {
    ...kanbanView,
    Controller: MarketplaceDashboardController,
});

registry.category("views").add("marketplace_instance_form", {
    ...formView,
    Controller: MarketplaceInstanceFormController,
});
