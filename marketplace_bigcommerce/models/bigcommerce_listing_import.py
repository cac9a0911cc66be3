import base64
import logging

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools.image import binary_to_image, image_process

from odoo.addons.marketplace_base.adapter.download import DownloadRefused, fetch, origin

from ..adapter.mapping import from_kg, listing_items

_logger = logging.getLogger(__name__)
# Raster images only: Odoo would store an SVG (or anything starting with '<') as it is, text a
# browser may run.
RASTER_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


class BigCommerceListingImport(models.AbstractModel):
    """Import Listings, one queued catalog product at a time: its variants matched to Odoo
    products by SKU (the variant's SKU), missing products created when the instance says so (a
    product with options as one template with its variants), categories following the store's
    tree, images attached."""

    _name = "bigcommerce.listing.import"
    _description = "BigCommerce Listing Import"

    @api.model
    def _import(self, instance, payload, log):
        product = payload.get("bigcommerce") or payload
        items = listing_items(product, instance.bigcommerce_weight_unit)
        matched = [(item,) + self._match(instance, item) for item in items]
        missing = [item for item, odoo_product, _listing in matched if not odoo_product]
        if missing and not instance.create_products:
            raise UserError(
                _(
                    "No Odoo product matches SKU %(skus)s, and %(instance)s does not create products "
                    "(Create Odoo Products?).",
                    skus=", ".join(i["sku"] or "-" for i in missing),
                    instance=instance.name,
                )
            )
        created = self._create_products(instance, product, missing) if missing else {}
        listings = self.env["marketplace.listing"]
        for item, odoo_product, listing in matched:
            odoo_product = odoo_product or created[item["external_id"]]
            if item["external_id"] not in created:
                self._compare_weight(instance, item, odoo_product, log)
            listings |= self._write_listing(instance, item, odoo_product, listing)
        templates = listings.product_id.product_tmpl_id
        if instance.update_category:
            category = self.env["bigcommerce.category"]._product_category(instance, product.get("categories"))
            if category:
                templates.write({"categ_id": category.id})
        if instance.sync_images:
            self._attach_images(instance, listings, items, log)
        return templates[:1] if len(templates) == 1 else listings[:1]

    def _match(self, instance, item):
        """(product, listing) of a variant by the resolver's rules; with "Create Odoo Products?",
        a product that has its SKU or barcode (archived included) rather than a new one. A
        variant whose product is archived stops the import of its catalog product with the
        reason: its queue line waits until the product is restored or another one chosen."""
        Products = self.env["marketplace.product.resolver"]
        product, listing = Products._resolve(instance, item["sku"], item["barcode"], item["external_id"])
        if not product and instance.create_products:
            product = Products._product_of(instance, item["sku"], item["barcode"])
        if product and not product.active:
            raise UserError(Products._archived_reason(product, item["sku"] or item["barcode"]))
        return product, listing

    def _write_listing(self, instance, item, odoo_product, listing):
        vals = {
            "instance_id": instance.id,
            "product_id": odoo_product.id,
            "name": " - ".join(filter(None, (item["name"], item["variant_name"]))),
            "sku": item["sku"] or False,
            "external_id": item["external_id"],
            "external_variant_id": str(item["bigcommerce_variant_id"]),
            "barcode": item["barcode"] or False,
            "bigcommerce_inventory_tracking": item["inventory_tracking"],
        }
        if listing:
            listing.write(vals)
            return listing
        return self.env["marketplace.listing"].create(vals)

    def _compare_weight(self, instance, item, odoo_product, log):
        """Weights are compared in the store's unit: a difference is worth a line, never a silent
        change of the Odoo product."""
        odoo_kg = self._weight_kg(odoo_product.weight)
        unit = instance.bigcommerce_weight_unit
        if odoo_product.weight and round(from_kg(odoo_kg, unit), 2) != round(
            from_kg(item["weight_kg"], unit), 2
        ):
            log._add(
                "info",
                _(
                    "%(sku)s weighs %(odoo)s %(unit)s in Odoo and %(bc)s %(unit)s on BigCommerce.",
                    sku=item["sku"],
                    odoo=round(from_kg(odoo_kg, unit), 2),
                    bc=round(from_kg(item["weight_kg"], unit), 2),
                    unit=unit,
                ),
                record=odoo_product,
            )

    # products ----------------------------------------------------------------------------------------
    def _create_products(self, instance, product, items):
        """{external id: product} for the items no Odoo product matches: a product with options
        whose variants are all new becomes one template with those variants; others one product
        each."""
        if (
            len(items) > 1
            and all(item["options"] for item in items)
            and len(items) == len(product.get("variants") or [])
        ):
            return self._create_template(instance, product, items)
        created = {}
        for item in items:
            odoo_product = self.env["marketplace.product.resolver"]._create_product(
                instance,
                " - ".join(filter(None, (item["name"], item["variant_name"]))),
                item["sku"],
                item["barcode"],
                float(item["price"] or 0.0),
            )
            odoo_product.weight = self._odoo_weight(item["weight_kg"])
            created[item["external_id"]] = odoo_product
        return created

    def _create_template(self, instance, product, items):
        Attribute, Value = self.env["product.attribute"], self.env["product.attribute.value"]
        values_by_option = {}
        for item in items:
            for option, label in item["options"]:
                values_by_option.setdefault(option, []).append(label)
        lines, value_ids = [], {}
        for option, labels in values_by_option.items():
            attribute = Attribute.search([("name", "=", option)], limit=1) or Attribute.create(
                {"name": option, "create_variant": "always"}
            )
            values = Value.browse()
            for label in dict.fromkeys(labels):
                value = Value.search(
                    [("attribute_id", "=", attribute.id), ("name", "=", label)], limit=1
                ) or Value.create({"attribute_id": attribute.id, "name": label})
                value_ids[(option, label)] = value.id
                values |= value
            lines.append((0, 0, {"attribute_id": attribute.id, "value_ids": [(6, 0, values.ids)]}))
        template = self.env["product.template"].create(
            {
                "name": product.get("name"),
                "type": "product",
                "list_price": float(product.get("price") or 0.0),
                "weight": self._odoo_weight(items[0]["weight_kg"]),
                "attribute_line_ids": lines,
                "company_id": instance.company_id.id,
            }
        )
        by_values = {
            frozenset(v.product_template_attribute_value_ids.product_attribute_value_id.ids): v
            for v in template.product_variant_ids
        }
        created = {}
        for item in items:
            variant = by_values[frozenset(value_ids[option] for option in item["options"])]
            variant.write({"default_code": item["sku"] or False, "barcode": item["barcode"] or False})
            created[item["external_id"]] = variant
        # combinations the store does not sell are archived
        (template.product_variant_ids - self.env["product.product"].concat(*created.values())).write(
            {"active": False}
        )
        return created

    def _weight_uom(self):
        return self.env["product.template"]._get_weight_uom_id_from_ir_config_parameter()

    def _odoo_weight(self, weight_kg):
        """A weight in kilograms in Odoo's weight unit (kg, or lb when the database says so)."""
        return self.env.ref("uom.product_uom_kgm")._compute_quantity(
            weight_kg, self._weight_uom(), round=False
        )

    def _weight_kg(self, weight):
        return self._weight_uom()._compute_quantity(weight, self.env.ref("uom.product_uom_kgm"), round=False)

    # images ------------------------------------------------------------------------------------------
    def _attach_images(self, instance, listings, items, log):
        """The product's image (from the store's CDN: no API call) on each listing, and on the
        Odoo product when it has none. The URL is the store's answer, not ours: it is fetched
        under marketplace_base/adapter/download.py's rules (public addresses only, but the
        instance's own API host; no redirect elsewhere; 10 MB; a deadline), and an image that
        cannot be had or read leaves the listing without one, with a warning on the log."""
        by_external = {item["external_id"]: item for item in items}
        api_host = origin(instance.sudo().api_base_url)  # sudo: an administrators' field; its host only
        cache = {}
        for listing in listings:
            url = by_external.get(listing.external_id, {}).get("image_url")
            if not url:
                continue
            if url not in cache:
                cache[url] = self._image(url, [api_host] if api_host else [], listing, log)
            if cache[url]:
                listing.image_1920 = cache[url]
                if not listing.product_id.image_1920:
                    listing.product_id.image_1920 = cache[url]

    @api.model
    def _image(self, url, allowed, listing, log):
        """The image at `url` (base64), or None with a warning on the log."""
        try:
            data = fetch(url, allowed)
            if binary_to_image(data).format not in RASTER_FORMATS:
                raise UserError(_("not a JPEG, PNG, GIF or WebP image"))
            image_process(data, verify_resolution=True)  # an image Odoo can store, or an error
        except DownloadRefused as err:
            reason = str(err)
        except Exception as err:  # pylint: disable=broad-except
            # whatever the bytes are (HTML, a truncated or hostile image), the listing goes on without
            _logger.info("BigCommerce image %s is unreadable: %s", url, err)
            reason = _("not an image Odoo can read")
        else:
            return base64.b64encode(data)
        log._add(
            "warning",
            _(
                "%(sku)s: the image %(url)s was not imported (%(reason)s); the listing is "
                "imported without it.",
                sku=listing.sku or listing.external_id,
                url=url,
                reason=reason,
            ),
            record=listing,
        )
        return None
