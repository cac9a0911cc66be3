from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .marketplace_claim import claim


# What the marketplace last accepted and its answer: the export's cursor, written by the engine
# only (a person changing it would make the next export skip or resend values).
ENGINE_FIELDS = (
    "exported_price",
    "exported_qty",
    "exported_locations",
    "last_sync",
    "sync_state",
    "sync_error",
)


class MarketplaceListing(models.Model):
    """An Odoo product bound to one item (offer, listing, variant) of one instance."""

    _name = "marketplace.listing"
    _inherit = ["marketplace.instance.bound"]
    _description = "Marketplace Listing"
    _order = "instance_id, sku, id"
    _check_company_auto = True

    name = fields.Char(help="Title of the item on the marketplace.")
    active = fields.Boolean(default=True)
    instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    marketplace = fields.Selection(related="instance_id.marketplace", store=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="restrict", index=True, check_company=True
    )
    external_id = fields.Char(string="External ID", index=True, help="The item's id on the marketplace.")
    external_variant_id = fields.Char(string="External Variant ID")
    sku = fields.Char(string="SKU", index=True)
    barcode = fields.Char(help="EAN, UPC or GTIN of the item.")
    fulfilment = fields.Selection(
        [("merchant", "Merchant"), ("marketplace", "Marketplace")],
        default="merchant",
        required=True,
        help="Who ships this item's orders; stock is exported only for merchant-fulfilled items.",
    )
    exported_price = fields.Float(readonly=True, digits="Product Price")
    exported_qty = fields.Float(string="Exported Quantity", readonly=True)
    exported_locations = fields.Json(
        string="Exported Quantity per Location",
        readonly=True,
        copy=False,
        help="For marketplaces that hold stock per location: {location key: quantity} as last accepted.",
    )
    last_sync = fields.Datetime(string="Last Sync", readonly=True)
    sync_state = fields.Selection(
        [("pending", "Pending"), ("synced", "Synced"), ("error", "Error")], default="pending", readonly=True
    )
    sync_error = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(instance_id, external_id)",
            "A marketplace item is bound to one listing per instance.",
        ),
        ("sku_unique", "UNIQUE(instance_id, sku)", "A SKU is bound to one listing per instance."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        self.env["marketplace.access"]._check_engine_fields(self, vals, ENGINE_FIELDS)
        return super().write(vals)

    @api.model
    def _find(self, instance, sku=None, external_id=None, barcode=None):
        """The listing of an item: by external id, else SKU, else barcode.

        One query for the three (this is asked for every line of every imported order): the
        candidates come in the listings' order, and the first of the first criterion that
        matches wins, as three searches one after the other would have it."""
        criteria = [
            (fname, value)
            for fname, value in (("external_id", external_id), ("sku", sku), ("barcode", barcode))
            if value
        ]
        if not criteria:
            return self.browse()
        domain = [("instance_id", "=", instance.id)] + expression.OR(
            [[(fname, "=", value)] for fname, value in criteria]
        )
        found = self.search_fetch(domain, ["product_id", "external_id", "sku", "barcode"])
        for fname, value in criteria:
            for listing in found:
                if listing[fname] and listing[fname] == str(value):
                    return listing
        return self.browse()

    @api.model
    def _bind(
        self, instance, product, sku=None, barcode=None, external_id=None, name=None, fulfilment="merchant"
    ):
        """Record a pairing found while importing (an order line matched by SKU or barcode);
        the caller has checked that no listing exists for it."""
        if not sku and not external_id:
            return self.browse()
        return self.create(
            {
                "instance_id": instance.id,
                "product_id": product.id,
                "sku": sku or False,
                "barcode": barcode or False,
                "external_id": external_id or False,
                "name": name or product.name,
                "fulfilment": fulfilment,
            }
        )

    @api.model
    def _import_payload(self, instance, payload):
        """Create or update the listing of a marketplace-neutral item.

        payload: sku, external_id, barcode, name, price (optional), external_variant_id.
        """
        sku = (payload.get("sku") or "").strip() or False
        external_id = payload.get("external_id") and str(payload["external_id"])
        if not sku and not external_id:
            raise UserError(_("The item has neither a SKU nor an external id."))
        product, listing, reason = self.env["marketplace.product.resolver"]._item_product(
            instance,
            sku,
            payload.get("barcode"),
            external_id,
            payload.get("name"),
            float(payload.get("price") or 0.0),
        )
        if reason:
            raise UserError(reason)  # the line waits until the product is restored or another is chosen
        if not product:
            raise UserError(
                _(
                    "No Odoo product matches SKU %(sku)s / barcode %(barcode)s, and the instance "
                    "does not create products.",
                    sku=sku or "-",
                    barcode=payload.get("barcode") or "-",
                )
            )
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
        if payload.get("fulfilment") in ("merchant", "marketplace"):
            vals["fulfilment"] = payload["fulfilment"]
        if listing:
            listing.write(vals)
            return listing
        return self.create(vals)

    # exports -----------------------------------------------------------------------------------
    @api.model
    def _lock_for_export(self, ids):
        """The listings among `ids` that no other worker is exporting right now (locked FOR
        UPDATE SKIP LOCKED until this transaction ends), so a cron and a button running together
        never both send an item."""
        if not ids:
            return self.browse()
        # None: changed by a worker that committed after this transaction began, not ours now
        return self.browse(claim(self.env, "marketplace_listing", "id = ANY(%s)", [list(ids)]) or [])

    # import job --------------------------------------------------------------------------------
    @api.model
    def _run_import(self, instance, run):
        """Import Listings: the connector's items (neutral listing dicts: sku, external_id,
        barcode, name, price, fulfilment) queued page by page, then matched by the queue."""
        queue = None
        count = 0
        for page in instance._hook("read_listings", required=True)(run.client):
            records = [(item.get("sku") or item.get("external_id"), item) for item in page]
            queue = self.env["marketplace.queue"]._enqueue(instance, "listing", records, queue=queue) or queue
            count += len(records)
            instance._maybe_commit()
        run.log._add("success", _("%s listings read from the marketplace and queued.", count))
