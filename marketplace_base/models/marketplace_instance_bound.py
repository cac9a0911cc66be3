from odoo import _, models
from odoo.exceptions import UserError


class MarketplaceInstanceBound(models.AbstractModel):
    """What every record of one instance shares (listings, jobs, queues, logs, exports,
    returns, statuses, a connector's reference data): it stays with the instance it was made
    for. Its company is the instance's (a stored related `company_id`, filtered by the
    multi-company record rules), so moving it to another instance would move another
    company's data, or show it there: `instance_id` cannot change once set, whoever asks."""

    _name = "marketplace.instance.bound"
    _description = "Record of a Marketplace Instance"

    def write(self, vals):
        if "instance_id" in vals:
            new = vals["instance_id"]
            new = new.id if isinstance(new, models.BaseModel) else new
            if any(record.instance_id and record.instance_id.id != new for record in self):
                raise UserError(
                    _(
                        "A %s belongs to the marketplace instance it was made for; its instance "
                        "cannot change.",
                        self._description,
                    )
                )
        return super().write(vals)
