import math
from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import ExportStatus, InventoryLine, OrderHeader, OrderPage
from odoo.addons.marketplace_base.adapter.transport import Ambiguous, MarketplaceError
from odoo.addons.marketplace_base.schemas.order import Order as NeutralOrder

from ..adapter.client import MAX_SHIPMENT_ITEMS, PAGE_SIZE, PROCESS_DONE, TRANSPORTER_CODES, BolClient
from ..adapter.mapping import (
    FBB_SUFFIX, METHODS, cancellation_requests, latest_change, offers_from_csv, open_quantity, to_neutral_orders,
    to_neutral_return, transporter_code)

MANAGER = "marketplace_base.group_marketplace_manager"
CREDENTIALS = ("bol_client_id", "bol_client_secret")
AMSTERDAM = pytz.timezone("Europe/Amsterdam")
HISTORY_DAYS = 90  # Bol lists order changes of the last 3 months
INTERVAL_MINUTES = 55  # a cursor this recent is read with change-interval-minute (at most 60)
CANCEL_WAIT = 30.0  # seconds a confirmed cancellation is followed during the import
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
        account = self.sudo()  # sudo: the credentials, read into the client only (managers only read them)
        if not (account.bol_client_id and account.bol_client_secret):
            raise UserError(_("Fill in the Client ID and Client Secret of %s.", self.name))
        params = self.env["ir.config_parameter"].sudo()  # sudo: system parameters, read only
        return BolClient(
            client_id=account.bol_client_id, client_secret=account.bol_client_secret,
            endpoint=account.api_base_url or None,
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
    def _bol_fbr_status(self):
        codes = set(self.order_status_ids.filtered(lambda s: s.marketplace == "bol").mapped("code"))
        return codes.pop() if len(codes) == 1 else ("ALL" if codes else "OPEN")

    def _bol_order_queries(self, since):
        """[(fulfilment method, status, filter)] that list every order changed since `since`:
        the last minutes (change-interval-minute) or each day since (latest-change-date, in
        Amsterdam's calendar, as Bol dates changes). FBR orders in the configured statuses (OPEN
        by default), FBB orders once Bol shipped them."""
        now = fields.Datetime.now()
        since = max(since or now - timedelta(days=3), now - timedelta(days=HISTORY_DAYS))
        minutes = (now - since).total_seconds() / 60.0
        if minutes <= INTERVAL_MINUTES:
            windows = [{"change_interval": min(60, max(1, math.ceil(minutes) + 3))}]
        else:
            first = pytz.utc.localize(since).astimezone(AMSTERDAM).date()
            last = pytz.utc.localize(now).astimezone(AMSTERDAM).date()
            windows = [{"change_date": (first + timedelta(days=n)).isoformat()} for n in range((last - first).days + 1)]
        lists = [(method, self._bol_fbr_status() if method == "FBR" else "SHIPPED") for method in self._bol_methods()]
        if lists == [("FBR", "ALL"), ("FBB", "SHIPPED")]:
            lists = [("ALL", "ALL")]  # one list holds both (FBB parts not shipped yet wait: see to_neutral_orders)
        return [(method, status, window) for method, status in lists for window in windows]

    def _bol_fetch_orders(self, client, since, token):
        """One page of one query of `_bol_order_queries`; the token says which (query:page). The
        queries are planned once per run (the client is the run's), so that a run crossing
        midnight or the hour keeps its plan."""
        plan = getattr(client, "_bol_order_plan", None)
        if not token or not plan or plan[0] != since:
            plan = client._bol_order_plan = (since, self._bol_order_queries(since))
        queries = plan[1]
        index, page = (int(part) for part in token.split(":")) if token else (0, 1)
        method, status, window = queries[index]
        orders = client.orders_page(method, status, page, **window)
        if len(orders) >= PAGE_SIZE:
            next_token = "%d:%d" % (index, page + 1)
        else:
            next_token = "%d:1" % (index + 1) if index + 1 < len(queries) else None
        headers = [OrderHeader(reference=str(o["orderId"]), updated_at=latest_change(o.get("orderItems") or []), raw=o)
                   for o in orders if o.get("orderItems")]
        return OrderPage(orders=headers, next_token=next_token)

    def _bol_fetch_order(self, client, reference):
        order = client.order(reference[:-len(FBB_SUFFIX)] if reference.endswith(FBB_SUFFIX) else reference)
        order["_detailed"] = True
        return OrderHeader(reference=str(order["orderId"]), updated_at=latest_change(order.get("orderItems") or []),
                           raw=order)

    def _bol_order_details(self, client, header):
        """The order with its details; items the customer asked to cancel are confirmed to Bol
        first (when Odoo has not shipped them), so that the order arrives without them."""
        order = header.raw if header.raw.get("_detailed") else client.order(header.reference)
        order.pop("_detailed", None)
        if "FBR" in self._bol_methods():
            self._bol_confirm_cancellations(client, order)
        return order

    def _bol_confirm_cancellations(self, client, order):
        requested = cancellation_requests(order)
        if not requested:
            return
        shipped = set(self.env["sale.order.line"].search([
            ("order_id.marketplace_instance_id", "=", self.id), ("marketplace_line_ref", "in", requested),
            ("qty_delivered", ">", 0)]).mapped("marketplace_line_ref"))
        requested = [item for item in requested if item not in shipped]
        if not requested:
            return
        outcome = {"items": requested}
        try:
            try:
                process = client.cancel_items(requested)
            except Ambiguous:
                found = client.processes_for(requested[0], "CANCEL_ORDER")
                if not found:
                    raise
                process = found[0]
            process = client.wait_process(process, CANCEL_WAIT)
            outcome.update(status=process.get("status"), error=process.get("errorMessage"))
        except MarketplaceError as err:
            outcome.update(status="ERROR", error=client.scrub(str(err)))
        if outcome["status"] == "SUCCESS":
            for item in order.get("orderItems") or []:
                if item["orderItemId"] in requested:
                    item["quantityCancelled"] = int(item.get("quantityCancelled") or 0) + open_quantity(item)
        order["_bol_cancellation"] = outcome

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
        self._bol_report_cancellation(payload, sales, log)
        return sales[:1]

    def _bol_check_products(self, order, sale):
        """An item whose EAN matched nothing landed on the default product: the line fails
        instead (its savepoint undoes the order), unless products may be created."""
        if self.create_products or not sale:
            return
        fallback = self._fallback_products()
        unmatched = sale.order_line.filtered(lambda l: l.product_id in fallback and l.marketplace_line_ref)
        if unmatched:
            line = next(l for l in order.lines if l.external_id == unmatched[0].marketplace_line_ref)
            raise UserError(_(
                "Order %(order)s: no Odoo product matches EAN %(ean)s (offer reference %(ref)s). Create the "
                "product or import the listings, or let the instance create products, then Retry.",
                order=order.reference, ean=line.barcode or "-", ref=line.sku or "-"))

    def _bol_report_cancellation(self, payload, sales, log):
        outcome = payload.get("_bol_cancellation")
        if not outcome:
            return
        items = ", ".join(outcome.get("items") or [])
        if outcome.get("status") == "SUCCESS":
            log._add("success", _("Order %(order)s: cancellation of items %(items)s requested by the customer "
                                  "confirmed to Bol.com.", order=payload.get("orderId"), items=items),
                     record=sales[:1] or None)
            return
        message = _("Order %(order)s: the customer asked to cancel items %(items)s, but Bol.com did not confirm "
                    "the cancellation (%(status)s: %(error)s); they stay on the order.", order=payload.get("orderId"),
                    items=items, status=outcome.get("status"), error=outcome.get("error") or "-")
        sales._marketplace_flag(message)
        log._add("error", message, record=sales[:1] or None)

    # shipments and returns ---------------------------------------------------------------------
    def _bol_send_shipment(self, client, picking):
        items = picking._marketplace_items()
        if not items:
            raise UserError(_("%s ships no Bol.com order item.", picking.name))
        if len(items) > MAX_SHIPMENT_ITEMS:
            raise UserError(_("%(picking)s ships %(count)s order items; Bol.com takes %(max)s per shipment: split it.",
                              picking=picking.name, count=len(items), max=MAX_SHIPMENT_ITEMS))
        carrier = picking.carrier_id
        code = (carrier.bol_transporter_code or transporter_code(carrier.name, TRANSPORTER_CODES)) if carrier else \
            ("OTHER" if picking.carrier_tracking_ref else None)
        process = client.create_shipment(sorted(items.items()), reference=picking.name, transporter_code=code,
                                         track_and_trace=picking.carrier_tracking_ref or None)
        return process["processStatusId"]

    def _bol_shipment_sent(self, client, picking):
        items = sorted(picking._marketplace_items())
        return self._bol_find_process(client, items[0] if items else None, "CREATE_SHIPMENT")

    def _bol_read_shipment(self, client, picking):
        self._bol_prefetch_processes(client)
        return self._bol_process_result(client, picking.marketplace_export_ref)

    def _bol_send_return(self, client, picking):
        """The goods of an unhandled return arrived (its picking validated): each RMA item with
        the picking's handling result and the quantity received."""
        refs = []
        for rma, quantity in self._bol_return_items(picking).items():
            process = client.handle_return(rma, picking.bol_handling_result or "RETURN_RECEIVED", quantity)
            refs.append(process["processStatusId"])
        if not refs:
            raise UserError(_("%s brings back no Bol.com return item.", picking.name))
        return ",".join(refs)

    def _bol_return_sent(self, client, picking):
        refs = [self._bol_find_process(client, rma, "HANDLE_RETURN_ITEM") for rma in self._bol_return_items(picking)]
        return ",".join(refs) if refs and all(refs) else False

    def _bol_read_return(self, client, picking):
        self._bol_prefetch_processes(client)
        return self._bol_process_result(client, picking.marketplace_export_ref)

    @staticmethod
    def _bol_return_items(picking):
        items = {}
        for move in picking.move_ids.filtered(lambda m: m.marketplace_return_line_ref and m.quantity):
            items[move.marketplace_return_line_ref] = items.get(move.marketplace_return_line_ref, 0) + int(move.quantity)
        return items

    def _bol_find_process(self, client, entity_id, event_type):
        """The process of a write whose answer was lost: the newest one Bol keeps for the entity
        and event that no delivery, return or export of this account holds yet."""
        if not entity_id:
            return False
        for process in client.processes_for(entity_id, event_type):
            reference = str(process.get("processStatusId") or "")
            if reference and not self._bol_process_known(reference):
                return reference
        return False

    def _bol_process_known(self, reference):
        """Whether a delivery, return or export of this account already holds the process."""
        pickings = self.env["stock.picking"].search([("marketplace_instance_id", "=", self.id),
                                                     ("marketplace_export_ref", "like", reference)])
        if any(reference in p.marketplace_export_ref.split(",") for p in pickings):
            return True
        return bool(self.env["marketplace.export"].search_count(
            [("instance_id", "=", self.id), ("name", "=", reference)], limit=1))

    def _bol_process_result(self, client, references):
        """ExportStatus of one or more process statuses (comma-separated): finished once Bol has
        decided all; an error when one failed, with Bol's message."""
        statuses = [client.process_status(ref) for ref in (references or "").split(",") if ref]
        if not statuses:
            return ExportStatus(status="UNKNOWN", finished=True, error=_("No Bol.com process to follow."))
        pending = [s for s in statuses if s.get("status") not in PROCESS_DONE]
        if pending:
            return ExportStatus(status=pending[0].get("status") or "PENDING")
        failed = [s for s in statuses if s.get("status") != "SUCCESS"]
        if failed:
            return ExportStatus(status=failed[0]["status"], finished=True, error="; ".join(
                s.get("errorMessage") or _("Bol.com answered %s.", s.get("status")) for s in failed))
        return ExportStatus(status="SUCCESS", finished=True)

    # stock and prices ----------------------------------------------------------------------------
    def _bol_export_batch_size(self, kind):
        return 1  # Bol takes one offer per call

    def _bol_prepare_prices(self, wanted, currency, log):
        """Prices in euros; Bol takes 1.00 to 9999.00 with two decimals."""
        euro = self.env.ref("base.EUR")
        today = fields.Date.context_today(self)
        prices = {}
        for listing, value in wanted.items():
            price = round(currency._convert(value, euro, self.company_id, today), 2)
            if not 1 <= price <= 9999:
                log._add("error", _("%(item)s: Bol.com takes prices from 1 to 9999 EUR, not %(price).2f: not sent.",
                                    item=listing.sku or listing.barcode or listing.name, price=price), record=listing)
                continue
            prices[listing] = price
        return prices

    def _bol_send_export(self, client, kind, values):
        (listing, value), = values.items()
        if not listing.external_id:
            raise UserError(_("%s has no Bol.com offer id: import the listings first.",
                              listing.sku or listing.barcode or listing.name))
        if kind == "stock":
            # Free and forecasted quantities already leave out the open orders Odoo knows of.
            process = client.update_stock(listing.external_id, value,
                                          managed_by_retailer=self.stock_basis != "on_hand")
        else:
            process = client.update_price(listing.external_id, value, self._bol_volume_prices(listing, value))
        return process["processStatusId"]

    def _bol_volume_prices(self, listing, unit_price):
        """[(quantity, unit price in euros)] of the pricelist's quantity rules (2 to 24 items)
        that lower the product's price, as Bol takes them after the price of one: at most three
        more, quantities rising and prices falling. Nothing when prices come from the sale price."""
        pricelist = self.pricelist_id
        if self.export_sale_price or not pricelist:
            return []
        euro, today = self.env.ref("base.EUR"), fields.Date.context_today(self)
        quantities = sorted({int(q) for q in pricelist.item_ids.mapped("min_quantity") if 2 <= q <= 24})
        tiers, last = [], unit_price
        for quantity in quantities:
            price = pricelist._get_product_price(listing.product_id, quantity)
            price = round(pricelist.currency_id._convert(price, euro, self.company_id, today), 2)
            if 1 <= price < last:
                tiers.append((quantity, price))
                last = price
        return tiers[:3]

    def _bol_find_export(self, client, export):
        listing = export._listings()[:1]
        event = "UPDATE_OFFER_STOCK" if export.kind == "stock" else "UPDATE_OFFER_PRICE"
        return self._bol_find_process(client, listing.external_id, event) or None

    def _bol_read_export(self, client, export):
        self._bol_prefetch_processes(client)
        return self._bol_process_result(client, export.name)

    def _bol_prefetch_processes(self, client):
        """Check Export Results: the process statuses of every delivery, return and offer write
        waiting for Bol, read in bulk calls once per run rather than one call each."""
        if getattr(client, "_bol_prefetched", False):
            return
        client._bol_prefetched = True
        refs = self.env["marketplace.export"].search([
            ("instance_id", "=", self.id), ("state", "=", "pending"), ("name", "!=", False)]).mapped("name")
        for joined in self.env["stock.picking"].search([("marketplace_instance_id", "=", self.id),
                                                        ("marketplace_export_state", "=", "sent")]).mapped(
                                                            "marketplace_export_ref"):
            refs += (joined or "").split(",")
        client.prefetch_process_statuses(refs)

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
