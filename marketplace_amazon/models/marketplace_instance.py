from datetime import timedelta

from dateutil.parser import isoparse

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import ExportStatus, InventoryLine, OrderHeader, OrderPage

from ..adapter.client import FEED_DONE_STATUSES, MAX_FEED_MESSAGES, AmazonClient
from ..adapter.mapping import ALL_IMPORT_STATUSES, is_importable, shipment_package, to_neutral_order

MANAGER = "marketplace_base.group_marketplace_manager"
CREDENTIALS = ("amazon_refresh_token", "amazon_lwa_client_id", "amazon_lwa_client_secret")


class MarketplaceInstance(models.Model):
    """An Amazon seller account: its settings and the hooks through which the engine's jobs
    speak the SP-API (see the README, "The connector contract")."""

    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("amazon", "Amazon")], ondelete={"amazon": "cascade"})
    amazon_seller_id = fields.Char(string="Seller ID", help="Merchant token of the seller account.")
    amazon_region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")], string="Region", default="eu"
    )
    amazon_refresh_token = fields.Char(string="Authorization Token", groups=MANAGER, copy=False,
                                       help="The LWA refresh token of the authorization.")
    amazon_lwa_client_id = fields.Char(string="LWA Client ID", groups=MANAGER, copy=False)
    amazon_lwa_client_secret = fields.Char(string="LWA Client Secret", groups=MANAGER, copy=False)
    amazon_home_marketplace_id = fields.Many2one("amazon.marketplace", string="Home Marketplace")
    amazon_available_marketplace_ids = fields.Many2many(
        "amazon.marketplace", "marketplace_instance_amazon_available_rel", "instance_id", "marketplace_id",
        string="Available Marketplaces", readonly=True,
        help="Where the seller account may sell, as Amazon reports it.",
    )
    amazon_marketplace_ids = fields.Many2many(
        "amazon.marketplace", "marketplace_instance_amazon_sync_rel", "instance_id", "marketplace_id",
        string="Synchronized Marketplaces",
        domain="[('id', 'in', amazon_available_marketplace_ids)]",
        help="Remove the marketplaces whose orders and stock this account must not synchronize.",
    )

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + list(CREDENTIALS)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("marketplace") == "amazon":
                for field, xmlid in (("default_product_id", "product_amazon_sale"),
                                     ("delivery_product_id", "product_amazon_shipping")):
                    vals.setdefault(field, self.env.ref("marketplace_amazon.%s" % xmlid).id)
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        # New credentials on a live account are checked at once: Amazon's refusal stops the save.
        if set(CREDENTIALS) & set(vals):
            for instance in self.filtered(lambda i: i.marketplace == "amazon" and i.state == "confirmed"):
                instance._call_connector("test_connection")
        return res

    def _amazon_home(self):
        return self.amazon_home_marketplace_id or self.amazon_marketplace_ids[:1]

    # account -----------------------------------------------------------------------------------
    def _amazon_jobs(self):
        return ["import_orders", "export_shipments", "import_inventory", "export_inventory", "export_prices",
                "check_results"]

    def _amazon_client(self):
        self.ensure_one()
        account = self.sudo()
        if not all(account[f] for f in CREDENTIALS):
            raise UserError(_("Fill in the authorization token and the LWA client id and secret of %s.", self.name))
        params = self.env["ir.config_parameter"].sudo()
        return AmazonClient(
            refresh_token=account.amazon_refresh_token,
            lwa_client_id=account.amazon_lwa_client_id,
            lwa_client_secret=account.amazon_lwa_client_secret,
            region=self.amazon_region or "eu",
            endpoint=self.api_base_url or None,
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
        self.marketplace_warehouse_id = self.marketplace_warehouse_id or self.env["amazon.marketplace"]._warehouse(self)
        self.team_id = self.team_id or self.env["amazon.marketplace"]._team(self)

    def action_amazon_update_marketplaces(self):
        """Fill the available marketplaces from the seller's participations."""
        for instance in self:
            participations = instance._call_connector("test_connection")
            self.env["amazon.marketplace"]._update_account(instance, participations)
        return True

    # orders ------------------------------------------------------------------------------------
    def _amazon_fetch_orders(self, client, since, token):
        """One getOrders page of the synchronized marketplaces; FBA orders only once Amazon
        shipped or cancelled them."""
        if not self.amazon_marketplace_ids:
            raise UserError(_("Select the marketplaces to synchronize on %s.", self.name))
        page = client.orders_page(self.amazon_marketplace_ids.mapped("api_ref"), since, next_token=token,
                                  order_statuses=ALL_IMPORT_STATUSES)
        return OrderPage(orders=[self._amazon_header(o) for o in page["orders"] if is_importable(o)],
                         next_token=page["next_token"], safe_until=page["safe_until"])

    def _amazon_fetch_order(self, client, reference):
        return self._amazon_header(client.order(reference))

    @staticmethod
    def _amazon_header(order):
        updated = order.get("LastUpdateDate")
        return OrderHeader(reference=order["AmazonOrderId"], updated_at=isoparse(updated) if updated else None,
                           raw=order)

    def _amazon_order_details(self, client, header):
        return {"order": header.raw, "items": client.order_items(header.reference)}

    def _amazon_map_order(self, payload):
        order = payload.get("order") or {}
        site = self.env["amazon.marketplace"].search([("api_ref", "=", order.get("MarketplaceId"))], limit=1)
        return to_neutral_order(order, payload.get("items") or [],
                                prices_include_tax=site.prices_include_tax if site else True,
                                anonymous_name=_("%s Customer", site.name or "Amazon"))

    # shipments ---------------------------------------------------------------------------------
    def _amazon_send_shipment(self, client, picking):
        client.confirm_shipment(**self._amazon_shipment(picking))

    def _amazon_shipment_sent(self, client, picking):
        """Whether Amazon already counts this delivery's items as shipped."""
        shipped = client.shipped_quantities(picking.sale_id.marketplace_order_ref)
        before = picking._marketplace_items_exported_before()
        return all(shipped.get(ref, 0) >= before.get(ref, 0) + quantity
                   for ref, quantity in picking._marketplace_items().items())

    def _amazon_shipment(self, picking):
        """confirmShipment arguments of a delivery; a missing tracking number stops it here."""
        if not picking.carrier_tracking_ref:
            raise UserError(_("Amazon requires a tracking number: set one on %s.", picking.name))
        items = [{"order_item_id": ref, "quantity": int(quantity)}
                 for ref, quantity in picking._marketplace_items().items()]
        if not items:
            raise UserError(_("%s ships no Amazon order item.", picking.name))
        sale = picking.sale_id
        return {
            "order_id": sale.marketplace_order_ref,
            "marketplace_id": sale.marketplace_site_ref or self._amazon_home().api_ref,
            "package": shipment_package(picking.id, picking.carrier_id.name or _("Self Delivery"),
                                        picking.carrier_tracking_ref, picking.date_done, items),
        }

    # stock and prices ----------------------------------------------------------------------------
    def _amazon_export_batch_size(self, kind):
        return MAX_FEED_MESSAGES

    def _amazon_prepare_prices(self, wanted, currency, log):
        """Prices in the home marketplace's currency, at the company's rates."""
        target = self._amazon_home().country_id.currency_id or self.currency_id
        today = fields.Date.context_today(self)
        return {listing: round(currency._convert(value, target, self.company_id, today), 2)
                for listing, value in wanted.items() if listing.sku}

    def _amazon_feed_messages(self, client, kind, values):
        """The feed's messages, numbered in listing order (so results map back by messageId)."""
        currency = (self._amazon_home().country_id.currency_id or self.currency_id).name
        listings = sorted((l for l in values if l.sku), key=lambda l: l.id)
        if kind == "stock":
            return [client.stock_message(l.sku, values[l], i + 1) for i, l in enumerate(listings)]
        return [client.price_message(l.sku, values[l], currency, i + 1, marketplace_id=self._amazon_home().api_ref)
                for i, l in enumerate(listings)]

    def _amazon_send_export(self, client, kind, values):
        """A JSON_LISTINGS_FEED; stock is one figure for every synchronized marketplace, prices
        are those of the home marketplace."""
        home = self._amazon_home()
        marketplaces = (home | self.amazon_marketplace_ids) if kind == "stock" else home
        return client.submit_listings_feed(self.amazon_seller_id, marketplaces.mapped("api_ref"),
                                           self._amazon_feed_messages(client, kind, values))

    def _amazon_find_export(self, client, export):
        """The feed created for an export whose answer was lost, if Amazon has it."""
        known = set(self.env["marketplace.export"].search([("instance_id", "=", self.id)]).mapped("name"))
        since = export.create_date - timedelta(minutes=1)
        feeds = [f for f in client.recent_feeds("JSON_LISTINGS_FEED", since) if f.get("feedId") not in known]
        return feeds[0]["feedId"] if feeds else None

    def _amazon_read_export(self, client, export):
        status = client.feed_status(export.name)
        state = status.get("processingStatus")
        if state not in FEED_DONE_STATUSES:
            return ExportStatus(status=state)
        if state != "DONE":
            return ExportStatus(status=state, finished=True,
                                error=_("Amazon could not process feed %(feed)s (%(status)s).", feed=export.name,
                                        status=state))
        # The messages as sent: numbered in listing id order (see _amazon_feed_messages).
        listings = self.env["marketplace.listing"].browse(sorted(export._sent())).exists().filtered("sku")
        messages = [{"messageId": i + 1, "sku": l.sku} for i, l in enumerate(listings)]
        by_sku = {l.sku: l.id for l in listings}
        results = client.feed_results(export.name, messages)
        return ExportStatus(status=state, finished=True, results={
            by_sku[sku]: "; ".join(r["errors"]) or _("Rejected by Amazon.")
            for sku, r in results.items() if sku in by_sku and r["status"] != "accepted"})

    def _amazon_read_inventory(self, client):
        """FBA stock of the home marketplace, fulfillable units."""
        for summary in client.inventory_summaries(self._amazon_home().api_ref):
            details = summary.get("inventoryDetails") or {}
            yield InventoryLine(sku=summary.get("sellerSku"),
                                quantity=details.get("fulfillableQuantity", summary.get("totalQuantity", 0)) or 0)
