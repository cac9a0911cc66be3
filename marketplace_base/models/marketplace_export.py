import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, split_every

from ..adapter.transport import Ambiguous, MarketplaceError
from .marketplace_claim import to_send_domain

# Which listing field holds the last value the marketplace accepted, per export kind.
VALUE_FIELDS = {"stock": "exported_qty", "price": "exported_price"}
DEFAULT_BATCH_SIZE = 10000
OPEN_STATES = ("sending", "pending", "uncertain")


class MarketplaceExport(models.Model):
    """One asynchronous write of values to a marketplace (an Amazon feed, a Bol.com process
    status, a BigCommerce batch), followed until the marketplace has said what it did with
    each item. The engine owns the bookkeeping; the connector only sends and reads."""

    _name = "marketplace.export"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Export"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="External Reference",
        readonly=True,
        copy=False,
        help="The marketplace's id of the export (feed id, process status id).",
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
    kind = fields.Selection([("stock", "Stock"), ("price", "Price")], required=True, readonly=True)
    state = fields.Selection(
        [
            ("sending", "Sending"),
            ("pending", "Waiting for the Marketplace"),
            ("uncertain", "Unconfirmed"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="sending",
        required=True,
        readonly=True,
        index=True,
        help="Unconfirmed: the marketplace's answer was lost (timeout, server error); the next "
        "check reads the marketplace's state before anything is sent again.",
    )
    external_status = fields.Char(readonly=True, help="The marketplace's own status of the export.")
    values = fields.Text(readonly=True, help="The values sent, per listing id (JSON).")
    item_count = fields.Integer(string="Items", readonly=True)
    accepted_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)
    error = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)

    def _sent(self):
        """{listing id: value sent}."""
        return {int(key): value for key, value in json.loads(self.values or "{}").items()}

    def _listings(self):
        return self.env["marketplace.listing"].browse(list(self._sent())).exists()

    # export jobs -----------------------------------------------------------------------------
    @api.model
    def _run_stock(self, instance, run):
        """Export Product's Inventory: merchant-fulfilled listings whose quantity changed."""
        listings = self.env["marketplace.listing"].search(
            [
                ("instance_id", "=", instance.id),
                ("fulfilment", "=", "merchant"),
            ]
        )
        locations = (instance._hook("stock_locations") or (lambda: None))()
        if locations:
            # one quantity per marketplace location: {listing: {location key: quantity}}
            by_key = {
                key: listings.product_id._marketplace_export_quantities(
                    instance.warehouse_id, instance.stock_basis, location=location
                )
                for key, location in locations.items()
            }
            wanted = {
                listing: {
                    key: int(quantities.get(listing.product_id.id, 0)) for key, quantities in by_key.items()
                }
                for listing in listings
            }
        else:
            quantities = listings.product_id._marketplace_export_quantities(
                instance.warehouse_id, instance.stock_basis
            )
            wanted = {listing: int(quantities.get(listing.product_id.id, 0)) for listing in listings}
        prepare = instance._hook("prepare_stock")
        if prepare:
            wanted = prepare(run.client, wanted, run.log)
        self._send_changes(instance, run, "stock", wanted)

    @api.model
    def _run_prices(self, instance, run):
        """Export Product's Price: the pricelist price, or the sale price when asked."""
        listings = self.env["marketplace.listing"].search([("instance_id", "=", instance.id)])
        products = listings.product_id
        if instance.export_sale_price or not instance.pricelist_id:
            currency, prices = instance.company_id.currency_id, {p.id: p.lst_price for p in products}
        else:
            currency = instance.pricelist_id.currency_id
            prices = instance.pricelist_id._get_products_price(products, 1.0)
        wanted = {listing: prices.get(listing.product_id.id, 0.0) for listing in listings}
        prepare = instance._hook("prepare_prices")
        if prepare:
            wanted = prepare(wanted, currency, run.log)
        self._send_changes(instance, run, "price", wanted)

    @api.model
    def _send_changes(self, instance, run, kind, wanted):
        """Send the values that differ from what the marketplace accepted last and from what is
        already on its way, in exports of the connector's batch size, each recorded (and
        committed under a cron) before it is sent."""
        changed = self._changed(instance, kind, wanted)
        if not changed:
            run.log._add("info", _("No %s change to send.", kind))
            return
        size = (instance._hook("export_batch_size") or (lambda _kind: DEFAULT_BATCH_SIZE))(kind)
        for chunk in split_every(size, sorted(changed, key=lambda l: l.id)):
            listings = self.env["marketplace.listing"]._lock_for_export([l.id for l in chunk])
            if not listings:
                continue
            values = {listing: changed[listing] for listing in listings}
            # sudo: an export is the engine's record (users only read them), of this instance's listings
            export = self.sudo().create(
                {
                    "instance_id": instance.id,
                    "kind": kind,
                    "item_count": len(values),
                    "values": json.dumps({str(listing.id): value for listing, value in values.items()}),
                }
            )
            listings.write({"sync_state": "pending"})
            instance._maybe_commit()  # the export exists before the marketplace hears of it
            export._send(run, values)
            instance._maybe_commit()

    @api.model
    def _changed(self, instance, kind, wanted):
        value_field = VALUE_FIELDS[kind]
        on_the_way = {}
        for export in self.search(
            [("instance_id", "=", instance.id), ("kind", "=", kind), ("state", "in", OPEN_STATES)], order="id"
        ):
            on_the_way.update(export._sent())
        changed = {}
        for listing, value in wanted.items():
            if isinstance(value, dict):  # per location: only the locations whose quantity changed
                value = self._changed_locations(listing, value, on_the_way.get(listing.id))
                if value:
                    changed[listing] = value
            elif on_the_way.get(listing.id) != value and not (
                listing.sync_state == "synced" and float_compare(listing[value_field], value, 2) == 0
            ):
                changed[listing] = value
        return changed

    @staticmethod
    def _changed_locations(listing, values, on_the_way):
        """{location key: quantity} of the locations where `values` differs from what the
        marketplace accepted last (listing.exported_locations) and from what is on its way."""
        accepted = listing.exported_locations or {}
        on_the_way = on_the_way if isinstance(on_the_way, dict) else {}
        return {
            key: value
            for key, value in values.items()
            if on_the_way.get(str(key)) != value and accepted.get(str(key)) != value
        }

    def _send(self, run, values):
        instance = self.instance_id
        try:
            result = instance._hook("send_export", required=True)(run.client, self.kind, values)
        except Ambiguous as err:
            message, detail = instance._explain(err)
            self.write({"state": "uncertain", "error": message})
            run.log._add(
                "error",
                _(
                    "Export of %(count)s %(kind)s updates unconfirmed (%(error)s): the next check "
                    "reads the marketplace before sending them again.",
                    count=len(values),
                    kind=self.kind,
                    error=message,
                ),
                detail=detail,
            )
            return
        except (MarketplaceError, UserError) as err:
            message = instance._error_text(err)
            self._fail(message, run.log)
            return
        reference, results = result if isinstance(result, tuple) else (result, None)
        self.write({"name": reference, "state": "pending", "sent_at": fields.Datetime.now()})
        run.log._add(
            "success",
            _(
                "Export %(ref)s sent: %(count)s %(kind)s updates.",
                ref=reference,
                count=len(values),
                kind=self.kind,
            ),
        )
        if results is not None:
            self._apply(results, run.log)

    # following exports -----------------------------------------------------------------------
    @api.model
    def _run_check(self, instance, run):
        """Check Export Results: each open export followed on its own, so one that cannot be
        read does not stop the others."""
        exports = self.search([("instance_id", "=", instance.id)] + to_send_domain("state"), order="id")
        prefetch = instance._hook("prefetch_results")
        if prefetch:  # e.g. every outcome read in bulk calls rather than one call each
            prefetch(run.client)
        self.env["marketplace.shipment.exporter"]._run_follow(instance, run)  # asynchronous confirmations
        for export in exports:
            try:
                with self.env.cr.savepoint():
                    export._follow(run)
            except (MarketplaceError, UserError) as err:
                text, detail = instance._explain(err)
                run.log._add(
                    "error",
                    _(
                        "Export %(ref)s could not be read: %(error)s",
                        ref=export.name or export.id,
                        error=text,
                    ),
                    detail=detail,
                )
            instance._maybe_commit()

    def _follow(self, run):
        instance = self.instance_id
        if self.state in ("sending", "uncertain"):
            found = instance._hook("find_export")
            reference = found(run.client, self) if found else None
            if not reference:
                self._fail(
                    _(
                        "The marketplace never received this export; its values are sent again "
                        "at the next export."
                    ),
                    run.log,
                )
                return
            self.write({"name": reference, "state": "pending"})
            run.log._add("info", _("Export %s found on the marketplace.", reference))
        status = instance._hook("read_export", required=True)(run.client, self)
        self.external_status = status.status
        if not status.finished:
            return
        if status.error:
            self._fail(instance._scrub(status.error), run.log)
            return
        self._apply(status.results, run.log)

    def _apply(self, results, log):
        """Record each item's outcome on its listing: the value accepted, or the reason."""
        self.ensure_one()
        sent = self._sent()
        value_field = VALUE_FIELDS[self.kind]
        accepted = self.env["marketplace.listing"]
        rejected = 0
        for listing in self._listings():
            reason = results.get(listing.id) or results.get(str(listing.id))
            if reason:
                rejected += 1
                listing.write({"sync_state": "error", "sync_error": reason})
                log._add(
                    "error",
                    _(
                        "%(item)s: the marketplace rejected the %(kind)s: %(reason)s",
                        item=listing.sku or listing.name,
                        kind=self.kind,
                        reason=reason,
                    ),
                    record=listing,
                )
            else:
                accepted |= listing
                value = sent[listing.id]
                vals = {
                    value_field: value,
                    "sync_state": "synced",
                    "sync_error": False,
                    "last_sync": fields.Datetime.now(),
                }
                if isinstance(value, dict):  # per location: merged into the quantities accepted before
                    locations = dict(
                        listing.exported_locations or {}, **{str(k): v for k, v in value.items()}
                    )
                    vals.update(exported_locations=locations, **{value_field: sum(locations.values())})
                listing.write(vals)
        self.write({"state": "done", "accepted_count": len(accepted), "rejected_count": rejected})
        log._add(
            "success",
            _(
                "Export %(ref)s: %(ok)s accepted, %(ko)s rejected.",
                ref=self.name,
                ok=len(accepted),
                ko=rejected,
            ),
        )

    def _fail(self, message, log):
        self.write({"state": "failed", "error": message})
        self._listings().write({"sync_state": "error", "sync_error": message})
        log._add("error", _("Export %(ref)s failed: %(error)s", ref=self.name or self.id, error=message))
