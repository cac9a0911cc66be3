from collections import defaultdict

from odoo import _, models
from odoo.tools import float_is_zero


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _marketplace_apply_inventory(self, location, quantities, validate, log=None):
        """Count the marketplace's stock {product (record or id): quantity} in `location`, as
        the Physical Inventory screen does, and apply the count when `validate` (else it waits
        there for a person to apply). Return the quants counted.

        Lot/serial-tracked products are skipped: the marketplace gives one figure per product,
        and Odoo could not tell which lots or serial numbers it covers."""
        counted = self._marketplace_counted_products(quantities)
        products = self.env["product.product"].browse(list(counted))
        tracked = products.filtered(lambda p: p.tracking != "none")
        not_storable = products.filtered(lambda p: p.type != "product") - tracked
        if log:
            self._marketplace_log_skipped(log, tracked, not_storable)
        products -= tracked | not_storable
        quants = self._marketplace_count(location, products, counted)
        if validate and quants:
            quants._marketplace_validate_count()
        return quants.sudo(False)

    def _marketplace_counted_products(self, quantities):
        """{product id: quantity}, summing what the marketplace may report in several lines."""
        counted = defaultdict(float)
        for product, quantity in quantities.items():
            counted[product.id if isinstance(product, models.BaseModel) else product] += quantity or 0.0
        return counted

    def _marketplace_log_skipped(self, log, tracked, not_storable):
        for product in tracked:
            log._add(
                "info",
                _(
                    "%s is tracked by lot or serial number: its marketplace stock is not imported.",
                    product.display_name,
                ),
                record=product,
            )
        for product in not_storable:
            log._add(
                "info",
                _(
                    "%s is not a storable product: its marketplace stock is not imported.",
                    product.display_name,
                ),
                record=product,
            )

    def _marketplace_count(self, location, products, counted):
        """Set the counted quantity on each product's quant in `location` (creating the quants
        that do not exist yet), with one search for all products."""
        # The job counts stock on the marketplace's behalf, whoever started it.
        Quant = self.sudo().with_context(inventory_mode=True)
        plain = Quant.search(
            [
                ("location_id", "=", location.id),
                ("product_id", "in", products.ids),
                ("lot_id", "=", False),
                ("package_id", "=", False),
                ("owner_id", "=", False),
            ],
            order="id",
        )
        by_product = defaultdict(lambda: Quant)
        for quant in plain:
            by_product[quant.product_id.id] |= quant
        # Nothing to count where Odoo holds no quant and the marketplace holds nothing.
        products = products.filtered(lambda p: p.id in by_product or counted[p.id])
        missing = products.filtered(lambda p: p.id not in by_product)
        for quant in Quant.create([{"product_id": p.id, "location_id": location.id} for p in missing]):
            by_product[quant.product_id.id] = quant
        # Quants not merged yet share the figure: the first holds it, the others count zero.
        by_quantity = defaultdict(lambda: Quant)
        for product in products:
            first, *others = by_product[product.id]
            by_quantity[counted[product.id]] |= first
            for other in others:
                by_quantity[0.0] |= other
        for quantity, quants in by_quantity.items():
            quants.write({"inventory_quantity": quantity, "inventory_quantity_set": True})
        return Quant.concat(*(by_product[p.id] for p in products))

    def _marketplace_validate_count(self):
        """Apply the counts as Odoo's Apply button does, without its dialogs: tracked products
        are already left out, and the marketplace's figure wins over moves made since a count
        that was left pending."""
        name = _("Marketplace stock import")
        changed = self.filtered(
            lambda q: (
                not float_is_zero(q.inventory_diff_quantity, precision_rounding=q.product_uom_id.rounding)
            )
        )
        if changed:
            changed.with_context(inventory_name=name)._apply_inventory()
        # A count equal to the stock needs no move: clear it as applying would.
        unchanged = self - changed
        unchanged.write({"inventory_quantity": 0.0, "user_id": False})
        unchanged.write({"inventory_diff_quantity": 0.0})
        self.write({"inventory_quantity_set": False})
