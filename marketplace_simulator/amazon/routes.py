"""The route table, the SP-API's error and throttling answers, rate-limit headers."""

import json
import uuid

from ..core import Response, RouteTable
from .data import RATE_LIMITS, _error


class RoutesMixin:
    def _build_routes(self):
        seg = r"([^/]+)"
        table = [
            ("POST", r"/auth/o2/token", "lwaToken", self._lwa_token),
            ("GET", r"/orders/v0/orders", "getOrders", self._get_orders),
            ("GET", r"/orders/v0/orders/%s" % seg, "getOrder", self._get_order),
            ("GET", r"/orders/v0/orders/%s/orderItems" % seg, "getOrderItems", self._get_order_items),
            (
                "GET",
                r"/orders/v0/orders/%s/orderItems/buyerInfo" % seg,
                "getOrderItemsBuyerInfo",
                self._get_order_items_buyer_info,
            ),
            ("GET", r"/orders/v0/orders/%s/address" % seg, "getOrderAddress", self._get_order_address),
            ("GET", r"/orders/v0/orders/%s/buyerInfo" % seg, "getOrderBuyerInfo", self._get_order_buyer_info),
            (
                "POST",
                r"/orders/v0/orders/%s/shipmentConfirmation" % seg,
                "confirmShipment",
                self._confirm_shipment,
            ),
            ("GET", r"/orders/2026-01-01/orders", "searchOrders", self._search_orders),
            ("GET", r"/orders/2026-01-01/orders/%s" % seg, "getOrder2026", self._get_order_2026),
            (
                "POST",
                r"/tokens/2021-03-01/restrictedDataToken",
                "createRestrictedDataToken",
                self._create_restricted_data_token,
            ),
            (
                "GET",
                r"/sellers/v1/marketplaceParticipations",
                "getMarketplaceParticipations",
                self._participations,
            ),
            ("POST", r"/feeds/2021-06-30/documents", "createFeedDocument", self._create_feed_document),
            ("GET", r"/feeds/2021-06-30/documents/%s" % seg, "getFeedDocument", self._get_feed_document),
            ("POST", r"/feeds/2021-06-30/feeds", "createFeed", self._create_feed),
            ("GET", r"/feeds/2021-06-30/feeds", "getFeeds", self._get_feeds),
            ("GET", r"/feeds/2021-06-30/feeds/%s" % seg, "getFeed", self._get_feed),
            ("DELETE", r"/feeds/2021-06-30/feeds/%s" % seg, "cancelFeed", self._cancel_feed),
            ("GET", r"/fba/inventory/v1/summaries", "getInventorySummaries", self._inventory_summaries),
            ("POST", r"/reports/2021-06-30/reports", "createReport", self._create_report),
            ("GET", r"/reports/2021-06-30/reports/%s" % seg, "getReport", self._get_report),
            (
                "GET",
                r"/reports/2021-06-30/documents/%s" % seg,
                "getReportDocument",
                self._get_report_document,
            ),
            (
                "GET",
                r"/listings/2021-08-01/items/%s/%s" % (seg, seg),
                "getListingsItem",
                self._get_listings_item,
            ),
            (
                "GET",
                r"/listings/2021-08-01/items/%s" % seg,
                "searchListingsItems",
                self._search_listings_items,
            ),
            (
                "GET",
                r"/finances/v0/financialEventGroups",
                "listFinancialEventGroups",
                self._list_event_groups,
            ),
            (
                "GET",
                r"/finances/v0/financialEventGroups/%s/financialEvents" % seg,
                "listFinancialEventsByGroupId",
                self._list_events_by_group,
            ),
            (
                "GET",
                r"/finances/v0/orders/%s/financialEvents" % seg,
                "listFinancialEventsByOrderId",
                self._list_events_by_order,
            ),
            ("GET", r"/finances/v0/financialEvents", "listFinancialEvents", self._list_events),
            ("PUT", r"/_uploads/%s" % seg, "uploadDocument", self._upload_document),
            ("GET", r"/_documents/%s" % seg, "downloadDocument", self._download_document),
        ]
        return RouteTable(table)

    def route(self, req):
        path = req.path
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        return self._routes.match(req.method, path)

    @staticmethod
    def _headers(extra=None):
        hdrs = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
        if extra:
            hdrs.update(extra)
        return hdrs

    def _ok(self, status, obj):
        return Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), self._headers())

    def _errors(self, status, errors):
        return Response(status, json.dumps({"errors": errors}).encode(), self._headers())

    def error_response(self, status, message, code=None):
        default = {
            400: "InvalidInput",
            403: "Unauthorized",
            404: "NotFound",
            413: "RequestTooLarge",
            415: "UnsupportedMediaType",
            429: "QuotaExceeded",
            500: "InternalFailure",
            503: "ServiceUnavailable",
        }
        return self._errors(status, [_error(code or default.get(status, "InternalFailure"), message)])

    def not_found(self, req):
        return self.error_response(404, "Resource not found: %s %s" % (req.method, req.path), "NotFound")

    def rate_limit(self, operation):
        limit = RATE_LIMITS.get(operation)
        return (float(limit[0]), limit[1]) if limit else None

    def rate_limit_headers(self, operation, bucket):
        limit = RATE_LIMITS.get(operation)
        return {"x-amzn-RateLimit-Limit": limit[0]} if limit else {}

    def throttled_response(self, operation, retry_after):
        # the SP-API sends no Retry-After; clients back off on their own
        resp = self._errors(
            429, [_error("QuotaExceeded", "You exceeded your quota for the requested resource.", "")]
        )
        resp.headers.update(self.rate_limit_headers(operation, None))
        return resp

    def _base_url(self, req):
        """Public base URL of the simulator for document URLs.

        The Host header is used when it is a plain host[:port]; python-amazon-sp-api sends
        ``endpoint[8:]`` as Host (it assumes https), which is useless for an http endpoint, so then
        the server's own address is used."""
        host = req.header("host") or ""
        if host and "/" not in host:
            return "http://" + host
        return getattr(self.sim, "public_url", None) or "http://127.0.0.1"
