from markupsafe import Markup

from odoo import _, fields, models


class MarketplacePairListingLine(models.TransientModel):
    """One marketplace item (an instance's SKU) and the Odoo product it is."""

    _name = "marketplace.pair.listing.line"
    _description = "Pair Marketplace Listings: Item"
    _check_company_auto = True

    wizard_id = fields.Many2one("marketplace.pair.listing", required=True, ondelete="cascade")
    instance_id = fields.Many2one("marketplace.instance", required=True, readonly=True, check_company=True)
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    sku = fields.Char(string="Marketplace SKU", required=True, readonly=True)
    name = fields.Char(string="Sold As", readonly=True, help="The item's title on the marketplace.")
    fulfilment = fields.Selection([("merchant", "Merchant"), ("marketplace", "Marketplace")], readonly=True)
    product_id = fields.Many2one(
        "product.product",
        string="Odoo Product",
        check_company=True,
        domain="[('sale_ok', '=', True), ('company_id', 'in', (False, company_id))]",
        help="Leave empty to decide later.",
    )

    def _pair(self):
        """Create or update the instance's listing of the SKU (an archived one comes back)."""
        self.ensure_one()
        Listing = self.env["marketplace.listing"].with_context(active_test=False)
        listing = Listing.search([("instance_id", "=", self.instance_id.id), ("sku", "=", self.sku)], limit=1)
        if listing:
            listing.write({"product_id": self.product_id.id, "active": True})
            return listing
        return Listing.create(
            {
                "instance_id": self.instance_id.id,
                "product_id": self.product_id.id,
                "sku": self.sku,
                "name": self.name or self.product_id.name,
                "fulfilment": self.fulfilment or "merchant",
            }
        )

    def _replace_on_open_lines(self):
        """Put the product on the SKU's order lines that may still change (quotations, and
        confirmed orders not delivered nor invoiced); return (changed lines, lines left)."""
        self.ensure_one()
        lines = self.env["sale.order.line"].search(
            [
                ("order_id.marketplace_instance_id", "=", self.instance_id.id),
                ("marketplace_sku", "=", self.sku),
                ("marketplace_needs_matching", "=", True),
            ]
        )
        open_lines = lines.filtered(lambda l: l._marketplace_product_replaceable())
        open_lines._marketplace_replace_product(self.product_id)
        note = Markup("%s") % _(
            "Marketplace SKU %(sku)s paired with %(product)s.",
            sku=self.sku,
            product=self.product_id.display_name,
        )
        for order in open_lines.order_id:
            order.message_post(body=note, subtype_xmlid="mail.mt_note")
        return open_lines, lines - open_lines
