import json
from datetime import datetime, time as dtime, timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, format_datetime, get_lang

from ..schemas.order import Order as NeutralOrder
from ..schemas.returns import Return as NeutralReturn
from .marketplace_job import JOBS

# The dashboard's period (orders per day, counts by fulfilment) and the shape of its sample
# graph before the first order arrives.
DASHBOARD_DAYS = 30
SAMPLE_GRAPH = (3, 5, 4, 6, 8, 7, 5, 9, 11, 8)


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
    _inherit = ["mail.thread", "marketplace.job.runner"]
    _order = "sequence, name, id"

    # general -------------------------------------------------------------------------------
    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    marketplace = fields.Selection(
        selection=[("generic", "Generic (neutral payloads)")], required=True, tracking=True,
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
        string="API Base URL", groups="base.group_system", copy=False,
        help="Leave empty for the marketplace's production endpoint; set it to reach a sandbox "
        "or the local simulator.",
    )

    # products ------------------------------------------------------------------------------
    sync_listings_on = fields.Selection(
        [("sku", "SKU"), ("barcode", "Barcode"), ("both", "Barcode and SKU")],
        string="Sync Listings Based On",
        default="sku",
        required=True,
        help="How marketplace items are matched to Odoo products: SKU against the internal "
        "reference, barcode against the barcode, or both (barcode first).",
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
        help="Create a product when no Odoo product matches a marketplace item.",
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
        help="Name imported orders after the marketplace's order number instead of Odoo's "
        "sequence.",
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
    user_id = fields.Many2one(
        "res.users", string="Salesperson", default=lambda self: self.env.user
    )
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
        "product.product", string="Default Product",
        help="Product of order lines whose item matches no Odoo product (the line keeps the "
        "marketplace's name and SKU); the suite's 'Marketplace Sale' when empty.",
    )
    gift_wrap_product_id = fields.Many2one("product.product", string="Gift Wrap Product")
    discount_product_id = fields.Many2one("product.product", string="Discount Product",
                                          help="Product of the promotion lines of imported orders.")
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
        help="When the billing address has a company name, create the company and file the "
        "buyer under it.",
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
        "marketplace.workflow.rule", "instance_id", string="Workflows by Payment",
        help="A workflow per payment gateway and payment status; orders matching no rule get "
        "the workflow of their fulfilment.",
    )
    anonymous_partner_id = fields.Many2one(
        "res.partner", string="Anonymous Customer", readonly=True, copy=False,
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
        help="Receive a summary (successes and errors) by email after each job run that did "
        "something.",
    )

    # dashboard -----------------------------------------------------------------------------
    # Computed on read (the dashboard's kanban reads them all at once): nothing a worker would
    # have to update on a shared row.
    order_today_count = fields.Integer(compute="_compute_dashboard", string="Orders Today")
    order_merchant_count = fields.Integer(compute="_compute_dashboard", string="Merchant-Fulfilled Orders",
                                          help="Orders of the last 30 days that you ship.")
    order_marketplace_count = fields.Integer(compute="_compute_dashboard", string="Marketplace-Fulfilled Orders",
                                             help="Orders of the last 30 days that the marketplace ships.")
    order_matching_count = fields.Integer(
        compute="_compute_dashboard", string="Orders Needing Matching",
        help="Orders with items no Odoo product matched (they are on the default product).")
    queue_failed_count = fields.Integer(compute="_compute_dashboard", string="Failed Lines")
    queue_draft_count = fields.Integer(compute="_compute_dashboard", string="Lines to Process")
    queue_done_count = fields.Integer(compute="_compute_dashboard", string="Processed Lines")
    last_sync_summary = fields.Text(compute="_compute_dashboard", string="Last Sync")
    dashboard_data = fields.Text(
        compute="_compute_dashboard",
        help="JSON for the dashboard card: each job's last run and outcome in the user's timezone "
        "and language, and the set-up steps of a draft instance.")
    dashboard_graph_data = fields.Text(compute="_compute_dashboard_graph", help="Orders per day, last 30 days.")

    _sql_constraints = [
        ("queue_batch_limit_positive", "CHECK(queue_batch_limit > 0)",
         "The queue batch limit must be positive."),
    ]

    @api.depends("marketplace")
    def _compute_job_codes(self):
        for instance in self:
            instance.job_codes = ",".join(instance._declared_jobs()) if instance.marketplace else ""

    @api.model
    def _default_warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    # dashboard -------------------------------------------------------------------------------
    def _dashboard_tz(self):
        """The timezone of the person looking (the web client's, else their preference)."""
        try:
            return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _dashboard_day_start(self, days_ago=0):
        """Start (UTC, naive as Odoo stores it) of the person's day `days_ago` days before today."""
        tz = self._dashboard_tz()
        day = datetime.now(tz).date() - timedelta(days=days_ago)
        return tz.localize(datetime.combine(day, dtime.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends_context("tz", "lang", "uid")
    def _compute_dashboard(self):
        today, month = self._dashboard_day_start(), self._dashboard_day_start(DASHBOARD_DAYS - 1)
        Order = self.env["sale.order"]
        orders = Order._read_group(
            [("marketplace_instance_id", "in", self.ids), ("date_order", ">=", month)],
            ["marketplace_instance_id", "marketplace_fulfilment"], ["__count"])
        by_fulfilment = {(instance.id, fulfilment): count for instance, fulfilment, count in orders}
        today_counts = dict((instance.id, count) for instance, count in Order._read_group(
            [("marketplace_instance_id", "in", self.ids), ("date_order", ">=", today)],
            ["marketplace_instance_id"], ["__count"]))
        matching = dict((instance.id, count) for instance, count in Order._read_group(
            [("marketplace_instance_id", "in", self.ids), ("order_line.marketplace_needs_matching", "=", True)],
            ["marketplace_instance_id"], ["__count"]))
        lines = self.env["marketplace.queue.line"]._read_group(
            [("instance_id", "in", self.ids)], ["instance_id", "state"], ["__count"])
        line_counts = {(instance.id, state): count for instance, state, count in lines}
        for instance in self:
            key = instance.id
            instance.order_today_count = today_counts.get(key, 0)
            instance.order_merchant_count = by_fulfilment.get((key, "merchant"), 0)
            instance.order_marketplace_count = by_fulfilment.get((key, "marketplace"), 0)
            instance.order_matching_count = matching.get(key, 0)
            instance.queue_failed_count = line_counts.get((key, "failed"), 0)
            instance.queue_draft_count = line_counts.get((key, "draft"), 0)
            instance.queue_done_count = line_counts.get((key, "done"), 0)
            jobs = instance._dashboard_jobs()
            instance.last_sync_summary = "\n".join("%s: %s" % (job["label"], job["last_run"] or _("never"))
                                                    for job in jobs)
            instance.dashboard_data = json.dumps({"jobs": jobs, "setup": instance._dashboard_setup()})

    def _dashboard_jobs(self):
        """Each job's name (as on its button), last run (the person's timezone and language) and
        status (marketplace.job.display_state: Running, Off, Not run yet, or its last outcome)."""
        labels = dict(self.env["marketplace.job"]._fields["job"]._description_selection(self.env))
        outcomes = dict(self.env["marketplace.job"]._fields["display_state"]._description_selection(self.env))
        tz = self._dashboard_tz().zone
        result = []
        for job in self.job_ids:
            state = job.display_state
            result.append({
                "code": job.job,
                "label": labels.get(job.job, job.job),
                "last_run": format_datetime(self.env, job.last_run, tz=tz, dt_format="short") if job.last_run else "",
                "state": state,
                "outcome": outcomes.get(state),
            })
        return result

    def _dashboard_setup(self):
        """The set-up steps of a draft instance: which are done."""
        secrets = [fname for fname in self._secret_fields() if fname.startswith("%s_" % self.marketplace)]
        sudo = self.sudo()  # sudo: whether the credentials are filled, never their values
        return {
            "credentials": all(sudo[fname] for fname in secrets),
            "warehouses": bool(self.warehouse_id),
            "workflow": bool(self.workflow_id and self.marketplace_workflow_id),
        }

    @api.depends_context("tz", "lang")
    def _compute_dashboard_graph(self):
        """Orders per day over the last 30 days, for the `dashboard_graph` widget (bar), in the
        format of sales_team's crm.team: the current day in its own colour, sample bars when no
        order came in yet."""
        tz = self._dashboard_tz()
        start = self._dashboard_day_start(DASHBOARD_DAYS - 1)
        groups = self.env["sale.order"].with_context(tz=tz.zone)._read_group(
            [("marketplace_instance_id", "in", self.ids), ("date_order", ">=", start)],
            ["marketplace_instance_id", "date_order:day"], ["__count"])
        counts = {}
        for instance, day, count in groups:
            day = day.date() if isinstance(day, datetime) else day
            counts[(instance.id, day)] = count
        last_day = datetime.now(tz).date()
        days = [last_day - timedelta(days=n) for n in range(DASHBOARD_DAYS - 1, -1, -1)]
        locale = get_lang(self.env).code
        for instance in self:
            values = [{
                "label": format_date(self.env, day, lang_code=locale, date_format="d MMM"),
                "value": counts.get((instance.id, day), 0),
                "type": "future" if day == last_day else "past",
            } for day in days]
            sample = not any(value["value"] for value in values)
            if sample:
                for n, value in enumerate(values):
                    value.update(type="o_sample_data", value=SAMPLE_GRAPH[n % len(SAMPLE_GRAPH)])
            instance.dashboard_graph_data = json.dumps([{
                "values": values, "area": True, "title": "", "is_sample_data": sample,
                "key": _("Sample data") if sample else _("Orders"),
            }])

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The generic marketplace (neutral payloads, for integrators) is offered in developer
        mode only; it stays in the choices while a generic instance exists, which the form must
        still show."""
        result = super().fields_get(allfields, attributes)
        selection = result.get("marketplace", {}).get("selection")
        if selection and not self.user_has_groups("base.group_no_one") and not self.with_context(
                active_test=False).search_count([("marketplace", "=", "generic")], limit=1):
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
            Job.create([
                {"instance_id": instance.id, "job": job, **defaults}
                for job, _label, defaults in JOBS
                if job in declared and job not in present
            ])

    # buttons -------------------------------------------------------------------------------
    def action_test_connection(self):
        self.ensure_one()
        self.env["marketplace.access"]._check(self, "manager")
        try:
            self._call_connector("test_connection")
        except UserError as err:
            return self._notification(_("Connection failed"), str(err.args[0]), "danger", sticky=True)
        return self._notification(_("Connection succeeded"),
                                  _("%(marketplace)s accepted the credentials of %(instance)s.",
                                    marketplace=self._marketplace_label(), instance=self.name))

    def action_confirm(self):
        self.env["marketplace.access"]._check(self, "manager", "write")
        for instance in self:
            hook = instance._connector_method("confirm")
            if hook:
                hook()
            else:
                instance._call_connector("test_connection")
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

    # queues ----------------------------------------------------------------------------------
    def _queue_handler(self, kind):
        """The method turning a payload of this kind into an Odoo record.

        A connector's `_<code>_queue_<kind>(line, payload, log)` wins over the base's
        `_queue_<kind>(line, payload, log)`.
        """
        handler = getattr(self, "_%s_queue_%s" % (self.marketplace, kind), None) or getattr(
            self, "_queue_%s" % kind, None
        )
        if not handler:
            raise UserError(_("No processing is defined for queue lines of kind '%s'.", kind))
        return handler

    def _process_queues(self, log, line_ids=None):
        """Process waiting lines batch after batch until none is left for this worker."""
        self.ensure_one()
        Line = self.env["marketplace.queue.line"]
        seen = set()  # lines left waiting by a transient error are not retried in this run
        while True:
            batch = Line._acquire(self, self.queue_batch_limit, line_ids, exclude_ids=seen)
            if batch is None:  # lines moved under an old snapshot: go on in a new transaction
                if not self._maybe_commit():
                    break
                continue
            if not batch:
                break
            seen.update(batch.ids)
            batch._process(log)
            self._maybe_commit()

    def _process_lines(self, lines):
        """Process the given waiting lines now (queue buttons), in a log of their own."""
        self.ensure_one()
        with self._job_run("process_queues") as run:
            self._process_queues(run.log, lines.ids)

    def _queue_listing(self, line, payload, log):
        return self.env["marketplace.listing"]._import_payload(self, payload)

    def _queue_return(self, line, payload, log):
        """A neutral return (schemas.returns.Return, from the connector's `read_returns`)."""
        return self.env["marketplace.return.importer"]._import(self, NeutralReturn.model_validate(payload), log)

    # products --------------------------------------------------------------------------------
    def _resolve_product(self, sku=None, barcode=None, external_id=None):
        """The Odoo product of a marketplace item, the one rule of order, listing and inventory
        imports: its listing first (external id, SKU, barcode), then a product of the instance's
        company by "Sync Listings Based On" (barcode, SKU, or both, barcode first). Returns
        (product, listing): the listing is empty when the product was matched by rule, so
        that the caller can record the pairing; both are empty when nothing matches (the
        caller then creates a product or takes the default one)."""
        self.ensure_one()
        listing = self.env["marketplace.listing"]._find(self, sku=sku, external_id=external_id, barcode=barcode)
        if listing:
            return listing.product_id, listing
        Product = self.env["product.product"].with_context(active_test=False)
        company = [("company_id", "in", (False, self.company_id.id))]
        if barcode and self.sync_listings_on in ("barcode", "both"):
            product = Product.search([("barcode", "=", barcode)] + company, limit=1)
            if product:
                return product, listing
        if sku and self.sync_listings_on in ("sku", "both"):
            product = Product.search([("default_code", "=", sku)] + company, limit=1)
            if product:
                return product, listing
        return Product.browse(), listing

    # orders ----------------------------------------------------------------------------------
    def _queue_order(self, line, payload, log):
        """An order payload -> sale.order: the connector's `map_order` hook turns its raw order
        into the neutral one (schemas.order.Order); a generic instance queues neutral orders."""
        mapper = self._hook("map_order")
        order = NeutralOrder.model_validate(mapper(payload) if mapper else payload)
        return self.env["marketplace.order.service"]._import(self, order, log)

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
            self.anonymous_partner_id = self.env["res.partner"].create({
                "name": _("%s Customer", self.name), "company_id": self.company_id.id,
                **self.env["res.partner"]._marketplace_receivable(self),
            })
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
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        return currency.id

    def _pricelist_for(self, code):
        """The pricelist of orders in that currency (see marketplace.order.service)."""
        return self.env["marketplace.order.service"]._pricelist_for(self, code)

    def _special_product(self, kind, code=None):
        """Product of a non-catalogue line: the instance's choice, else the suite's default.

        A shipping or gift wrap code that matches an internal reference picks that product."""
        if code:
            product = self.env["product.product"].search(
                [("default_code", "=", code), ("company_id", "in", (False, self.company_id.id))], limit=1)
            if product:
                return product
        configured = {
            "delivery": self.delivery_product_id,
            "gift_wrap": self.gift_wrap_product_id,
            "discount": self.discount_product_id,
            "gift_certificate": self.gift_certificate_product_id,
            "custom": self.custom_product_id,
            "custom_storable": self.custom_storable_product_id,
            "default": self.default_product_id,
            "fee": self.env["product.product"],  # the suite's Fee product
        }[kind]
        return configured or self._suite_product(kind)

    def _suite_product(self, kind):
        """The suite's own product of a kind (asked for every order line: the cached id, without
        the query env.ref makes to check that the record exists)."""
        product_id = self.env["ir.model.data"]._xmlid_to_res_id("marketplace_base.product_marketplace_%s" % kind)
        return self.env["product.product"].browse(product_id)

    def _fallback_products(self):
        return self._special_product("default") | self._suite_product("default")

    def _order_line_product(self, line, fulfilment="merchant"):
        """The product of an order line (schemas.order.Line); never nothing, so that no order is
        dropped: unmatched items land on the default product, keeping their name and SKU."""
        if line.custom:
            return self._special_product("custom_storable" if line.storable else "custom")
        product, listing = self._resolve_product(line.sku, line.barcode, line.product_external_id)
        if listing:
            return product
        if not product and self.create_products and (line.sku or line.barcode):
            product = self._create_product(line.name, line.sku, line.barcode, line.unit_price)
        if not product:
            return self._special_product("default")
        self.env["marketplace.listing"]._bind(self, product, sku=line.sku, barcode=line.barcode,
                                              external_id=line.product_external_id, name=line.name,
                                              fulfilment=fulfilment)
        return product

    def _create_product(self, name, sku=None, barcode=None, price=0.0):
        """A storable product for a marketplace item no product matches ("Create Odoo Products?"),
        the instance's company's."""
        return self.env["product.product"].create({
            "name": name or sku or barcode,
            "default_code": sku or False,
            "barcode": barcode or False,
            "type": "product",
            "list_price": price or 0.0,
            "company_id": self.company_id.id,
        })

    def _marketplace_tax(self, rate, price_include):
        """The Odoo sale tax of a marketplace tax rate (see marketplace.tax.service)."""
        return self.env["marketplace.tax.service"]._marketplace_tax(self, rate, price_include)
