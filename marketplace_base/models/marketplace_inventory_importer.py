from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError


class MarketplaceInventoryImporter(models.AbstractModel):
    """Import Product's Inventory: the stock the marketplace holds (FBA, FBB, a store's
    locations) counted into Odoo as an inventory adjustment, item by item matched as orders
    and listings are."""

    _name = "marketplace.inventory.importer"
    _description = "Marketplace Inventory Import"

    @api.model
    def _run(self, instance, run):
        counted = defaultdict(lambda: defaultdict(float))  # location -> product -> quantity
        unknown = 0
        Products = self.env["marketplace.product.resolver"]
        for line in instance._hook("read_inventory", required=True)(run.client):
            if line.skip_reason:
                run.log._add(
                    "info",
                    _(
                        "%(item)s: skipped, %(reason)s",
                        item=line.sku or line.barcode,
                        reason=line.skip_reason,
                    ),
                )
                continue
            product, _listing = Products._resolve(instance, line.sku, line.barcode)
            if not product:
                unknown += 1
                run.log._add("info", _("%s matches no Odoo product: skipped.", line.sku or line.barcode))
                continue
            if not product.active:
                run.log._add(
                    "info",
                    _(
                        "%(reason)s Its stock is not imported.",
                        reason=Products._archived_reason(product, line.sku or line.barcode),
                    ),
                )
                continue
            counted[self._location(instance, line.location)][product.id] += line.quantity or 0.0
        for location, quantities in counted.items():
            self.env["stock.quant"]._marketplace_apply_inventory(
                location, quantities, instance.validate_inventory_adjustment, run.log
            )
        run.log._add(
            "success",
            _(
                "Stock of %(count)s products imported, %(unknown)s unknown items skipped.",
                count=sum(len(q) for q in counted.values()),
                unknown=unknown,
            ),
        )

    @api.model
    def _location(self, instance, key):
        """The stock location of a marketplace location: the connector maps its own
        (`inventory_location` hook); None is the marketplace-fulfilled warehouse."""
        if key is not None:
            return instance._hook("inventory_location", required=True)(key)
        if not instance.marketplace_warehouse_id:
            raise UserError(
                _(
                    "%(instance)s has no Marketplace-Fulfilled Warehouse to import its stock into: "
                    "%(advice)s",
                    instance=instance.name,
                    advice=instance._setting_advice("marketplace_warehouse_id"),
                )
            )
        return instance.marketplace_warehouse_id.lot_stock_id
