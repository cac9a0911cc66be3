from odoo import fields, models

from ..adapter.mapping import split_external_id


class MarketplaceListing(models.Model):
    """A BigCommerce listing is one variant of a catalog product (a product without options has
    one, its base variant); its external id is "<product id>:<variant id>"."""

    _inherit = "marketplace.listing"

    bigcommerce_inventory_tracking = fields.Selection(
        [("none", "None"), ("product", "Product"), ("variant", "Variant")],
        string="Inventory Tracking",
        help="How BigCommerce tracks this item's stock: not at all (no stock import or export), on "
        "the product, or per variant.",
    )
    image_1920 = fields.Image(string="Image", max_width=1920, max_height=1920)

    def _bigcommerce_ids(self):
        """(product id, variant id) of a BigCommerce listing."""
        self.ensure_one()
        return split_external_id(self.external_id)
