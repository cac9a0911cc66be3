import re

from odoo import _, api, fields, models

from odoo.addons.marketplace_base.adapter.records import ExportStatus
from odoo.addons.marketplace_base.adapter.transport import Ambiguous

from ..adapter.client import CATALOG_PAGE, BigCommerceError
from ..adapter.mapping import adjustment_item, refused_identities

BATCH_INDEX = re.compile(r"index: (\d+)")
VERIFIED = "verified"  # the reference of an export whose lost answer was checked on the store


class BigCommerceExport(models.AbstractModel):
    """Stock and price writes of a BigCommerce store, for the engine's marketplace.export: what
    each listing sends, the requests (absolute inventory adjustments per location, variant price
    batches), BigCommerce's refusals per item, and the check of a write whose answer was lost."""

    _name = "bigcommerce.export"
    _description = "BigCommerce Stock and Price Export"

    # what is sent ----------------------------------------------------------------------------------
    @api.model
    def _prepare_stock(self, instance, client, wanted, log):
        """Only listings BigCommerce tracks stock for; the tracking level of listings paired while
        importing orders is read from the catalog (once, 250 products per call)."""
        self._learn_tracking(instance, client, [l for l in wanted if not l.bigcommerce_inventory_tracking])
        result, untracked, unknown = {}, 0, 0
        for listing, quantities in wanted.items():
            product_id, _variant_id = listing._bigcommerce_ids()
            if not product_id:
                unknown += 1
            elif listing.bigcommerce_inventory_tracking in ("product", "variant"):
                result[listing] = quantities
            else:
                untracked += 1
        if untracked:
            log._add("info", _("%s listings skipped: BigCommerce does not track their inventory.", untracked))
        if unknown:
            log._add(
                "info",
                _("%s listings skipped: not BigCommerce catalog items (run Import Listings).", unknown),
            )
        return result

    def _learn_tracking(self, instance, client, listings):
        by_product = {}
        for listing in listings:
            product_id, _variant_id = listing._bigcommerce_ids()
            if product_id:
                by_product.setdefault(product_id, self.env["marketplace.listing"])
                by_product[product_id] |= listing
        ids = sorted(by_product)
        for start in range(0, len(ids), CATALOG_PAGE):
            chunk = ids[start : start + CATALOG_PAGE]
            for page in client.products(
                include="", **{"id:in": ",".join(map(str, chunk)), "include_fields": "inventory_tracking"}
            ):
                for product in page:
                    by_product.get(product["id"], self.env["marketplace.listing"]).write(
                        {"bigcommerce_inventory_tracking": product.get("inventory_tracking") or "none"}
                    )

    @api.model
    def _prepare_prices(self, instance, wanted, currency, log):
        """Prices in the store currency, for listings that are BigCommerce variants."""
        today = fields.Date.context_today(instance)
        result = {}
        for listing, value in wanted.items():
            if listing._bigcommerce_ids()[1]:
                result[listing] = round(
                    currency._convert(value, instance.currency_id, instance.company_id, today), 2
                )
        if len(result) < len(wanted):
            log._add(
                "info",
                _(
                    "%s listings skipped: not BigCommerce catalog items (run Import Listings).",
                    len(wanted) - len(result),
                ),
            )
        return result

    # sending ---------------------------------------------------------------------------------------
    @api.model
    def _send(self, instance, client, kind, values):
        """(reference, {listing id: BigCommerce's refusal}): a synchronous write."""
        if kind == "stock":
            return self._send_stock(instance, client, values)
        return self._send_prices(client, values)

    def _send_stock(self, instance, client, values):
        """One absolute adjustment of every item and location. BigCommerce refuses the whole
        request for one bad item and names it (422): that item is refused, the others are sent
        again (nothing of a refused request was applied)."""
        items, owner = [], {}
        for listing, quantities in values.items():
            product_id, variant_id = listing._bigcommerce_ids()
            for location, quantity in quantities.items():
                item = adjustment_item(
                    (listing.bigcommerce_inventory_tracking, product_id, variant_id), location, quantity
                )
                if item:
                    items.append(item)
                    owner[_identity(item)] = listing
        reason = _("Odoo stock export (%s)", instance.name)
        results = {}
        while items:
            try:
                return client.absolute_adjustment(items, reason) or VERIFIED, results
            except BigCommerceError as err:
                refused = {owner.get((kind, value)) for kind, value in refused_identities(err.message)} - {
                    None
                }
                if isinstance(err, Ambiguous) or err.status != 422 or not refused:
                    raise
                results.update({listing.id: err.message for listing in refused})
                items = [item for item in items if owner[_identity(item)] not in refused]
        return _("refused"), results

    def _send_prices(self, client, values):
        """One variants batch (price of each variant); a refused variant is named by its index in
        the batch, the others are sent again."""
        listings = list(values)
        results = {}
        while listings:
            batch = [{"id": listing._bigcommerce_ids()[1], "price": values[listing]} for listing in listings]
            try:
                client.update_variants(batch)
                return _("variants %(first)s-%(last)s", first=batch[0]["id"], last=batch[-1]["id"]), results
            except BigCommerceError as err:
                refused = {
                    listings[int(i)] for i in BATCH_INDEX.findall(err.message) if int(i) < len(listings)
                }
                if isinstance(err, Ambiguous) or err.status != 422 or not refused:
                    raise
                results.update({listing.id: err.message for listing in refused})
                listings = [listing for listing in listings if listing not in refused]
        return _("refused"), results

    # a lost answer ---------------------------------------------------------------------------------
    @api.model
    def _find(self, instance, client, export):
        """An export whose answer was lost: did the store apply it? Its values are read back;
        the export counts as done only when every one of them is the store's."""
        listings = export._listings()
        sent = export._sent()
        if export.kind == "stock":
            return VERIFIED if self._stock_applied(client, listings, sent) else None
        variants = [listing._bigcommerce_ids()[1] for listing in listings]
        prices = {}
        for start in range(0, len(variants), CATALOG_PAGE):
            chunk = variants[start : start + CATALOG_PAGE]
            for page in client.v3_pages(
                "getVariants", "catalog/variants", {"id:in": ",".join(map(str, chunk))}
            ):
                prices.update({v["id"]: v.get("price") for v in page})
        applied = all(prices.get(listing._bigcommerce_ids()[1]) == sent[listing.id] for listing in listings)
        return VERIFIED if applied else None

    def _stock_applied(self, client, listings, sent):
        by_location = {}
        for listing in listings:
            for location, quantity in sent[listing.id].items():
                by_location.setdefault(location, {})[listing._bigcommerce_ids()] = quantity
        for location, wanted in by_location.items():
            found = {}
            for item in client.inventory_items(location, sorted({ids[1] for ids in wanted})):
                identity = item.get("identity") or {}
                found[(identity.get("product_id"), identity.get("variant_id"))] = item.get(
                    "total_inventory_onhand"
                )
            if any(found.get(ids) != quantity for ids, quantity in wanted.items()):
                return False
        return True

    @api.model
    def _export_status(self, instance, client, export):
        """Writes are synchronous: an export found on the store was applied as a whole."""
        return ExportStatus(status="applied", finished=True)


def _identity(item):
    return (
        ("variant_id", str(item["variant_id"]))
        if "variant_id" in item
        else ("product_id", str(item["product_id"]))
    )
