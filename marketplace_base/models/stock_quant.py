from odoo import _, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _marketplace_apply_inventory(self, location, quantities, validate, log=None):
        """Count the marketplace's stock {product: quantity} in `location`, as the Physical
        Inventory screen does, and apply the count when `validate` (else a person applies it).

        Lot/serial-tracked products are skipped: the marketplace gives one figure per product,
        and Odoo could not tell which lots it covers."""
        Product = self.env["product.product"]
        counted = {}
        for product, quantity in quantities.items():
            product = product if isinstance(product, models.BaseModel) else Product.browse(product)
            counted[product] = counted.get(product, 0.0) + quantity
        products = Product.concat(*counted) if counted else Product
        tracked = products.filtered(lambda p: p.tracking != "none")
        storable = products.filtered(lambda p: p.type == "product") - tracked
        if log:
            for product in tracked:
                log._add("info", _("%s is tracked by lot or serial number: its marketplace stock is not imported.",
                                   product.display_name), record=product)
        # The job counts stock on the marketplace's behalf, whoever started it.
        Quant = self.sudo().with_context(inventory_mode=True)
        existing = {
            quant.product_id: quant
            for quant in Quant.search([("location_id", "=", location.id), ("product_id", "in", storable.ids),
                                       ("lot_id", "=", False), ("package_id", "=", False), ("owner_id", "=", False)])
        }
        missing = storable.filtered(lambda p: p not in existing)
        quants = Quant.create([{"product_id": p.id, "location_id": location.id} for p in missing])
        for quant in quants:
            existing[quant.product_id] = quant
        for product in storable:
            existing[product].inventory_quantity = counted[product]
        quants = Quant.concat(*(existing[p] for p in storable)) if storable else Quant
        if validate and quants:
            quants.action_apply_inventory()
        return quants
