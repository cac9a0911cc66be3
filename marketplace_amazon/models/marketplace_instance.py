from dateutil.parser import isoparse

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import InventoryLine, OrderHeader, OrderPage

from ..adapter.client import MAX_FEED_MESSAGES, V0, V2026, AmazonClient
from ..adapter.mapping import (
    ALL_IMPORT_STATUSES,
    is_importable,
    order_header,
    payload_to_neutral,
    to_neutral_listing,
)

MANAGER = "marketplace_base.group_marketplace_manager"
CREDENTIALS = ("amazon_refresh_token", "amazon_lwa_client_id", "amazon_lwa_client_secret")
DEFAULTS = (
    ("default_product_id", "product_amazon_sale"),
    ("delivery_product_id", "product_amazon_shipping"),
    ("gift_wrap_product_id", "product_amazon_gift_wrap"),
)


def order_header_of(raw, version):
    """The engine's OrderHeader of an order of either Orders API version."""
    reference, updated, _order = order_header(raw, version)
    return OrderHeader(reference=reference, updated_at=isoparse(updated) if updated else None, raw=raw)


class MarketplaceInstance(models.Model):
    """An Amazon seller account: its settings and the hooks through which the engine's jobs
    speak the SP-API (see the README, "The connector contract")."""

    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("amazon", "Amazon")], ondelete={"amazon": "cascade"})
    amazon_seller_id = fields.Char(string="Seller ID", help="Merchant token of the seller account.")
    amazon_region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")], string="Region", default="eu"
    )
    amazon_refresh_token = fields.Char(
        string="Authorization Token",
        groups=MANAGER,
        copy=False,
        help="The LWA refresh token of the authorization.",
    )
    amazon_lwa_client_id = fields.Char(string="LWA Client ID", groups=MANAGER, copy=False)
    amazon_lwa_client_secret = fields.Char(string="LWA Client Secret", groups=MANAGER, copy=False)
    amazon_home_marketplace_id = fields.Many2one("amazon.marketplace", string="Home Marketplace")
    amazon_available_marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "marketplace_instance_amazon_available_rel",
        "instance_id",
        "marketplace_id",
        string="Available Marketplaces",
        readonly=True,
        help="Where the seller account may sell, as Amazon reports it (read again at each order import).",
    )
    amazon_marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "marketplace_instance_amazon_sync_rel",
        "instance_id",
        "marketplace_id",
        string="Synchronized Marketplaces",
        domain="[('id', 'in', amazon_available_marketplace_ids)]",
        help="Remove the marketplaces whose orders and stock this account must not synchronize.",
    )
    amazon_orders_api = fields.Selection(
        [
            (V2026, "Orders API 2026-01-01 (orders with their items)"),
            (V0, "Orders API v0 (one call per order)"),
        ],
        string="Orders API",
        default=V2026,
        help="2026-01-01 reads 100 orders with their items in one call; v0 needs one more call per order "
        "(0.5 per second). An account Amazon refuses 2026-01-01 is read with v0 (the job log says so).",
    )

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + list(CREDENTIALS)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("marketplace") == "amazon":
                for field, xmlid in DEFAULTS:
                    vals.setdefault(field, self.env.ref("marketplace_amazon.%s" % xmlid).id)
                vals.setdefault("create_company_contact", True)  # Amazon Business buyers under their company
        return super().create(vals_list)

    def _home_amazon_marketplace(self):
        return self.amazon_home_marketplace_id or self.amazon_marketplace_ids[:1]

    def _amazon_site_name(self, site_ref):
        """Orders show Amazon.de, not A1PA6795UKMFR9."""
        return self.env["amazon.marketplace"].search([("api_ref", "=", site_ref)], limit=1).name

    # account -----------------------------------------------------------------------------------
    def _amazon_jobs(self):
        return [
            "import_orders",
            "export_shipments",
            "import_inventory",
            "export_inventory",
            "export_prices",
            "check_results",
            "import_listings",
            "import_settlements",
        ]

    def _amazon_client(self):
        self.ensure_one()
        account = self.sudo()  # sudo: the credentials, read into the client only (managers only read them)
        if not all(account[f] for f in CREDENTIALS):
            raise UserError(
                _("Fill in the authorization token and the LWA client id and secret of %s.", self.name)
            )
        params = self.env["ir.config_parameter"].sudo()  # sudo: system parameters, read only
        return AmazonClient(
            refresh_token=account.amazon_refresh_token,
            lwa_client_id=account.amazon_lwa_client_id,
            lwa_client_secret=account.amazon_lwa_client_secret,
            region=self.amazon_region or "eu",
            endpoint=account.api_base_url or None,
            rate_scale=float(params.get_param("marketplace_amazon.rate_scale", "1") or 1),
            max_wait=float(params.get_param("marketplace_amazon.max_wait", "300") or 300),
        )

    def _amazon_test_connection(self):
        participations = self._amazon_client().participations()
        if not participations:
            raise UserError(_("Amazon accepted the credentials but the account sells on no marketplace."))
        return participations

    def _amazon_confirm(self):
        """Check the credentials, fill the marketplaces, and set the account's defaults."""
        self.action_amazon_update_marketplaces()
        Marketplace = self.env["amazon.marketplace"]
        self.marketplace_warehouse_id = self.marketplace_warehouse_id or Marketplace._warehouse(self)
        self.team_id = self.team_id or Marketplace._team(self)

    def action_amazon_update_marketplaces(self):
        """Fill the available marketplaces from the seller's participations."""
        self.env["marketplace.access"]._check(self, "manager", "write")
        for instance in self:
            participations = instance._call_connector("test_connection")
            self.env["amazon.marketplace"]._update_account(instance, participations)
        return True

    # orders ------------------------------------------------------------------------------------
    def _amazon_fetch_orders(self, client, since, token):
        """One page of the synchronized marketplaces' orders (FBA ones only once Amazon shipped or
        cancelled them), with the account's Orders API; the marketplaces are read again first."""
        if token is None:
            self.env["amazon.marketplace"]._refresh_account(self, client)
        if not self.amazon_marketplace_ids:
            raise UserError(_("Select the marketplaces to synchronize on %s.", self.name))
        page = client.import_page(
            self.amazon_marketplace_ids.mapped("api_ref"),
            since,
            token,
            ALL_IMPORT_STATUSES,
            preferred=self.amazon_orders_api or V2026,
        )
        version = client.orders_version
        return OrderPage(
            orders=[
                order_header_of(raw, version)
                for raw in page["orders"]
                if is_importable(order_header(raw, version)[2])
            ],
            next_token=page["next_token"],
            safe_until=page["safe_until"],
        )

    def _amazon_fetch_order(self, client, reference):
        version = self.amazon_orders_api or V2026
        return order_header_of(client.order(reference, version), version)

    def _amazon_order_details(self, client, header):
        if "orderId" in header.raw:  # 2026-01-01: the order came with its items
            return {"version": V2026, "order": header.raw}
        return {"order": header.raw, "items": client.order_items(header.reference)}

    def _amazon_map_order(self, payload):
        site = self.env["amazon.marketplace"]._for_payload(payload)
        return payload_to_neutral(payload, site.prices_include_tax if site else None)

    # shipments ---------------------------------------------------------------------------------
    def _amazon_send_shipment(self, client, picking):
        client.confirm_shipment(**self.env["amazon.shipment"]._arguments(self, picking))

    def _amazon_shipment_sent(self, client, picking):
        return self.env["amazon.shipment"]._already_shipped(client, picking)

    def _amazon_order_status(self, client, picking):
        """Known from the confirmation, without a call (getOrder is paced at one a minute):
        Amazon moves the order as its items are confirmed."""
        return "Shipped" if picking._marketplace_order_fully_shipped() else "PartiallyShipped"

    # stock, prices and listings ------------------------------------------------------------------
    def _amazon_export_batch_size(self, kind):
        return MAX_FEED_MESSAGES

    def _amazon_prepare_prices(self, wanted, currency, log):
        """Prices as the home marketplace shows them (see amazon.marketplace._prices_as_shown)."""
        return self._home_amazon_marketplace()._prices_as_shown(self, wanted, currency, log)

    def _amazon_send_export(self, client, kind, values):
        return self.env["amazon.feed"]._submit(self, client, kind, values)

    def _amazon_find_export(self, client, export):
        return self.env["amazon.feed"]._find_lost(self, client, export)

    def _amazon_read_export(self, client, export):
        return self.env["amazon.feed"]._results(self, client, export)

    def _amazon_read_inventory(self, client):
        """FBA stock of the home marketplace, fulfillable units."""
        for summary in client.inventory_summaries(self._home_amazon_marketplace().api_ref):
            details = summary.get("inventoryDetails") or {}
            yield InventoryLine(
                sku=summary.get("sellerSku"),
                quantity=details.get("fulfillableQuantity", summary.get("totalQuantity", 0)) or 0,
            )

    def _amazon_read_listings(self, client):
        """The seller's listings items of the home marketplace (searchListingsItems), a page of
        neutral listings at a time."""
        home = self._home_amazon_marketplace().api_ref
        for items in client.iter_listings(self.amazon_seller_id, [home]):
            yield [to_neutral_listing(item, marketplace_id=home) for item in items]
