from odoo import _, api, models

from .marketplace_batch import memoized

# The instance's field of each kind of non-catalogue line (None: no setting); empty, the
# suite's own product (marketplace_base.product_marketplace_<kind>).
SPECIAL_PRODUCT_FIELDS = {
    "delivery": "delivery_product_id",
    "gift_wrap": "gift_wrap_product_id",
    "discount": "discount_product_id",
    "gift_certificate": "gift_certificate_product_id",
    "custom": "custom_product_id",
    "custom_storable": "custom_storable_product_id",
    "default": "default_product_id",
    "fee": None,  # the suite's Fee product
}


class MarketplaceProductResolver(models.AbstractModel):
    """Which Odoo product a marketplace item is: one rule for the items of orders, listings and
    inventory (and for the items a return brings back), so that an item never becomes one
    product in an order and another in the stock the marketplace reports: its listing, then
    its SKU against the internal reference, then its barcode. An archived product is never
    sold nor counted: the item waits, with the reason.

    It also knows the products of the lines that are no catalogue item (shipping, gift wrap,
    discounts, custom items) and the default product of the items nothing matched."""

    _name = "marketplace.product.resolver"
    _description = "Marketplace Product Resolver"

    @api.model
    def _resolve(self, instance, sku=None, barcode=None, external_id=None):
        """The Odoo product of a marketplace item: its listing first (external id, SKU,
        barcode), then a product of the instance's company whose internal reference is the SKU,
        then one whose barcode is the item's, as "Sync Listings Based On" allows (SKU, barcode,
        or both). Returns (product, listing): the listing is empty when the product was matched
        by rule, so that the caller can record the pairing; both are empty when nothing matches.
        The product may be archived (an active one wins over an archived one): callers that
        sell or count it say why they do not (`_archived_reason`)."""
        instance.ensure_one()
        listing = self.env["marketplace.listing"]._find(
            instance, sku=sku, external_id=external_id, barcode=barcode
        )
        if listing:
            return listing.product_id, listing
        rules = {"sku": ["sku"], "barcode": ["barcode"], "both": ["sku", "barcode"]}[
            instance.sync_listings_on
        ]
        product = self._product_of(
            instance, sku if "sku" in rules else None, barcode if "barcode" in rules else None
        )
        return product, listing

    @api.model
    def _product_of(self, instance, sku=None, barcode=None):
        """The product of the instance's company (or shared), archived ones included, whose
        internal reference is `sku`, else whose barcode is `barcode`; an active one first."""
        Product = self.env["product.product"].with_context(active_test=False)
        company = [("company_id", "in", (False, instance.company_id.id))]
        for fname, value in (("default_code", sku), ("barcode", barcode)):
            if value:
                product = Product.search([(fname, "=", value)] + company, order="active desc, id", limit=1)
                if product:
                    return product
        return Product.browse()

    @api.model
    def _item_product(self, instance, sku=None, barcode=None, external_id=None, name=None, price=0.0):
        """(product, listing, reason) of an item of an order or a listing, by `_resolve`. With
        "Create Odoo Products?" an item nothing matches gets a product, unless a product already
        has its SKU as internal reference or its barcode (whatever "Sync Listings Based On"
        says, archived ones included): the item is that product, never a second one. An
        archived product is not sold: the product is empty and the reason says why."""
        product, listing = self._resolve(instance, sku, barcode, external_id)
        if not product and instance.create_products and (sku or barcode):
            product = self._product_of(instance, sku, barcode) or self._create_product(
                instance, name, sku, barcode, price
            )
        if product and not product.active:
            return product.browse(), listing, self._archived_reason(product, sku or barcode)
        return product, listing, None

    @api.model
    def _archived_reason(self, product, item):
        return _(
            "%(product)s, the product of %(item)s, is archived: restore it, or pair the item with another "
            "product.",
            product=product.display_name,
            item=item,
        )

    @api.model
    def _order_line_product(self, instance, line, fulfilment="merchant"):
        """(product, reason) of an order line (schemas.order.Line); never no product, so that
        no order is dropped: an item no product matches lands on the default product, keeping
        its name and SKU, and so does an item whose product is archived, with the reason."""
        if line.custom:
            return self._special_product(instance, "custom_storable" if line.storable else "custom"), None
        product, listing, reason = self._item_product(
            instance, line.sku, line.barcode, line.product_external_id, line.name, line.unit_price
        )
        if not product:
            return self._special_product(instance, "default"), reason
        if not listing:
            self.env["marketplace.listing"]._bind(
                instance,
                product,
                sku=line.sku,
                barcode=line.barcode,
                external_id=line.product_external_id,
                name=line.name,
                fulfilment=fulfilment,
            )
        return product, None

    @api.model
    def _create_product(self, instance, name, sku=None, barcode=None, price=0.0):
        """A storable product for a marketplace item no product matches ("Create Odoo Products?"),
        the instance's company's."""
        return self.env["product.product"].create(
            {
                "name": name or sku or barcode,
                "default_code": sku or False,
                "barcode": barcode or False,
                "type": "product",
                "list_price": price or 0.0,
                "company_id": instance.company_id.id,
            }
        )

    # lines that are no catalogue item ----------------------------------------------------------
    @api.model
    def _special_product(self, instance, kind, code=None):
        """Product of a non-catalogue line: the instance's choice, else the suite's default.

        A shipping or gift wrap code that matches an internal reference (a product of the
        instance's company, or shared) picks that product."""
        if code:
            product = self.env["product.product"].search(
                [("default_code", "=", code), ("company_id", "in", (False, instance.company_id.id))], limit=1
            )
            if product:
                return product
        fname = SPECIAL_PRODUCT_FIELDS[kind]
        return (fname and instance[fname]) or self._suite_product(kind)

    @api.model
    def _suite_product(self, kind):
        """The suite's own product of a kind (asked for every order line: the cached id, without
        the query env.ref makes to check that the record exists)."""
        product_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "marketplace_base.product_marketplace_%s" % kind
        )
        return self.env["product.product"].browse(product_id)

    @api.model
    def _fallback_products(self, instance):
        """The products of items no Odoo product matched: the instance's default product and the
        suite's (asked for every order line: once per queue batch)."""
        return memoized(
            self.env,
            ("fallback products", instance.id),
            self.env["product.product"],
            lambda: self._special_product(instance, "default") | self._suite_product("default"),
        )
