"""The catalogue: products, variants and their prices (generation and the v3 Catalog API)."""

import re
import time
import uuid

from .data import (
    BRANDS,
    CATEGORIES,
    CDN_PREFIX,
    COLOURS,
    ean13,
    iso8601,
    LOCATIONS,
    MAX_INT,
    money_float,
    parse_date,
    PRODUCT_WORDS,
    REDUCED_CLASS,
    REDUCED_WORD,
    SIZES,
    V3_ERROR_TYPE,
    _ApiError,
    _int_arg,
    _is_number,
)

SEG = r"([^/]+)"  # one path segment of a route pattern


class CatalogueMixin:
    """Catalogue state and the v3 catalog handlers of BigCommerceAPI."""

    def _routes_catalogue(self):
        return [
            ("v3", "GET", "/catalog/products", "getProducts", self._get_products),
            ("v3", "PUT", "/catalog/products", "updateProducts", self._update_products),
            ("v3", "GET", "/catalog/products/%s" % SEG, "getProduct", self._get_product),
            ("v3", "PUT", "/catalog/products/%s" % SEG, "updateProduct", self._update_product),
            (
                "v3",
                "GET",
                "/catalog/products/%s/variants" % SEG,
                "getProductVariants",
                self._get_product_variants,
            ),
            (
                "v3",
                "GET",
                "/catalog/products/%s/variants/%s" % (SEG, SEG),
                "getProductVariant",
                self._get_product_variant,
            ),
            (
                "v3",
                "PUT",
                "/catalog/products/%s/variants/%s" % (SEG, SEG),
                "updateProductVariant",
                self._update_product_variant,
            ),
            ("v3", "GET", "/catalog/variants", "getVariants", self._get_variants),
            ("v3", "PUT", "/catalog/variants", "updateVariantsBatch", self._update_variants_batch),
            ("v3", "GET", "/catalog/products/%s/images" % SEG, "getProductImages", self._get_product_images),
            ("v3", "GET", "/catalog/categories", "getCategories", self._get_categories),
            ("v3", "GET", "/catalog/brands", "getBrands", self._get_brands),
        ]

    # -- catalogue -----------------------------------------------------------------------------
    def _build_catalogue(self, n_products):
        rng = self.rng
        salt = rng.randrange(10**6)
        self.products = {}
        self.product_list = []
        self.variants = {}
        self.variant_list = []
        self.sku_index = {}  # sku -> ("v", variant) or ("p", product)
        self.locations = {loc[0]: loc for loc in LOCATIONS}
        self.stock = {}  # (variant id, location id) -> on hand
        self.safety = {}  # (variant id, location id) -> safety stock
        vid = 1000
        for n in range(1, n_products + 1):
            pid = 110 + n
            word = PRODUCT_WORDS[n % len(PRODUCT_WORDS)]
            price = rng.randrange(5, 130) * 100 + 99
            kind = rng.random()
            if kind < 0.55:
                combos = [()]
            elif kind < 0.85:
                combos = [(c,) for c in rng.sample(COLOURS, 3)]
            else:
                colours = rng.sample(COLOURS, 2)
                combos = [(c, s) for c in colours for s in SIZES[:3]]
            sku = "BC-%04d" % n
            created = self.now - rng.randrange(90, 900) * 86400
            product = {
                "id": pid,
                "name": "%s %d" % (word, n),
                "sku": sku,
                "price": price,
                "sale": price * 8 // 10 // 100 * 100 + 99 if rng.random() < 0.15 else 0,
                "retail": price + 1000 if rng.random() < 0.3 else 0,
                "cost": price * 45 // 100,
                "weight": round(0.1 + rng.random() * 2.5, 2),
                "tracking": "product" if not combos[0] else "variant",
                "visible": rng.random() < 0.93,
                "brand_id": 36 + n % 5,
                "categories": [18 + n % 6],
                "tax_class": REDUCED_CLASS if word == REDUCED_WORD else 0,
                "created": created,
                "modified": created + rng.randrange(0, 60) * 86400,
                "sold": 0,
                "upc": "",
                "mpn": "MPN-%05d" % (salt + n) if rng.random() < 0.5 else "",
                "variants": [],
                "base": None,
                "options": [],
            }
            if not combos[0] and rng.random() < 0.08:
                product["tracking"] = "none"
            if combos[0]:
                opts = [(pid * 10 + 1, "Farbe")]
                if len(combos[0]) > 1:
                    opts.append((pid * 10 + 2, "Größe"))
                product["options"] = opts
            for combo in combos:
                vid += 1
                vsku = sku
                values = []
                if combo:
                    colour = combo[0]
                    vsku += "-" + colour[2]
                    values.append(
                        {
                            "id": colour[0],
                            "label": colour[1],
                            "option_id": pid * 10 + 1,
                            "option_display_name": "Farbe",
                        }
                    )
                    if len(combo) > 1:
                        size = combo[1]
                        vsku += "-" + size[1]
                        values.append(
                            {
                                "id": size[0],
                                "label": size[1],
                                "option_id": pid * 10 + 2,
                                "option_display_name": "Größe",
                            }
                        )
                own_price = combo and rng.random() < 0.4
                variant = {
                    "id": vid,
                    "product_id": pid,
                    "sku": vsku,
                    "sku_id": (vid + 3000) if combo else None,
                    "price": price + rng.choice((-200, 0, 300, 500)) if own_price else None,
                    "sale": None,
                    "retail": None,
                    "cost": None,
                    "values": values,
                    "gtin": ean13("40%010d" % ((salt * 1000 + vid) % 10**10)),
                    "warning": 5,
                    "disabled": False,
                }
                product["variants"].append(variant)
                self.variants[vid] = variant
                self.variant_list.append(variant)
                self.sku_index[vsku] = ("v", variant)
                self.stock[(vid, 1)] = rng.randrange(0, 60)
                if rng.random() < 0.5:
                    self.stock[(vid, 2)] = rng.randrange(0, 25)
            if not combos[0]:
                product["base"] = product["variants"][0]["id"]
                product["upc"] = product["variants"][0]["gtin"]
            else:
                self.sku_index.setdefault(sku, ("p", product))
            self.products[pid] = product
            self.product_list.append(product)

    def _variant_price(self, variant):
        """(price, sale price) in cents that apply to a variant."""
        product = self.products[variant["product_id"]]
        price = variant["price"] if variant["price"] is not None else product["price"]
        sale = (
            variant["sale"]
            if variant["sale"] is not None
            else (product["sale"] if variant["price"] is None else 0)
        )
        return price, sale

    def _unit_price(self, variant):
        price, sale = self._variant_price(variant)
        return sale if sale and sale < price else price

    # ========================================================================================
    # v3: catalog
    # ========================================================================================
    def _meta(self, total, page, limit, count):
        pages = (total + limit - 1) // limit if total else 0
        links = {"current": "?page=%d&limit=%d" % (page, limit)}
        if page > 1:
            links["previous"] = "?page=%d&limit=%d" % (page - 1, limit)
        if page < pages:
            links["next"] = "?page=%d&limit=%d" % (page + 1, limit)
        return {
            "pagination": {
                "total": total,
                "count": count,
                "per_page": limit,
                "current_page": page,
                "total_pages": pages,
                "links": links,
            }
        }

    def _stock_total(self, vid):
        total = 0
        for loc in self.locations:
            q = self.stock.get((vid, loc))
            if q:
                total += max(0, q - self.safety.get((vid, loc), 0))
        return total

    def _render_variant(self, v):
        product = self.products[v["product_id"]]
        price, sale = self._variant_price(v)
        return {
            "id": v["id"],
            "product_id": v["product_id"],
            "sku": v["sku"],
            "sku_id": v["sku_id"],
            "price": money_float(v["price"]),
            "calculated_price": money_float(self._unit_price(v)),
            "sale_price": money_float(v["sale"]),
            "retail_price": money_float(v["retail"]),
            "cost_price": money_float(v["cost"]),
            "weight": None,
            "calculated_weight": product["weight"],
            "width": None,
            "height": None,
            "depth": None,
            "is_free_shipping": False,
            "fixed_cost_shipping_price": None,
            "purchasing_disabled": v["disabled"],
            "purchasing_disabled_message": "",
            "image_url": "",
            "upc": v["gtin"],
            "mpn": product["mpn"] or None,
            "gtin": v["gtin"],
            "inventory_level": self._stock_total(v["id"]),
            "inventory_warning_level": v["warning"],
            "bin_picking_number": "",
            "option_values": [dict(x) for x in v["values"]],
        }

    def _render_product(self, p, include=()):
        base = self.variants[p["base"]] if p["base"] else None
        slug = re.sub(r"[^a-z0-9]+", "-", p["name"].lower()).strip("-")
        out = {
            "id": p["id"],
            "name": p["name"],
            "type": "physical",
            "sku": p["sku"],
            "description": "<p>%s – simuliertes Produkt.</p>" % p["name"],
            "weight": p["weight"],
            "width": 0,
            "depth": 0,
            "height": 0,
            "price": money_float(p["price"]),
            "cost_price": money_float(p["cost"]),
            "retail_price": money_float(p["retail"]),
            "sale_price": money_float(p["sale"]),
            "map_price": 0,
            "tax_class_id": p["tax_class"],
            "product_tax_code": "",
            "calculated_price": money_float(
                p["sale"] if p["sale"] and p["sale"] < p["price"] else p["price"]
            ),
            "categories": list(p["categories"]),
            "brand_id": p["brand_id"],
            "inventory_level": sum(self._stock_total(v["id"]) for v in p["variants"])
            if p["tracking"] != "none"
            else 0,
            "inventory_warning_level": 5,
            "inventory_tracking": p["tracking"],
            "reviews_rating_sum": 0,
            "reviews_count": 0,
            "total_sold": p["sold"],
            "fixed_cost_shipping_price": 0,
            "is_free_shipping": False,
            "is_visible": p["visible"],
            "is_featured": False,
            "related_products": [-1],
            "warranty": "",
            "bin_picking_number": "",
            "layout_file": "product.html",
            "upc": p["upc"],
            "mpn": p["mpn"],
            "gtin": base["gtin"] if base else "",
            "search_keywords": "",
            "availability": "available",
            "availability_description": "",
            "gift_wrapping_options_type": "any",
            "gift_wrapping_options_list": [],
            "sort_order": 0,
            "condition": "New",
            "is_condition_shown": False,
            "order_quantity_minimum": 0,
            "order_quantity_maximum": 0,
            "page_title": "",
            "meta_keywords": [],
            "meta_description": "",
            "view_count": 0,
            "preorder_release_date": None,
            "preorder_message": "",
            "is_preorder_only": False,
            "is_price_hidden": False,
            "price_hidden_label": "",
            "custom_url": {"url": "/%s/" % slug, "is_customized": False},
            "open_graph_type": "product",
            "open_graph_title": "",
            "open_graph_description": "",
            "open_graph_use_meta_description": True,
            "open_graph_use_product_name": True,
            "open_graph_use_image": True,
            "base_variant_id": p["base"],
            "date_created": iso8601(p["created"]),
            "date_modified": iso8601(p["modified"]),
        }
        if "variants" in include:
            out["variants"] = [self._render_variant(v) for v in p["variants"]]
        if "options" in include:
            out["options"] = [
                {
                    "id": oid,
                    "product_id": p["id"],
                    "display_name": label,
                    "type": "rectangles",
                    "config": {},
                    "sort_order": n,
                    "option_values": sorted(
                        {
                            (v2["id"], v2["label"])
                            for v in p["variants"]
                            for v2 in v["values"]
                            if v2["option_id"] == oid
                        }
                    ),
                }
                for n, (oid, label) in enumerate(p["options"])
            ]
            for opt in out["options"]:
                opt["option_values"] = [
                    {"id": i, "label": lbl, "sort_order": n, "value_data": {}, "is_default": False}
                    for n, (i, lbl) in enumerate(opt["option_values"])
                ]
        if "images" in include:
            out["images"] = self._render_images(p)
        if "custom_fields" in include:
            out["custom_fields"] = []
        return out

    def _fields(self, req, obj):
        include_fields = req.args("include_fields")
        exclude_fields = req.args("exclude_fields")
        if include_fields:
            keep = set(include_fields) | {"id"}
            obj = {k: v for k, v in obj.items() if k in keep or k in ("variants", "options", "images")}
        for field in exclude_fields:
            if field != "id":
                obj.pop(field, None)
        return obj

    def _v3_id(self, value, what):
        number = _int_arg(value)
        if number is None:
            raise _ApiError(404, "The %s was not found." % what)
        return number

    def _product_or_404(self, product_id):
        product = self.products.get(self._v3_id(product_id, "product"))
        if product is None:
            raise _ApiError(404, "The product was not found.")
        return product

    def _get_products(self, req):
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        products = self.product_list
        sku = req.arg("sku")
        if sku is not None:
            products = [p for p in products if p["sku"] == sku]
        skus = req.args("sku:in")
        if skus:
            wanted = set(skus)
            products = [p for p in products if p["sku"] in wanted]
        ids = [_int_arg(x) for x in req.args("id:in")] + ([_int_arg(req.arg("id"))] if req.arg("id") else [])
        if ids:
            if None in ids:
                raise _ApiError(
                    422,
                    "The filter(s): id:in are not valid filter parameter(s).",
                    {"id:in": "must be integers"},
                )
            wanted = set(ids)
            products = [p for p in products if p["id"] in wanted]
        if req.arg("name"):
            products = [p for p in products if p["name"] == req.arg("name")]
        if req.arg("is_visible") in ("true", "1", "false", "0"):
            visible = req.arg("is_visible") in ("true", "1")
            products = [p for p in products if p["visible"] == visible]
        modified_min = req.arg("date_modified:min")
        if modified_min:
            ts = parse_date(modified_min)
            if ts is None:
                raise _ApiError(
                    422,
                    "The filter(s): date_modified:min are not valid filter parameter(s).",
                    {"date_modified:min": "must be a date"},
                )
            products = [p for p in products if p["modified"] >= ts]
        include = set(req.args("include"))
        chunk = products[(page - 1) * limit : page * limit]
        data = [self._fields(req, self._render_product(p, include)) for p in chunk]
        return self._json(200, {"data": data, "meta": self._meta(len(products), page, limit, len(data))})

    def _get_product(self, req, product_id):
        product = self._product_or_404(product_id)
        data = self._fields(req, self._render_product(product, set(req.args("include"))))
        return self._json(200, {"data": data, "meta": {}})

    _MONEY_FIELDS = ("price", "sale_price", "retail_price", "cost_price")
    _MONEY_KEYS = {"price": "price", "sale_price": "sale", "retail_price": "retail", "cost_price": "cost"}

    def _check_product_update(self, body, errors, prefix=""):
        for field in self._MONEY_FIELDS:
            if field in body and not (_is_number(body[field]) and body[field] >= 0):
                errors[prefix + field] = (
                    "error.expected.jsnumber" if not _is_number(body[field]) else "must be >= 0"
                )
        for field in ("name", "sku"):
            if field in body and not (isinstance(body[field], str) and 1 <= len(body[field]) <= 250):
                errors[prefix + field] = "error.expected.jsstring"
        if "is_visible" in body and not isinstance(body["is_visible"], bool):
            errors[prefix + "is_visible"] = "error.expected.jsboolean"
        if "inventory_level" in body and not (
            isinstance(body["inventory_level"], int) and 0 <= body["inventory_level"] <= MAX_INT
        ):
            errors[prefix + "inventory_level"] = "error.expected.jsnumber"
        if "inventory_tracking" in body and body["inventory_tracking"] not in ("none", "product", "variant"):
            errors[prefix + "inventory_tracking"] = "must be one of none, product, variant"

    def _apply_product_update(self, product, body, source):
        for field in self._MONEY_FIELDS:
            if field in body:
                key = self._MONEY_KEYS[field]
                cents = int(round(body[field] * 100))
                if product[key] != cents:
                    self._log_price(product["sku"], product["id"], None, field, product[key], cents, source)
                    product[key] = cents
                    for v in product["variants"]:
                        self.prices_touched.add(v["id"])
        if "sku" in body and body["sku"] != product["sku"]:
            other = self.sku_index.get(body["sku"])
            if (
                other
                and not (other[0] == "p" and other[1] is product)
                and not (other[0] == "v" and other[1]["product_id"] == product["id"])
            ):
                raise _ApiError(
                    409,
                    "Product was in conflict with another product: the SKU %s is in use." % body["sku"],
                    {"sku": "duplicate"},
                )
            self.sku_index.pop(product["sku"], None)
            product["sku"] = body["sku"]
            if product["base"]:
                base = self.variants[product["base"]]
                base["sku"] = body["sku"]
                self.sku_index[body["sku"]] = ("v", base)
            else:
                self.sku_index[body["sku"]] = ("p", product)
        if "name" in body:
            product["name"] = body["name"]
        if "is_visible" in body:
            product["visible"] = body["is_visible"]
        if "inventory_tracking" in body:
            product["tracking"] = body["inventory_tracking"]
        if "inventory_level" in body and product["base"]:
            key = (
                product["base"],
                1,
            )  # the Catalog API writes the default location through the Inventory API
            self.stock[key] = body["inventory_level"]
            self.stock_touched.add(key)
            self.adjustments.append(
                {
                    "transaction_id": str(uuid.uuid4()),
                    "kind": "catalog",
                    "reason": "catalog API",
                    "items": [{"sku": product["sku"], "location_id": 1, "quantity": body["inventory_level"]}],
                    "status": "applied",
                    "at": iso8601(time.time()),
                }
            )
        product["modified"] = time.time()

    def _log_price(self, sku, product_id, variant_id, field, old, new, source):
        self.price_updates.append(
            {
                "sku": sku,
                "product_id": product_id,
                "variant_id": variant_id,
                "field": field,
                "old": money_float(old),
                "new": money_float(new),
                "source": source,
                "at": iso8601(time.time()),
            }
        )

    def _update_product(self, req, product_id):
        product = self._product_or_404(product_id)
        body = self._body(req)
        errors = {}
        self._check_product_update(body, errors)
        if errors:
            raise _ApiError(422, "JSON data is missing or invalid", errors)
        self._apply_product_update(product, body, "updateProduct")
        return self._json(200, {"data": self._render_product(product, set(req.args("include"))), "meta": {}})

    def _update_products(self, req):
        body = self._body(req, list)
        if len(body) > self.PRODUCTS_BATCH:
            raise _ApiError(
                413,
                "The request payload is too large. The maximum items allowed in the array is %d."
                % self.PRODUCTS_BATCH,
                {},
            )
        errors = {}
        targets = []
        for n, item in enumerate(body):
            if not isinstance(item, dict) or _int_arg(item.get("id")) is None:
                errors["%d.id" % n] = "error.path.missing"
                continue
            product = self.products.get(_int_arg(item["id"]))
            if product is None:
                raise _ApiError(404, "The product %s was not found." % item["id"])
            self._check_product_update(item, errors, "%d." % n)
            targets.append((product, item))
        if errors:
            raise _ApiError(422, "JSON data is missing or invalid", errors)
        for product, item in targets:
            self._apply_product_update(product, item, "updateProducts")
        return self._json(200, {"data": [self._render_product(p) for p, _ in targets], "meta": {}})

    def _variant_or_404(self, product, variant_id):
        vid = self._v3_id(variant_id, "variant")
        variant = self.variants.get(vid)
        if variant is None or variant["product_id"] != product["id"]:
            raise _ApiError(404, "The variant was not found.")
        return variant

    def _get_product_variants(self, req, product_id):
        product = self._product_or_404(product_id)
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        rows = product["variants"][(page - 1) * limit : page * limit]
        data = [self._fields(req, self._render_variant(v)) for v in rows]
        return self._json(
            200, {"data": data, "meta": self._meta(len(product["variants"]), page, limit, len(data))}
        )

    def _get_product_variant(self, req, product_id, variant_id):
        product = self._product_or_404(product_id)
        variant = self._variant_or_404(product, variant_id)
        return self._json(200, {"data": self._fields(req, self._render_variant(variant)), "meta": {}})

    def _check_variant_update(self, body, errors, prefix=""):
        for field in self._MONEY_FIELDS:
            if (
                field in body
                and body[field] is not None
                and not (_is_number(body[field]) and body[field] >= 0)
            ):
                errors[prefix + field] = (
                    "error.expected.jsnumber" if not _is_number(body[field]) else "must be >= 0"
                )
        if "sku" in body and not (isinstance(body["sku"], str) and 1 <= len(body["sku"]) <= 255):
            errors[prefix + "sku"] = "error.expected.jsstring"
        if "purchasing_disabled" in body and not isinstance(body["purchasing_disabled"], bool):
            errors[prefix + "purchasing_disabled"] = "error.expected.jsboolean"

    def _apply_variant_update(self, variant, body, source):
        for field in self._MONEY_FIELDS:
            if field in body:
                key = self._MONEY_KEYS[field]
                cents = None if body[field] is None else int(round(body[field] * 100))
                if variant[key] != cents:
                    self._log_price(
                        variant["sku"],
                        variant["product_id"],
                        variant["id"],
                        field,
                        variant[key],
                        cents,
                        source,
                    )
                    variant[key] = cents
                    self.prices_touched.add(variant["id"])
        if "sku" in body and body["sku"] != variant["sku"]:
            if body["sku"] in self.sku_index:
                raise _ApiError(409, "The SKU %s is in use." % body["sku"], {"sku": "duplicate"})
            self.sku_index.pop(variant["sku"], None)
            variant["sku"] = body["sku"]
            self.sku_index[body["sku"]] = ("v", variant)
        if "purchasing_disabled" in body:
            variant["disabled"] = body["purchasing_disabled"]
        self.products[variant["product_id"]]["modified"] = time.time()

    def _update_product_variant(self, req, product_id, variant_id):
        product = self._product_or_404(product_id)
        variant = self._variant_or_404(product, variant_id)
        body = self._body(req)
        errors = {}
        self._check_variant_update(body, errors)
        if errors:
            raise _ApiError(422, "JSON data is missing or invalid", errors)
        self._apply_variant_update(variant, body, "updateProductVariant")
        return self._json(200, {"data": self._render_variant(variant), "meta": {}})

    def _get_variants(self, req):
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        rows = self.variant_list
        if req.arg("sku"):
            rows = [v for v in rows if v["sku"] == req.arg("sku")]
        if req.arg("id"):
            vid = _int_arg(req.arg("id"))
            rows = [v for v in rows if v["id"] == vid]
        ids = req.args("id:in")
        if ids:
            wanted = {_int_arg(x) for x in ids}
            rows = [v for v in rows if v["id"] in wanted]
        pids = req.args("product_id:in")
        if pids:
            wanted = {_int_arg(x) for x in pids}
            rows = [v for v in rows if v["product_id"] in wanted]
        chunk = rows[(page - 1) * limit : page * limit]
        data = [self._fields(req, self._render_variant(v)) for v in chunk]
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    def _update_variants_batch(self, req):
        body = self._body(req, list)
        if len(body) > self.VARIANTS_BATCH:
            raise _ApiError(
                413,
                "The request payload is too large. The maximum items allowed in the array is %d"
                % self.VARIANTS_BATCH,
                {},
            )
        batch_errors = []
        targets = []
        for n, item in enumerate(body):
            errors = {}
            variant = None
            if not isinstance(item, dict) or _int_arg(item.get("id")) is None:
                errors["id"] = "error.path.missing"
            else:
                variant = self.variants.get(_int_arg(item["id"]))
                if variant is None:
                    errors["id"] = "variant %s not found" % item["id"]
                else:
                    self._check_variant_update(item, errors)
            if errors:
                batch_errors.append(
                    {
                        "status": 422,
                        "title": "JSON data is missing or invalid",
                        "type": V3_ERROR_TYPE,
                        "errors": dict(errors, index=str(n)),
                    }
                )
            else:
                targets.append((variant, item))
        if batch_errors:
            return self._json(422, {"batch_errors": batch_errors})
        for variant, item in targets:
            self._apply_variant_update(variant, item, "updateVariantsBatch")
        return self._json(200, {"data": [self._render_variant(v) for v, _ in targets], "meta": {}})

    # -- images, categories, brands --------------------------------------------------------------
    def _render_images(self, p):
        """One image per product, on the simulated CDN (``<base>/cdn/...``: no token, no quota)."""
        host = getattr(self._tls, "host", None) or getattr(self.sim, "public_url", "") or "http://127.0.0.1"
        path = "%s/bigcommerce%sproducts/%d/images/%d/main.png" % (
            host,
            CDN_PREFIX,
            p["id"],
            p["id"] * 10 + 1,
        )
        return [
            {
                "id": p["id"] * 10 + 1,
                "product_id": p["id"],
                "is_thumbnail": True,
                "sort_order": 0,
                "description": p["name"],
                "image_file": "a/%d/main.png" % p["id"],
                "url_zoom": path,
                "url_standard": path,
                "url_thumbnail": path,
                "url_tiny": path,
                "date_modified": iso8601(p["modified"]),
            }
        ]

    def _get_product_images(self, req, product_id):
        product = self._product_or_404(product_id)
        images = self._render_images(product)
        return self._json(200, {"data": images, "meta": self._meta(len(images), 1, 50, len(images))})

    def _get_categories(self, req):
        """GET /v3/catalog/categories: the category tree as flat rows with parent_id (0: a root)."""
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        rows = [
            {
                "id": cid,
                "parent_id": parent,
                "name": name,
                "description": "",
                "views": 0,
                "sort_order": n,
                "page_title": "",
                "meta_keywords": [],
                "meta_description": "",
                "layout_file": "category.html",
                "image_url": "",
                "is_visible": True,
                "search_keywords": "",
                "default_product_sort": "use_store_settings",
                "custom_url": {"url": "/c%d/" % cid, "is_customized": False},
            }
            for n, (cid, parent, name) in enumerate(CATEGORIES)
        ]
        chunk = rows[(page - 1) * limit : page * limit]
        return self._json(200, {"data": chunk, "meta": self._meta(len(rows), page, limit, len(chunk))})

    def _get_brands(self, req):
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        rows = [
            {
                "id": bid,
                "name": name,
                "page_title": name,
                "meta_keywords": [],
                "meta_description": "",
                "image_url": "",
                "search_keywords": "",
                "custom_url": {"url": "/brands/%d/" % bid, "is_customized": False},
            }
            for bid, name in BRANDS
        ]
        chunk = rows[(page - 1) * limit : page * limit]
        return self._json(200, {"data": chunk, "meta": self._meta(len(rows), page, limit, len(chunk))})
