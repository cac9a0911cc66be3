import json
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import InventoryLine, OrderHeader, OrderPage

from ..adapter.client import MAX_ADJUSTMENT_ITEMS, MAX_VARIANTS_BATCH, ORDERS_PAGE, BigCommerceClient
from ..adapter.mapping import (
    AWAITING_FULFILLMENT,
    PAID_PAYMENT_STATUSES,
    money,
    parse_date,
    shipment_bodies,
    shipped_quantities,
    to_neutral_order,
    weight_unit,
)

MANAGER = "marketplace_base.group_marketplace_manager"
WEIGHT_UNIT_SELECTION = [
    ("LBS", "LBS"),
    ("KGS", "KGS"),
    ("OUNCES", "Ounces"),
    ("GRAMS", "Grams"),
    ("TONNES", "Tonnes"),
]


def order_header(order):
    return OrderHeader(
        reference=str(order["id"]), updated_at=parse_date(order.get("date_modified")), raw=order
    )


class MarketplaceInstance(models.Model):
    """A BigCommerce store: its settings and the hooks through which the engine's jobs speak
    the BigCommerce REST API (see the README, "The connector contract" and "BigCommerce")."""

    _inherit = "marketplace.instance"

    marketplace = fields.Selection(
        selection_add=[("bigcommerce", "BigCommerce")], ondelete={"bigcommerce": "cascade"}
    )
    bigcommerce_store_hash = fields.Char(
        string="Store Hash", help="The store's id in the API path (stores/<hash>/v3/...)."
    )
    bigcommerce_access_token = fields.Char(
        string="Access Token", groups=MANAGER, copy=False, help="The access token of the store's API account."
    )
    bigcommerce_weight_unit = fields.Selection(
        WEIGHT_UNIT_SELECTION,
        string="Weight Unit",
        default="KGS",
        help="The store's weight unit (read on Confirm): product weights are converted between Odoo's "
        "unit and this one whenever they are exported or compared.",
    )
    bigcommerce_location_ids = fields.One2many(
        "bigcommerce.location", "instance_id", string="BigCommerce Locations"
    )
    bigcommerce_channel_ids = fields.One2many("bigcommerce.channel", "instance_id", string="Sales Channels")
    bigcommerce_tax_class_ids = fields.One2many("bigcommerce.tax.class", "instance_id", string="Tax Classes")

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + ["bigcommerce_access_token"]

    # account ---------------------------------------------------------------------------------------
    def _bigcommerce_jobs(self):
        return [
            "import_orders",
            "export_shipments",
            "import_inventory",
            "export_inventory",
            "export_prices",
            "check_results",
            "import_listings",
            "export_payments",
            "import_settlements",  # its refunds (marketplace_instance_refunds.py)
        ]

    def _bigcommerce_client(self):
        self.ensure_one()
        store = self.sudo()  # sudo: the credentials, read into the client only (managers only read them)
        if not (store.bigcommerce_store_hash and store.bigcommerce_access_token):
            raise UserError(_("Fill in the Store Hash and the Access Token of %s.", self.name))
        params = self.env["ir.config_parameter"].sudo()  # sudo: system parameters, read only
        return BigCommerceClient(
            store_hash=store.bigcommerce_store_hash.strip(),
            access_token=store.bigcommerce_access_token.strip(),
            api_base_url=store.api_base_url or None,
            max_wait=float(params.get_param("marketplace_bigcommerce.max_wait", "300") or 300),
        )

    def _bigcommerce_test_connection(self):
        """The store's information, once BigCommerce accepted the token and it holds every OAuth
        scope the connector needs (BigCommerce's refusal otherwise, or the missing scopes named)."""
        client = self._bigcommerce_client()
        store = client.store()
        missing = client.missing_scopes()
        if missing:
            raise UserError(
                _(
                    "BigCommerce accepted the access token, but its API account lacks these OAuth "
                    "scopes: %s. Add them to the store's API account (Settings > API accounts).",
                    ", ".join(missing),
                )
            )
        return store, client

    def _bigcommerce_confirm(self):
        """What Confirm imports: currency, weight unit, order statuses, sales channels,
        locations, tax classes; categories and brands are queued for Process Queues."""
        store, client = self._bigcommerce_test_connection()
        currency = self._currency(store.get("currency") or self.currency_id.name)
        if self.pricelist_id and self.pricelist_id.currency_id != currency:
            self.pricelist_id = (
                False  # a new one, in the store currency (marketplace.instance._ensure_pricelist)
            )
        self.write(
            {"currency_id": currency.id, "bigcommerce_weight_unit": weight_unit(store.get("weight_units"))}
        )
        self._update_bigcommerce_statuses(client.order_statuses())
        self.env["bigcommerce.channel"]._update(self, client.channels())
        self.env["bigcommerce.location"]._update(self, client.locations())
        self.env["bigcommerce.tax.class"]._update(self, client.tax_classes())
        queue = self.env["marketplace.queue"]
        queue._enqueue(self, "bigcommerce_category", [(str(c["id"]), c) for c in client.categories()])
        queue._enqueue(self, "bigcommerce_brand", [(str(b["id"]), b) for b in client.brands()])

    def _update_bigcommerce_statuses(self, statuses):
        """The store's order statuses as records of this instance (each store names them its own
        way: custom labels); Awaiting Fulfillment pre-selected."""
        Status = self.env["marketplace.order.status"]
        known = {
            s.code: s
            for s in Status.search([("marketplace", "=", "bigcommerce"), ("instance_id", "=", self.id)])
        }
        for row in statuses:
            vals = {"name": row.get("custom_label") or row["name"], "sequence": row.get("order", row["id"])}
            if str(row["id"]) in known:
                known[str(row["id"])].write(vals)
            else:
                known[str(row["id"])] = Status.create(
                    dict(vals, code=str(row["id"]), marketplace="bigcommerce", instance_id=self.id)
                )
        if not self.order_status_ids and str(AWAITING_FULFILLMENT) in known:
            self.order_status_ids = known[str(AWAITING_FULFILLMENT)]

    # orders ------------------------------------------------------------------------------------------
    def _bigcommerce_fetch_orders(self, client, since, token):
        """One page of orders modified in [since, BigCommerce's clock at the first page] in one of
        the selected statuses, with their line items; statuses one after the other, each paged
        by id. The token carries (status index, next min id, until)."""
        statuses = sorted({int(code) for code in self.order_status_ids.mapped("code")})
        if not statuses:
            raise UserError(_("Select the Order Statuses to import of %s (Orders tab).", self.name))
        if token:
            index, min_id, until = json.loads(token)
        else:
            index, min_id, until = 0, None, client.server_time()
        start = since.replace(tzinfo=timezone.utc).isoformat()
        end = datetime.fromtimestamp(until, timezone.utc)
        orders = client.orders_page(statuses[index], start, end.isoformat(), min_id)
        if len(orders) >= ORDERS_PAGE:
            next_token = json.dumps([index, orders[-1]["id"] + 1, until])
        elif index + 1 < len(statuses):
            next_token = json.dumps([index + 1, None, until])
        else:
            next_token = None
        return OrderPage(orders=[order_header(o) for o in orders], next_token=next_token, safe_until=end)

    def _bigcommerce_fetch_order(self, client, reference):
        return order_header(client.order(reference))

    def _bigcommerce_order_details(self, client, header):
        """The order as listed (with its line items); its tax rows too when the instance follows
        BigCommerce's taxes and the order has some (one more call for those orders only)."""
        payload = {"order": header.raw}
        if self.tax_system != "odoo" and money(header.raw.get("total_tax")) > 0:
            payload["taxes"] = client.order_taxes(header.reference)
        if not (header.raw.get("consignments") or {}).get("shipping") and not isinstance(
            header.raw.get("products"), list
        ):
            payload["order"] = dict(header.raw, products=client.order_products(header.reference))
        return payload

    def _bigcommerce_map_order(self, payload):
        order = payload.get("order") or {}
        neutral = to_neutral_order(order, payload.get("taxes"), anonymous_name=_("%s Customer", self.name))
        return self.env["bigcommerce.refund"]._keep_refunded_order(self, order, neutral)

    # shipments ---------------------------------------------------------------------------------------
    def _bigcommerce_send_shipment(self, client, picking):
        """A shipment per shipping address of the delivery's items, each capped at what
        BigCommerce has not shipped yet (a retry after a partial failure sends only the rest)."""
        order_ref = picking.sale_id.marketplace_order_ref
        products = client.order_products(order_ref)
        carrier = picking.carrier_id
        bodies, _skipped = shipment_bodies(
            products,
            picking._marketplace_items(),
            picking.carrier_tracking_ref,
            carrier.name or "",
            carrier.delivery_type,
        )
        for body in bodies:
            client.create_shipment(order_ref, body)

    def _bigcommerce_shipment_sent(self, client, picking):
        """Whether BigCommerce already counts this delivery's items as shipped."""
        shipped = shipped_quantities(client.order_products(picking.sale_id.marketplace_order_ref))
        before = picking._marketplace_items_exported_before()
        return all(
            shipped.get(ref, 0) >= before.get(ref, 0) + quantity
            for ref, quantity in picking._marketplace_items().items()
        )

    def _bigcommerce_order_status(self, client, picking):
        """BigCommerce moves the order itself (Shipped, Partially Shipped, or a store's own
        label): read back, as the import would show it."""
        return client.order(picking.sale_id.marketplace_order_ref).get("status")

    # payments ------------------------------------------------------------------------------------------
    def _bigcommerce_payment_needed(self, order):
        """No call: an order imported as paid needs no report."""
        return (order.marketplace_payment_status or "").lower() not in PAID_PAYMENT_STATUSES

    def _bigcommerce_register_payment(self, client, order):
        """Mark an order paid on BigCommerce, unless it already shows it paid: capture an
        authorized payment, else move an unpaid order (offline payment: bank transfer, cash on
        delivery) to Awaiting Fulfillment, which records the payment."""
        current = client.order(order.marketplace_order_ref)
        status = (current.get("payment_status") or "").lower()
        if status in PAID_PAYMENT_STATUSES:
            return
        if status == "authorized":
            client.capture_payment(order.marketplace_order_ref)
        else:
            client.update_order(order.marketplace_order_ref, {"status_id": AWAITING_FULFILLMENT})
        order.marketplace_payment_status = "paid" if status != "authorized" else "captured"

    # stock and prices ------------------------------------------------------------------------------------
    def _bigcommerce_stock_locations(self):
        """{BigCommerce location id: Odoo stock location} of the enabled locations."""
        locations = self.bigcommerce_location_ids.filtered("sync_enabled")
        if not locations:
            raise UserError(
                _("Enable at least one BigCommerce location of %s (BigCommerce Locations tab).", self.name)
            )
        return {str(loc.bigcommerce_id): loc.stock_location_id for loc in locations}

    def _bigcommerce_prepare_stock(self, client, wanted, log):
        return self.env["bigcommerce.export"]._prepare_stock(self, client, wanted, log)

    def _bigcommerce_prepare_prices(self, wanted, currency, log):
        return self.env["bigcommerce.export"]._prepare_prices(self, wanted, currency, log)

    def _bigcommerce_export_batch_size(self, kind):
        if kind == "stock":
            return max(
                MAX_ADJUSTMENT_ITEMS // max(len(self.bigcommerce_location_ids.filtered("sync_enabled")), 1), 1
            )
        return MAX_VARIANTS_BATCH

    def _bigcommerce_send_export(self, client, kind, values):
        return self.env["bigcommerce.export"]._send(self, client, kind, values)

    def _bigcommerce_find_export(self, client, export):
        return self.env["bigcommerce.export"]._find(self, client, export)

    def _bigcommerce_read_export(self, client, export):
        return self.env["bigcommerce.export"]._export_status(self, client, export)

    def _bigcommerce_read_inventory(self, client):
        """Each enabled location's items; those BigCommerce tracks no stock for are skipped."""
        untracked = set(
            self.env["marketplace.listing"]
            .search([("instance_id", "=", self.id), ("bigcommerce_inventory_tracking", "=", "none")])
            .mapped("sku")
        )
        for location in self.bigcommerce_location_ids.filtered("sync_enabled"):
            for page in client.location_items(location.bigcommerce_id):
                for item in page:
                    sku = (item.get("identity") or {}).get("sku")
                    yield InventoryLine(
                        sku=sku,
                        quantity=item.get("total_inventory_onhand") or 0,
                        location=str(location.bigcommerce_id),
                        skip_reason=_("BigCommerce does not track its inventory")
                        if sku in untracked
                        else None,
                    )

    def _bigcommerce_inventory_location(self, key):
        location = self.bigcommerce_location_ids.filtered(lambda loc: str(loc.bigcommerce_id) == str(key))
        if not location.stock_location_id:
            raise UserError(_("BigCommerce location %s has no Odoo stock location.", key))
        return location.stock_location_id

    # listings ------------------------------------------------------------------------------------------
    def _bigcommerce_read_listings(self, client):
        """Catalog products with their variants and images, page after page."""
        for page in client.products():
            yield [{"sku": p.get("sku") or None, "external_id": str(p["id"]), "bigcommerce": p} for p in page]

    def _bigcommerce_queue_listing(self, line, payload, log):
        return self.env["bigcommerce.listing.import"]._import(self, payload, log)

    def _bigcommerce_queue_bigcommerce_category(self, line, payload, log):
        return self.env["bigcommerce.category"]._import(self, payload)

    def _bigcommerce_queue_bigcommerce_brand(self, line, payload, log):
        return self.env["bigcommerce.brand"]._import(self, payload)
