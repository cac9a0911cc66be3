from odoo import fields, models


class MarketplaceReturn(models.Model):
    """A return of a marketplace's buyer, imported once: the return pickings that bring the
    goods back and the credit notes of the invoiced orders (see marketplace.return.importer)."""

    _name = "marketplace.return"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Return"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Marketplace Return", required=True, readonly=True, help="The marketplace's id of the return."
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
    date = fields.Datetime(string="Registered On", readonly=True)
    received = fields.Boolean(readonly=True, help="The goods were back when the return was imported.")
    notify_on_receipt = fields.Boolean(
        string="Marketplace Waits for Receipt",
        readonly=True,
        help="Validating the return picking tells the marketplace that the goods arrived.",
    )
    reason = fields.Text(readonly=True)
    sale_order_ids = fields.Many2many("sale.order", string="Orders", readonly=True, check_company=True)
    picking_ids = fields.One2many(
        "stock.picking", "marketplace_return_id", string="Return Pickings", readonly=True
    )
    credit_note_ids = fields.Many2many(
        "account.move", string="Credit Notes", readonly=True, check_company=True
    )
    state = fields.Selection(
        [("waiting", "Waiting for the Goods"), ("received", "Received")],
        compute="_compute_state",
        help="Received once every return picking is validated.",
    )

    _sql_constraints = [
        ("return_unique", "UNIQUE(instance_id, name)", "A marketplace return is imported once per instance."),
    ]

    def _compute_state(self):
        for ret in self:
            pickings = ret.picking_ids.filtered(lambda p: p.state != "cancel")
            ret.state = "received" if pickings and all(p.state == "done" for p in pickings) else "waiting"
