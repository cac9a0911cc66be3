from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import InventoryLine

from ..adapter.client import PAGE_SIZE, BolClient
from ..adapter.invoice_mapping import FEE_TYPES
from ..adapter.mapping import METHODS, offers_from_csv, to_neutral_orders

MANAGER = "marketplace_base.group_marketplace_manager"
CREDENTIALS = ("bol_client_id", "bol_client_secret")
EXPORT_WAIT = 600.0  # seconds the offer export (Import Listings) may take at Bol


def fulfilment_methods(instance):
    """The fulfilment methods the account synchronizes (FBR, FBB or both)."""
    return METHODS[instance.bol_fulfilment or "FBR"]


def fbb_warehouse(instance):
    """Bol.com's FBB stock of the company lives in one warehouse shared by its accounts."""
    Warehouse = instance.env["stock.warehouse"]
    company = instance.company_id
    return Warehouse.search(
        [("company_id", "=", company.id), ("code", "=", "BOL")], limit=1
    ) or Warehouse.create({"name": _("Bol.com FBB"), "code": "BOL", "company_id": company.id})


class MarketplaceInstance(models.Model):
    """A Bol.com retailer account: its settings and the hooks through which the engine's jobs
    speak the Retailer API v10 (see the README, "The connector contract" and "Bol.com")."""

    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("bol", "Bol.com")], ondelete={"bol": "cascade"})
    bol_client_id = fields.Char(string="Client ID", groups=MANAGER, copy=False)
    bol_client_secret = fields.Char(string="Client Secret", groups=MANAGER, copy=False)
    bol_fulfilment = fields.Selection(
        [("FBR", "FBR"), ("FBB", "FBB"), ("ALL", "FBR & FBB")],
        string="Use Operation For",
        default="FBR",
        help="Fulfilment methods this account synchronizes: orders you ship (FBR), orders Bol.com ships from "
        "its warehouse (FBB), or both.",
    )
    bol_return_status = fields.Selection(
        [("unhandled", "Unhandled"), ("handled", "Handled")],
        string="Import Return for Status",
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
                vals.setdefault(
                    "sync_listings_on", "barcode"
                )  # every Bol offer has an EAN; references are optional
                vals.setdefault(
                    "order_status_ids", [(6, 0, self.env.ref("marketplace_bol.order_status_open").ids)]
                )
        return super().create(vals_list)

    # account -----------------------------------------------------------------------------------
    def _bol_jobs(self):
        return [
            "import_orders",
            "export_shipments",
            "export_inventory",
            "export_prices",
            "check_results",
            "import_inventory",
            "import_listings",
            "import_returns",
            "import_settlements",
        ]

    def _bol_client(self):
        self.ensure_one()
        account = self.sudo()  # sudo: the credentials, read into the client only (managers only read them)
        if not (account.bol_client_id and account.bol_client_secret):
            raise UserError(_("Fill in the Client ID and Client Secret of %s.", self.name))
        params = self.env["ir.config_parameter"].sudo()  # sudo: system parameters, read only
        return BolClient(
            client_id=account.bol_client_id,
            client_secret=account.bol_client_secret,
            endpoint=account.api_base_url or None,
            rate_scale=float(params.get_param("marketplace_bol.rate_scale", "1") or 1),
            max_wait=float(params.get_param("marketplace_bol.max_wait", "300") or 300),
        )

    def _bol_test_connection(self):
        """A token (the credentials) and one page of orders (the account's access to the API)."""
        client = self._bol_client()
        try:
            client.orders_page(fulfilment_methods(self)[0], "OPEN", 1)
        finally:
            client.close()
        return True

    def _bol_confirm(self):
        self._bol_test_connection()
        euro = self.env.ref("base.EUR")
        if self.currency_id != euro:  # Bol.com sells and invoices in euros only (its settlement journal too)
            self.currency_id = euro
        if "FBB" in fulfilment_methods(self) and not self.marketplace_warehouse_id:
            self.marketplace_warehouse_id = fbb_warehouse(self)

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
        parts = to_neutral_orders(payload, fulfilment_methods(self))
        if not parts:
            raise UserError(
                _("Bol.com order %s holds nothing this account imports yet.", payload.get("orderId"))
            )
        return parts[0]

    def _bol_queue_order(self, line, payload, log):
        return self.env["bol.order.import"]._process(self, payload, log)

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
            raise UserError(
                _(
                    "Bol.com did not prepare the offer export (%(status)s): %(error)s",
                    status=process.get("status"),
                    error=process.get("errorMessage") or "-",
                )
            )
        listings = offers_from_csv(client.offer_export(process["entityId"]))
        for start in range(0, len(listings), 500):
            yield listings[start : start + 500]

    # returns -------------------------------------------------------------------------------------
    def _bol_read_returns(self, client):
        return self.env["bol.return.import"]._read_returns(self, client)

    # invoices: the money after the sale -----------------------------------------------------------
    def _bol_read_settlements(self, client, since):
        return self.env["bol.invoice.import"]._read_settlements(self, client, since)

    def _bol_settlement_lines(self, client, settlement, posted_after):
        # an invoice is final: its specification is read whole, whatever was read before
        return self.env["bol.invoice.import"]._settlement_lines(self, client, settlement)

    def _bol_fee_types(self):
        return FEE_TYPES
