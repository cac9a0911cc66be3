from odoo import fields, models


class MarketplaceQueue(models.Model):
    _inherit = "marketplace.queue"

    kind = fields.Selection(
        selection_add=[
            ("bigcommerce_category", "BigCommerce Categories"),
            ("bigcommerce_brand", "BigCommerce Brands"),
        ],
        ondelete={"bigcommerce_category": "cascade", "bigcommerce_brand": "cascade"},
    )
