"""A thin, rate-aware layer over python-amazon-sp-api (module `sp_api`). Imports nothing from Odoo.

sp_api builds the requests, gets and caches the LWA access token and parses the answers. What it
leaves to its caller is done here:

* an endpoint of our choice (a sandbox or the local simulator) for both the API and LWA;
* a client-side token bucket per operation at the documented rate and burst, following the
  `x-amzn-RateLimit-Limit` the service answers, shared by the clients of one seller account in
  this process;
* 429s waited out (Retry-After when given, else a backoff from the rate) within `max_wait`
  seconds per call, then `AmazonThrottled`;
* an expired access token renewed once per call;
* 5xx answers, timeouts, dropped connections and unreadable bodies retried `max_retries` times
  with a backoff, then `AmazonError`;
* Amazon's own error text in `AmazonError`, never a credential.

Two things sp_api cannot do against a plain-http endpoint, or at all, and the smallest workaround
(`_Transport`, sp_api's own httpx transport with a check on top):

* sp_api sends `Host: endpoint[8:]`, which is right for https URLs only ("7.0.0.1:8700/amazon"
  for http://127.0.0.1:8700/amazon): the transport sends the URL's real host;
* sp_api turns every answer whose body is not JSON with an `errors` list into a *successful*,
  empty ApiResponse: an HTML 503, a 429 without body or a truncated answer would end a paging
  loop silently (and a caller would move its cursor past orders never read). The transport
  raises on any HTTP error status and on a 2xx body that is not JSON, so nothing is read as
  "no more orders" that was not.
"""
import hashlib
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
from sp_api.base import Marketplaces
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.exceptions import SellingApiForbiddenException

PRODUCTION = {
    "na": ("https://sellingpartnerapi-na.amazon.com", "us-east-1"),
    "eu": ("https://sellingpartnerapi-eu.amazon.com", "eu-west-1"),
    "fe": ("https://sellingpartnerapi-fe.amazon.com", "us-west-2"),
}
LWA_URL = "https://api.amazon.com/auth/o2/token"
# AWS region of each marketplace, as sp_api knows them (sp_api reads it from its marketplace object).
MARKETPLACE_REGIONS = {m.marketplace_id: m.region for m in Marketplaces}

# Documented usage plans: operation -> (requests per second, burst).
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
# Requests are paced a little under the allowed rate: the service measures arrival times, which
# jitter around the send times, so pacing at exactly the rate would draw an occasional 429.
PACING = 0.95
MAX_MARKETPLACES_PER_CALL = 50  # getOrders MarketplaceIds
MAX_SKUS_PER_CALL = 50  # getInventorySummaries sellerSkus
# JSON_LISTINGS_FEED: messages per feed (listings-feed-schema-v2.json, maxItems; 25,000 since May 2025).
MAX_FEED_MESSAGES = 25000
FEED_DONE_STATUSES = ("DONE", "CANCELLED", "FATAL")


# =============================================================================================
# Configuring sp_api for any endpoint (production, sandbox, the local simulator)
# =============================================================================================

def sp_api_marketplace(api_base_url, marketplace_id, region=None):
    """A stand-in for a `sp_api.base.Marketplaces` member: sp_api reads only `endpoint`,
    `marketplace_id` and `region` from it, so any object with those attributes points the
    client at `api_base_url` (e.g. ``http://127.0.0.1:8700/amazon``) instead of Amazon."""
    return SimpleNamespace(
        endpoint=api_base_url.rstrip("/"),
        marketplace_id=marketplace_id,
        region=region or MARKETPLACE_REGIONS.get(marketplace_id, "eu-west-1"),
        name=marketplace_id,
    )


def sp_api_token_client_class(lwa_url):
    """A subclass of sp_api's AccessTokenClient posting the refresh-token grant to `lwa_url`
    (``https://api.amazon.com/auth/o2/token`` in production; the simulator serves
    ``<base>/amazon/auth/o2/token``). sp_api builds the URL as scheme + host + path."""
    url = urlsplit(lwa_url)

    class LwaTokenClient(AccessTokenClient):
        scheme = url.scheme + "://"
        host = url.netloc
        path = url.path or "/auth/o2/token"

    return LwaTokenClient


def sp_api_credentials(client_id, client_secret, refresh_token):
    return {"lwa_app_id": client_id, "lwa_client_secret": client_secret, "refresh_token": refresh_token}


def sp_api_client(cls, api_base_url, lwa_url, credentials, marketplace_id, **kwargs):
    """An sp_api client of class `cls` (Orders, Feeds, ...) for one marketplace."""
    return cls(
        marketplace=sp_api_marketplace(api_base_url, marketplace_id),
        credentials=credentials,
        refresh_token=credentials["refresh_token"],
        auth_token_client_class=sp_api_token_client_class(lwa_url),
        **kwargs,
    )


def forget_access_token(refresh_token=None):
    """sp_api caches access tokens module-wide, keyed by refresh token, for ~53 minutes;
    forget one (or all) so that the next call asks LWA for a new token."""
    if refresh_token is None:
        _token_module.cache.clear()
        return
    key = AccessTokenClient._get_cache_key(SimpleNamespace(cred=SimpleNamespace(refresh_token=refresh_token)))
    _token_module.cache.pop(key, None)


def _is_expired_token(errors):
    return any(
        isinstance(e, dict) and "expired" in ((e.get("details") or "") + " " + (e.get("message") or "")).lower()
        for e in errors or []
    )


def is_expired_token_error(exc):
    """A 403 of sp_api saying the access token expired."""
    return isinstance(exc, SellingApiForbiddenException) and _is_expired_token(exc.error)


def call_with_token_refresh(call, refresh_token):
    """Run `call()`; when the access token turns out expired (403), forget it and retry once."""
    try:
        return call()
    except SellingApiForbiddenException as exc:
        if not is_expired_token_error(exc):
            raise
        forget_access_token(refresh_token)
        return call()


# =============================================================================================
# Errors
# =============================================================================================

class AmazonError(Exception):
    """Amazon refused or failed; the text is Amazon's own, never a credential."""

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class AmazonThrottled(AmazonError):
    """Still throttled when the call's time budget (max_wait) ran out."""


class _HttpError(Exception):
    """An HTTP error status answered by the API (raised by the transport, handled by _call)."""

    def __init__(self, status, errors, headers, text=""):
        super().__init__(status)
        self.status, self.errors, self.headers, self.text = status, errors, headers, text


class _Unreadable(Exception):
    """A 2xx answer whose body is not JSON (truncated or garbled)."""


def _errors_of(response):
    try:
        body = response.json()
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, list) else None


class _Transport(HttpxTransport):
    """sp_api's transport, counting the requests sent, sending the real Host, and raising on
    HTTP errors and unreadable bodies (see the module docstring)."""

    def __init__(self, owner, timeout):
        super().__init__(timeout=timeout)
        self.owner = owner

    def request(self, method, url, *, params=None, data=None, content=None, headers=None):
        if headers:
            headers = dict(headers, host=urlsplit(url).netloc)
        self.owner.calls += 1
        response = super().request(method, url, params=params, data=data, content=content, headers=headers)
        if response.status_code >= 400:
            raise _HttpError(response.status_code, _errors_of(response), response.headers, response.text[:200])
        if response.content:
            try:
                json.loads(response.content)
            except ValueError:
                raise _Unreadable() from None
        return response


# =============================================================================================
# Rate limiting
# =============================================================================================

class _Bucket:
    """Requests allowed for one operation: `rate` per second refilling up to `burst`."""

    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def _refill(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def reserve(self):
        """Take a token; return the seconds to wait before using it (0: go now)."""
        with self.lock:
            self._refill()
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def give_back(self):
        with self.lock:
            self.tokens += 1

    def drain(self):
        """The service said 429: nothing left whatever we counted."""
        with self.lock:
            self._refill()
            self.tokens = min(self.tokens, 0.0)

    def set_rate(self, rate):
        with self.lock:
            self._refill()
            self.rate = rate


# Buckets of every client of this process, by (API endpoint, refresh token digest, rate scale,
# operation): Amazon counts per seller authorization, so two jobs of one account share them.
_BUCKETS = {}
_BUCKETS_LOCK = threading.Lock()


def reset_rate_limits():
    """Forget every client-side bucket (tests)."""
    with _BUCKETS_LOCK:
        _BUCKETS.clear()


# =============================================================================================
# The client
# =============================================================================================

class AmazonClient:
    """One seller account's access to the SP-API.

    `calls` counts the API requests sent (token requests and feed document transfers excluded),
    `throttled` the 429 answers received.
    """

    def __init__(self, *, refresh_token, lwa_client_id, lwa_client_secret, region="eu", endpoint=None,
                 lwa_url=None, timeout=30, max_retries=3, max_wait=300, rate_scale=1.0, sleep=time.sleep):
        if region not in PRODUCTION:
            raise AmazonError("Unknown Amazon region %r (na, eu or fe)." % (region,))
        base, aws_region = PRODUCTION[region]
        self.endpoint = (endpoint or base).rstrip("/")
        self.aws_region = aws_region
        self.lwa_url = lwa_url or (self.endpoint + "/auth/o2/token" if endpoint else LWA_URL)
        self.refresh_token = refresh_token
        self._credentials = sp_api_credentials(lwa_client_id, lwa_client_secret, refresh_token)
        self._secrets = [s for s in (refresh_token, lwa_client_secret) if s]
        self.timeout, self.max_retries, self.max_wait = timeout, max_retries, max_wait
        self.rate_scale = rate_scale
        self.sleep = sleep
        self.calls = 0
        self.throttled = 0
        self._apis = {}
        self._account = hashlib.sha256((refresh_token or "").encode()).hexdigest()[:16]

    def __repr__(self):  # no credential in tracebacks or logs
        return "<AmazonClient %s calls=%s throttled=%s>" % (self.endpoint, self.calls, self.throttled)

    # sp_api plumbing -----------------------------------------------------------------------
    def _api(self, cls, marketplace_id="ATVPDKIKX0DER"):
        """One sp_api client per API and marketplace, kept so that its connection is reused."""
        key = (cls, marketplace_id)
        if key not in self._apis:
            kwargs = {"version": "v0"} if cls is Orders else {}
            api = cls(marketplace=sp_api_marketplace(self.endpoint, marketplace_id, self.aws_region),
                      credentials=self._credentials, refresh_token=self.refresh_token,
                      auth_token_client_class=sp_api_token_client_class(self.lwa_url), **kwargs)
            api._transport.close()
            api._transport = _Transport(self, self.timeout)
            self._apis[key] = api
        return self._apis[key]

    def close(self):
        for api in self._apis.values():
            api.close()
        self._apis = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _forget_token(self):
        forget_access_token(self.refresh_token)

    def _bucket(self, operation):
        key = (self.endpoint, self._account, self.rate_scale, operation)
        with _BUCKETS_LOCK:
            bucket = _BUCKETS.get(key)
            if bucket is None:
                rate, burst = RATES.get(operation, (1.0, 5))
                bucket = _BUCKETS[key] = _Bucket(rate * self.rate_scale * PACING, burst)
            return bucket

    def _follow_rate(self, bucket, headers):
        """Follow the rate Amazon says applies to this account (x-amzn-RateLimit-Limit)."""
        try:
            rate = float((headers or {}).get("x-amzn-RateLimit-Limit")) * self.rate_scale * PACING
        except (TypeError, ValueError):
            return
        if rate > 0 and abs(rate - bucket.rate) > 1e-9:
            bucket.set_rate(rate)

    def _scrub(self, text):
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _error(self, message, code=None, status=None, cls=AmazonError):
        return cls(self._scrub(message), code, status)

    @staticmethod
    def _text(errors, fallback):
        parts = []
        for item in errors or []:
            if isinstance(item, dict):
                text = ": ".join(filter(None, [item.get("code"), item.get("message")]))
                if item.get("details"):
                    text += " (%s)" % item["details"]
                parts.append(text)
        return "; ".join(p for p in parts if p) or fallback

    def _backoff(self, attempt):
        return min(0.5 * 2 ** (attempt - 1), 8.0)

    def _call(self, operation, request):
        """Send one request through the rate limiter, with Amazon's failures handled."""
        bucket = self._bucket(operation)
        waited = 0.0
        throttles = retries = 0
        token_renewed = False
        while True:
            delay = bucket.reserve()
            if delay:
                if waited + delay > self.max_wait:
                    bucket.give_back()
                    raise self._error("%s: Amazon's rate limit leaves no room within %s seconds."
                                      % (operation, self.max_wait), "QuotaExceeded", 429, AmazonThrottled)
                self.sleep(delay)
                waited += delay
            try:
                response = request()
            except _HttpError as err:
                message = self._text(err.errors, "%s: HTTP %s %s" % (operation, err.status, err.text.strip()))
                code = (err.errors or [{}])[0].get("code") if err.errors and isinstance(err.errors[0], dict) else None
                if err.status == 429:
                    self.throttled += 1
                    throttles += 1
                    self._follow_rate(bucket, err.headers)
                    bucket.drain()
                    pause = self._retry_after(err.headers, bucket, throttles)
                    if waited + pause > self.max_wait:
                        raise self._error("%s: %s" % (operation, message), code or "QuotaExceeded", 429,
                                          AmazonThrottled) from None
                    self.sleep(pause)
                    waited += pause
                    continue
                if err.status == 403 and _is_expired_token(err.errors) and not token_renewed:
                    token_renewed = True
                    self._forget_token()
                    continue
                if err.status >= 500 and retries < self.max_retries:
                    retries += 1
                    self.sleep(self._backoff(retries))
                    continue
                raise self._error(message, code, err.status) from None
            except AuthorizationError as err:
                # LWA's answer: error code and description (never the credentials)
                code = getattr(err, "error_code", None)
                description = getattr(err, "message", None)
                status = getattr(err, "status_code", None)
                if status and status >= 500 and retries < self.max_retries:
                    retries += 1
                    self.sleep(self._backoff(retries))
                    continue
                raise self._error("Login with Amazon refused the credentials: %s"
                                  % ": ".join(filter(None, [code, description])), code, status or 401) from None
            except (httpx.TimeoutException, httpx.TransportError, _Unreadable, json.JSONDecodeError) as err:
                if retries < self.max_retries:
                    retries += 1
                    self.sleep(self._backoff(retries))
                    continue
                what = "no answer in time" if isinstance(err, httpx.TimeoutException) else (
                    "an unreadable answer" if isinstance(err, (_Unreadable, json.JSONDecodeError)) else "no answer")
                raise self._error("%s: %s from Amazon after %s attempts." % (operation, what, retries + 1)) from None
            self._follow_rate(bucket, getattr(response, "headers", None))
            return response

    def _retry_after(self, headers, bucket, attempt):
        value = (headers or {}).get("Retry-After")
        try:
            return max(float(value), 0.0)
        except (TypeError, ValueError):
            return min(1.0 / bucket.rate, self.max_wait + 1) * min(2 ** (attempt - 1), 8)

    # sellers -------------------------------------------------------------------------------
    def participations(self):
        """The seller's marketplaces ([{marketplace: {...}, participation: {...}}]); asks LWA
        for a new token first, so it tests the credentials."""
        self._forget_token()
        response = self._call("getMarketplaceParticipations",
                              lambda: self._api(Sellers).get_marketplace_participation())
        payload = response.payload
        return payload if isinstance(payload, list) else payload.get("payload", [])

    # orders ----------------------------------------------------------------------------------
    def iter_orders(self, marketplace_ids, last_updated_after, fulfillment_channels=None, order_statuses=None):
        """Every order changed since `last_updated_after` (datetime, UTC when naive, or an ISO
        string), one getOrders call per page of 100 (NextToken). A throttled page is waited out
        and asked again with the same token, so nothing is yielded twice."""
        marketplace_ids = list(marketplace_ids)
        if not marketplace_ids:
            return
        api = self._api(Orders)
        for start in range(0, len(marketplace_ids), MAX_MARKETPLACES_PER_CALL):
            group = marketplace_ids[start:start + MAX_MARKETPLACES_PER_CALL]
            params = {"MarketplaceIds": group, "LastUpdatedAfter": _iso(last_updated_after), "MaxResultsPerPage": 100}
            if fulfillment_channels:
                params["FulfillmentChannels"] = list(fulfillment_channels)
            if order_statuses:
                params["OrderStatuses"] = list(order_statuses)
            token = None
            while True:
                query = {"NextToken": token, "MarketplaceIds": group} if token else params
                payload = self._call("getOrders", lambda q=query: api.get_orders(**dict(q))).payload
                if "Orders" not in payload:
                    raise self._error("getOrders: Amazon's answer holds no order list.")
                yield from payload["Orders"]
                token = payload.get("NextToken")
                if not token:
                    break

    def order(self, order_id):
        return self._call("getOrder", lambda: self._api(Orders).get_order(order_id)).payload

    def order_items(self, order_id):
        """Every item of an order (all pages)."""
        api = self._api(Orders)
        items, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            payload = self._call("getOrderItems", lambda: api.get_order_items(order_id, **kwargs)).payload
            if "OrderItems" not in payload:
                raise self._error("getOrderItems: Amazon's answer holds no item list for %s." % order_id)
            items.extend(payload["OrderItems"])
            token = payload.get("NextToken")
            if not token:
                return items

    def confirm_shipment(self, order_id, marketplace_id, package):
        """Tell Amazon that these items of an FBM order shipped.

        package: package_reference_id, carrier_code, carrier_name, shipping_method,
        tracking_number (required), ship_date (datetime; now when empty),
        items [{order_item_id, quantity}]. Checked before anything is sent."""
        tracking = str(package.get("tracking_number") or "").strip()
        if not tracking:
            raise AmazonError("Amazon requires a tracking number to confirm the shipment of order %s; "
                              "none was given, nothing was sent." % order_id)
        if not package.get("carrier_code"):
            raise AmazonError("Amazon requires a carrier code to confirm the shipment of order %s." % order_id)
        items = [{"orderItemId": str(i["order_item_id"]), "quantity": int(i["quantity"])}
                 for i in package.get("items") or [] if int(i.get("quantity") or 0) > 0]
        if not items:
            raise AmazonError("The shipment of order %s holds no item to confirm." % order_id)
        detail = {
            "packageReferenceId": str(package.get("package_reference_id") or "1"),
            "carrierCode": package["carrier_code"],
            "carrierName": package.get("carrier_name") or package["carrier_code"],
            "shippingMethod": package.get("shipping_method") or "",
            "trackingNumber": tracking,
            "shipDate": _iso(package.get("ship_date") or datetime.now(timezone.utc)),
            "orderItems": items,
        }
        if not detail["shippingMethod"]:
            del detail["shippingMethod"]
        self._call("confirmShipment", lambda: self._api(Orders, marketplace_id).confirm_shipment(
            order_id, marketplaceId=marketplace_id, packageDetail=detail))

    # feeds ----------------------------------------------------------------------------------
    @staticmethod
    def stock_message(sku, quantity, message_id):
        """A JSON_LISTINGS_FEED message setting the merchant-fulfilled quantity of an offer."""
        return {"messageId": int(message_id), "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
                "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": max(int(quantity), 0)}]}]}

    @staticmethod
    def price_message(sku, price, currency, message_id, marketplace_id=None):
        """A JSON_LISTINGS_FEED message setting the price (tax included where the marketplace
        shows prices with tax) of an offer, in one marketplace or in the feed's."""
        offer = {"currency": currency, "our_price": [{"schedule": [{"value_with_tax": round(float(price), 2)}]}]}
        if marketplace_id:
            offer["marketplace_id"] = marketplace_id
        return {"messageId": int(message_id), "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
                "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}]}

    @staticmethod
    def feed_batches(messages, size=MAX_FEED_MESSAGES):
        """The messages in as few feeds as the feed limit allows, each numbered from 1."""
        messages = list(messages)
        for start in range(0, len(messages), size):
            yield [dict(m, messageId=i + 1) for i, m in enumerate(messages[start:start + size])]

    def submit_listings_feed(self, seller_id, marketplace_ids, messages):
        """Upload a JSON_LISTINGS_FEED document and create the feed; return the feed id."""
        messages = list(messages)
        if not messages:
            raise AmazonError("A listings feed needs at least one message.")
        if len(messages) > MAX_FEED_MESSAGES:
            raise AmazonError("A listings feed holds at most %d messages (%d given); split it with feed_batches()."
                              % (MAX_FEED_MESSAGES, len(messages)))
        body = json.dumps({"header": {"sellerId": seller_id, "version": "2.0"}, "messages": messages},
                          ensure_ascii=False).encode("utf-8")
        api = self._api(Feeds, marketplace_ids[0])
        # sp_api uploads the document to the URL Amazon returns, right after createFeedDocument;
        # a failed upload is retried with a new document.
        document = self._call("createFeedDocument", lambda: api.create_feed_document(
            io.BytesIO(body), "application/json; charset=UTF-8")).payload
        created = self._call("createFeed", lambda: api.create_feed(
            "JSON_LISTINGS_FEED", document["feedDocumentId"], marketplaceIds=list(marketplace_ids))).payload
        return created["feedId"]

    def feed_status(self, feed_id):
        """getFeed: processingStatus (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL) and, once
        processed, resultFeedDocumentId; `status` repeats processingStatus."""
        payload = dict(self._call("getFeed", lambda: self._api(Feeds).get_feed(feed_id)).payload)
        payload["status"] = payload.get("processingStatus")
        return payload

    def wait_for_feed(self, feed_id, timeout=600, interval=30):
        """Poll the feed until Amazon has processed it (DONE, CANCELLED or FATAL) or `timeout`
        seconds passed; return the last feed_status()."""
        waited = 0.0
        while True:
            status = self.feed_status(feed_id)
            if status["status"] in FEED_DONE_STATUSES or waited >= timeout:
                return status
            self.sleep(interval)
            waited += interval

    def feed_results(self, feed_id, messages=None):
        """{sku: {"status": "accepted"|"error", "errors": [text]}} from the processing report.

        The report lists issues only: with the feed's `messages`, every SKU sent gets an entry
        (accepted unless an ERROR names it or its messageId; a feed-level error rejects all);
        without them, only the SKUs the report names."""
        status = self.feed_status(feed_id)
        document_id = status.get("resultFeedDocumentId")
        if not document_id:
            raise AmazonError("Feed %s has no processing report yet (%s)." % (feed_id, status.get("status")))
        raw = self._call("getFeedDocument", lambda: self._api(Feeds).get_feed_result_document(document_id))
        try:
            report = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        except ValueError:
            raise AmazonError("The processing report of feed %s is not JSON." % feed_id) from None
        by_message = {m.get("messageId"): m.get("sku") for m in messages or []}
        results = {sku: {"status": "accepted", "errors": []} for sku in by_message.values() if sku}
        for item in report.get("items") or []:
            if item.get("sku"):
                results.setdefault(item["sku"], {"status": "accepted", "errors": []})
        for issue in report.get("issues") or []:
            sku = issue.get("sku") or by_message.get(issue.get("messageId"))
            targets = [sku] if sku else ([] if issue.get("messageId") else list(results))
            text = ": ".join(filter(None, [issue.get("code"), issue.get("message")]))
            for target in targets:
                entry = results.setdefault(target, {"status": "accepted", "errors": []})
                if issue.get("severity") == "ERROR":
                    entry["status"] = "error"
                    entry["errors"].append(text)
        return results

    # FBA inventory --------------------------------------------------------------------------
    def inventory_summaries(self, marketplace_id, skus=None):
        """FBA inventory summaries (with details) of a marketplace, every page; `skus` limits
        them to these SKUs (asked 50 at a time)."""
        api = self._api(Inventories, marketplace_id)
        groups = [None] if not skus else [list(skus)[i:i + MAX_SKUS_PER_CALL]
                                          for i in range(0, len(skus), MAX_SKUS_PER_CALL)]
        for group in groups:
            token = None
            while True:
                kwargs = {"granularityType": "Marketplace", "granularityId": marketplace_id,
                          "marketplaceIds": [marketplace_id], "details": "true"}
                if group:
                    kwargs["sellerSkus"] = group
                if token:
                    kwargs["nextToken"] = token
                response = self._call("getInventorySummaries",
                                      lambda k=kwargs: api.get_inventory_summary_marketplace(**dict(k)))
                payload = response.payload or {}
                if "inventorySummaries" not in payload:
                    raise self._error("getInventorySummaries: Amazon's answer holds no summary list.")
                yield from payload["inventorySummaries"]
                token = (response.pagination or {}).get("nextToken")
                if not token:
                    break


def _iso(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
