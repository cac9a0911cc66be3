from odoo import models
from odoo.tools import split_every

# Which of Odoo's stock figures each "Stock Based On" setting exports.
BASIS_FIELD = {"free": "free_qty", "on_hand": "qty_available", "forecast": "virtual_available"}

# Products computed together: large enough for a handful of queries per export, small enough
# to keep the records and their figures of one chunk in memory.
CHUNK_SIZE = 5000


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _marketplace_export_quantities(self, warehouse, basis, location=None):
        """{product id: quantity to export} in `warehouse` (or in the stock `location` and its
        children, for marketplaces that hold stock per location), by the instance's stock basis.

        Odoo's own batched computation answers for a whole chunk in a few grouped queries, so
        10,000 products cost a handful of queries, not one each. Only storable products hold
        stock; nothing below zero is exported."""
        key = BASIS_FIELD[basis]
        result = dict.fromkeys(self.ids, 0.0)
        # Only the warehouse counts, whatever location a caller's context may carry.
        products = (
            self.with_context(warehouse=warehouse.id, location=False)
            if not location
            else self.with_context(location=location.id, warehouse=False)
        )
        for chunk in split_every(CHUNK_SIZE, self.ids, products.browse):
            storable = chunk._marketplace_prefetch_stock_fields().filtered(lambda p: p.type == "product")
            figures = storable._compute_quantities_dict(None, None, None)
            for product_id, values in figures.items():
                result[product_id] = max(values[key], 0.0)
        return result

    def _marketplace_prefetch_stock_fields(self):
        """Read what the stock computation needs (type, unit rounding) in one query per table
        for the whole chunk: the ORM's prefetch would read them 1,000 records at a time."""
        self.fetch(["product_tmpl_id"])
        templates = self.product_tmpl_id
        templates.fetch(["type", "uom_id"])
        templates.uom_id.fetch(["rounding"])
        return self
