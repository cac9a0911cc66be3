from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from .marketplace_job import JOBS


def _lang_get(self):
    return self.env["res.lang"].get_installed()


class MarketplaceInstance(models.Model):
    """One seller account or store on one marketplace, with everything the jobs need.

    The engine runs every job (marketplace.job.runner and the services it calls); a connector
    only implements small hooks named `_<marketplace code>_<hook>`, as `delivery.carrier` does
    with `<delivery_type>_rate_shipment`. The hooks are listed in the README ("The connector
    contract").
    """

    _name = "marketplace.instance"
    _description = "Marketplace Instance"
    _inherit = ["mail.thread", "marketplace.job.runner", "marketplace.instance.dashboard"]
    _order = "sequence, name, id"

    # general -------------------------------------------------------------------------------
    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    marketplace = fields.Selection(
        selection=[("generic", "Generic (neutral payloads)")],
        required=True,
        tracking=True,
        help="The marketplace this account sells on. Generic instances take marketplace-neutral "
        "orders and listings that another system queues (for example over XML-RPC).",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, tracking=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Store Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Currency of the store; a blank pricelist is created in it on confirmation.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        default=lambda self: self._default_warehouse(),
        check_company=True,
        help="Warehouse of merchant-fulfilled orders and of the stock exported to the marketplace.",
    )
    marketplace_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Marketplace-Fulfilled Warehouse",
        check_company=True,
        help="Warehouse holding the stock the marketplace ships for you (FBA, FBB): orders "
        "fulfilled by the marketplace leave stock from here and imported marketplace stock "
        "lands here.",
    )
    country_id = fields.Many2one("res.country", string="Country")
    lang = fields.Selection(_lang_get, string="Language", default=lambda self: self.env.lang)
    log_level = fields.Selection(
        [("all", "All"), ("success", "Success"), ("error", "Error")],
        default="error",
        required=True,
        help="Which log lines are kept for each job run: All (every event), Success (successes "
        "and errors) or Error (errors only).",
    )
    queue_batch_limit = fields.Integer(
        default=100, required=True, help="Queue lines processed (and committed) together."
    )
    api_base_url = fields.Char(
        # where the credentials go: administrators only (see marketplace_instance_account.py)
        string="API Base URL",
        groups="base.group_system",
        copy=False,
        help="Leave empty for the marketplace's production endpoint; set it to reach a sandbox "
        "or the local simulator.",
    )

    # products ------------------------------------------------------------------------------
    sync_listings_on = fields.Selection(
        [("sku", "SKU"), ("barcode", "Barcode"), ("both", "Barcode and SKU")],
        string="Sync Listings Based On",
        default="sku",
        required=True,
        help="How marketplace items are matched to Odoo products (after their listings): SKU against "
        "the internal reference, barcode against the barcode, or both (SKU first).",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        help="Prices of exports and of imported orders in the store currency; left blank, one is "
        "created in the store currency when the instance is confirmed.",
    )
    export_sale_price = fields.Boolean(
        string="Export Odoo Product's Sale Price?",
        help="Export the product's sale price instead of the pricelist price.",
    )
    create_products = fields.Boolean(
        string="Create Odoo Products?",
        help="Create a product when no Odoo product matches a marketplace item. No second product is "
        "created for an internal reference or a barcode Odoo already has (archived products included): "
        "the item is that product.",
    )
    update_category = fields.Boolean(string="Update Category in Odoo Products?")
    sync_images = fields.Boolean(string="Sync Listing Images?")

    # stock ---------------------------------------------------------------------------------
    stock_basis = fields.Selection(
        [
            ("free", "Free To Use Quantity"),
            ("on_hand", "Quantity On Hand"),
            ("forecast", "Forecasted Quantity"),
        ],
        string="Stock Based On",
        default="free",
        required=True,
        help="Free to use = on hand - reserved; forecasted = on hand - outgoing + incoming.",
    )
    validate_inventory_adjustment = fields.Boolean(string="Validate Inventory Adjustment?")

    # orders --------------------------------------------------------------------------------
    use_marketplace_sequence = fields.Boolean(
        string="Use Marketplace's Order Sequence?",
        default=True,
        help="Name imported orders after the marketplace's order number instead of Odoo's sequence.",
    )
    order_prefix = fields.Char(help="Prefix of merchant-fulfilled order names, e.g. BOL-.")
    marketplace_order_prefix = fields.Char(
        string="Order Prefix (Marketplace-Fulfilled)",
        help="Prefix of marketplace-fulfilled (FBA, FBB) order names.",
    )
    delivery_product_id = fields.Many2one(
        "product.product",
        string="Delivery Product",
        domain=[("type", "=", "service")],
        help="Product of the shipping charge lines of imported orders.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team")
    user_id = fields.Many2one("res.users", string="Salesperson", default=lambda self: self.env.user)
    import_orders_after = fields.Datetime(
        string="Import Orders After", help="Orders created before this date are skipped."
    )
    analytic_account_id = fields.Many2one("account.analytic.account", string="Analytic Account")
    payment_term_id = fields.Many2one("account.payment.term", string="Payment Terms")
    order_status_ids = fields.Many2many(
        "marketplace.order.status",
        string="Order Statuses to Import",
        domain="[('marketplace', '=', marketplace)]",
    )
    tax_system = fields.Selection(
        [
            ("odoo", "Odoo's Default Tax Behaviour (taxes from the Odoo product)"),
            ("marketplace", "Follow Marketplace Tax (no fiscal position mappings)"),
            ("marketplace_fpos", "Follow Marketplace Tax and apply fiscal position mappings"),
        ],
        default="odoo",
        required=True,
    )
    tax_account_id = fields.Many2one(
        "account.account",
        string="Tax Account",
        help="Account of the taxes created from marketplace tax lines.",
    )
    refund_tax_account_id = fields.Many2one(
        "account.account",
        string="Tax Account on Credit Notes",
        help="Account of those taxes on credit notes.",
    )
    tax_rounding = fields.Float(
        default=0.01,
        digits=(16, 4),
        help="Largest difference tolerated between Odoo's order total and the marketplace's; "
        "0 means no rounding is tolerated.",
    )
    custom_product_id = fields.Many2one(
        "product.product", help="Product of custom (non-catalogue) consumable items."
    )
    custom_storable_product_id = fields.Many2one(
        "product.product", help="Product of custom fulfillable (storable) items."
    )
    gift_certificate_product_id = fields.Many2one(
        "product.product", help="Service product of gift certificate lines (negative amounts)."
    )
    default_product_id = fields.Many2one(
        "product.product",
        string="Default Product",
        help="Product of order lines whose item matches no Odoo product (the line keeps the "
        "marketplace's name and SKU); the suite's 'Marketplace Sale' when empty.",
    )
    gift_wrap_product_id = fields.Many2one("product.product", string="Gift Wrap Product")
    discount_product_id = fields.Many2one(
        "product.product",
        string="Discount Product",
        help="Product of the promotion lines of imported orders.",
    )
    create_single_invoice = fields.Boolean(
        string="Create Single Invoice?",
        default=True,
        help="One invoice once everything is deliverable; otherwise an invoice per delivery.",
    )
    mark_order_paid = fields.Boolean(
        string="Mark Order as Paid?",
        help="When an invoice of an imported order is paid in Odoo (or Mark Order as Paid is pressed on "
        "the order), report the payment to the marketplace, once per order (marketplaces whose "
        "connector has Export Payments).",
    )

    # customers -----------------------------------------------------------------------------
    receivable_account_id = fields.Many2one(
        "account.account",
        string="Receivable Account",
        domain="[('account_type', '=', 'asset_receivable')]",
        help="Receivable account set on customers created from marketplace orders.",
    )
    create_company_contact = fields.Boolean(
        string="Create Company Contact?",
        help="When the billing address has a company name, create the company and file the buyer under it.",
    )

    # workflows -----------------------------------------------------------------------------
    workflow_id = fields.Many2one(
        "marketplace.workflow",
        string="Workflow (Merchant-Fulfilled)",
        default=lambda self: self.env["marketplace.workflow"]._default_for(self.env.company),
        help="Applied to imported orders that you ship (FBM, FBR).",
    )
    marketplace_workflow_id = fields.Many2one(
        "marketplace.workflow",
        string="Workflow (Marketplace-Fulfilled)",
        default=lambda self: self.env["marketplace.workflow"]._default_for(self.env.company),
        help="Applied to imported orders the marketplace ships (FBA, FBB).",
    )

    workflow_rule_ids = fields.One2many(
        "marketplace.workflow.rule",
        "instance_id",
        string="Workflows by Payment",
        help="A workflow per payment gateway and payment status; orders matching no rule get "
        "the workflow of their fulfilment.",
    )
    anonymous_partner_id = fields.Many2one(
        "res.partner",
        string="Anonymous Customer",
        readonly=True,
        copy=False,
        help="Customer of the orders whose buyer the marketplace does not disclose.",
    )

    # automatic jobs --------------------------------------------------------------------------
    job_ids = fields.One2many("marketplace.job", "instance_id", string="Automatic Jobs")
    job_codes = fields.Char(
        compute="_compute_job_codes",
        help="The jobs this marketplace's connector implements (comma-separated codes): only "
        "they get a cron, a job line and a button.",
    )

    # notifications ---------------------------------------------------------------------------
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity",
        help="Activity scheduled on a queue line when it fails.",
    )
    activity_due_days = fields.Integer(string="Due Date In (days)", default=1)
    activity_user_id = fields.Many2one(
        "res.users", string="Responsible", help="Gets the activities of failed queue lines."
    )
    notify_partner_ids = fields.Many2many(
        "res.partner",
        string="Smart Notification Recipients",
        help="Receive a summary (successes and errors) by email after each job run that did something.",
    )

    _sql_constraints = [
        (
            "queue_batch_limit_positive",
            "CHECK(queue_batch_limit > 0)",
            "The queue batch limit must be positive.",
        ),
    ]

    @api.depends("marketplace")
    def _compute_job_codes(self):
        for instance in self:
            instance.job_codes = ",".join(instance._declared_jobs()) if instance.marketplace else ""

    @api.model
    def _default_warehouse(self):
        return self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The generic marketplace (neutral payloads, for integrators) is offered in developer
        mode only; it stays in the choices while a generic instance exists, which the form must
        still show."""
        result = super().fields_get(allfields, attributes)
        selection = result.get("marketplace", {}).get("selection")
        if (
            selection
            and not self.user_has_groups("base.group_no_one")
            and not self.with_context(active_test=False).search_count(
                [("marketplace", "=", "generic")], limit=1
            )
        ):
            result["marketplace"]["selection"] = [option for option in selection if option[0] != "generic"]
        return result

    # CRUD ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        instances = super().create(vals_list)
        instances._ensure_jobs()
        return instances

    def write(self, vals):
        res = super().write(vals)
        if "marketplace" in vals:
            self._ensure_jobs()
        if {"active", "state", "name"} & set(vals):
            self.job_ids._sync_cron()
        self._check_new_credentials(vals)
        return res

    def unlink(self):
        self.job_ids.unlink()
        return super().unlink()

    def _ensure_jobs(self):
        """One job record (and so one cron) per job the connector implements, none other."""
        Job = self.env["marketplace.job"]
        for instance in self:
            declared = instance._declared_jobs()
            instance.job_ids.filtered(lambda j: j.job not in declared).unlink()
            present = set(instance.job_ids.mapped("job"))
            Job.create(
                [
                    {"instance_id": instance.id, "job": job, **defaults}
                    for job, _label, defaults in JOBS
                    if job in declared and job not in present
                ]
            )

    # buttons -------------------------------------------------------------------------------
    def action_test_connection(self):
        self.ensure_one()
        self.env["marketplace.access"]._check(self, "manager")
        try:
            self._call_connector("test_connection")
        except UserError as err:
            return self._notification(_("Connection failed"), str(err.args[0]), "danger", sticky=True)
        return self._notification(
            _("Connection succeeded"),
            _(
                "%(marketplace)s accepted the credentials of %(instance)s.",
                marketplace=self._marketplace_label(),
                instance=self.name,
            ),
        )

    def action_confirm(self):
        self.env["marketplace.access"]._check(self, "manager", "write")
        for instance in self:
            instance._call_connector("confirm" if instance._hook("confirm") else "test_connection")
            instance._ensure_pricelist()
            instance.state = "confirmed"
        return True

    def action_reset_to_draft(self):
        self.env["marketplace.access"]._check(self, "manager", "write")
        self.write({"state": "draft"})
        return True

    def _ensure_pricelist(self):
        if not self.pricelist_id:
            self.pricelist_id = self.env["product.pricelist"].create(
                {
                    "name": _("%s Pricelist", self.name),
                    "currency_id": self.currency_id.id,
                    "company_id": self.company_id.id,
                }
            )

    def _generic_test_connection(self):
        """A generic instance talks to no API: there is nothing to test."""
        return True

    # credentials -----------------------------------------------------------------------------
    @api.model
    def _secret_fields(self):
        """Names of the fields holding credentials; connectors extend the list."""
        return []

    def _check_new_credentials(self, vals):
        """New credentials of a confirmed account are checked with the marketplace at once: its
        refusal stops the save (a draft account is checked by Test Connection and Confirm)."""
        changed = set(vals) & set(self._secret_fields())
        if not changed:
            return
        for instance in self.filtered(lambda i: i.state == "confirmed"):
            if any(fname.startswith("%s_" % instance.marketplace) for fname in changed):
                instance._call_connector("test_connection")

    def _scrub(self, text):
        """Hide every credential of these instances in a text bound for a log or the chatter."""
        if not text:
            return text
        secrets = []
        for instance in self.sudo():  # sudo: the credentials are read to be hidden, never shown
            for fname in self._secret_fields():
                value = instance[fname]
                if value and isinstance(value, str) and len(value) >= 4:
                    secrets.append(value)
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    # orders ----------------------------------------------------------------------------------
    def action_recover_order(self, reference):
        """Import one order by its marketplace reference, whatever Last Processed On says; the
        sale order's id (an id marshals over XML-RPC, a record does not), False when none."""
        self.ensure_one()
        self.env["marketplace.access"]._check(self)
        self._check_job_runnable("import_orders")
        # sudo: the import writes what a Marketplace User may not (queue, log); this instance only
        order = self.env["marketplace.order.importer"].sudo()._recover(self.sudo(), reference)
        return order.id or False

    def _anonymous_partner(self):
        if not self.anonymous_partner_id:
            self.anonymous_partner_id = self.env["res.partner"].create(
                {
                    "name": _("%s Customer", self.name),
                    "company_id": self.company_id.id,
                    **self.env["res.partner"]._marketplace_receivable(self),
                }
            )
        return self.anonymous_partner_id

    def _currency(self, code):
        """The currency of an ISO code, activated when needed (orders may come in any)."""
        currency = self.env["res.currency"].browse(self._currency_id_of(code))
        if not currency:
            raise UserError(_("Unknown currency %s.", code))
        if not currency.active:
            currency.sudo().active = True  # sudo: an order's currency is activated, as Odoo's admin would
        return currency

    @api.model
    @tools.ormcache("code")
    def _currency_id_of(self, code):
        # Asked for on every order line of every import: cached, currencies are not renamed.
        currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        )
        return currency.id
