"""Store-wide settings: store information, time, order statuses, payment methods."""
import time

from .data import ORDER_STATUSES, PAYMENT_METHOD_LIST, STATUS_NAME, _ApiError, _int_arg

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
        ]

    # ========================================================================================
    # v2 handlers
    # ========================================================================================
    def _get_store(self, req):
        host = self._host(req)
        return self._json(200, {
            "id": self.store_hash,
            "account_uuid": "8f1f9ad4-5a7e-4b52-9a3b-%012d" % (self.seed % 10 ** 12),
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
            "timezone": {"name": "Europe/Berlin", "raw_offset": 3600, "dst_offset": 7200, "dst_correction": True,
                         "date_format": {"display": "d.m.Y", "export": "d.m.Y", "extended_display": "j. M Y @ H:i"}},
            "language": "de",
            "currency": "EUR",
            "currency_symbol": "€",
            "decimal_separator": ",",
            "thousands_separator": ".",
            "decimal_places": 2,
            "currency_symbol_location": "right",
            "weight_units": "kg",
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
            "features": {"stencil_enabled": True, "sitewidehttps_enabled": True, "facebook_catalog_id": "",
                         "checkout_type": "optimized", "wishlists_enabled": True, "graphql_storefront_api_enabled": True,
                         "shopper_consent_tracking_enabled": True, "multi_storefront_enabled": True},
        })

    def _get_time(self, req):
        return self._json(200, {"time": int(time.time())})

    def _get_order_statuses(self, req):
        return self._json(200, [{"id": sid, "name": name, "system_label": name, "custom_label": name,
                                 "system_description": desc, "order": order} for sid, name, desc, order in ORDER_STATUSES])

    def _get_order_status(self, req, status_id):
        sid = _int_arg(status_id)
        if sid not in STATUS_NAME:
            raise _ApiError(404, "The requested resource was not found.")
        row = ORDER_STATUSES[sid]
        return self._json(200, {"id": sid, "name": row[1], "system_label": row[1], "custom_label": row[1],
                                "system_description": row[2], "order": row[3]})

    def _get_payment_methods(self, req):
        page, limit = self._page_limit(req, 50, 250)
        rows = list(PAYMENT_METHOD_LIST)[(page - 1) * limit:page * limit]
        if not rows:
            return self._no_content()
        return self._json(200, rows)
