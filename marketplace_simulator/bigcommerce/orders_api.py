"""The v2 Orders API: orders (filters, paging), products, shipping addresses, coupons, taxes."""

import time
import uuid
from bisect import bisect_left, bisect_right
from operator import itemgetter

from .data import (
    COMPANIES,
    COUNTRIES,
    COUPONS,
    CUSTOM_ITEMS,
    GIFT_MESSAGES,
    iso8601,
    L_A,
    L_C,
    L_Q,
    L_R,
    L_S,
    L_U,
    L_V,
    L_W,
    L_WM,
    m4,
    REDUCED_CLASS,
    TAX_CLASS_NAME,
    MESSAGES,
    NAMES,
    ORDER_STATUSES,
    PAID_STATUSES,
    parse_date,
    PAYMENT_METHODS,
    rfc2822,
    split_tax,
    STATUS_NAME,
    STORE_COUNTRY,
    UNPAID_STATUSES,
    WRAPPINGS,
    _ApiError,
    _ID,
    _int_arg,
)

SEG = r"([^/]+)"  # one path segment of a route pattern


class OrdersApiMixin:
    """The v2 order handlers of BigCommerceAPI and how orders are rendered."""

    def _routes_orders(self):
        return [
            ("v2", "GET", "/orders", "getOrders", self._get_orders),
            ("v2", "GET", "/orders/count", "getOrdersCount", self._get_orders_count),
            ("v2", "GET", "/orders/%s" % SEG, "getOrder", self._get_order),
            ("v2", "PUT", "/orders/%s" % SEG, "updateOrder", self._update_order),
            ("v2", "GET", "/orders/%s/products" % SEG, "getOrderProducts", self._get_order_products),
            ("v2", "GET", "/orders/%s/products/%s" % (SEG, SEG), "getOrderProduct", self._get_order_product),
            (
                "v2",
                "GET",
                "/orders/%s/shipping_addresses" % SEG,
                "getOrderShippingAddresses",
                self._get_order_addresses,
            ),
            (
                "v2",
                "GET",
                "/orders/%s/shipping_addresses/%s" % (SEG, SEG),
                "getOrderShippingAddress",
                self._get_order_address,
            ),
            ("v2", "GET", "/orders/%s/coupons" % SEG, "getOrderCoupons", self._get_order_coupons),
            ("v2", "GET", "/orders/%s/taxes" % SEG, "getOrderTaxes", self._get_order_taxes),
            (
                "v2",
                "GET",
                "/orders/%s/consignments" % SEG,
                "getOrderConsignments",
                self._get_order_consignments,
            ),
            ("v2", "GET", "/orders/%s/fees" % SEG, "getOrderFees", self._get_order_fees),
        ]

    # -- orders ----------------------------------------------------------------------------------
    _SORT_KEYS = {
        "id": "id",
        "customer_id": "cust",
        "date_created": "c",
        "date_modified": "m",
        "status_id": "st",
        "channel_id": None,
        "external_id": None,
    }

    def _date_arg(self, req, name):
        value = req.arg(name)
        if value is None or value == "":
            return None
        ts = parse_date(value)
        if ts is None:
            raise _ApiError(
                400,
                "The field '%s' is invalid." % name,
                details={"invalid_reason": "The date must be RFC 2822 or ISO 8601."},
            )
        return ts

    def _id_arg(self, req, name):
        value = req.arg(name)
        if value is None or value == "":
            return None
        number = _int_arg(value)
        if number is None:
            raise _ApiError(400, "The field '%s' is invalid." % name)
        return number

    def _date_window(self, attr, key, lo, hi):
        idx = getattr(self, attr)
        if idx is None:
            idx = sorted(((o[key], o) for o in self.order_list), key=itemgetter(0))
            setattr(self, attr, idx)
        lo_i = 0 if lo is None else bisect_left(idx, lo, key=itemgetter(0))
        hi_i = len(idx) if hi is None else bisect_right(idx, hi, key=itemgetter(0))
        if hi_i - lo_i > 1000 and hi_i - lo_i > len(idx) // 8:  # a wide window: a scan in id order is cheaper
            lo = float("-inf") if lo is None else lo
            hi = float("inf") if hi is None else hi
            return [o for o in self.order_list if lo <= o[key] <= hi]
        seen = set()
        out = []
        for ts, o in idx[lo_i:hi_i]:
            if o[key] == ts and o["id"] not in seen:
                seen.add(o["id"])
                out.append(o)
        out.sort(key=_ID)
        return out

    def _filtered_orders(self, req):
        status = self._id_arg(req, "status_id")
        if status is not None and status not in STATUS_NAME:
            raise _ApiError(400, "The field 'status_id' is invalid.")
        min_id, max_id = self._id_arg(req, "min_id"), self._id_arg(req, "max_id")
        customer = self._id_arg(req, "customer_id")
        min_c, max_c = self._date_arg(req, "min_date_created"), self._date_arg(req, "max_date_created")
        min_m, max_m = self._date_arg(req, "min_date_modified"), self._date_arg(req, "max_date_modified")
        email = req.arg("email")
        pay = req.arg("payment_method")
        if min_m is not None or max_m is not None:
            cands = self._date_window("_by_m", "m", min_m, max_m)
            if status is None:
                cands = [o for o in cands if o["st"]]
            elif status is not None:
                cands = [o for o in cands if o["st"] == status]
        elif min_c is not None or max_c is not None:
            cands = self._date_window("_by_c", "c", min_c, max_c)
            cands = [o for o in cands if (o["st"] == status if status is not None else o["st"])]
        elif status is not None:
            if self._by_status is None:
                by = {}
                for o in self.order_list:
                    by.setdefault(o["st"], []).append(o)
                self._by_status = by
            cands = self._by_status.get(status, [])
        else:
            if self._visible is None:
                self._visible = [o for o in self.order_list if o["st"]]
            cands = self._visible
        if min_c is not None or max_c is not None:
            cands = [
                o for o in cands if (min_c is None or o["c"] >= min_c) and (max_c is None or o["c"] <= max_c)
            ]
        if min_id is not None or max_id is not None:
            lo = 0 if min_id is None else bisect_left(cands, min_id, key=_ID)
            hi = len(cands) if max_id is None else bisect_right(cands, max_id, key=_ID)
            cands = cands[lo:hi]
        if customer is not None:
            cands = [o for o in cands if o["cust"] == customer]
        if email:
            email = email.lower()
            cands = [o for o in cands if self._email(o["bn"]) == email]
        if pay:
            cands = [o for o in cands if PAYMENT_METHODS[o["pm"]][0] == pay]
        return cands

    def _get_orders(self, req):
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        cands = self._filtered_orders(req)
        sort = req.arg("sort")
        if sort:
            field, _, direction = sort.partition(":")
            direction = direction.lower() or "asc"
            key = self._SORT_KEYS.get(field, "?")
            if key == "?" or direction not in ("asc", "desc"):
                raise _ApiError(400, "The field 'sort' is invalid.")
            if key is None:
                key = "id"
            if key != "id" or direction == "desc":
                cands = sorted(cands, key=itemgetter(key, "id"), reverse=direction == "desc")
        chunk = cands[(page - 1) * limit : page * limit]
        if not chunk:
            return self._no_content()
        host = self._host(req)
        return self._json(200, [self._render_order_for(req, o, host) for o in chunk])

    def _get_orders_count(self, req):
        counts = {}
        for o in self.order_list:
            counts[o["st"]] = counts.get(o["st"], 0) + 1
        statuses = [
            {
                "id": sid,
                "name": name,
                "system_label": name,
                "custom_label": name,
                "system_description": desc,
                "count": counts.get(sid, 0),
                "sort_order": order,
            }
            for sid, name, desc, order in ORDER_STATUSES
        ]
        return self._json(200, {"statuses": statuses, "count": len(self.order_list)})

    def _get_order(self, req, order_id):
        order = self._order_or_404(order_id)
        return self._json(200, self._render_order_for(req, order, self._host(req)))

    def _render_order_for(self, req, order, host):
        """An order as GET answers it: with its consignments (and their line items) in the
        object structure when asked for with ``include`` and ``consignment_structure=object``."""
        out = self._render_order(order, host)
        include = set(req.args("include"))
        if (
            include & {"consignments", "consignments.line_items"}
            and req.arg("consignment_structure") == "object"
        ):
            out["consignments"] = self._render_consignments(order, host, "consignments.line_items" in include)
        if "fees" in include:
            out["fees"] = self._render_fees(order)
        return out

    def _render_fees(self, o):
        """The order's fees (orderFees): each with its costs and tax, at its tax class's rate."""
        return [
            {
                "id": o["id"] * 10 + n + 1,
                "type": "custom_fee",
                "display_name_customer": name,
                "display_name_merchant": name,
                "source": "v2",
                "base_cost": m4(cents),
                "cost_ex_tax": m4(ex),
                "cost_inc_tax": m4(inc),
                "cost_tax": m4(tax),
                "tax_class_id": tax_class,
            }
            for n, (name, cents, tax_class, ex, inc, tax) in enumerate(self._amounts(o)["fees"])
        ]

    def _get_order_fees(self, req, order_id):
        return self._json(200, {"fees": self._render_fees(self._order_or_404(order_id))})

    def _render_consignments(self, o, host, line_items):
        """GET /v2/orders/{id}/consignments (orderConsignment_Get): one shipping consignment per
        shipping address, each with its line items (resource links, or the order products)."""
        a = self._amounts(o)
        base = self._base(host)
        shipping = []
        for k in range(o["na"]):
            address = self._render_address(o, k, host, a)
            consignment = {
                key: address[key]
                for key in (
                    "id",
                    "first_name",
                    "last_name",
                    "company",
                    "street_1",
                    "street_2",
                    "city",
                    "state",
                    "zip",
                    "country",
                    "country_iso2",
                    "email",
                    "phone",
                    "form_fields",
                    "items_total",
                    "items_shipped",
                    "shipping_method",
                    "cost_tax_class_id",
                    "handling_cost_tax_class_id",
                    "shipping_zone_id",
                    "shipping_zone_name",
                )
            }
            for key in (
                "base_cost",
                "cost_ex_tax",
                "cost_inc_tax",
                "cost_tax",
                "base_handling_cost",
                "handling_cost_ex_tax",
                "handling_cost_inc_tax",
                "handling_cost_tax",
            ):
                consignment[key] = float(address[key])  # numbers here, strings in /shipping_addresses
            lines = [n for n, ln in enumerate(o["lines"]) if ln[L_A] == k]
            if line_items:
                consignment["line_items"] = [self._render_product_line(o, n, host, a) for n in lines]
            else:
                consignment["line_items"] = [
                    {
                        "url": "%s/orders/%d/products/%d" % (base, o["id"], o["pid"] + n),
                        "resource": "/orders/%d/products/%d" % (o["id"], o["pid"] + n),
                    }
                    for n in lines
                ]
            consignment["shipping_quotes"] = {
                "url": "%s/orders/%d/consignments/shipping/%d/shipping_quotes"
                % (base, o["id"], address["id"]),
                "resource": "/orders/%d/consignments/shipping/%d/shipping_quotes" % (o["id"], address["id"]),
            }
            shipping.append(consignment)
        return {"pickups": [], "shipping": shipping, "downloads": [], "email": {"gift_certificates": []}}

    def _get_order_consignments(self, req, order_id):
        order = self._order_or_404(order_id)
        return self._json(
            200,
            self._render_consignments(
                order, self._host(req), "consignments.line_items" in set(req.args("include"))
            ),
        )

    def _update_order(self, req, order_id):
        order = self._order_or_404(order_id)
        body = self._body(req)
        if "status_id" in body:
            status = _int_arg(body["status_id"])
            if status not in STATUS_NAME:
                raise _ApiError(
                    400,
                    "The field 'status_id' is invalid.",
                    details={"invalid_reason": "The status_id must be one of the ids of /v2/order_statuses."},
                )
        else:
            status = None
        for key in ("staff_notes", "customer_message", "payment_method", "external_id", "external_source"):
            if key in body and body[key] is not None and not isinstance(body[key], str):
                raise _ApiError(400, "The field '%s' is invalid." % key)
        for key, attr in (
            ("staff_notes", "notes"),
            ("customer_message", "cmsg"),
            ("external_id", "ext"),
            ("payment_provider_id", "ppid"),
        ):
            if key in body:
                order[attr] = body[key]
        if body.get("payment_method"):
            order["pmname"] = body["payment_method"]
        if status is not None and status != order["st"]:
            was_unpaid = order["st"] in UNPAID_STATUSES
            self._set_status(order, status, "api")
            if was_unpaid and status in PAID_STATUSES and order["ps"] in ("", "pending"):
                order["ps"] = "paid"
                self._add_tx(order, "purchase", self._amounts(order)["paid"])
                self.payments.append(
                    {
                        "order_id": order["id"],
                        "via": "status",
                        "status": STATUS_NAME[status],
                        "payment_status": "paid",
                        "at": iso8601(time.time()),
                    }
                )
            elif status == 5 and order["ps"] == "authorized":
                order["ps"] = "void"
        self._touch(order)
        return self._json(200, self._render_order(order, self._host(req)))

    def _email(self, idx):
        return "%s@example.com" % NAMES[idx][2]

    def _billing(self, o):
        first, last, _ = NAMES[o["bn"]]
        cinfo = COUNTRIES[o["cc"]]
        street1, street2, city, state, zip_code, phone = cinfo[3][o["ai"]]
        form_fields = []
        if o["vat"]:
            form_fields.append({"name": "USt-IdNr. / VAT number", "value": o["vat"]})
        return {
            "first_name": first,
            "last_name": last,
            "company": COMPANIES[o["co"]] if o["co"] >= 0 else "",
            "street_1": street1,
            "street_2": street2,
            "city": city,
            "state": state,
            "zip": zip_code,
            "country": cinfo[0],
            "country_iso2": o["cc"],
            "phone": phone,
            "email": self._email(o["bn"]),
            "form_fields": form_fields,
        }

    def _shipping_parts(self, o, k):
        cinfo = COUNTRIES[o["cc"]]
        if k == 0:
            idx = o["ai"]
            name = NAMES[o["bn"] if o["sn"] < 0 else o["sn"]]
        else:
            idx = (o["ai"] + k) % len(cinfo[3])
            name = NAMES[(o["bn"] + 7 * k) % len(NAMES)]
        street1, street2, city, state, zip_code, phone = cinfo[3][idx]
        return {
            "first_name": name[0],
            "last_name": name[1],
            "company": COMPANIES[o["co"]] if o["co"] >= 0 else "",
            "street_1": street1,
            "street_2": street2,
            "city": city,
            "state": state,
            "zip": zip_code,
            "country": cinfo[0],
            "country_iso2": o["cc"],
            "phone": phone,
            "email": "" if o["sn"] >= 0 or k else self._email(o["bn"]),
        }

    def _render_order(self, o, host):
        a = self._amounts(o)
        base = self._base(host)
        oid = o["id"]
        ship, hand, wrap = a["ship"], a["hand"], a["wrap"]
        pm = PAYMENT_METHODS[o["pm"]]
        items_total = sum(ln[L_Q] for ln in o["lines"])
        items_shipped = sum(ln[L_S] for ln in o["lines"])
        coupon = COUPONS[o["coupon"] - 1] if o["coupon"] else None
        offline = pm[3]
        provider_id = o.get("ppid")
        if provider_id is None:
            provider_id = (
                ""
                if offline or o["ps"] in ("", "pending", "declined")
                else "%s_%08d" % (pm[1][:4], oid * 7919 % 10**8)
            )
        return {
            "id": oid,
            "customer_id": o["cust"],
            "date_created": rfc2822(o["c"]),
            "date_modified": rfc2822(o["m"]),
            "date_shipped": rfc2822(o["ds"]) if o["ds"] else "",
            "status_id": o["st"],
            "status": STATUS_NAME[o["st"]],
            "custom_status": STATUS_NAME[o["st"]],
            "subtotal_ex_tax": m4(a["sub_ex"]),
            "subtotal_inc_tax": m4(a["sub_inc"]),
            "subtotal_tax": m4(a["sub_inc"] - a["sub_ex"]),
            "base_shipping_cost": m4(ship[0]),
            "shipping_cost_ex_tax": m4(ship[1]),
            "shipping_cost_inc_tax": m4(ship[2]),
            "shipping_cost_tax": m4(ship[3]),
            "shipping_cost_tax_class_id": 0,
            "base_handling_cost": m4(hand[0]),
            "handling_cost_ex_tax": m4(hand[1]),
            "handling_cost_inc_tax": m4(hand[2]),
            "handling_cost_tax": m4(hand[3]),
            "handling_cost_tax_class_id": 0,
            "base_wrapping_cost": m4(wrap[0]),
            "wrapping_cost_ex_tax": m4(wrap[1]),
            "wrapping_cost_inc_tax": m4(wrap[2]),
            "wrapping_cost_tax": m4(wrap[3]),
            "wrapping_cost_tax_class_id": 0,
            "total_ex_tax": m4(a["total_ex"]),
            "total_inc_tax": m4(a["total_inc"]),
            "total_tax": m4(a["total_tax"]),
            "is_tax_inclusive_pricing": o["inc"],
            "items_total": items_total,
            "items_shipped": items_shipped,
            "payment_method": o.get("pmname") or pm[0],
            "payment_provider_id": provider_id,
            "payment_status": o["ps"],
            "refunded_amount": m4(a["refund"]),
            "order_is_digital": False,
            "store_credit_amount": m4(a["sc"]),
            "gift_certificate_amount": m4(a["gc"]),
            "ip_address": "" if o["src"] != "www" else "203.0.113.%d" % (oid % 250 + 1),
            "ip_address_v6": "",
            "geoip_country": COUNTRIES[o["cc"]][0] if o["src"] == "www" else "",
            "geoip_country_iso2": o["cc"] if o["src"] == "www" else "",
            "currency_id": o.get("cur_id", 1),
            "currency_code": o.get("cur", self.store_currency),
            "currency_exchange_rate": "1.0000000000",
            "default_currency_id": o.get("cur_id", 1),
            "default_currency_code": o.get("cur", self.store_currency),
            "store_default_currency_code": self.store_currency,
            "store_default_to_transactional_exchange_rate": "%.10f" % o.get("fx", 1.0),
            "staff_notes": o.get("notes", "B2B – Rechnung mit USt-IdNr." if o["vat"] else ""),
            "customer_message": o.get("cmsg", MESSAGES[o["msg"]] if o["msg"] >= 0 else ""),
            "discount_amount": m4(a["discount"]),
            "coupon_discount": m4(a["discount"] if coupon else 0),
            "shipping_address_count": o["na"],
            "is_deleted": False,
            "ebay_order_id": "0",
            "cart_id": "" if o["src"] != "www" else str(uuid.UUID(int=(oid * 2654435761) % (1 << 128))),
            "billing_address": self._billing(o),
            "is_email_opt_in": bool(oid % 3 == 0),
            "credit_card_type": None,
            "order_source": o["src"],
            "channel_id": 1,
            "external_source": "M-MIG" if o["src"] == "external" else None,
            "products": {
                "url": "%s/orders/%d/products" % (base, oid),
                "resource": "/orders/%d/products" % oid,
            },
            "consignments": {
                "url": "%s/orders/%d/consignments" % (base, oid),
                "resource": "/orders/%d/consignments" % oid,
            },
            "shipping_addresses": {
                "url": "%s/orders/%d/shippingaddresses" % (base, oid),
                "resource": "/orders/%d/shippingaddresses" % oid,
            },
            "coupons": {"url": "%s/orders/%d/coupons" % (base, oid), "resource": "/orders/%d/coupons" % oid},
            "fees": {"url": "%s/orders/%d/fees" % (base, oid), "resource": "/orders/%d/fees" % oid},
            "external_id": o.get("ext"),
            "external_merchant_id": None,
            "tax_provider_id": "BasicTaxProvider" if o["rate"] else "",
            "customer_locale": "de" if o["cc"] in ("DE", "AT", "CH") else "en",
            "external_order_id": "",
        }

    def _render_product_line(self, o, k, host, amounts=None):
        a = amounts or self._amounts(o)
        ln = o["lines"][k]
        p_ex, p_inc, p_tax, t_ex, t_inc, t_tax, w, w_ex, w_inc = a["lines"][k]
        opid = o["pid"] + k
        if ln[L_V] < 0:
            name, sku, _price, custom_weight = CUSTOM_ITEMS[ln[L_C]]
            product_id = variant_id = 0
            upc = ""
            options = []
            weight = "%.4f" % custom_weight
            brand = ""
        else:
            variant = self.variants[ln[L_V]]
            product = self.products[variant["product_id"]]
            name, sku, product_id, variant_id = product["name"], variant["sku"], product["id"], variant["id"]
            upc = variant["gtin"]
            weight = "%.4f" % product["weight"]
            brand = "Sim Brand %d" % product["brand_id"]
            options = [
                {
                    "id": opid * 10 + n,
                    "option_id": v["option_id"],
                    "order_product_id": opid,
                    "product_option_id": v["option_id"],
                    "display_name": v["option_display_name"],
                    "display_name_customer": v["option_display_name"],
                    "display_name_merchant": v["option_display_name"],
                    "display_value": v["label"],
                    "display_value_customer": v["label"],
                    "display_value_merchant": v["label"],
                    "value": str(v["id"]),
                    "type": "Multiple choice",
                    "name": v["option_display_name"],
                    "display_style": "Rectangle",
                }
                for n, v in enumerate(variant["values"])
            ]
        discounts = []
        line_rate = a["rates"][k]
        if a["discount"]:
            share = a["shares"][k]
            coupon = COUPONS[o["coupon"] - 1] if o["coupon"] else None
            discounts.append(
                {
                    "id": "coupon" if coupon else "manual-discount",
                    "amount": m4(share),
                    "name": "Coupon %s" % coupon[0] if coupon else "Manual Discount",
                    "code": coupon[0] if coupon else None,
                    "target": "order",
                }
            )
        else:
            share = 0
        wrapping = WRAPPINGS[ln[L_W]]
        refunded_quantity = self._refunded_quantity(o, k)
        return {
            "id": opid,
            "order_id": o["id"],
            "product_id": product_id,
            "variant_id": variant_id,
            "order_pickup_method_id": 0,
            "order_address_id": o["aid"] + ln[L_A],
            "name": name,
            "name_customer": name,
            "name_merchant": name,
            "sku": sku,
            "upc": upc,
            "type": "physical",
            "base_price": m4(ln[L_U]),
            "price_ex_tax": m4(p_ex),
            "price_inc_tax": m4(p_inc),
            "price_tax": m4(p_tax),
            "base_total": m4(ln[L_U] * ln[L_Q]),
            "total_ex_tax": m4(t_ex),
            "total_inc_tax": m4(t_inc),
            "total_tax": m4(t_tax),
            "discounted_total_inc_tax": m4(
                t_inc - (split_tax(share, line_rate, o["inc"])[1] if share else 0)
            ),
            "weight": weight,
            "width": "0.0000",
            "height": "0.0000",
            "depth": "0.0000",
            "quantity": ln[L_Q],
            "base_cost_price": "0.0000",
            "cost_price_inc_tax": "0.0000",
            "cost_price_ex_tax": "0.0000",
            "cost_price_tax": "0.0000",
            "is_refunded": refunded_quantity > 0,
            "quantity_refunded": refunded_quantity,
            "refund_amount": "0.0000",  # deprecated: "always returns 0"
            "return_id": 0,
            "wrapping_id": wrapping[0],
            "wrapping_name": wrapping[1] or None if ln[L_W] else "",
            "base_wrapping_cost": m4(w),
            "wrapping_cost_ex_tax": m4(w_ex),
            "wrapping_cost_inc_tax": m4(w_inc),
            "wrapping_cost_tax": m4(w_inc - w_ex),
            "wrapping_message": GIFT_MESSAGES[ln[L_WM]] if ln[L_WM] >= 0 else "",
            "quantity_shipped": ln[L_S],
            "event_name": None,
            "event_date": None,
            "fixed_shipping_cost": "0.0000",
            "ebay_item_id": "",
            "ebay_transaction_id": "",
            "option_set_id": None,
            "parent_order_product_id": None,
            "is_bundled_product": False,
            "bin_picking_number": "",
            "external_id": None,
            "brand": brand,
            "gift_certificate_id": None,
            "applied_discounts": discounts,
            "product_options": options,
            "configurable_fields": [],
        }

    def _get_order_products(self, req, order_id):
        order = self._order_or_404(order_id)
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        a = self._amounts(order)
        host = self._host(req)
        ks = list(range(len(order["lines"])))[(page - 1) * limit : page * limit]
        if not ks:
            return self._no_content()
        return self._json(200, [self._render_product_line(order, k, host, a) for k in ks])

    def _get_order_product(self, req, order_id, product_id):
        order = self._order_or_404(order_id)
        k = (_int_arg(product_id) or -1) - order["pid"]
        if not 0 <= k < len(order["lines"]):
            raise _ApiError(404, "The requested resource was not found.")
        return self._json(200, self._render_product_line(order, k, self._host(req)))

    def _render_address(self, o, k, host, amounts=None):
        a = amounts or self._amounts(o)
        ship = a["ship"] if k == 0 else (0, 0, 0, 0)
        hand = a["hand"] if k == 0 else (0, 0, 0, 0)
        aid = o["aid"] + k
        base = self._base(host)
        out = self._shipping_parts(o, k)
        out.update(
            {
                "id": aid,
                "order_id": o["id"],
                "items_total": sum(ln[L_Q] for ln in o["lines"] if ln[L_A] == k),
                "items_shipped": sum(ln[L_S] for ln in o["lines"] if ln[L_A] == k),
                "shipping_method": (
                    "Versand DHL Paket" if o["cc"] == STORE_COUNTRY else "International Shipping"
                )
                if ship[0] or k
                else "Free Shipping",
                "base_cost": m4(ship[0]),
                "cost_ex_tax": m4(ship[1]),
                "cost_inc_tax": m4(ship[2]),
                "cost_tax": m4(ship[3]),
                "cost_tax_class_id": 0,
                "base_handling_cost": m4(hand[0]),
                "handling_cost_ex_tax": m4(hand[1]),
                "handling_cost_inc_tax": m4(hand[2]),
                "handling_cost_tax": m4(hand[3]),
                "handling_cost_tax_class_id": 0,
                "shipping_zone_id": 1 if o["cc"] == STORE_COUNTRY else 2 if COUNTRIES[o["cc"]][2] else 3,
                "shipping_zone_name": "Deutschland"
                if o["cc"] == STORE_COUNTRY
                else "EU"
                if COUNTRIES[o["cc"]][2]
                else "Welt",
                "shipping_quotes": {
                    "url": "%s/orders/%d/shippingaddresses/%d/shippingquotes" % (base, o["id"], aid),
                    "resource": "/orders/%d/shippingaddresses/%d/shippingquotes" % (o["id"], aid),
                },
                "form_fields": [],
            }
        )
        return out

    def _get_order_addresses(self, req, order_id):
        order = self._order_or_404(order_id)
        a = self._amounts(order)
        host = self._host(req)
        return self._json(200, [self._render_address(order, k, host, a) for k in range(order["na"])])

    def _get_order_address(self, req, order_id, address_id):
        order = self._order_or_404(order_id)
        k = (_int_arg(address_id) or -1) - order["aid"]
        if not 0 <= k < order["na"]:
            raise _ApiError(404, "The requested resource was not found.")
        return self._json(200, self._render_address(order, k, self._host(req)))

    def _get_order_coupons(self, req, order_id):
        order = self._order_or_404(order_id)
        if not order["coupon"]:
            return self._no_content()
        code, kind, amount = COUPONS[order["coupon"] - 1]
        discount = self._amounts(order)["discount"]
        return self._json(
            200,
            [
                {
                    "id": order["id"] * 10 + 1,
                    "coupon_id": order["coupon"],
                    "order_id": order["id"],
                    "code": code,
                    "amount": str(amount),
                    "type": kind,
                    "discount": discount / 100.0,
                }
            ],
        )

    def _get_order_taxes(self, req, order_id):
        """One row per taxed item, gift wrapping, shipping and handling charge (as the Basic Tax
        Provider records them), each with its own rate and amount: an order of products of
        several tax classes has rows of several rates. Which item or charge a row taxes
        (order_product_id, line_item_type) is told only to a request with ``details=true``, as
        documented."""
        order = self._order_or_404(order_id)
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        if not order["rate"]:
            return self._no_content()
        a = self._amounts(order)
        details = (req.arg("details") or "").lower() == "true"
        rows = []

        def row(kind, amount, rate, tax_class=0, product_id=None):
            if not amount:
                return
            out = {
                "id": order["id"] * 100 + len(rows) + 1,
                "order_id": order["id"],
                "order_address_id": order["aid"],
                "tax_rate_id": 2 if tax_class == REDUCED_CLASS else 1,
                "sales_tax_id": "2" if tax_class == REDUCED_CLASS else "1",
                "tax_class_id": tax_class,
                "name": "MwSt. %g%%" % (rate / 100.0),
                "class": TAX_CLASS_NAME[tax_class],
                "rate": "%.4f" % (rate / 100.0),
                "priority": 0,
                "priority_amount": m4(amount),
                "line_amount": m4(amount),
                "order_pickup_method_id": 0,
            }
            if details:
                out.update(
                    order_product_id=None if product_id is None else str(product_id), line_item_type=kind
                )
            rows.append(out)

        for k, amounts in enumerate(a["lines"]):
            row("item", amounts[5], a["rates"][k], order["lines"][k][L_R], order["pid"] + k)
            row("gift-wrapping", amounts[8] - amounts[7], order["rate"])
        row("shipping", a["ship"][3], order["rate"])
        row("handling", a["hand"][3], order["rate"])
        rows = rows[(page - 1) * limit : page * limit]  # paged like every v2 list (50 by default)
        return self._json(200, rows) if rows else self._no_content()
