from odoo import fields, models


class MarketplaceLogLine(models.Model):
    _name = "marketplace.log.line"
    _description = "Marketplace Log Line"
    _order = "id"
    _check_company_auto = True

    log_id = fields.Many2one(
        "marketplace.log", required=True, ondelete="cascade", index=True, check_company=True
    )
    instance_id = fields.Many2one(related="log_id.instance_id", store=True)
    company_id = fields.Many2one(related="log_id.company_id", store=True)
    job = fields.Selection(related="log_id.job", store=True)
    level = fields.Selection(
        [("info", "Info"), ("success", "Success"), ("warning", "Warning"), ("error", "Error")], required=True
    )
    message = fields.Text(required=True, help="What happened, in the merchant's words.")
    detail = fields.Text(
        string="Technical Details",
        help="For the integrator: the marketplace operation and its raw answer (code, status).",
    )
    res_model = fields.Char(string="Record Model")
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model")
    queue_line_id = fields.Many2one(
        "marketplace.queue.line", ondelete="set null", index=True, check_company=True
    )
    create_date = fields.Datetime(string="Date", readonly=True)
