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
  recent_feeds to read what Amazon did), in parts by role: orders_api.py (Orders v0 and
  2026-01-01), restricted.py (Restricted Data Tokens for the buyer's data), feeds_api.py
  (listings feeds), catalog_api.py (FBA inventory, listings), finances_api.py (settlement
  periods and their financial events, Finances v0).

Two things sp_api cannot do against a plain-http endpoint, or at all, and the smallest workaround
(`_Transport`, sp_api's own httpx transport with a check on top):

* sp_api sends `Host: endpoint[8:]`, which is right for https URLs only ("7.0.0.1:8700/amazon"
  for http://127.0.0.1:8700/amazon): the transport sends the URL's real host;
* sp_api turns every answer whose body is not JSON with an `errors` list into a *successful*,
  empty ApiResponse: an HTML 503, a 429 without body or a truncated answer would end a paging
  loop silently (and a caller would move its cursor past orders never read). The transport
  raises on any HTTP error status, on a redirect (never followed: httpx does not, and a 3xx is
  no answer of the API) and on a 2xx body that is not JSON, so nothing is read as "no more
  orders" that was not. An error body without Amazon's `errors` list is not echoed: the error
  names the call and the status, the body goes to the server log.
"""

import hashlib
import io
import json
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
from sp_api.api import Orders, Sellers
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as _token_module
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base._transport_httpx import HttpxTransport

from .catalog_api import MAX_SKUS_PER_CALL, CatalogApiMixin  # noqa: F401 (re-exported)
from .errors import (  # noqa: F401 (re-exported)
    AmazonAmbiguous,
    AmazonError,
    AmazonThrottled,
    Transport,
    Verdict,
    _datetime,
    _iso,
    http_verdict,
    parse_retry_after,
)
from .feeds_api import FEED_DONE_STATUSES, FEEDS_PATH, MAX_FEED_MESSAGES, FeedsApiMixin  # noqa: F401 (re-exported)
from .finances_api import FinancesApiMixin
from .orders_api import MAX_MARKETPLACES_PER_CALL, V0, V2026, VERSIONS, OrdersApiMixin  # noqa: F401 (re-exported)
from .restricted import RestrictedDataMixin, forget_restricted_tokens  # noqa: F401 (re-exported)

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
    "searchOrders": (0.0056, 20),  # Orders 2026-01-01
    "getOrder2026": (0.5, 30),  # Orders 2026-01-01 getOrder
    "createRestrictedDataToken": (1.0, 10),
    "searchListingsItems": (5.0, 5),
    "confirmShipment": (2.0, 10),
    "getMarketplaceParticipations": (0.016, 15),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeeds": (0.0222, 10),
    "getFeedDocument": (0.0222, 10),
    "getInventorySummaries": (2.0, 2),
    "listFinancialEventGroups": (0.5, 30),  # Finances v0
    "listFinancialEventsByGroupId": (0.5, 30),
    "listFinancialEventsByOrderId": (0.5, 30),
}
PACING = Transport.PACING


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
        isinstance(e, dict)
        and "expired" in ((e.get("details") or "") + " " + (e.get("message") or "")).lower()
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
        if response.status_code >= 300:
            raise _HttpError(
                response.status_code, _errors_of(response), response.headers, response.text[:2000]
            )
        if response.content:
            try:
                json.loads(response.content)
            except ValueError:
                raise _Unreadable() from None
        return response


# =============================================================================================
# The client
# =============================================================================================


class AmazonClient(
    OrdersApiMixin, FeedsApiMixin, CatalogApiMixin, FinancesApiMixin, RestrictedDataMixin, Transport
):
    """One seller account's access to the SP-API.

    `calls` counts the API requests sent (token requests and feed document transfers excluded),
    `throttled` the 429 answers received; `notices` holds what the run must say once (Amazon
    refused the buyer's data, see restricted.py).
    """

    RATES = RATES
    ERROR = AmazonError
    THROTTLED_ERROR = AmazonThrottled
    AMBIGUOUS_ERROR = AmazonAmbiguous

    def __init__(
        self,
        *,
        refresh_token,
        lwa_client_id,
        lwa_client_secret,
        region="eu",
        endpoint=None,
        lwa_url=None,
        timeout=30,
        max_retries=3,
        max_wait=300,
        rate_scale=1.0,
        **transport,
    ):
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
        super().__init__(
            account_key=("amazon", self.endpoint, digest),
            secrets=(refresh_token, lwa_client_secret),
            rate_scale=rate_scale,
            max_wait=max_wait,
            max_retries=max_retries,
            **transport,
        )
        self._init_restricted()

    def __repr__(self):  # no credential in tracebacks or logs
        return "<AmazonClient %s calls=%s throttled=%s>" % (self.endpoint, self.calls, self.throttled)

    # sp_api plumbing -----------------------------------------------------------------------
    def _api(self, cls, marketplace_id="ATVPDKIKX0DER", restricted=False, version=None):
        """One sp_api client per API (and version) and marketplace, kept so that its connection
        is reused; the `restricted` one is sent with Restricted Data Tokens, the other with the
        access token."""
        key = (cls, marketplace_id, restricted, version)
        if key not in self._apis:
            version = version or ("v0" if cls is Orders else None)
            kwargs = {"version": version} if version else {}
            api = cls(
                marketplace=sp_api_marketplace(self.endpoint, marketplace_id, self.aws_region),
                credentials=self._credentials,
                refresh_token=self.refresh_token,
                auth_token_client_class=sp_api_token_client_class(self.lwa_url),
                **kwargs,
            )
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

    def _request(self, operation, api, method, *args, idempotent=True, restricted=None, **kwargs):
        """`api.<method>(*args, **kwargs)` as one request of `operation` through the Transport;
        `restricted()` gives the Restricted Data Token to send it with (None: the access token),
        asked at each attempt since a renewal forgets it."""

        def request():
            try:
                # the LWA token (cached by sp_api), asked first: a failure here sent nothing to the API
                api.auth  # noqa: B018
            except (AuthorizationError, httpx.HTTPError, ValueError) as error:
                raise _TokenFailure() from error
            if restricted is not None:
                api.restricted_data_token = restricted()
            # a file argument (a feed document to upload) is read by each attempt: give each its own
            fresh = [io.BytesIO(a.getvalue()) if isinstance(a, io.BytesIO) else a for a in args]
            return getattr(api, method)(*fresh, **kwargs)

        return self.call(operation, request, idempotent=idempotent)

    # Transport hooks ------------------------------------------------------------------------
    def renew_token(self):
        forget_access_token(self.refresh_token)
        self.forget_restricted_tokens()

    def announced_rate(self, outcome):
        """x-amzn-RateLimit-Limit: the requests per second Amazon allows this account."""
        headers = getattr(outcome, "headers", None) or {}
        try:
            return float(headers.get("x-amzn-RateLimit-Limit"))
        except (TypeError, ValueError):
            return None

    def classify_error(self, operation, error):
        if isinstance(error, _HttpError):
            message = _text(error.errors, None) or self.unexpected(
                operation,
                error.status,
                error.text.strip()
                or ("redirected to %s" % error.headers.get("Location") if 300 <= error.status < 400 else ""),
            )
            first = (error.errors or [None])[0]
            code = first.get("code") if isinstance(first, dict) else None
            if error.status == 403 and _is_expired_token(error.errors):
                return Verdict(Verdict.EXPIRED, message, code, 403)
            return http_verdict(
                error.status, message, code, parse_retry_after(error.headers.get("Retry-After"))
            )
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
                return Verdict(
                    Verdict.UNSENT, "Login with Amazon is unavailable: %s" % text, cause.error_code, status
                )
            return Verdict(
                Verdict.FAILED,
                "Login with Amazon refused the credentials: %s" % text,
                cause.error_code,
                status or 401,
            )
        return Verdict(Verdict.UNSENT, "no answer from Login with Amazon")

    # sellers -------------------------------------------------------------------------------
    def participations(self, renew=True):
        """The seller's marketplaces ([{marketplace: {...}, participation: {...}}]); with `renew`
        asks LWA for a new token first, so it tests the credentials."""
        if renew:
            self.renew_token()
        payload = self._request(
            "getMarketplaceParticipations", self._api(Sellers), "get_marketplace_participation"
        ).payload
        return payload if isinstance(payload, list) else payload.get("payload", [])
