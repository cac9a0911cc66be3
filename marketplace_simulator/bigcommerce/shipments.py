"""Shipments of orders (v2): reading and creating them; a shipment moves the order's status."""

import re
import time

from .data import (
    L_A,
    L_Q,
    L_S,
    L_V,
    NO_SHIP_STATUS_CHANGE,
    rfc2822,
    SHIPPING_PROVIDERS,
    TRACKING_LINKS,
    _ApiError,
    _int_arg,
)

SEG = r"([^/]+)"  # one path segment of a route pattern


class ShipmentsMixin:
    """The v2 shipment handlers of BigCommerceAPI."""

    def _routes_shipments(self):
        return [
            ("v2", "GET", "/orders/%s/shipments" % SEG, "getOrderShipments", self._get_order_shipments),
            ("v2", "POST", "/orders/%s/shipments" % SEG, "createOrderShipments", self._create_order_shipment),
            (
                "v2",
                "GET",
                "/orders/%s/shipments/count" % SEG,
                "getOrderShipmentsCount",
                self._get_order_shipments_count,
            ),
            (
                "v2",
                "GET",
                "/orders/%s/shipments/%s" % (SEG, SEG),
                "getOrderShipment",
                self._get_order_shipment,
            ),
        ]

    # -- shipments -------------------------------------------------------------------------------
    def _order_shipments(self, order):
        out = []
        if order["ship0"]:
            out.append(
                {
                    "id": order["id"],
                    "address": 0,
                    "date": order["ds"] or order["m"],
                    "tracking_number": "00340434%010d" % (order["id"] * 7919 % 10**10),
                    "provider": "",
                    "carrier": "dhl",
                    "link": "",
                    "comments": "",
                    "method": "DHL Paket",
                    "items": [(k, q) for k, q in order["ship0"]],
                }
            )
        out.extend(order["shp"])
        return out

    def _render_shipment(self, o, s, host=None):
        ship_addr = self._shipping_parts(o, s["address"])
        billing = self._billing(o)
        billing.pop("form_fields", None)
        provider = s["provider"]
        tracking = s["tracking_number"]
        generated = ""
        if tracking:
            generated = (
                TRACKING_LINKS.get(provider) or "https://track.aftership.com/%s/%%s" % (s["carrier"] or "dhl")
            ) % tracking
        return {
            "id": s["id"],
            "order_id": o["id"],
            "customer_id": o["cust"],
            "order_address_id": o["aid"] + s["address"],
            "date_created": rfc2822(s["date"]),
            "tracking_number": tracking,
            "merchant_shipping_cost": "0.0000",
            "shipping_method": s["method"],
            "comments": s["comments"],
            "shipping_provider": provider,
            "tracking_carrier": s["carrier"],
            "tracking_link": s["link"],
            "shipping_provider_display_name": provider.upper() if provider else "",
            "generated_tracking_link": generated,
            "billing_address": billing,
            "shipping_address": ship_addr,
            "items": [
                {
                    "order_product_id": o["pid"] + k,
                    "product_id": max(0, self._line_product_id(o["lines"][k])),
                    "quantity": q,
                }
                for k, q in s["items"]
            ],
        }

    def _line_product_id(self, ln):
        return 0 if ln[L_V] < 0 else self.variants[ln[L_V]]["product_id"]

    def _get_order_shipments(self, req, order_id):
        order = self._order_or_404(order_id)
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        shipments = self._order_shipments(order)[(page - 1) * limit : page * limit]
        if not shipments:
            return self._no_content()
        return self._json(200, [self._render_shipment(order, s) for s in shipments])

    def _get_order_shipments_count(self, req, order_id):
        order = self._order_or_404(order_id)
        return self._json(200, {"count": len(self._order_shipments(order))})

    def _get_order_shipment(self, req, order_id, shipment_id):
        order = self._order_or_404(order_id)
        sid = _int_arg(shipment_id)
        for s in self._order_shipments(order):
            if s["id"] == sid:
                return self._json(200, self._render_shipment(order, s))
        raise _ApiError(404, "The requested resource was not found.")

    def _create_order_shipment(self, req, order_id):
        order = self._order_or_404(order_id)
        body = self._body(req)

        def invalid(field, reason):
            raise _ApiError(400, "The field '%s' is invalid." % field, details={"invalid_reason": reason})

        for field in ("order_address_id", "items"):
            if field not in body or body[field] in (None, ""):
                raise _ApiError(400, "The required field '%s' was not supplied." % field)
        k_addr = _int_arg(body["order_address_id"])
        if k_addr is None:
            invalid("order_address_id", "The order_address_id must be an integer.")
        k_addr -= order["aid"]
        if not 0 <= k_addr < order["na"]:
            invalid(
                "order_address_id",
                "The order address %s does not belong to order %d." % (body["order_address_id"], order["id"]),
            )
        for field, maximum in (
            ("tracking_number", 50),
            ("tracking_link", 500),
            ("comments", 65535),
            ("tracking_carrier", 100),
            ("shipping_method", 250),
            ("merchant_shipping_cost", 50),
        ):
            value = body.get(field)
            if value is not None and (not isinstance(value, str) or len(value) > maximum):
                invalid(field, "The %s must be a string of at most %d characters." % (field, maximum))
        provider = body.get("shipping_provider", "")
        if provider is None:
            provider = ""
        if not isinstance(provider, str) or not (
            provider in SHIPPING_PROVIDERS or re.match(r"^carrier_\w+$", provider)
        ):
            invalid(
                "shipping_provider",
                "The shipping_provider must be one of %s or carrier_{id}."
                % ", ".join(sorted(p for p in SHIPPING_PROVIDERS if p)),
            )
        items = body["items"]
        if not isinstance(items, list) or not items:
            invalid("items", "The items must be a non-empty array.")
        wanted = {}
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                invalid("items", "Item %d must be an object." % n)
            for field in ("order_product_id", "quantity"):
                if field not in item:
                    raise _ApiError(400, "The required field 'items.%s' was not supplied." % field)
            k = _int_arg(item["order_product_id"])
            qty = item["quantity"]
            if k is None or not 0 <= k - order["pid"] < len(order["lines"]):
                invalid(
                    "items",
                    "The order product %r does not belong to order %d."
                    % (item["order_product_id"], order["id"]),
                )
            k -= order["pid"]
            if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                invalid("items", "The quantity must be a positive integer.")
            if order["lines"][k][L_A] != k_addr:
                invalid(
                    "items",
                    "The order product %d is not shipped to order address %s."
                    % (order["pid"] + k, body["order_address_id"]),
                )
            wanted[k] = wanted.get(k, 0) + qty
        for k, qty in wanted.items():
            ln = order["lines"][k]
            if ln[L_S] + qty > ln[L_Q]:
                raise _ApiError(
                    400,
                    "The quantity specified is greater than the quantity of the product that is "
                    "available to ship.",
                    details={
                        "invalid_reason": "order_product_id %d: %d ordered, "
                        "%d shipped, %d asked" % (order["pid"] + k, ln[L_Q], ln[L_S], qty)
                    },
                )
        for k, qty in wanted.items():
            order["lines"][k][L_S] += qty
        self._shipment_seq += 1
        now = time.time()
        shipment = {
            "id": self._shipment_seq,
            "address": k_addr,
            "date": now,
            "tracking_number": body.get("tracking_number") or "",
            "provider": provider,
            "carrier": body.get("tracking_carrier") or "",
            "link": body.get("tracking_link") or "",
            "comments": body.get("comments") or "",
            "method": body.get("shipping_method") or "None",
            "items": sorted(wanted.items()),
        }
        order["shp"].append(shipment)
        if order["st"] not in NO_SHIP_STATUS_CHANGE:
            fully = all(ln[L_S] >= ln[L_Q] for ln in order["lines"])
            self._set_status(order, 2 if fully else 3, "shipment")
        self._touch(order)
        rendered = self._render_shipment(order, shipment)
        self.shipments.append(rendered)
        return self._json(201, rendered)
