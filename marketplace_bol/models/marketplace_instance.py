from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import InventoryLine
from odoo.addons.marketplace_base.schemas.order import Order as NeutralOrder

from ..adapter.client import PAGE_SIZE, BolClient
from ..adapter.mapping import FBB_SUFFIX, METHODS, offers_from_csv, to_neutral_orders, to_neutral_return

MANAGER = "marketplace_base.group_marketplace_manager"
CREDENTIALS = ("bol_client_id", "bol_client_secret")
EXPORT_WAIT = 600.0  # seconds the offer export (Import Listings) may take at Bol


class MarketplaceInstance(models.Model):
    """A Bol.com retailer account: its settings and the hooks through which the engine's jobs
    speak the Retailer API v10 (see the README, "The connector contract" and "Bol.com")."""

    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("bol", "Bol.com")], ondelete={"bol": "cascade"})
    bol_client_id = fields.Char(string="Client ID", groups=MANAGER, copy=False)
    bol_client_secret = fields.Char(string="Client Secret", groups=MANAGER, copy=False)
    bol_fulfilment = fields.Selection(
        [("FBR", "FBR"), ("FBB", "FBB"), ("ALL", "FBR & FBB")], string="Use Operation For", default="FBR",
        help="Fulfilment methods this account synchronizes: orders you ship (FBR), orders Bol.com ships from "
        "its warehouse (FBB), or both.",
    )
    bol_return_status = fields.Selection(
        [("unhandled", "Unhandled"), ("handled", "Handled")], string="Import Return for Status",
        default="unhandled",
        help="Unhandled: returns on their way, received in Odoo by validating their return picking (Bol.com "
        "is then told). Handled: returns already dealt with on Bol.com, booked back at once.",
    )
    bol_excluded_taxes = fields.Boolean(
        string="Managing Excluded Taxes on Odoo Product?",
        help="Your products' taxes are excluded from their prices: Bol.com's prices (taxes included) are "
        "converted to tax-excluded unit prices, so that Odoo's total matches Bol.com's; a rounding difference "
        "beyond the Tax Rounding flags the order.",
    )

    @api.model
    def _secret_fields(self):
        return super()._secret_fields() + list(CREDENTIALS)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("marketplace") == "bol":
                vals.setdefault("create_company_contact", True)  # Bol's business buyers: company + buyer
                vals.setdefault("sync_listings_on", "barcode")  # every Bol offer has an EAN; references are optional
                vals.setdefault("order_status_ids", [(6, 0, self.env.ref("marketplace_bol.order_status_open").ids)])
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if set(CREDENTIALS) & set(vals):
            for instance in self.filtered(lambda i: i.marketplace == "bol" and i.state == "confirmed"):
                instance._call_connector("test_connection")
        return res

    def _bol_methods(self):
        return METHODS[self.bol_fulfilment or "FBR"]

    # account -----------------------------------------------------------------------------------
    def _bol_jobs(self):
        return ["import_orders", "export_shipments", "export_inventory", "export_prices", "check_results",
                "import_inventory", "import_listings", "import_returns"]

    def _bol_client(self):
        self.ensure_one()
        account = self.sudo()
        if not (account.bol_client_id and account.bol_client_secret):
            raise UserError(_("Fill in the Client ID and Client Secret of %s.", self.name))
        params = self.env["ir.config_parameter"].sudo()
        return BolClient(
            client_id=account.bol_client_id, client_secret=account.bol_client_secret,
            endpoint=self.api_base_url or None,
            rate_scale=float(params.get_param("marketplace_bol.rate_scale", "1") or 1),
            max_wait=float(params.get_param("marketplace_bol.max_wait", "300") or 300),
        )

    def _bol_test_connection(self):
        """A token (the credentials) and one page of orders (the account's access to the API)."""
        client = self._bol_client()
        try:
            client.orders_page(self._bol_methods()[0], "OPEN", 1)
        finally:
            client.close()
        return True

    def _bol_confirm(self):
        self._bol_test_connection()
        if "FBB" in self._bol_methods() and not self.marketplace_warehouse_id:
            self.marketplace_warehouse_id = self._bol_fbb_warehouse()

    def _bol_fbb_warehouse(self):
        """Bol.com's FBB stock of the company lives in one warehouse shared by its accounts."""
        Warehouse = self.env["stock.warehouse"]
        return Warehouse.search([("company_id", "=", self.company_id.id), ("code", "=", "BOL")], limit=1) \
            or Warehouse.create({"name": _("Bol.com FBB"), "code": "BOL", "company_id": self.company_id.id})

    def _bol_keep_product_taxes(self):
        return self.bol_excluded_taxes

    # orders ------------------------------------------------------------------------------------
    def _bol_fetch_orders(self, client, since, token):
        return self.env["bol.order.import"]._page(self, client, since, token)

    def _bol_fetch_order(self, client, reference):
        return self.env["bol.order.import"]._fetch_one(client, reference)

    def _bol_order_details(self, client, header):
        return self.env["bol.order.import"]._details(self, client, header)

    def _bol_map_order(self, payload):
        parts = to_neutral_orders(payload, self._bol_methods())
        if not parts:
            raise UserError(_("Bol.com order %s holds nothing this account imports yet.", payload.get("orderId")))
        return parts[0]

    def _bol_queue_order(self, line, payload, log):
        """One Bol order -> its sale orders (one per fulfilment method: see adapter.mapping);
        an item whose EAN matches no product fails the line unless products may be created."""
        sales = self.env["sale.order"]
        for part in to_neutral_orders(payload, self._bol_methods()):
            order = NeutralOrder.model_validate(part)
            known = sales.search_count([("marketplace_instance_id", "=", self.id),
                                        ("marketplace_order_ref", "=", order.external_id)], limit=1)
            sale = self.env["marketplace.order.service"]._import(self, order, log)
            if not known:
                self._bol_check_products(order, sale)
            sales |= sale
        self.env["bol.order.cancellation"]._report(self, payload, sales, log)
        return sales[:1]

    def _bol_check_products(self, order, sale):
        """An item whose EAN matched nothing landed on the default product: the line fails
        instead (its savepoint undoes the order), unless products may be created."""
        if self.create_products or not sale:
            return
        fallback = self.env["marketplace.product.resolver"]._fallback_products(self)
        unmatched = sale.order_line.filtered(lambda l: l.product_id in fallback and l.marketplace_line_ref)
        if unmatched:
            line = next(l for l in order.lines if l.external_id == unmatched[0].marketplace_line_ref)
            raise UserError(_(
                "Order %(order)s: no Odoo product matches EAN %(ean)s (offer reference %(ref)s). Create the "
                "product or import the listings, or let the instance create products, then Retry.",
                order=order.reference, ean=line.barcode or "-", ref=line.sku or "-"))

    # shipments and returns ---------------------------------------------------------------------
    def _bol_send_shipment(self, client, picking):
        return self.env["bol.shipment"]._send_shipment(client, picking)

    def _bol_shipment_sent(self, client, picking):
        return self.env["bol.shipment"]._shipment_sent(self, client, picking)

    def _bol_read_shipment(self, client, picking):
        return self.env["bol.process.status"]._result(client, picking.marketplace_export_ref)

    def _bol_send_return(self, client, picking):
        return self.env["bol.shipment"]._send_return(client, picking)

    def _bol_return_sent(self, client, picking):
        return self.env["bol.shipment"]._return_sent(self, client, picking)

    def _bol_read_return(self, client, picking):
        return self.env["bol.process.status"]._result(client, picking.marketplace_export_ref)

    # stock and prices ----------------------------------------------------------------------------
    def _bol_export_batch_size(self, kind):
        return 1  # Bol takes one offer per call

    def _bol_prepare_prices(self, wanted, currency, log):
        return self.env["bol.offer.export"]._prepare_prices(self, wanted, currency, log)

    def _bol_send_export(self, client, kind, values):
        return self.env["bol.offer.export"]._send(self, client, kind, values)

    def _bol_find_export(self, client, export):
        return self.env["bol.offer.export"]._find(self, client, export)

    def _bol_read_export(self, client, export):
        return self.env["bol.process.status"]._result(client, export.name)

    def _bol_prefetch_results(self, client):
        """Check Export Results reads every process status it follows in bulk calls first."""
        self.env["bol.process.status"]._prefetch(self, client)

    def _bol_read_inventory(self, client):
        """FBB stock: Bol's regular (sellable) stock per EAN, into the FBB warehouse."""
        page = 1
        while True:
            rows = client.inventory_page(page)
            for row in rows:
                yield InventoryLine(sku=None, barcode=row.get("ean"), quantity=row.get("regularStock") or 0)
            if len(rows) < PAGE_SIZE:
                return
            page += 1

    def _bol_read_listings(self, client):
        """Every offer through Bol's asynchronous offer export (CSV), in pages of 500."""
        process = client.wait_process(client.request_offer_export(), EXPORT_WAIT)
        if process.get("status") != "SUCCESS":
            raise UserError(_("Bol.com did not prepare the offer export (%(status)s): %(error)s",
                              status=process.get("status"), error=process.get("errorMessage") or "-"))
        listings = offers_from_csv(client.offer_export(process["entityId"]))
        for start in range(0, len(listings), 500):
            yield listings[start:start + 500]

    # returns -------------------------------------------------------------------------------------
    def _bol_read_returns(self, client):
        """Returns of the configured status for the configured fulfilment methods, as neutral
        returns (the FBB part of a mixed order has its own reference)."""
        handled = self.bol_return_status == "handled"
        for method in self._bol_methods():
            page = 1
            while True:
                rows = client.returns_page(method, handled, page)
                refs = self._bol_return_order_refs(rows, method)
                yield [to_neutral_return(row, refs) for row in rows if row.get("returnItems")]
                if len(rows) < PAGE_SIZE:
                    break
                page += 1

    def _bol_return_order_refs(self, rows, method):
        if method != "FBB":
            return {}
        ids = {str(item.get("orderId")) for row in rows for item in row.get("returnItems") or []}
        mixed = set(self.env["sale.order"].search([
            ("marketplace_instance_id", "=", self.id),
            ("marketplace_order_ref", "in", [i + FBB_SUFFIX for i in ids])]).mapped("marketplace_order_ref"))
        return {i: i + FBB_SUFFIX for i in ids if i + FBB_SUFFIX in mixed}
