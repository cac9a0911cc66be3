"""Inventory (v3): locations, items per location, absolute and relative adjustments."""

import time
import uuid

from .data import iso8601, MAX_INT, _ApiError, _int_arg

SEG = r"([^/]+)"  # one path segment of a route pattern


class InventoryMixin:
    """Inventory state and the v3 inventory handlers of BigCommerceAPI."""

    def _routes_inventory(self):
        return [
            (
                "v3",
                "PUT",
                "/inventory/adjustments/absolute",
                "put-absolute-adjustment",
                self._absolute_adjustment,
            ),
            (
                "v3",
                "POST",
                "/inventory/adjustments/relative",
                "post-relative-adjustment",
                self._relative_adjustment,
            ),
            ("v3", "GET", "/inventory/items", "get-inventory-items", self._get_inventory_items),
            ("v3", "GET", "/inventory/locations", "getLocations", self._get_locations),
            (
                "v3",
                "GET",
                "/inventory/locations/%s/items" % SEG,
                "get-location-inventory-items",
                self._get_location_items,
            ),
        ]

    def _control_item(self, payload):
        loc = int(payload.get("location_id", 1))
        if loc not in self.locations:
            raise ValueError("unknown location %s" % loc)
        hit = self.sku_index.get(payload.get("sku"))
        if hit is None or hit[0] != "v":
            raise ValueError("unknown variant sku %r" % payload.get("sku"))
        return hit[1]["id"], loc

    # ========================================================================================
    # v3: inventory
    # ========================================================================================
    def _resolve_item(self, item):
        """(variant id, product) for an adjustment item, or raise 422 as the real service does."""
        ids = [k for k in ("variant_id", "product_id", "sku") if item.get(k) not in (None, "")]
        if len(ids) != 1:
            raise _ApiError(
                422,
                "Payload contains invalid fields",
                {"items": "each item needs exactly one of variant_id, product_id or sku"},
                content_type="application/problem+json",
            )
        kind = ids[0]
        value = item[kind]
        if kind == "sku":
            hit = self.sku_index.get(value) if isinstance(value, str) else None
            if hit is None:
                raise _ApiError(
                    422,
                    "Items with identity: [sku %s] not found" % value,
                    {},
                    content_type="application/problem+json",
                )
            if hit[0] == "v":
                return hit[1]["id"]
            kind, value = "product_id", hit[1]["id"]
        number = _int_arg(value)
        if kind == "variant_id":
            variant = self.variants.get(number)
            if variant is None:
                raise _ApiError(
                    422,
                    "Items with identity: [variant_id %s] not found" % value,
                    {},
                    content_type="application/problem+json",
                )
            product = self.products[variant["product_id"]]
            if product["tracking"] == "product" and not product["base"]:
                raise _ApiError(
                    422,
                    "[Item with variant_id %d is tracked by product, please update stock by product id]"
                    % number,
                    {},
                    content_type="application/problem+json",
                )
            return variant["id"]
        product = self.products.get(number)
        if product is None:
            raise _ApiError(
                422,
                "Items with identity: [product_id %s] not found" % value,
                {},
                content_type="application/problem+json",
            )
        if not product["base"]:
            raise _ApiError(
                422,
                "[Item with product_id %d is tracked by variant, please update stock by variant id]" % number,
                {},
                content_type="application/problem+json",
            )
        return product["base"]

    def _adjustment_items(self, req, relative):
        body = self._body(req)
        items = body.get("items")
        problem = "application/problem+json"
        if not isinstance(items, list) or not items:
            raise _ApiError(
                422,
                "Payload contains invalid fields",
                {"items": "must be a non-empty array"},
                content_type=problem,
            )
        if len(items) > self.INVENTORY_MAX_ITEMS:
            raise _ApiError(
                422,
                "Payload contains invalid fields",
                {
                    "items": "The request payload is too large. The maximum items allowed in the array is %d; %d given."
                    % (self.INVENTORY_MAX_ITEMS, len(items))
                },
                content_type=problem,
            )
        if "reason" in body and body["reason"] is not None and not isinstance(body["reason"], str):
            raise _ApiError(
                422,
                "Payload contains invalid fields",
                {"reason": "error.expected.jsstring"},
                content_type=problem,
            )
        changes = []
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise _ApiError(
                    422,
                    "Payload contains invalid fields",
                    {"items.%d" % n: "must be an object"},
                    content_type=problem,
                )
            loc = _int_arg(item.get("location_id"))
            if loc is None:
                raise _ApiError(
                    422,
                    "Payload contains invalid fields",
                    {"items.%d.location_id" % n: "error.path.missing"},
                    content_type=problem,
                )
            if loc not in self.locations:
                raise _ApiError(422, "Location with id %s not found" % loc, {}, content_type=problem)
            qty = item.get("quantity")
            if (
                not isinstance(qty, int)
                or isinstance(qty, bool)
                or abs(qty) > MAX_INT
                or (qty < 0 and not relative)
            ):
                raise _ApiError(
                    422,
                    "Payload contains invalid fields",
                    {
                        "items.%d.quantity" % n: "must be an integer between %s and %d"
                        % ("-%d" % MAX_INT if relative else "0", MAX_INT)
                    },
                    content_type=problem,
                )
            vid = self._resolve_item(item)
            changes.append(((vid, loc), qty, relative))
        if relative:
            projected = {}
            for key, qty, _ in changes:
                if key not in self.stock and key not in projected:
                    variant = self.variants[key[0]]
                    raise _ApiError(
                        422,
                        "Items with identity: [variant_id %d] requires absolute adjustment before "
                        "relative" % variant["id"],
                        {},
                        content_type=problem,
                    )
                projected[key] = projected.get(key, self.stock.get(key, 0)) + qty
                if projected[key] < self.safety.get(key, 0):
                    raise _ApiError(
                        422,
                        "Items with identity: [variant_id %d] at location %d have insufficient stock: "
                        "%d on hand, adjustment %d" % (key[0], key[1], self.stock.get(key, 0), qty),
                        {},
                        content_type=problem,
                    )
        txn = {
            "transaction_id": str(uuid.uuid4()),
            "kind": "relative" if relative else "absolute",
            "reason": body.get("reason") or "",
            "items": [
                {"sku": self.variants[k[0]]["sku"], "variant_id": k[0], "location_id": k[1], "quantity": q}
                for k, q, _ in changes
            ]
            if len(changes) <= 200
            else len(changes),
            "status": "pending",
            "at": iso8601(time.time()),
        }
        self.adjustments.append(txn)
        self.pending_adjustments.append((time.time() + self.inventory_delay, txn, changes))
        if self.inventory_delay <= 0:
            self._apply_due()
        return self._json(200, {"transaction_id": txn["transaction_id"]})

    def _absolute_adjustment(self, req):
        return self._adjustment_items(req, relative=False)

    def _relative_adjustment(self, req):
        return self._adjustment_items(req, relative=True)

    def _location_item(self, vid, loc):
        key = (vid, loc)
        onhand = self.stock.get(key, 0)
        safety = self.safety.get(key, 0)
        return {
            "available_to_sell": max(0, onhand - safety),
            "total_inventory_onhand": onhand,
            "settings": {
                "safety_stock": safety,
                "is_in_stock": onhand - safety > 0,
                "warning_level": self.variants[vid]["warning"],
                "bin_picking_number": "",
            },
        }

    def _identity(self, v):
        return {
            "sku": v["sku"],
            "variant_id": v["id"],
            "product_id": v["product_id"],
            "sku_id": v["sku_id"] if v["sku_id"] is not None else v["id"] + 3000,
        }

    def _inventory_rows(self, req):
        rows = self.variant_list
        skus = req.args("sku:in")
        if skus:
            wanted = set(skus)
            rows = [v for v in rows if v["sku"] in wanted]
        for arg, key in (("variant_id:in", "id"), ("product_id:in", "product_id")):
            values = req.args(arg)
            if values:
                wanted = {_int_arg(x) for x in values}
                rows = [v for v in rows if v[key] in wanted]
        return rows

    def _get_inventory_items(self, req):
        page, limit = self._page_limit(req, 50, 1000)
        rows = self._inventory_rows(req)
        locs = [self.locations[i] for i in sorted(self.locations)]
        wanted_locs = {_int_arg(x) for x in req.args("location_id:in")}
        wanted_codes = set(req.args("location_code:in"))
        if wanted_locs:
            locs = [loc for loc in locs if loc[0] in wanted_locs]
        if wanted_codes:
            locs = [loc for loc in locs if loc[1] in wanted_codes]
        chunk = rows[(page - 1) * limit : page * limit]
        data = []
        for v in chunk:
            entry = {"identity": self._identity(v), "locations": []}
            for loc in locs:
                item = self._location_item(v["id"], loc[0])
                item.update(
                    {
                        "location_id": loc[0],
                        "location_code": loc[1],
                        "location_name": loc[2],
                        "location_enabled": loc[4],
                    }
                )
                entry["locations"].append(item)
            data.append(entry)
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    def _get_location_items(self, req, location_id):
        loc = self.locations.get(_int_arg(location_id))
        if loc is None:
            raise _ApiError(
                404,
                "Location with id %s not found" % location_id,
                {},
                content_type="application/problem+json",
            )
        page, limit = self._page_limit(req, 50, 1000)
        rows = self._inventory_rows(req)
        chunk = rows[(page - 1) * limit : page * limit]
        data = []
        for v in chunk:
            item = {"identity": {"sku": v["sku"], "variant_id": v["id"], "product_id": v["product_id"]}}
            item.update(self._location_item(v["id"], loc[0]))
            data.append(item)
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    def _get_locations(self, req):
        page, limit = self._page_limit(req, 50, 1000)
        locs = [self.locations[i] for i in sorted(self.locations)]
        ids = {_int_arg(x) for x in req.args("location_id:in")}
        if ids:
            locs = [loc for loc in locs if loc[0] in ids]
        codes = set(req.args("location_code:in"))
        if codes:
            locs = [loc for loc in locs if loc[1] in codes]
        if req.arg("is_active") in ("true", "false"):
            active = req.arg("is_active") == "true"
            locs = [loc for loc in locs if loc[4] == active]
        hours = {"open": True, "opening": "09:00", "closing": "18:00"}
        chunk = locs[(page - 1) * limit : page * limit]
        data = [
            {
                "id": loc[0],
                "code": loc[1],
                "label": loc[2],
                "description": "",
                "managed_by_external_source": False,
                "type_id": loc[3],
                "enabled": loc[4],
                "operating_hours": {
                    day: dict(hours, open=day not in ("sunday",))
                    for day in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
                },
                "time_zone": "Europe/Warsaw" if loc[5][4] == "PL" else "Europe/Berlin",
                "created_at": iso8601(self.now - 400 * 86400),
                "updated_at": iso8601(self.now - 30 * 86400),
                "address": {
                    "address1": loc[5][0],
                    "address2": "",
                    "city": loc[5][1],
                    "state": loc[5][2],
                    "zip": loc[5][3],
                    "email": "lager%d@sim-store.example" % loc[0],
                    "phone": "+49 40 5550100",
                    "geo_coordinates": {"latitude": 53.55, "longitude": 9.99},
                    "country_code": loc[5][4],
                },
                "storefront_visibility": loc[4],
                "special_hours": [],
            }
            for loc in chunk
        ]
        return self._json(200, {"data": data, "meta": self._meta(len(locs), page, limit, len(data))})
