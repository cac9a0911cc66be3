from odoo import fields, models


class MarketplaceSettlementRefund(models.Model):
    """A refund of a period that is still open (or of a refund-only marketplace, whose period is
    always open), made into its credit note as soon as it is read, once per refund: the credit
    note, or why there is none yet (the order is not in Odoo, not invoiced...). Open ones are
    retried by the next run and by Match Again. When the period closes, its statement's refund
    line is matched with the same credit note."""

    _name = "marketplace.settlement.refund"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Refund"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Refund", required=True, readonly=True, help="The marketplace's id of the refund."
    )
    instance_id = fields.Many2one(
        "marketplace.instance",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    settlement_id = fields.Many2one(
        "marketplace.settlement", readonly=True, ondelete="cascade", index=True, check_company=True
    )
    order_ref = fields.Char(string="Marketplace Order", readonly=True)
    date = fields.Datetime(string="Posted On", readonly=True)
    amount = fields.Monetary(readonly=True, help="The refunded amount, negative as the settlement states it.")
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    line_data = fields.Json(readonly=True, help="The neutral refund line, to retry it.")
    credit_note_id = fields.Many2one("account.move", string="Credit Note", readonly=True, check_company=True)
    state = fields.Selection(
        [("open", "To Match"), ("done", "Credit Note Made")], default="open", readonly=True
    )
    note = fields.Char(readonly=True, help="Why there is no credit note yet.")

    _sql_constraints = [
        ("refund_unique", "UNIQUE(instance_id, name)", "A marketplace refund is booked once per instance."),
    ]
