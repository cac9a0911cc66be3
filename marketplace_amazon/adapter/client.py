"""A thin, rate-aware layer over python-amazon-sp-api. Imports nothing from Odoo.

What sp_api leaves to its caller is done here: client-side rate limiting per operation (the
documented rate, adjusted to the `x-amzn-RateLimit-Limit` the service answers), waiting out 429s
within a time budget, renewing an expired access token, bounded retries of 5xx and timeouts, and
an endpoint of our choice (a sandbox or the local simulator) for both the API and LWA.
"""
import io
import json
import threading
import time
from datetime import datetime, timezone
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
from sp_api.api import Feeds, Inventories, Orders, Sellers
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as _token_module
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import (
    SellingApiException,
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
)

PRODUCTION = {
    "na": ("https://sellingpartnerapi-na.amazon.com", "us-east-1"),
    "eu": ("https://sellingpartnerapi-eu.amazon.com", "eu-west-1"),
    "fe": ("https://sellingpartnerapi-fe.amazon.com", "us-west-2"),
}
LWA_URL = "https://api.amazon.com/auth/o2/token"

# Documented (rate per second, burst) of each operation used.
RATES = {
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "getMarketplaceParticipations": (0.016, 15),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
    "getInventorySummaries": (2.0, 2),
}
_RETRYABLE_STATUS = (500, 502, 503, 504)


class AmazonError(Exception):
    """Amazon refused or failed; the text is Amazon's own, never a credential."""

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.code = code
        self.status = status


class AmazonThrottled(AmazonError):
    """Still throttled when the time budget ran out."""


class _Bucket:
    """Requests allowed now for one operation: `rate` per second refilling `burst`."""

    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def delay(self):
        """Seconds to wait before the next request (0 when one may go now); takes the token."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class AmazonClient:
    """One seller account's access to the SP-API."""

    def __init__(self, *, refresh_token, lwa_client_id, lwa_client_secret, region="eu", endpoint=None,
                 lwa_url=None, timeout=30, max_retries=3, max_wait=300, rate_scale=1.0, sleep=time.sleep):
        base, aws_region = PRODUCTION[region]
        self.endpoint = (endpoint or base).rstrip("/")
        self.aws_region = aws_region
        self.lwa_url = lwa_url or (self.endpoint + "/auth/o2/token" if endpoint else LWA_URL)
        self.refresh_token = refresh_token
        self.credentials = {"refresh_token": refresh_token, "lwa_app_id": lwa_client_id,
                            "lwa_client_secret": lwa_client_secret}
        self.timeout, self.max_retries, self.max_wait = timeout, max_retries, max_wait
        self.rate_scale = rate_scale
        self.sleep = sleep
        self.calls = 0  # API requests sent (token requests excluded)
        self.throttled = 0  # 429 answers received
        self._buckets = {}
        self._apis = {}
        self._lock = threading.Lock()

    # sp_api plumbing ---------------------------------------------------------------------------
    def _api(self, cls, marketplace_id="ATVPDKIKX0DER"):
        """One sp_api client per API and marketplace, kept so that its connection is reused
        (a new TCP connection per request costs more than the request)."""
        key = (cls, marketplace_id)
        if key not in self._apis:
            self._apis[key] = self._new_api(cls, marketplace_id)
        return self._apis[key]

    def _new_api(self, cls, marketplace_id):
        url = urlsplit(self.lwa_url)

        class LwaTokenClient(AccessTokenClient):
            scheme = url.scheme + "://"
            host = url.netloc
            path = url.path

        # sp_api reads only endpoint, marketplace_id and region from its marketplace object.
        marketplace = SimpleNamespace(endpoint=self.endpoint, marketplace_id=marketplace_id, region=self.aws_region)
        return cls(marketplace=marketplace, credentials=self.credentials, refresh_token=self.refresh_token,
                   auth_token_client_class=LwaTokenClient, timeout=self.timeout)

    def close(self):
        for api in self._apis.values():
            api.close()
        self._apis = {}

    def _forget_token(self):
        """sp_api caches access tokens module-wide by refresh token: drop ours."""
        key = AccessTokenClient._get_cache_key(SimpleNamespace(cred=SimpleNamespace(refresh_token=self.refresh_token)))
        _token_module.cache.pop(key, None)

    def _bucket(self, operation):
        with self._lock:
            if operation not in self._buckets:
                rate, burst = RATES.get(operation, (1.0, 5))
                self._buckets[operation] = _Bucket(rate * self.rate_scale, burst)
            return self._buckets[operation]

    def _adjust_rate(self, operation, response):
        """Follow the rate Amazon says applies to this account (x-amzn-RateLimit-Limit)."""
        limit = getattr(response, "rate_limit", None)
        try:
            rate = float(limit) * self.rate_scale if limit else None
        except (TypeError, ValueError):
            rate = None
        if rate:
            self._bucket(operation).rate = rate

    def _call(self, operation, request):
        """Send one request through the rate limiter, with Amazon's failures handled."""
        bucket = self._bucket(operation)
        waited = 0.0
        retries = 0
        token_renewed = False
        while True:
            delay = bucket.delay()
            if delay:
                if waited + delay > self.max_wait:
                    bucket.tokens += 1  # not sent
                    raise AmazonThrottled("%s: the rate limit leaves no room within %ss" % (operation, self.max_wait))
                self.sleep(delay)
                waited += delay
            self.calls += 1
            try:
                response = request()
            except SellingApiRequestThrottledException as err:
                self.throttled += 1
                pause = self._retry_after(err, bucket)
                if waited + pause > self.max_wait:
                    raise AmazonThrottled(self._message(err), "QuotaExceeded", 429) from None
                bucket.tokens = min(bucket.tokens, 0)
                self.sleep(pause)
                waited += pause
                continue
            except SellingApiForbiddenException as err:
                # An expired (or revoked) access token: log in again once, then give up.
                if not token_renewed and "unauthorized" in self._message(err).lower():
                    token_renewed = True
                    self._forget_token()
                    continue
                raise AmazonError(self._message(err), getattr(err, "amzn_code", None), 403) from None
            except SellingApiException as err:
                if err.code in _RETRYABLE_STATUS and retries < self.max_retries:
                    retries += 1
                    self.sleep(min(2 ** retries * 0.1, 5))
                    continue
                raise AmazonError(self._message(err), getattr(err, "amzn_code", None), err.code) from None
            except AuthorizationError as err:
                raise AmazonError("Login with Amazon refused the authorization: %s" % err.args[1]
                                  if len(err.args) > 1 else "Login with Amazon refused the authorization",
                                  err.args[0] if err.args else None, 401) from None
            except (httpx.TimeoutException, httpx.TransportError, ValueError) as err:
                # ValueError: an unparsable (malformed) answer
                if retries < self.max_retries:
                    retries += 1
                    self.sleep(min(2 ** retries * 0.1, 5))
                    continue
                raise AmazonError("%s: no usable answer from Amazon (%s)" % (operation, type(err).__name__)) from None
            self._adjust_rate(operation, response)
            return response

    def _retry_after(self, err, bucket):
        headers = getattr(err, "headers", None) or {}
        value = headers.get("Retry-After") or headers.get("retry-after")
        try:
            return max(float(value), 0.1)
        except (TypeError, ValueError):
            return 1.0 / bucket.rate if bucket.rate else 1.0

    @staticmethod
    def _message(err):
        errors = getattr(err, "error", None) or []
        if isinstance(errors, list) and errors:
            parts = []
            for item in errors:
                if isinstance(item, dict):
                    parts.append(" ".join(filter(None, [item.get("code"), item.get("message"), item.get("details")])))
            if parts:
                return "; ".join(parts)
        return getattr(err, "message", None) or str(err) or type(err).__name__

    # sellers -------------------------------------------------------------------------------------
    def participations(self):
        """The seller's marketplaces; asks LWA for a new token, so it tests the credentials."""
        self._forget_token()
        response = self._call("getMarketplaceParticipations",
                              lambda: self._api(Sellers).get_marketplace_participation())
        return response.payload if isinstance(response.payload, list) else response.payload.get("payload", [])

    # orders ----------------------------------------------------------------------------------------
    def iter_orders(self, marketplace_ids, last_updated_after, fulfillment_channels=None, order_statuses=None):
        """Every order changed since `last_updated_after`, page after page (NextToken)."""
        api = self._api(Orders)
        params = {"MarketplaceIds": list(marketplace_ids), "LastUpdatedAfter": _iso(last_updated_after),
                  "MaxResultsPerPage": 100}
        if fulfillment_channels:
            params["FulfillmentChannels"] = list(fulfillment_channels)
        if order_statuses:
            params["OrderStatuses"] = list(order_statuses)
        token = None
        while True:
            query = {"NextToken": token, "MarketplaceIds": params["MarketplaceIds"]} if token else params
            response = self._call("getOrders", lambda: api.get_orders(**query))
            yield from response.payload.get("Orders", [])
            token = response.payload.get("NextToken")
            if not token:
                return

    def order(self, order_id):
        return self._call("getOrder", lambda: self._api(Orders).get_order(order_id)).payload

    def order_items(self, order_id):
        api = self._api(Orders)
        items, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            payload = self._call("getOrderItems", lambda: api.get_order_items(order_id, **kwargs)).payload
            items.extend(payload.get("OrderItems", []))
            token = payload.get("NextToken")
            if not token:
                return items

    def confirm_shipment(self, order_id, marketplace_id, package):
        """Tell Amazon that these items of an FBM order shipped (a tracking number is required)."""
        if not package.get("tracking_number"):
            raise AmazonError("Amazon requires a tracking number for every shipment.")
        ship_date = package.get("ship_date") or datetime.now(timezone.utc)
        detail = {
            "packageReferenceId": str(package["package_reference_id"]),
            "carrierCode": package["carrier_code"],
            "carrierName": package.get("carrier_name") or package["carrier_code"],
            "shippingMethod": package.get("shipping_method") or "",
            "trackingNumber": package["tracking_number"],
            "shipDate": _iso(ship_date),
            "orderItems": [{"orderItemId": i["order_item_id"], "quantity": int(i["quantity"])} for i in package["items"]],
        }
        self._call("confirmShipment", lambda: self._api(Orders, marketplace_id).confirm_shipment(
            order_id, marketplaceId=marketplace_id, packageDetail=detail))

    # feeds ---------------------------------------------------------------------------------------------
    @staticmethod
    def stock_message(sku, quantity, message_id):
        return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
                "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": max(int(quantity), 0)}]}]}

    @staticmethod
    def price_message(sku, price, currency, message_id, marketplace_id=None):
        offer = {"currency": currency, "our_price": [{"schedule": [{"value_with_tax": round(float(price), 2)}]}]}
        if marketplace_id:
            offer["marketplace_id"] = marketplace_id
        return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
                "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}]}

    def submit_listings_feed(self, seller_id, marketplace_ids, messages):
        """Upload a JSON_LISTINGS_FEED and create the feed; return its id."""
        body = json.dumps({"header": {"sellerId": seller_id, "version": "2.0"}, "messages": messages}).encode()
        api = self._api(Feeds, marketplace_ids[0])
        document = self._call("createFeedDocument", lambda: api.create_feed_document(
            io.BytesIO(body), "application/json; charset=UTF-8")).payload
        created = self._call("createFeed", lambda: api.create_feed(
            "JSON_LISTINGS_FEED", document["feedDocumentId"], marketplaceIds=list(marketplace_ids))).payload
        return created["feedId"]

    def feed_status(self, feed_id):
        return self._call("getFeed", lambda: self._api(Feeds).get_feed(feed_id)).payload

    def feed_results(self, feed_id):
        """{sku: {"status": "accepted"|"error", "errors": [text]}} from the processing report."""
        status = self.feed_status(feed_id)
        document_id = status.get("resultFeedDocumentId")
        if not document_id:
            raise AmazonError("Feed %s has no processing report yet." % feed_id)
        raw = self._call("getFeedDocument", lambda: self._api(Feeds).get_feed_result_document(document_id))
        report = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        results = {}
        for issue in report.get("issues", []):
            sku = issue.get("sku")
            if not sku:
                continue
            entry = results.setdefault(sku, {"status": "accepted", "errors": []})
            if issue.get("severity") == "ERROR":
                entry["status"] = "error"
                entry["errors"].append(" ".join(filter(None, [issue.get("code"), issue.get("message")])))
        return results

    # FBA inventory -----------------------------------------------------------------------------------
    def inventory_summaries(self, marketplace_id, skus=None):
        api = self._api(Inventories, marketplace_id)
        token = None
        while True:
            kwargs = {"granularityType": "Marketplace", "granularityId": marketplace_id,
                      "marketplaceIds": [marketplace_id], "details": True}
            if skus:
                kwargs["sellerSkus"] = ",".join(skus)
            if token:
                kwargs["nextToken"] = token
            response = self._call("getInventorySummaries", lambda: api.get_inventory_summary_marketplace(**kwargs))
            payload = response.payload or {}
            yield from payload.get("inventorySummaries", [])
            token = (getattr(response, "pagination", None) or {}).get("nextToken") or response.next_token
            if not token:
                return


def _iso(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
