import json
import os
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.schemas.order import Order as NeutralOrder

from ..adapter.client import AmazonClient, AmazonError
from ..adapter.mapping import to_neutral_order


MANAGER = "marketplace_base.group_marketplace_manager"
# FBA orders are imported once Amazon shipped or cancelled them; FBM orders as soon as they can ship.
IMPORT_STATUSES = ["Unshipped", "PartiallyShipped", "Shipped", "Canceled"]
FBA_STATUSES = ("Shipped", "Canceled")
# Amazon asks LastUpdatedAfter to stay two minutes behind its clock: the next run starts there.
ORDER_SYNC_LAG = timedelta(minutes=2)
FEED_MESSAGES = 10000  # messages per JSON_LISTINGS_FEED
# Carriers Amazon knows by code; any other carrier is sent as "Other" with its exact name.
AMAZON_CARRIERS = {
    c.lower(): c for c in (
        "UPS", "USPS", "FedEx", "DHL", "DHL eCommerce", "Royal Mail", "Parcelforce", "DPD", "Hermes",
        "GLS", "TNT", "Chronopost", "Colissimo", "La Poste", "Deutsche Post", "PostNL", "Poste Italiane",
        "SEUR", "Correos", "Canada Post", "Australia Post", "Japan Post", "Yamato Transport", "Amazon Shipping",
    )
}


class MarketplaceInstance(models.Model):
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
    amazon_last_order_sync = fields.Datetime(
        string="Last Order Sync", copy=False,
        help="Orders changed on Amazon after this moment are imported at the next run; set it "
        "back (developer mode) to synchronize older orders again, without duplicates.",
    )
    amazon_feed_ids = fields.One2many("amazon.feed", "instance_id", string="Feeds")

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + [
            "amazon_refresh_token", "amazon_lwa_client_id", "amazon_lwa_client_secret"
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("marketplace") == "amazon":
                for field, xmlid in (("default_product_id", "product_amazon_sale"),
                                     ("delivery_product_id", "product_amazon_shipping")):
                    if not vals.get(field):
                        vals[field] = self.env.ref("marketplace_amazon.%s" % xmlid).id
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        # New credentials on a live account are checked at once: Amazon's refusal stops the save.
        if {"amazon_refresh_token", "amazon_lwa_client_id", "amazon_lwa_client_secret"} & set(vals):
            for instance in self.filtered(lambda i: i.marketplace == "amazon" and i.state == "confirmed"):
                instance._amazon_test_connection()
        return res

    # connection ----------------------------------------------------------------------------------
    def _amazon_client(self):
        self.ensure_one()
        account = self.sudo()
        if not (account.amazon_refresh_token and account.amazon_lwa_client_id and account.amazon_lwa_client_secret):
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

    def _amazon_call(self, method, *args, **kwargs):
        """Call the adapter; Amazon's refusals become readable errors without credentials."""
        try:
            return method(*args, **kwargs)
        except AmazonError as err:
            raise UserError(_("Amazon answered: %s", self._scrub(str(err)))) from None

    def _amazon_test_connection(self):
        participations = self._amazon_call(self._amazon_client().participations)
        if not participations:
            raise UserError(_("Amazon accepted the credentials but the account sells on no marketplace."))
        return participations

    def _amazon_confirm(self):
        """Check the credentials, fill the marketplaces, and set the account's defaults."""
        self.action_amazon_update_marketplaces()
        if not self.marketplace_warehouse_id:
            self.marketplace_warehouse_id = self._amazon_default_warehouse()
        if not self.team_id:
            self.team_id = self._amazon_default_team()
        if not self.amazon_last_order_sync:
            self.amazon_last_order_sync = fields.Datetime.now() - timedelta(days=3)

    def action_amazon_update_marketplaces(self):
        """Fill the available marketplaces from the seller's participations; new ones are
        synchronized until the user removes them. Marketplaces unknown here are skipped (a
        developer adds them as records, and they appear at the next update)."""
        for instance in self:
            participations = instance._amazon_test_connection()
            ids = [p["marketplace"]["id"] for p in participations
                   if p.get("participation", {}).get("isParticipating", True)]
            available = self.env["amazon.marketplace"].search([("api_ref", "in", ids)])
            new = available - instance.amazon_available_marketplace_ids
            instance.write({
                "amazon_available_marketplace_ids": [(6, 0, available.ids)],
                "amazon_marketplace_ids": [(4, m.id) for m in new]
                + [(3, m.id) for m in instance.amazon_marketplace_ids - available],
            })
            if not instance.amazon_home_marketplace_id and available:
                instance.amazon_home_marketplace_id = available[:1]
        return True

    def _amazon_default_warehouse(self):
        """Amazon's stock of the company lives in one warehouse shared by its accounts."""
        Warehouse = self.env["stock.warehouse"]
        return Warehouse.search([("company_id", "=", self.company_id.id), ("code", "=", "AMZN")], limit=1) \
            or Warehouse.create({"name": _("Amazon"), "code": "AMZN", "company_id": self.company_id.id})

    def _amazon_default_team(self):
        Team = self.env["crm.team"]
        return Team.search([("name", "=", "Amazon"), ("company_id", "in", (False, self.company_id.id))], limit=1) \
            or Team.create({"name": "Amazon", "company_id": self.company_id.id})

    # orders ------------------------------------------------------------------------------------------
    def _amazon_import_orders(self, log):
        """Queue every order changed since Last Order Sync, then move the cursor.

        Orders are queued (and, under a cron, committed) page after page; the cursor moves only
        when every page was read, so an interrupted run starts again where it began, and the
        orders it had queued are not queued twice."""
        if not self.amazon_marketplace_ids:
            raise UserError(_("Select the marketplaces to synchronize on %s.", self.name))
        client = self._amazon_client()
        started = fields.Datetime.now()
        since = self.amazon_last_order_sync or started - timedelta(days=3)
        queue = None
        batch = []
        try:
            for order in client.iter_orders(self.amazon_marketplace_ids.mapped("api_ref"), since,
                                            order_statuses=IMPORT_STATUSES):
                if not self._amazon_wanted(order):
                    continue
                batch.append((order["AmazonOrderId"], {"order": order, "items": client.order_items(order["AmazonOrderId"])}))
                if len(batch) >= self.queue_batch_limit:
                    queue = self._amazon_enqueue(batch, queue, log)
                    batch = []
        except AmazonError as err:
            self._amazon_enqueue(batch, queue, log)
            log._add("error", _("Order import stopped, Last Order Sync kept at %(since)s: %(error)s",
                                since=since, error=self._scrub(str(err))))
            return
        finally:
            log.write({"api_calls": client.calls, "throttled_calls": client.throttled})
        self._amazon_enqueue(batch, queue, log)
        self.amazon_last_order_sync = max(since, started - ORDER_SYNC_LAG)

    def _amazon_wanted(self, order):
        """FBA orders only once shipped or cancelled; an order already queued in this status
        (imported, skipped or waiting) needs no new download."""
        if order.get("FulfillmentChannel") == "AFN" and order.get("OrderStatus") not in FBA_STATUSES:
            return False
        status = order.get("OrderStatus")
        seen = self.env["marketplace.queue.line"].search_count([
            ("instance_id", "=", self.id), ("kind", "=", "order"), ("name", "=", order["AmazonOrderId"]),
            ("state", "in", ("draft", "done")), ("payload", "like", '"OrderStatus": "%s"' % status),
        ])
        return not seen

    def _amazon_enqueue(self, batch, queue, log):
        if batch:
            queue = self.env["marketplace.queue"]._enqueue(self, "order", batch, queue=queue) or queue
            log._add("info", _("%s orders queued.", len(batch)))
            self._maybe_commit()
        return queue

    def _amazon_queue_order(self, line, payload, log):
        order = payload.get("order") or {}
        marketplace = self.env["amazon.marketplace"].search([("api_ref", "=", order.get("MarketplaceId"))], limit=1)
        neutral = to_neutral_order(
            order, payload.get("items") or [],
            prices_include_tax=marketplace.prices_include_tax if marketplace else True,
            anonymous_name=_("%s Customer", marketplace.name or "Amazon"),
        )
        return self.env["marketplace.order.service"]._import(self, NeutralOrder.model_validate(neutral), log)

    def _amazon_recover_order(self, reference):
        """Import one order by its Amazon reference, whatever Last Order Sync says."""
        client = self._amazon_client()
        order = self._amazon_call(client.order, reference)
        items = self._amazon_call(client.order_items, reference)
        with self._job_log("import_orders") as log:
            queue = self.env["marketplace.queue"]._enqueue(self, "order", [(reference, {"order": order, "items": items})])
            if queue:
                self._process_queues(log, queue.line_ids.ids)
        return self.env["sale.order"].search(
            [("marketplace_instance_id", "=", self.id), ("marketplace_order_ref", "=", reference)], limit=1)

    # shipments -------------------------------------------------------------------------------------
    def _amazon_export_shipments(self, log, pickings=None):
        """confirmShipment for each validated FBM delivery (each backorder on its own)."""
        if pickings is None:
            pickings = self.env["stock.picking"].search([
                ("marketplace_instance_id", "=", self.id), ("marketplace_export_state", "=", "pending"),
                ("state", "=", "done"), ("picking_type_code", "=", "outgoing"),
            ])
        if not pickings:
            return
        client = self._amazon_client()
        failures = []
        for picking in pickings:
            try:
                client.confirm_shipment(**self._amazon_shipment(picking))
            except (AmazonError, UserError) as err:
                message = self._scrub(str(err.args[0] if isinstance(err, UserError) else err))
                picking.write({"marketplace_export_state": "failed", "marketplace_export_error": message})
                picking.sale_id._amazon_flag_sync_failure()
                failures.append((picking, message))
                log._add("error", _("%(picking)s: %(error)s", picking=picking.name, error=message), record=picking)
            else:
                picking.write({"marketplace_export_state": "exported", "marketplace_export_error": False})
                log._add("success", _("%s confirmed to Amazon.", picking.name), record=picking)
            self._maybe_commit()
        if failures:
            self._amazon_mail_failures(failures)

    def _amazon_shipment(self, picking):
        """confirmShipment arguments of a delivery; a missing tracking number stops it here."""
        sale = picking.sale_id
        if not picking.carrier_tracking_ref:
            raise UserError(_("Amazon requires a tracking number: set one on %s.", picking.name))
        carrier = picking.carrier_id.name or _("Self Delivery")
        items = [
            {"order_item_id": move.sale_line_id.marketplace_line_ref, "quantity": int(move.quantity)}
            for move in picking.move_ids
            if move.sale_line_id.marketplace_line_ref and move.quantity
        ]
        if not items:
            raise UserError(_("%s ships no Amazon order item.", picking.name))
        return {
            "order_id": sale.marketplace_order_ref,
            "marketplace_id": sale.marketplace_site_ref or self.amazon_home_marketplace_id.api_ref,
            "package": {
                "package_reference_id": str(picking.id),
                "carrier_code": AMAZON_CARRIERS.get(carrier.lower(), "Other"),
                "carrier_name": carrier,
                "shipping_method": picking.carrier_id.name or "",
                "tracking_number": picking.carrier_tracking_ref,
                "ship_date": picking.date_done,
                "items": items,
            },
        }

    def _amazon_mail_failures(self, failures):
        """One mail to the responsible user listing every shipment Amazon refused."""
        user = self.activity_user_id or self.user_id
        if not user.partner_id:
            return
        rows = "".join("<li><b>%s</b> (%s): %s</li>" % (p.name, p.sale_id.name, msg) for p, msg in failures)
        self.env["mail.mail"].sudo().create({
            "subject": _("%(instance)s: %(count)s shipments not confirmed to Amazon",
                         instance=self.name, count=len(failures)),
            "body_html": "<p>%s</p><ul>%s</ul>" % (
                _("Amazon refused these shipments. Fix them, then use Retry Amazon Sync on the order."), rows),
            "recipient_ids": [(6, 0, user.partner_id.ids)],
            "auto_delete": False,
        })

    # stock and prices ------------------------------------------------------------------------------
    def _amazon_export_inventory(self, log):
        """Send FBM offers whose quantity changed since the last accepted export."""
        listings = self.env["marketplace.listing"].search([
            ("instance_id", "=", self.id), ("fulfilment", "=", "merchant"), ("sku", "!=", False),
        ])
        quantities = listings.product_id._marketplace_export_quantities(self.warehouse_id, self.stock_basis)
        wanted = {l.sku: int(quantities.get(l.product_id.id, 0)) for l in listings}
        self._amazon_send_feeds("stock", wanted, {l.sku: l.exported_qty for l in listings}, listings, log)

    def _amazon_export_prices(self, log):
        """Prices of the offers in the home marketplace's currency, from the pricelist or the
        sale price as the instance says."""
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.id), ("sku", "!=", False)])
        products = listings.product_id
        if self.export_sale_price or not self.pricelist_id:
            source, prices = self.company_id.currency_id, {p.id: p.lst_price for p in products}
        else:
            source, prices = self.pricelist_id.currency_id, self.pricelist_id._get_products_price(products, 1.0)
        target = self._amazon_price_currency()
        today = fields.Date.context_today(self)
        wanted = {
            l.sku: round(source._convert(prices.get(l.product_id.id, 0.0), target, self.company_id, today), 2)
            for l in listings
        }
        self._amazon_send_feeds("price", wanted, {l.sku: l.exported_price for l in listings}, listings, log)

    def _amazon_send_feeds(self, kind, wanted, exported, listings, log):
        """One feed per FEED_MESSAGES changed SKUs; a SKU already on its way with the same
        value, or accepted with it, is not sent again."""
        on_the_way = {}
        for feed in self.amazon_feed_ids.filtered(lambda f: f.kind == kind and f.state == "pending"):
            on_the_way.update(feed._sent())
        synced = {l.sku for l in listings if l.sync_state == "synced"}
        changed = {sku: value for sku, value in wanted.items()
                   if on_the_way.get(sku) != value and not (sku in synced and exported.get(sku) == value)}
        if not changed:
            log._add("info", _("No %s change to send.", kind))
            return
        client = self._amazon_client()
        currency = self._amazon_price_currency().name
        home = (self.amazon_home_marketplace_id or self.amazon_marketplace_ids[:1]).api_ref
        skus = sorted(changed)
        for start in range(0, len(skus), FEED_MESSAGES):
            chunk = skus[start:start + FEED_MESSAGES]
            if kind == "stock":
                messages = [client.stock_message(sku, changed[sku], i + 1) for i, sku in enumerate(chunk)]
            else:
                messages = [client.price_message(sku, changed[sku], currency, i + 1, marketplace_id=home)
                            for i, sku in enumerate(chunk)]
            feed_id = self._amazon_call(client.submit_listings_feed, self.amazon_seller_id,
                                        self._amazon_feed_marketplaces(kind), messages)
            self.env["amazon.feed"].create({
                "name": feed_id, "instance_id": self.id, "kind": kind,
                "values": json.dumps({sku: changed[sku] for sku in chunk}),
            })
            listings.filtered(lambda l: l.sku in set(chunk)).write({"sync_state": "pending"})
            log._add("success", _("Feed %(feed)s sent: %(count)s %(kind)s updates.", feed=feed_id, count=len(chunk), kind=kind))
            self._maybe_commit()

    def _amazon_price_currency(self):
        home = self.amazon_home_marketplace_id or self.amazon_marketplace_ids[:1]
        return home.country_id.currency_id or self.currency_id

    def _amazon_feed_marketplaces(self, kind):
        """Stock is one figure for every synchronized marketplace; prices are in the currency of
        the home marketplace."""
        home = self.amazon_home_marketplace_id or self.amazon_marketplace_ids[:1]
        if kind == "stock":
            return (home | self.amazon_marketplace_ids).mapped("api_ref")
        return home.mapped("api_ref")

    def _amazon_check_results(self, log):
        """Poll the feeds Amazon has not finished; record each SKU's result on its offer."""
        feeds = self.amazon_feed_ids.filtered(lambda f: f.state == "pending")
        if not feeds:
            return
        client = self._amazon_client()
        for feed in feeds:
            status = self._amazon_call(client.feed_status, feed.name)
            feed.amazon_status = status.get("processingStatus") or status.get("status")
            if feed.amazon_status == "DONE":
                feed._apply_results(self._amazon_call(client.feed_results, feed.name), log)
            elif feed.amazon_status in ("CANCELLED", "FATAL"):
                feed._fail(feed.amazon_status, log)
            self._maybe_commit()

    def _amazon_import_inventory(self, log):
        """FBA stock into the account's Amazon warehouse, as an inventory adjustment."""
        if not self.marketplace_warehouse_id:
            raise UserError(_("Set the Amazon (FBA) warehouse of %s.", self.name))
        client = self._amazon_client()
        marketplace = self.amazon_home_marketplace_id or self.amazon_marketplace_ids[:1]
        summaries = self._amazon_call(lambda: list(client.inventory_summaries(marketplace.api_ref)))
        listings = self.env["marketplace.listing"].search([("instance_id", "=", self.id), ("sku", "!=", False)])
        by_sku = {l.sku: l.product_id for l in listings}
        quantities = {}
        for summary in summaries:
            product = by_sku.get(summary.get("sellerSku"))
            if not product:
                log._add("error", _("FBA SKU %s matches no offer: skipped.", summary.get("sellerSku")))
                continue
            details = summary.get("inventoryDetails") or {}
            quantity = details.get("fulfillableQuantity", summary.get("totalQuantity", 0)) or 0
            quantities[product] = quantities.get(product, 0) + quantity
        self.env["stock.quant"]._marketplace_apply_inventory(
            self.marketplace_warehouse_id.lot_stock_id, quantities, self.validate_inventory_adjustment, log)
        log._add("success", _("FBA stock of %s products imported.", len(quantities)))

    # demo --------------------------------------------------------------------------------------------
    @api.model
    def _amazon_simulator_url(self):
        """Where the local simulator answers: system parameter, else the environment, else localhost."""
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param("marketplace.simulator_url") or os.environ.get("MARKETPLACE_SIMULATOR_URL") \
            or "http://localhost:8700"
        params.set_param("marketplace.simulator_url", url)
        return url.rstrip("/")

    @api.model
    def _amazon_demo_instance(self):
        """Demo data: a confirmed account on the simulator, so the first import shows orders.

        Confirmed without calling Amazon: the simulator may not run while the database is set up."""
        sites = self.env["amazon.marketplace"].search([("api_ref", "in", (
            "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER"))])
        instance = self.create({
            "name": "Amazon (simulator)",
            "marketplace": "amazon",
            "amazon_seller_id": "SIMSELLER1",
            "amazon_region": "eu",
            "amazon_refresh_token": "sim-refresh-token",
            "amazon_lwa_client_id": "sim-lwa-client",
            "amazon_lwa_client_secret": "sim-lwa-secret",
            "api_base_url": self._amazon_simulator_url() + "/amazon",
            "amazon_home_marketplace_id": sites.filtered(lambda m: m.api_ref == "A1PA6795UKMFR9").id,
            "amazon_available_marketplace_ids": [(6, 0, sites.ids)],
            "amazon_marketplace_ids": [(6, 0, sites.ids)],
            "amazon_last_order_sync": fields.Datetime.now() - timedelta(days=30),
            "log_level": "all",
        })
        instance.write({
            "marketplace_warehouse_id": instance._amazon_default_warehouse().id,
            "team_id": instance._amazon_default_team().id,
            "state": "confirmed",
        })
        instance.job_ids.filtered(lambda j: j.job in ("import_orders", "process_queues")).cron_active = True
        self.env["ir.model.data"]._update_xmlids([{
            "xml_id": "marketplace_amazon.demo_instance", "record": instance, "noupdate": True,
        }])
        return instance
