"""The Amazon SP-API client: python-amazon-sp-api (module `sp_api`) on the suite's Transport.
Imports nothing from Odoo.

sp_api builds the requests, gets and caches the LWA access token and parses the answers;
marketplace_base/adapter/transport.py paces, waits out 429s, renews tokens, retries what may be
retried and raises Ambiguous for writes whose answer was lost. What is Amazon's own is here:

* an endpoint of our choice (a sandbox or the local simulator) for both the API and LWA;
* the documented usage plans (RATES) and the rate Amazon announces (x-amzn-RateLimit-Limit);
* what Amazon's answers mean (classify_error): 403 "token expired", LWA's refusals (nothing was
  sent to the API then), Amazon's own error text;
* the operations the connector uses, each marked idempotent or not (confirmShipment and
  createFeed are not: a lost answer raises AmazonAmbiguous, see shipped_quantities and
  recent_feeds to read what Amazon did).

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

if __name__.startswith("odoo.addons."):
    from odoo.addons.marketplace_base.adapter.transport import (
        Ambiguous, MarketplaceError, Throttled, Transport, Verdict, http_verdict, parse_retry_after)
else:  # imported without Odoo (tests/, benchmarks): the addons are plain packages
    from marketplace_base.adapter.transport import (
        Ambiguous, MarketplaceError, Throttled, Transport, Verdict, http_verdict, parse_retry_after)

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
    "getFeeds": (0.0222, 10),
    "getFeedDocument": (0.0222, 10),
    "getInventorySummaries": (2.0, 2),
}
PACING = Transport.PACING
MAX_MARKETPLACES_PER_CALL = 50  # getOrders MarketplaceIds
MAX_SKUS_PER_CALL = 50  # getInventorySummaries sellerSkus
# JSON_LISTINGS_FEED: messages per feed (listings-feed-schema-v2.json, maxItems; 25,000 since May 2025).
MAX_FEED_MESSAGES = 25000
FEED_DONE_STATUSES = ("DONE", "CANCELLED", "FATAL")
FEEDS_PATH = "/feeds/2021-06-30/feeds"


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


reset_rate_limits = Transport.reset_rate_limits  # forget every client-side bucket (tests)


# =============================================================================================
# Errors
# =============================================================================================

class AmazonError(MarketplaceError):
    """Amazon refused or failed; the text is Amazon's own, never a credential."""


class AmazonThrottled(AmazonError, Throttled):
    """Still throttled when the call's time budget (max_wait) ran out."""


class AmazonAmbiguous(AmazonError, Ambiguous):
    """confirmShipment or createFeed sent, answer lost: Amazon may have applied it."""


class _HttpError(Exception):
    """An HTTP error status answered by the API (raised by the transport, classified by the client)."""

    def __init__(self, status, errors, headers, text=""):
        super().__init__(status)
        self.status, self.errors, self.headers, self.text = status, errors, headers, text


class _Unreadable(Exception):
    """A 2xx answer whose body is not JSON (truncated or garbled)."""


class _TokenFailure(Exception):
    """Getting the LWA access token failed (the cause is chained): nothing was sent to the API."""


def _errors_of(response):
    try:
        body = response.json()
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, list) else None


def _is_expired_token(errors):
    return any(
        isinstance(e, dict) and "expired" in ((e.get("details") or "") + " " + (e.get("message") or "")).lower()
        for e in errors or []
    )


def _text(errors, fallback):
    """Amazon's error list as one line: code: message (details); ..."""
    parts = []
    for item in errors or []:
        if isinstance(item, dict):
            text = ": ".join(filter(None, [item.get("code"), item.get("message")]))
            if item.get("details"):
                text += " (%s)" % item["details"]
            parts.append(text)
    return "; ".join(p for p in parts if p) or fallback


class _Transport(HttpxTransport):
    """sp_api's transport sending the real Host and raising on HTTP errors and unreadable bodies
    (see the module docstring)."""

    def request(self, method, url, *, params=None, data=None, content=None, headers=None):
        if headers:
            headers = dict(headers, host=urlsplit(url).netloc)
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
# The client
# =============================================================================================

class AmazonClient(Transport):
    """One seller account's access to the SP-API.

    `calls` counts the API requests sent (token requests and feed document transfers excluded),
    `throttled` the 429 answers received.
    """

    RATES = RATES
    ERROR = AmazonError
    THROTTLED_ERROR = AmazonThrottled
    AMBIGUOUS_ERROR = AmazonAmbiguous

    def __init__(self, *, refresh_token, lwa_client_id, lwa_client_secret, region="eu", endpoint=None,
                 lwa_url=None, timeout=30, max_retries=3, max_wait=300, rate_scale=1.0, **transport):
        if region not in PRODUCTION:
            raise AmazonError("Unknown Amazon region %r (na, eu or fe)." % (region,))
        base, aws_region = PRODUCTION[region]
        self.endpoint = (endpoint or base).rstrip("/")
        self.aws_region = aws_region
        self.lwa_url = lwa_url or (self.endpoint + "/auth/o2/token" if endpoint else LWA_URL)
        self.refresh_token = refresh_token
        self.timeout = timeout
        self._credentials = sp_api_credentials(lwa_client_id, lwa_client_secret, refresh_token)
        self._apis = {}
        digest = hashlib.sha256((refresh_token or "").encode()).hexdigest()[:16]
        # Amazon counts requests per seller authorization: every client of one refresh token shares the buckets
        super().__init__(account_key=("amazon", self.endpoint, digest), secrets=(refresh_token, lwa_client_secret),
                         rate_scale=rate_scale, max_wait=max_wait, max_retries=max_retries, **transport)

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
            api._transport = _Transport(timeout=self.timeout)
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

    def _request(self, operation, api, method, *args, idempotent=True, **kwargs):
        """`api.<method>(*args, **kwargs)` as one request of `operation` through the Transport."""
        def request():
            try:
                # the LWA token (cached by sp_api), asked first: a failure here sent nothing to the API
                api.auth  # noqa: B018
            except (AuthorizationError, httpx.HTTPError, ValueError) as error:
                raise _TokenFailure() from error
            # a file argument (a feed document to upload) is read by each attempt: give each its own
            fresh = [io.BytesIO(a.getvalue()) if isinstance(a, io.BytesIO) else a for a in args]
            return getattr(api, method)(*fresh, **kwargs)

        return self.call(operation, request, idempotent=idempotent)

    # Transport hooks ------------------------------------------------------------------------
    def renew_token(self):
        forget_access_token(self.refresh_token)

    def announced_rate(self, outcome):
        """x-amzn-RateLimit-Limit: the requests per second Amazon allows this account."""
        headers = getattr(outcome, "headers", None) or {}
        try:
            return float(headers.get("x-amzn-RateLimit-Limit"))
        except (TypeError, ValueError):
            return None

    def classify_error(self, operation, error):
        if isinstance(error, _HttpError):
            message = _text(error.errors, "%s: HTTP %s %s" % (operation, error.status, error.text.strip()))
            first = (error.errors or [None])[0]
            code = first.get("code") if isinstance(first, dict) else None
            if error.status == 403 and _is_expired_token(error.errors):
                return Verdict(Verdict.EXPIRED, message, code, 403)
            return http_verdict(error.status, message, code, parse_retry_after(error.headers.get("Retry-After")))
        if isinstance(error, _TokenFailure):
            return self._token_verdict(error.__cause__)
        if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            return Verdict(Verdict.UNSENT, "no connection to Amazon")
        if isinstance(error, httpx.TimeoutException):
            return Verdict(Verdict.TRANSIENT, "no answer in time from Amazon")
        if isinstance(error, httpx.TransportError):
            return Verdict(Verdict.TRANSIENT, "the connection to Amazon dropped before the answer")
        if isinstance(error, (_Unreadable, json.JSONDecodeError)):
            return Verdict(Verdict.TRANSIENT, "an unreadable answer from Amazon")
        return None

    @staticmethod
    def _token_verdict(cause):
        """Login with Amazon's refusal (error code and description, never the credentials)."""
        if isinstance(cause, AuthorizationError):
            status = cause.status_code
            text = ": ".join(filter(None, [cause.error_code, cause.message]))
            if status and (status >= 500 or status == 429):
                return Verdict(Verdict.UNSENT, "Login with Amazon is unavailable: %s" % text, cause.error_code, status)
            return Verdict(Verdict.FAILED, "Login with Amazon refused the credentials: %s" % text,
                           cause.error_code, status or 401)
        return Verdict(Verdict.UNSENT, "no answer from Login with Amazon")

    # sellers -------------------------------------------------------------------------------
    def participations(self):
        """The seller's marketplaces ([{marketplace: {...}, participation: {...}}]); asks LWA
        for a new token first, so it tests the credentials."""
        self.renew_token()
        payload = self._request("getMarketplaceParticipations", self._api(Sellers),
                                "get_marketplace_participation").payload
        return payload if isinstance(payload, list) else payload.get("payload", [])

    # orders ----------------------------------------------------------------------------------
    def orders_page(self, marketplace_ids, last_updated_after, next_token=None, order_statuses=None, *,
                    fulfillment_channels=None, last_updated_before=None):
        """ONE getOrders call: {"orders": [raw Orders], "next_token": str | None, "safe_until":
        datetime (UTC, aware)}.

        `safe_until` is Amazon's own LastUpdatedBefore of the answer: the orders updated up to
        then (matching the filters) are all in this listing's pages; it is the next cursor. When
        Amazon gives none, the request's upper bound: `last_updated_before`, else
        `last_updated_after` (a cursor that stays is safe; one moved by the local clock is not).
        At most 50 marketplace ids per call; grouping them is the caller's business."""
        ids = list(marketplace_ids)
        if not ids or len(ids) > MAX_MARKETPLACES_PER_CALL:
            raise AmazonError("getOrders takes 1 to %d marketplace ids (%d given)."
                              % (MAX_MARKETPLACES_PER_CALL, len(ids)))
        query = {"MarketplaceIds": ",".join(ids)}
        if next_token:
            query["NextToken"] = next_token
        else:
            query.update(LastUpdatedAfter=_iso(last_updated_after), MaxResultsPerPage=100)
            if last_updated_before:
                query["LastUpdatedBefore"] = _iso(last_updated_before)
            if order_statuses:
                query["OrderStatuses"] = ",".join(order_statuses)
            if fulfillment_channels:
                query["FulfillmentChannels"] = ",".join(fulfillment_channels)
        payload = self._request("getOrders", self._api(Orders), "get_orders", **query).payload
        if not isinstance(payload.get("Orders"), list):
            raise AmazonError("getOrders: Amazon's answer holds no order list.")
        safe_until = (_datetime(payload.get("LastUpdatedBefore")) or _datetime(last_updated_before)
                      or _datetime(last_updated_after))
        return {"orders": payload["Orders"], "next_token": payload.get("NextToken") or None, "safe_until": safe_until}

    def iter_orders(self, marketplace_ids, last_updated_after, fulfillment_channels=None, order_statuses=None):
        """Every order changed since `last_updated_after` (datetime, UTC when naive, or an ISO
        string), one getOrders call per page of 100 (NextToken), marketplaces 50 at a time. A
        throttled page is waited out and asked again with the same token, so nothing is yielded
        twice."""
        marketplace_ids = list(marketplace_ids)
        for start in range(0, len(marketplace_ids), MAX_MARKETPLACES_PER_CALL):
            group = marketplace_ids[start:start + MAX_MARKETPLACES_PER_CALL]
            token = None
            while True:
                page = self.orders_page(group, last_updated_after, token, order_statuses,
                                        fulfillment_channels=fulfillment_channels)
                yield from page["orders"]
                token = page["next_token"]
                if not token:
                    break

    def order(self, order_id):
        """getOrder: the raw Order."""
        return self._request("getOrder", self._api(Orders), "get_order", order_id).payload

    def order_items(self, order_id):
        """Every item of an order (getOrderItems, all pages): raw OrderItems."""
        api = self._api(Orders)
        items, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            payload = self._request("getOrderItems", api, "get_order_items", order_id, **kwargs).payload
            if not isinstance(payload.get("OrderItems"), list):
                raise AmazonError("getOrderItems: Amazon's answer holds no item list for %s." % order_id)
            items.extend(payload["OrderItems"])
            token = payload.get("NextToken")
            if not token:
                return items

    def shipped_quantities(self, order_id):
        """{OrderItemId: QuantityShipped} of an order, as Amazon knows them now: what to read
        after an ambiguous confirmation before sending it again."""
        return {item["OrderItemId"]: int(item.get("QuantityShipped") or 0) for item in self.order_items(order_id)}

    def confirm_shipment(self, order_id, marketplace_id, package):
        """Tell Amazon that these items of an FBM order shipped (confirmShipment). Not
        idempotent: a lost answer raises AmazonAmbiguous; read shipped_quantities() then.

        package: package_reference_id, carrier_code, carrier_name, shipping_method,
        tracking_number (required), ship_date (datetime; now when empty),
        items [{order_item_id, quantity}]. Checked before anything is sent."""
        detail = self._package_detail(order_id, package)
        self._request("confirmShipment", self._api(Orders, marketplace_id), "confirm_shipment", order_id,
                      idempotent=False, marketplaceId=marketplace_id, packageDetail=detail)

    @staticmethod
    def _package_detail(order_id, package):
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
            "trackingNumber": tracking,
            "shipDate": _iso(package.get("ship_date") or datetime.now(timezone.utc)),
            "orderItems": items,
        }
        if package.get("shipping_method"):
            detail["shippingMethod"] = package["shipping_method"]
        return detail

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
        """Upload a JSON_LISTINGS_FEED document and create the feed; return the feed id.

        createFeed is not idempotent: when its answer is lost, AmazonAmbiguous is raised with
        `sent_at` (UTC, aware, just before the request) and `feed_document_id`; recent_feeds()
        then tells whether Amazon created the feed."""
        messages = list(messages)
        if not messages:
            raise AmazonError("A listings feed needs at least one message.")
        if len(messages) > MAX_FEED_MESSAGES:
            raise AmazonError("A listings feed holds at most %d messages (%d given); split it with feed_batches()."
                              % (MAX_FEED_MESSAGES, len(messages)))
        body = json.dumps({"header": {"sellerId": seller_id, "version": "2.0"}, "messages": messages},
                          ensure_ascii=False).encode("utf-8")
        api = self._api(Feeds, marketplace_ids[0])
        # sp_api uploads the document to the URL Amazon returns, right after createFeedDocument; a
        # repeated document is harmless (only createFeed processes one), so this part is idempotent.
        document = self._request("createFeedDocument", api, "create_feed_document", io.BytesIO(body),
                                 "application/json; charset=UTF-8").payload
        sent_at = datetime.now(timezone.utc)
        try:
            created = self._request("createFeed", api, "create_feed", "JSON_LISTINGS_FEED", document["feedDocumentId"],
                                    idempotent=False, marketplaceIds=list(marketplace_ids)).payload
        except AmazonAmbiguous as lost:
            lost.sent_at, lost.feed_document_id = sent_at, document["feedDocumentId"]
            raise
        return created["feedId"]

    def recent_feeds(self, feed_type, created_since, marketplace_ids=None, processing_statuses=None, page_size=100):
        """The feeds of `feed_type` created since `created_since` (getFeeds, every page), newest
        first, as Amazon describes them (feedId, feedType, marketplaceIds, createdTime,
        processingStatus, resultFeedDocumentId...): how to find a feed whose creation answer
        was lost."""
        api = self._api(Feeds)
        params = {"feedTypes": feed_type, "createdSince": _iso(created_since), "pageSize": page_size}
        if marketplace_ids:
            params["marketplaceIds"] = ",".join(marketplace_ids)
        if processing_statuses:
            params["processingStatuses"] = ",".join(processing_statuses)
        feeds = []
        while True:
            response = self._request("getFeeds", api, "_request", FEEDS_PATH, params=dict(params),
                                     add_marketplace=False)
            if not isinstance(response.payload.get("feeds"), list):
                raise AmazonError("getFeeds: Amazon's answer holds no feed list.")
            feeds.extend(response.payload["feeds"])
            if not response.next_token:  # sp_api takes the top-level nextToken out of the payload
                return feeds
            params = {"nextToken": response.next_token}  # the only parameter a next page takes

    def feed_status(self, feed_id):
        """getFeed: processingStatus (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL) and, once
        processed, resultFeedDocumentId; `status` repeats processingStatus."""
        payload = dict(self._request("getFeed", self._api(Feeds), "get_feed", feed_id).payload)
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

        `messages`: the feed's messages (dicts with messageId and sku), or {messageId: sku}.
        The report lists issues only, by SKU or by messageId alone: with the messages every SKU
        sent gets an entry, accepted unless an ERROR names it or its message; an ERROR naming
        no known message (feed-level) rejects them all. Without them only the SKUs the report
        names are known, and an ERROR it does not tie to a SKU raises AmazonError: a rejected
        message is never taken for accepted."""
        report = self._feed_report(feed_id)
        by_message = _message_skus(messages)
        results = {sku: {"status": "accepted", "errors": []} for sku in by_message.values() if sku}
        for item in report.get("items") or []:
            if item.get("sku"):
                results.setdefault(item["sku"], {"status": "accepted", "errors": []})
        for issue in report.get("issues") or []:
            sku = issue.get("sku") or by_message.get(issue.get("messageId"))
            text = ": ".join(filter(None, [issue.get("code"), issue.get("message")]))
            if issue.get("severity") != "ERROR":
                continue
            if not sku and not by_message:
                raise AmazonError("Feed %s: Amazon reports an error of no named SKU (message %s: %s); pass the feed's "
                                  "messages to tell which." % (feed_id, issue.get("messageId") or "-", text))
            for target in [sku] if sku else list(results):
                entry = results.setdefault(target, {"status": "accepted", "errors": []})
                entry["status"] = "error"
                entry["errors"].append(text)
        return results

    def _feed_report(self, feed_id):
        status = self.feed_status(feed_id)
        document_id = status.get("resultFeedDocumentId")
        if not document_id:
            raise AmazonError("Feed %s has no processing report yet (%s)." % (feed_id, status.get("status")))
        raw = self._request("getFeedDocument", self._api(Feeds), "get_feed_result_document", document_id)
        try:
            report = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        except ValueError:
            raise AmazonError("The processing report of feed %s is not JSON." % feed_id) from None
        if not isinstance(report, dict):
            raise AmazonError("The processing report of feed %s is not a JSON object." % feed_id)
        return report

    # FBA inventory --------------------------------------------------------------------------
    def inventory_summaries(self, marketplace_id, skus=None):
        """FBA inventory summaries (with details) of a marketplace, every page; `skus` limits
        them to these SKUs (asked 50 at a time)."""
        api = self._api(Inventories, marketplace_id)
        skus = list(skus or [])
        groups = [None] if not skus else [skus[i:i + MAX_SKUS_PER_CALL] for i in range(0, len(skus), MAX_SKUS_PER_CALL)]
        for group in groups:
            token = None
            while True:
                kwargs = {"granularityType": "Marketplace", "granularityId": marketplace_id,
                          "marketplaceIds": [marketplace_id], "details": "true"}
                if group:
                    kwargs["sellerSkus"] = group
                if token:
                    kwargs["nextToken"] = token
                response = self._request("getInventorySummaries", api, "get_inventory_summary_marketplace", **kwargs)
                payload = response.payload or {}
                if not isinstance(payload.get("inventorySummaries"), list):
                    raise AmazonError("getInventorySummaries: Amazon's answer holds no summary list.")
                yield from payload["inventorySummaries"]
                token = (response.pagination or {}).get("nextToken")
                if not token:
                    break


def _message_skus(messages):
    """{messageId: sku} of a feed's messages (a list of message dicts, or already a mapping)."""
    if not messages:
        return {}
    if isinstance(messages, dict):
        return {int(k): v for k, v in messages.items()}
    return {m.get("messageId"): m.get("sku") for m in messages if isinstance(m, dict)}


def _iso(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _datetime(value):
    """An aware UTC datetime of an ISO 8601 string or a datetime (UTC when naive); None if empty."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
