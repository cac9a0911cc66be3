"""The BigCommerce client: the `bigcommerce` package's connection on the suite's Transport.
Imports nothing from Odoo.

What the `bigcommerce` package does for us: the OAuth connection (X-Auth-Token header, one
requests session per client) and the URL of each request (`BaseUrlConnection` lets it reach any
base URL: production, a sandbox or the local simulator at http://host:port/bigcommerce). What it
does not do well, and so is not used:

* its resource classes (`Orders`, `OrderShipments`, ...) are dicts that drop every key named
  like one of their methods: a shipment's ``items`` (dict.items), an order's ``products``,
  ``coupons``, ``shipping_addresses``, ``consignments`` links... so answers are read raw;
* an empty page is ``204 No Content``: the package turns it into ``{}`` (a resource object, truthy
  and not a list), which a paging loop would take for one more item; here 204 is an empty page;
* its `_handle_response` raises on 429 before anyone can read the rate-limit headers, and its
  `rate_limiting_management` sleeps inside the request: here the raw answer (`_run_method`) goes
  to the Transport, which reads the headers, paces and waits in one place.

What is BigCommerce's own is here: one quota per store shared by every operation and every app
(`X-Rate-Limit-Requests-Left` / `-Time-Reset-Ms`: requests wait for the window to refresh when
the quota is spent, before BigCommerce refuses them), its 429 with and without those headers, its
two error shapes (v2 ``[{"status", "message", "details"}]``, v3 ``{"title", "errors"}``; any other
answer is named by its call and status, never echoed), and the
operations the connector uses, each marked idempotent or not (shipments, payments, stock and price
writes are not: a lost answer raises BigCommerceAmbiguous, and the caller reads the store's state).
"""

import threading
from datetime import timezone
from urllib.parse import urlsplit

import requests
from bigcommerce.connection import OAuthConnection

if __name__.startswith("odoo.addons."):
    from odoo.addons.marketplace_base.adapter.transport import (
        Ambiguous,
        MarketplaceError,
        Throttled,
        Transport,
        Verdict,
        http_verdict,
        path_segment,
        requests_error_verdict,
    )
else:  # imported without Odoo (tests/, benchmarks): the addons are plain packages
    from marketplace_base.adapter.transport import (
        Ambiguous,
        MarketplaceError,
        Throttled,
        Transport,
        Verdict,
        http_verdict,
        path_segment,
        requests_error_verdict,
    )

PRODUCTION = "https://api.bigcommerce.com"
ORDERS_PAGE = 250  # GET /v2/orders: limit <= 250
CATALOG_PAGE = 250  # v3 catalog lists
INVENTORY_PAGE = 1000  # v3 inventory items per location
MAX_ADJUSTMENT_ITEMS = 2000  # PUT /v3/inventory/adjustments/absolute
MAX_VARIANTS_BATCH = 50  # PUT /v3/catalog/variants
REFUNDS_PAGE = 250  # GET /v3/orders/payment_actions/refunds
# GET /v2/orders: each order with its shipping consignments and their line items, in the list call
WITH_LINE_ITEMS = {"include": "consignments.line_items,fees", "consignment_structure": "object"}
SCOPE_PROBES = (  # (scope as the control panel names it, parameter, version, path): Test Connection
    ("Information & Settings", "store_v2_information", "v2", "store"),
    ("Orders", "store_v2_orders", "v2", "orders?limit=1"),
    ("Order Transactions", "store_v2_transactions", "v2", "payments/methods"),
    ("Products", "store_v2_products", "v3", "catalog/products?limit=1"),
    ("Store Inventory", "store_inventory", "v3", "inventory/items?limit=1"),
    ("Store Locations", "store_locations", "v3", "inventory/locations?limit=1"),
)


class BigCommerceError(MarketplaceError):
    """BigCommerce refused or failed; the text is BigCommerce's own, never the token."""


class BigCommerceThrottled(BigCommerceError, Throttled):
    """Still throttled when the call's time budget (max_wait) ran out."""


class BigCommerceAmbiguous(BigCommerceError, Ambiguous):
    """A write (shipment, payment, stock, price) sent, answer lost: the store may have applied it."""


class _NoRedirectSession(requests.Session):
    """The session of one store: the access token is a header of every request (X-Auth-Token),
    which `requests` keeps on a redirect to another host. No redirect is followed: the token
    goes to the API Base URL only, and a 3xx is an error."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


class BaseUrlConnection(OAuthConnection):
    """The package's OAuthConnection with every URL built from `api_base_url`.

    The package builds ``"https://" + host + api_path``: it can only reach an https host at the
    root. This keeps the scheme and path of `api_base_url` (``https://api.bigcommerce.com``, or
    ``http://127.0.0.1:8700/bigcommerce`` for the simulator); `url()` gives v2 and v3 URLs."""

    def __init__(self, api_base_url, store_hash, access_token, timeout):
        url = urlsplit((api_base_url or PRODUCTION).rstrip("/"))
        self.scheme = url.scheme or "https"
        self.base_path = url.path
        super().__init__(
            "odoo-marketplace",
            store_hash,
            access_token,
            host=url.netloc,
            api_path=self.base_path + "/stores/{}/v2/{}",
        )
        session, self._session = self._session, _NoRedirectSession()
        self._session.headers = session.headers
        session.close()
        self.timeout = timeout

    def full_path(self, url):
        return "%s://%s%s" % (self.scheme, self.host, self.api_path.format(self.store_hash, url))

    def url(self, version, path):
        return "%s://%s%s/stores/%s/%s/%s" % (
            self.scheme,
            self.host,
            self.base_path,
            self.store_hash,
            version,
            path.lstrip("/"),
        )


class _Window:
    """The store's quota as BigCommerce last announced it: requests left in the current window
    and when the window refreshes. Shared by the clients of one store in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.left = None  # unknown until an answer tells
        self.reset_at = 0.0

    def reserve(self, now):
        """Seconds to wait before the next request (0: send now)."""
        with self.lock:
            if self.left is None or now >= self.reset_at:
                self.left = None
                return 0.0
            if self.left > 0:
                self.left -= 1
                return 0.0
            return self.reset_at - now

    def update(self, left, reset_ms, now):
        with self.lock:
            self.left = left
            self.reset_at = now + reset_ms / 1000.0


def _headers_of(outcome):
    """(requests left, ms until reset) announced by an answer, or None without the headers."""
    headers = getattr(outcome, "headers", None) or {}
    try:
        return int(headers["X-Rate-Limit-Requests-Left"]), int(headers["X-Rate-Limit-Time-Reset-Ms"])
    except (KeyError, TypeError, ValueError):
        return None


def error_text(status, body, fallback="HTTP %s"):
    """BigCommerce's own message from a v2 or v3 error body; `fallback` (formatted with the
    status when it is a text) for any other body."""
    fallback = fallback % status if fallback else fallback
    if isinstance(body, list) and body and isinstance(body[0], dict):
        parts = [str(item.get("message") or "") for item in body]
        details = [str((item.get("details") or {}).get("invalid_reason") or "") for item in body]
        return "; ".join(filter(None, parts + details)) or fallback
    if isinstance(body, dict):
        if body.get("batch_errors"):
            return "; ".join(error_text(status, item) for item in body["batch_errors"])
        errors = body.get("data") if not body.get("title") else None
        if isinstance(errors, list) and errors and all(isinstance(item, dict) for item in errors):
            return "; ".join(error_text(status, item) for item in errors)  # e.g. a refund's 422
        title = str(body.get("title") or body.get("message") or body.get("error") or "")
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            title = "%s (%s)" % (title, ", ".join("%s: %s" % item for item in errors.items()))
        return title or fallback
    return fallback


class BigCommerceClient(Transport):
    """One store's access to the REST API (v2 and v3)."""

    ERROR = BigCommerceError
    THROTTLED_ERROR = BigCommerceThrottled
    AMBIGUOUS_ERROR = BigCommerceAmbiguous
    # One quota for the whole store, read from the answers' headers (see _pace); the token
    # bucket under it only needs to never be the one that waits.
    RATES = {"store": (1000.0, 1000)}
    MAX_THROTTLED_WAIT = 30.0  # a 429 without headers: back off 1, 2, 4... up to this

    _windows = {}
    _windows_lock = threading.Lock()

    def __init__(self, *, store_hash, access_token, api_base_url=None, max_wait=300, timeout=30.0, **kwargs):
        super().__init__(
            account_key=("bigcommerce", (api_base_url or PRODUCTION).rstrip("/"), store_hash),
            secrets=[access_token],
            max_wait=max_wait,
            **kwargs,
        )
        self.store_hash = store_hash
        self.connection = BaseUrlConnection(api_base_url, store_hash, access_token, timeout)
        with BigCommerceClient._windows_lock:
            self.window = BigCommerceClient._windows.setdefault(self.account_key, _Window())
        self._bare_429 = 0
        self.notices = []  # (level, text) the run's log shows once (e.g. a refund nothing came of)

    @classmethod
    def reset_windows(cls):
        """Forget what every store announced of its quota (tests)."""
        with cls._windows_lock:
            cls._windows.clear()

    def __repr__(self):  # no credential in tracebacks or logs
        return "<BigCommerceClient %s calls=%s throttled=%s>" % (self.store_hash, self.calls, self.throttled)

    def close(self):
        self.connection._session.close()

    # the store's quota ---------------------------------------------------------------------------
    def rate_bucket(self, operation):
        return super().rate_bucket("store")

    def _pace(self, operation, bucket, budget):
        """Wait for the window to refresh when BigCommerce said the quota is spent, so that no
        request is sent only to be refused."""
        pause = self.window.reserve(self.clock())
        if pause:
            if budget.spent + pause > self.max_wait:
                raise self._error(
                    self.THROTTLED_ERROR,
                    "%s: the store's API quota is spent for %.1f more seconds, "
                    "beyond the %s seconds this call may wait; nothing was sent."
                    % (operation, pause, self.max_wait),
                    "RateLimit",
                )
            budget.sleep(pause)
        super()._pace(operation, bucket, budget)

    # what answers mean ---------------------------------------------------------------------------
    def classify_answer(self, operation, response):
        announced = _headers_of(response)
        if announced:
            self.window.update(announced[0], announced[1], self.clock())
        status = response.status_code
        if status == 429:
            if announced:
                return Verdict(
                    Verdict.THROTTLED,
                    "BigCommerce: the store's API quota is spent",
                    status=429,
                    retry_after=announced[1] / 1000.0 + 0.05,
                )
            # no headers: the platform is under load; wait longer at each refusal
            self._bare_429 += 1
            return Verdict(
                Verdict.THROTTLED,
                "BigCommerce is under high load (429)",
                status=429,
                retry_after=min(2.0 ** (self._bare_429 - 1), self.MAX_THROTTLED_WAIT),
            )
        self._bare_429 = 0
        if 300 <= status < 400:  # not followed (see _NoRedirectSession)
            return Verdict(
                Verdict.FAILED,
                self.unexpected(operation, status, "redirected to %s" % response.headers.get("Location")),
                str(status),
                status,
            )
        try:
            response.body = response.json() if response.content and status != 204 else None
        except ValueError:
            if status < 300:
                return Verdict(Verdict.TRANSIENT, "an unreadable answer", status=status)
            response.body = None
        if status < 300:
            return Verdict(Verdict.OK)
        text = error_text(status, response.body, None) or self.unexpected(operation, status, response.text)
        return http_verdict(status, "BigCommerce (%s): %s" % (status, text), code=str(status))

    def classify_error(self, operation, error):
        return requests_error_verdict(error)

    # requests ------------------------------------------------------------------------------------
    def request(self, operation, method, version, path, params=None, data=None, idempotent=True):
        """One request; the parsed answer (None for 204 No Content)."""
        url = self.connection.url(version, path)

        def send():
            # _run_method: the raw requests.Response (see the module docstring)
            return self.connection._run_method(method, url, data=data, query=params)

        return self.call(operation, send, idempotent=idempotent).body

    def v3_pages(self, operation, path, params=None, limit=CATALOG_PAGE):
        """Every item of a paged v3 list, page after page (meta.pagination)."""
        page = 1
        while True:
            answer = (
                self.request(operation, "GET", "v3", path, dict(params or {}, page=page, limit=limit)) or {}
            )
            yield answer.get("data") or []
            pagination = (answer.get("meta") or {}).get("pagination") or {}
            if page >= int(pagination.get("total_pages") or 0):
                return
            page += 1

    def v2_list(self, operation, path, params=None):
        """Every item of a v2 list (204: none)."""
        items, page = [], 1
        while True:
            chunk = self.request(operation, "GET", "v2", path, dict(params or {}, page=page, limit=250)) or []
            items.extend(chunk)
            if len(chunk) < 250:
                return items
            page += 1

    # store -----------------------------------------------------------------------------------------
    def store(self):
        return self.request("getStore", "GET", "v2", "store")

    def server_time(self):
        """BigCommerce's clock (epoch seconds)."""
        return int(self.request("getTime", "GET", "v2", "time")["time"])

    def missing_scopes(self):
        """The OAuth scopes the token lacks among those the connector needs, read-only probes."""
        missing = []
        for label, scope, version, path in SCOPE_PROBES:
            path, _, query = path.partition("?")
            params = dict(item.split("=") for item in query.split("&")) if query else None
            try:
                self.request("probe", "GET", version, path, params)
            except BigCommerceError as err:
                if err.status != 403:
                    raise
                missing.append("%s (%s)" % (label, scope))
        return missing

    def order_statuses(self):
        return self.request("getOrderStatuses", "GET", "v2", "order_statuses") or []

    def tax_classes(self):
        return self.v2_list("getTaxClasses", "tax_classes")

    def channels(self):
        return [c for page in self.v3_pages("listChannels", "channels") for c in page]

    def locations(self):
        return [loc for page in self.v3_pages("getLocations", "inventory/locations") for loc in page]

    # orders ----------------------------------------------------------------------------------------
    def orders_page(self, status_id, since, until, min_id=None):
        """Up to ORDERS_PAGE orders of one status modified in [since, until], id ascending from
        min_id, each with its consignments and line items. Paging by id, not by page number: an
        order that leaves the filter while we read (a status change) does not shift the others."""
        params = dict(
            WITH_LINE_ITEMS,
            sort="id:asc",
            limit=ORDERS_PAGE,
            min_date_modified=since,
            max_date_modified=until,
        )
        if status_id is not None:
            params["status_id"] = status_id
        if min_id:
            params["min_id"] = min_id
        return self.request("getOrders", "GET", "v2", "orders", params) or []

    def order(self, order_id):
        return self.request(
            "getOrder", "GET", "v2", "orders/%s" % path_segment(order_id), dict(WITH_LINE_ITEMS)
        )

    def order_taxes(self, order_id):
        """Every tax row of an order, with what each taxes (details=true: its order product and
        line item type; without it BigCommerce leaves them out)."""
        return self.v2_list("getOrderTaxes", "orders/%s/taxes" % path_segment(order_id), {"details": "true"})

    def order_products(self, order_id):
        return self.v2_list("getOrderProducts", "orders/%s/products" % path_segment(order_id))

    def create_shipment(self, order_id, body):
        return self.request(
            "createOrderShipments",
            "POST",
            "v2",
            "orders/%s/shipments" % path_segment(order_id),
            data=body,
            idempotent=False,
        )

    def update_order(self, order_id, body):
        return self.request(
            "updateOrder", "PUT", "v2", "orders/%s" % path_segment(order_id), data=body, idempotent=False
        )

    def capture_payment(self, order_id):
        return self.request(
            "captureOrderPayment",
            "POST",
            "v3",
            "orders/%s/payment_actions/capture" % path_segment(order_id),
            data={},
            idempotent=False,
        )

    # refunds ---------------------------------------------------------------------------------------
    def refunds(self, created_min=None, order_ids=None):
        """Pages of the store's refunds (GET /v3/orders/payment_actions/refunds, refund id
        ascending), created at or after `created_min` (a datetime, naive ones in UTC; sent in
        RFC 3339 as documented) and of the given orders when named."""
        params = {}
        if created_min:  # None, or False from an empty Odoo field: every refund
            if created_min.tzinfo is None:  # Odoo's naive datetimes are UTC
                created_min = created_min.replace(tzinfo=timezone.utc)
            params["created:min"] = created_min.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        if order_ids:
            params["order_id:in"] = ",".join(str(int(i)) for i in order_ids)
        return self.v3_pages("getOrdersRefunds", "orders/payment_actions/refunds", params, limit=REFUNDS_PAGE)

    # catalog ---------------------------------------------------------------------------------------
    def products(self, include="variants,images", **filters):
        """Pages of catalog products (with their variants and images)."""
        return self.v3_pages("getProducts", "catalog/products", dict(filters, include=include))

    def categories(self):
        return [c for page in self.v3_pages("getCategories", "catalog/categories") for c in page]

    def brands(self):
        return [b for page in self.v3_pages("getBrands", "catalog/brands") for b in page]

    def update_variants(self, variants):
        """PUT /v3/catalog/variants: up to MAX_VARIANTS_BATCH variants ({id, price...})."""
        return self.request(
            "updateVariantsBatch", "PUT", "v3", "catalog/variants", data=variants, idempotent=False
        )

    # inventory -------------------------------------------------------------------------------------
    def location_items(self, location_id):
        """Pages of the inventory items of one location."""
        path = "inventory/locations/%s/items" % path_segment(location_id)
        return self.v3_pages("get-location-inventory-items", path, limit=INVENTORY_PAGE)

    def inventory_items(self, location_id, variant_ids):
        """The items of the given variants at one location (to check what an absolute
        adjustment whose answer was lost did)."""
        items, path = [], "inventory/locations/%s/items" % path_segment(location_id)
        for start in range(0, len(variant_ids), INVENTORY_PAGE):
            chunk = variant_ids[start : start + INVENTORY_PAGE]
            for page in self.v3_pages(
                "get-location-inventory-items",
                path,
                {"variant_id:in": ",".join(map(str, chunk))},
                limit=INVENTORY_PAGE,
            ):
                items.extend(page)
        return items

    def absolute_adjustment(self, items, reason):
        """PUT /v3/inventory/adjustments/absolute: up to MAX_ADJUSTMENT_ITEMS items."""
        answer = self.request(
            "put-absolute-adjustment",
            "PUT",
            "v3",
            "inventory/adjustments/absolute",
            data={"reason": reason, "items": items},
            idempotent=False,
        )
        return (answer or {}).get("transaction_id")
