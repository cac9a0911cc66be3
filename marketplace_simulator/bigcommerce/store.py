"""Store-wide settings: store information, time, order statuses, payment methods, tax classes,
sales channels."""

import time

from .data import CHANNELS, ORDER_STATUSES, PAYMENT_METHOD_LIST, STATUS_NAME, TAX_CLASSES, _ApiError, _int_arg

SEG = r"([^/]+)"  # one path segment of a route pattern


class StoreMixin:
    """The store settings handlers of BigCommerceAPI."""

    def _routes_store(self):
        return [
            ("v2", "GET", "/store", "getStore", self._get_store),
            ("v2", "GET", "/time", "getTime", self._get_time),
            ("v2", "GET", "/order_statuses", "getOrderStatuses", self._get_order_statuses),
            ("v2", "GET", "/order_statuses/%s" % SEG, "getOrderStatusesStatus", self._get_order_status),
            ("v2", "GET", "/payments/methods", "getAllPaymentMethods", self._get_payment_methods),
            ("v2", "GET", "/tax_classes", "getTaxClasses", self._get_tax_classes),
            ("v3", "GET", "/channels", "listChannels", self._get_channels),
        ]

    # ========================================================================================
    # v2 handlers
    # ========================================================================================
    def _get_store(self, req):
        host = self._host(req)
        return self._json(
            200,
            {
                "id": self.store_hash,
                "account_uuid": "8f1f9ad4-5a7e-4b52-9a3b-%012d" % (self.seed % 10**12),
                "domain": "sim-store.example",
                "secure_url": "https://sim-store.example",
                "control_panel_base_url": host + "/bigcommerce",
                "status": "live",
                "name": "Zoë's Simulated Store – Müller & Söhne",
                "first_name": "Zoë",
                "last_name": "Müller",
                "address": "Großer Burstah 31\n20457 Hamburg\nGermany",
                "country": "Germany",
                "country_code": "DE",
                "phone": "+49 40 5550100",
                "admin_email": "admin@sim-store.example",
                "order_email": "orders@sim-store.example",
                "favicon_url": "",
                "timezone": {
                    "name": "Europe/Berlin",
                    "raw_offset": 3600,
                    "dst_offset": 7200,
                    "dst_correction": True,
                    "date_format": {
                        "display": "d.m.Y",
                        "export": "d.m.Y",
                        "extended_display": "j. M Y @ H:i",
                    },
                },
                "language": "de",
                "currency": self.store_currency,
                "currency_symbol": "€",
                "decimal_separator": ",",
                "thousands_separator": ".",
                "decimal_places": 2,
                "currency_symbol_location": "right",
                "weight_units": self.weight_units,
                "dimension_units": "Centimeters",
                "dimension_decimal_places": "2",
                "dimension_decimal_token": ",",
                "dimension_thousands_token": ".",
                "plan_name": "Standard",
                "plan_level": "Standard",
                "plan_is_trial": False,
                "industry": "Home & Garden",
                "logo": [],
                "is_price_entered_with_tax": True,
                "store_id": 1000123,
                "default_site_id": 1000,
                "default_channel_id": 1,
                "features": {
                    "stencil_enabled": True,
                    "sitewidehttps_enabled": True,
                    "facebook_catalog_id": "",
                    "checkout_type": "optimized",
                    "wishlists_enabled": True,
                    "graphql_storefront_api_enabled": True,
                    "shopper_consent_tracking_enabled": True,
                    "multi_storefront_enabled": True,
                },
            },
        )

    def _get_time(self, req):
        return self._json(200, {"time": int(time.time())})

    def _get_order_statuses(self, req):
        return self._json(
            200,
            [
                {
                    "id": sid,
                    "name": name,
                    "system_label": name,
                    "custom_label": name,
                    "system_description": desc,
                    "order": order,
                }
                for sid, name, desc, order in ORDER_STATUSES
            ],
        )

    def _get_order_status(self, req, status_id):
        sid = _int_arg(status_id)
        if sid not in STATUS_NAME:
            raise _ApiError(404, "The requested resource was not found.")
        row = ORDER_STATUSES[sid]
        return self._json(
            200,
            {
                "id": sid,
                "name": row[1],
                "system_label": row[1],
                "custom_label": row[1],
                "system_description": row[2],
                "order": row[3],
            },
        )

    def _get_payment_methods(self, req):
        page, limit = self._page_limit(req, 50, 250)
        rows = list(PAYMENT_METHOD_LIST)[(page - 1) * limit : page * limit]
        if not rows:
            return self._no_content()
        return self._json(200, rows)

    def _get_tax_classes(self, req):
        """GET /v2/tax_classes: the store's tax classes (a plain array, paged by page/limit)."""
        page, limit = self._page_limit(req, 50, 250)
        rows = [
            {
                "id": cid,
                "name": name,
                "created_at": "2023-01-10T09:00:00+00:00",
                "updated_at": "2024-03-01T09:00:00+00:00",
            }
            for cid, name in TAX_CLASSES
        ][(page - 1) * limit : page * limit]
        if not rows:
            return self._no_content()
        return self._json(200, rows)

    def _get_channels(self, req):
        """GET /v3/channels: the store's sales channels (storefront, marketplaces, POS)."""
        page, limit = self._page_limit(req, 50, 250)
        rows = [
            {
                "id": cid,
                "name": name,
                "platform": platform,
                "type": kind,
                "status": status,
                "is_listable_from_ui": True,
                "is_visible": True,
                "date_created": "2023-01-10T09:00:00Z",
                "date_modified": "2024-03-01T09:00:00Z",
                "icon_url": "",
                "config_meta": {},
            }
            for cid, name, platform, kind, status in CHANNELS
        ]
        chunk = rows[(page - 1) * limit : page * limit]
        return self._json(200, {"data": chunk, "meta": self._meta(len(rows), page, limit, len(chunk))})
