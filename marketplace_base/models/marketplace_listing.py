from odoo import _, api, fields, models
from odoo.exceptions import UserError


class MarketplaceListing(models.Model):
    """An Odoo product bound to one item (offer, listing, variant) of one instance."""

    _name = "marketplace.listing"
    _description = "Marketplace Listing"
    _order = "instance_id, sku, id"

    name = fields.Char(help="Title of the item on the marketplace.")
    active = fields.Boolean(default=True)
    instance_id = fields.Many2one("marketplace.instance", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    marketplace = fields.Selection(related="instance_id.marketplace", store=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="restrict", index=True)
    external_id = fields.Char(string="External ID", index=True, help="The item's id on the marketplace.")
    external_variant_id = fields.Char(string="External Variant ID")
    sku = fields.Char(string="SKU", index=True)
    barcode = fields.Char(help="EAN, UPC or GTIN of the item.")
    fulfilment = fields.Selection(
        [("merchant", "Merchant"), ("marketplace", "Marketplace")], default="merchant", required=True,
        help="Who ships this item's orders; stock is exported only for merchant-fulfilled items.",
    )
    exported_price = fields.Float(readonly=True, digits="Product Price")
    exported_qty = fields.Float(string="Exported Quantity", readonly=True)
    last_sync = fields.Datetime(string="Last Sync", readonly=True)
    sync_state = fields.Selection(
        [("pending", "Pending"), ("synced", "Synced"), ("error", "Error")], default="pending", readonly=True
    )
    sync_error = fields.Text(readonly=True)

    _sql_constraints = [
        ("external_unique", "UNIQUE(instance_id, external_id)",
         "A marketplace item is bound to one listing per instance."),
        ("sku_unique", "UNIQUE(instance_id, sku)", "A SKU is bound to one listing per instance."),
    ]

    @api.model
    def _find(self, instance, sku=None, external_id=None):
        domain = [("instance_id", "=", instance.id)]
        if external_id:
            found = self.search(domain + [("external_id", "=", external_id)], limit=1)
            if found:
                return found
        if sku:
            return self.search(domain + [("sku", "=", sku)], limit=1)
        return self.browse()

    @api.model
    def _bind(self, instance, product, sku=None, barcode=None, external_id=None, name=None, fulfilment="merchant"):
        """Record a pairing found while importing (an order line matched by SKU or barcode);
        the caller has checked that no listing exists for it."""
        if not sku and not external_id:
            return self.browse()
        return self.create({
            "instance_id": instance.id, "product_id": product.id, "sku": sku or False,
            "barcode": barcode or False, "external_id": external_id or False, "name": name or product.name,
            "fulfilment": fulfilment,
        })

    @api.model
    def _import_payload(self, instance, payload):
        """Create or update the listing of a marketplace-neutral item.

        payload: sku, external_id, barcode, name, price (optional), external_variant_id.
        """
        sku = (payload.get("sku") or "").strip() or False
        external_id = payload.get("external_id") and str(payload["external_id"])
        if not sku and not external_id:
            raise UserError(_("The item has neither a SKU nor an external id."))
        listing = self._find(instance, sku=sku, external_id=external_id)
        product = listing.product_id or instance._find_product(sku=sku, barcode=payload.get("barcode"))
        if not product:
            if not instance.create_products:
                raise UserError(
                    _("No Odoo product matches SKU %(sku)s / barcode %(barcode)s, and the instance "
                      "does not create products.", sku=sku or "-", barcode=payload.get("barcode") or "-")
                )
            product = self.env["product.product"].create({
                "name": payload.get("name") or sku,
                "default_code": sku,
                "barcode": payload.get("barcode") or False,
                "list_price": float(payload.get("price") or 0.0),
                "type": "product",
            })
        vals = {
            "instance_id": instance.id,
            "product_id": product.id,
            "name": payload.get("name") or product.name,
            "sku": sku,
            "external_id": external_id or False,
            "external_variant_id": payload.get("external_variant_id") or False,
            "barcode": payload.get("barcode") or False,
            "last_sync": fields.Datetime.now(),
        }
        if listing:
            listing.write(vals)
            return listing
        return self.create(vals)
