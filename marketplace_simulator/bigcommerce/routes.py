"""HTTP plumbing: routing of the real paths, authentication, the store's rate-limit window,
responses in the API's error shapes, argument helpers."""

import json
import re
import time
from urllib.parse import unquote

from ..core import Response
from .data import CDN_PREFIX, PNG_PIXEL, V3_ERROR_TYPE, _ApiError, _int_arg


class RoutesMixin:
    """How BigCommerceAPI answers requests (see the package docstring)."""

    # ========================================================================================
    # HTTP plumbing
    # ========================================================================================
    def _build_routes(self):
        """The route table of both API versions, from the rows each role declares in a method
        named ``_routes_<role>()`` -> [(version, method, path pattern, operation, handler)]."""
        rows = []
        for name in sorted(n for n in dir(type(self)) if n.startswith("_routes_")):
            rows.extend(getattr(self, name)())
        v2 = [row[1:] for row in rows if row[0] == "v2"]
        v3 = [row[1:] for row in rows if row[0] == "v3"]
        table = {}
        for version, rows in (("v2", v2), ("v3", v3)):
            static, dynamic = {}, []
            for method, pattern, op, handler in rows:
                if "(" in pattern:
                    dynamic.append((method, re.compile(pattern + "$"), op, handler))
                else:
                    static.setdefault(pattern, {})[method] = (op, handler)
            table[version] = (static, dynamic)
        return table

    _PATH = re.compile(r"^/stores/([^/]+)/(v2|v3)(/.*)?$")

    def route(self, req):
        match = self._PATH.match(req.path)
        self._tls.version = "v3" if match is None or match.group(2) == "v3" else "v2"
        self._tls.rl = None
        self._tls.store = None
        if req.path.startswith(CDN_PREFIX) and req.method == "GET":
            # product images as the store's CDN serves them: no token, no API quota
            return "cdnImage", (lambda r: Response(200, PNG_PIXEL, {"Content-Type": "image/png"}))
        if match is None:
            return None
        store, version, rest = match.group(1), match.group(2), match.group(3) or "/"
        if len(rest) > 1 and rest.endswith("/"):
            rest = rest[:-1]
        if version == "v2" and rest.endswith(".json"):
            rest = rest[:-5]
        static, dynamic = self._routes[version]
        hit = None
        args = ()
        methods = static.get(rest)
        if methods:
            allowed = set(methods)
            hit = methods.get(req.method)
        else:
            allowed = set()
            for method, regex, op, handler in dynamic:
                m = regex.match(rest)
                if m:
                    allowed.add(method)
                    if hit is None and method == req.method:
                        hit = (op, handler)
                        args = tuple(unquote(g) for g in m.groups())
        if not allowed:
            return None
        self._tls.store = store
        if hit is None:
            allowed = ", ".join(sorted(allowed))
            return "methodNotAllowed", (lambda r: self._method_not_allowed(r, allowed))
        op, handler = hit
        return op, (lambda r, _h=handler, _a=args: self._run(_h, r, _a))

    def _run(self, handler, req, args):
        self._tls.host = self._host(req)
        self._apply_due()
        try:
            resp = handler(req, *args)
        except _ApiError as err:
            resp = self._error(err.status, err.message, err.errors, err.details, err.content_type)
        rl = getattr(self._tls, "rl", None)
        if rl:
            resp.headers.update(rl)
        return resp

    # -- auth and rate limits ------------------------------------------------------------------
    def authenticate(self, req, operation):
        if operation == "cdnImage":
            return None
        if getattr(self._tls, "store", None) != self.store_hash:
            return self._error(
                404,
                "The requested resource was not found." if self._tls.version == "v2" else "Store not found",
            )
        token = req.header("x-auth-token")
        denied = self._deny_once
        if denied:
            self._deny_once = False
        if not token or token != self.access_token or denied:
            if self._tls.version == "v2":
                return self._error(
                    401,
                    "You are not authorized to access this resource: the access token is "
                    "missing, invalid or revoked.",
                )
            return self._error(401, "Unauthorized")
        if not self._in_scope(req, operation):
            return self._error(403, "You don't have a required scope to access the endpoint")
        return self._take_quota()

    # operations whose OAuth scope is not the one of their path (see _scope)
    OPERATION_SCOPES = {
        "getStore": "store_v2_information",
        "getTime": "store_v2_information",
        "getTaxClasses": "store_v2_information",
        "getAllPaymentMethods": "store_payments_methods_read",
        "listChannels": "store_channel_settings",
        "getOrderTransactions": "store_v2_transactions",
        "captureOrderPayment": "store_v2_transactions",
        "voidOrderPayment": "store_v2_transactions",
        "getLocations": "store_locations",
        # refunds: either scope will do ("Requires at least one of the following scopes")
        "createOrderRefundQuotes": ("store_v2_orders", "store_v2_transactions"),
        "createOrderRefund": ("store_v2_orders", "store_v2_transactions"),
        "getOrderRefunds": ("store_v2_orders", "store_v2_transactions"),
        "getOrderRefund": ("store_v2_orders", "store_v2_transactions"),
        "getOrdersRefunds": ("store_v2_orders", "store_v2_transactions"),
    }

    def _scope(self, req, operation):
        """The store resource scope an operation needs (modify; its *_read_only twin allows GET),
        or a tuple of scopes any of which will do."""
        if operation in self.OPERATION_SCOPES:
            return self.OPERATION_SCOPES[operation]
        if "/catalog/" in req.path:
            return "store_v2_products"
        if "/inventory/" in req.path:
            return "store_inventory"
        return "store_v2_orders"

    def _in_scope(self, req, operation):
        scopes = self._scope(req, operation)
        return any(
            scope in self.scopes or (req.method in ("GET", "HEAD") and scope + "_read_only" in self.scopes)
            for scope in ((scopes,) if isinstance(scopes, str) else scopes)
        )

    def _quota(self):
        return max(1, int(round(self.rate_quota * (self.sim.rate_scale or 1.0))))

    def _take_quota(self):
        """Count the request against the store's window; None when allowed, else the 429."""
        quota = self._quota()
        window = self.rate_window_ms
        with self._rl_lock:
            if not self.sim.rate_limits:
                self._tls.rl = self._rl_headers(quota, quota, window)
                return None
            now = time.monotonic()
            if self._rl_marker is not self.sim.buckets:  # POST /_sim/rate_limits or a reset: fresh window
                self._rl_marker = self.sim.buckets
                self._rl_window_end = 0.0
            if now >= self._rl_window_end:
                self._rl_window_end = now + window / 1000.0
                self._rl_used = 0
            reset_ms = max(1, int((self._rl_window_end - now) * 1000))
            if self._rl_used >= quota:
                resp = self._throttled(reset_ms, quota)
                return resp
            self._rl_used += 1
            self._tls.rl = self._rl_headers(quota - self._rl_used, quota, reset_ms)
        return None

    def _rl_headers(self, left, quota, reset_ms):
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, left)),
            "X-Rate-Limit-Requests-Quota": str(quota),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Time-Window-Ms": str(self.rate_window_ms),
        }

    def _throttled(self, reset_ms, quota):
        resp = self._error(
            429,
            "You have exceeded the rate limit of the store. Try again in %d ms." % reset_ms
            if self._tls.version == "v2"
            else "Too many requests",
        )
        resp.headers.update(self._rl_headers(0, quota, reset_ms))
        resp.headers["X-Retry-After"] = str(max(1, (reset_ms + 999) // 1000))
        return resp

    def rate_limit(self, operation):
        return None  # one window per store, counted in authenticate()

    def throttled_response(self, operation, retry_after):
        if retry_after is None:  # the platform under load: a 429 without the rate-limit headers
            return self._error(
                429,
                "Too many requests"
                if self._tls.version == "v3"
                else "The store is receiving too many requests; retry later.",
            )
        return self._throttled(int(retry_after * 1000), self._quota())

    def expire_tokens(self):
        self._deny_once = True

    # -- responses -------------------------------------------------------------------------------
    @staticmethod
    def _json(status, obj, content_type="application/json"):
        return Response(
            status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), {"Content-Type": content_type}
        )

    @staticmethod
    def _no_content():
        return Response(204, b"", {})

    def _error(self, status, message, errors=None, details=None, content_type=None):
        if getattr(self._tls, "version", "v3") == "v2":
            item = {"status": status, "message": message}
            if details:
                item["details"] = details
            return self._json(status, [item])
        body = {"status": status, "title": message, "type": V3_ERROR_TYPE}
        if errors is not None:
            body["errors"] = errors
        return self._json(status, body, content_type or "application/json")

    def error_response(self, status, message, code=None):
        if status == 400 and getattr(self._tls, "version", "v3") == "v3":
            return self._error(400, "Input is invalid.", {"body": message})
        return self._error(status, message)

    def not_found(self, req):
        if self._tls.version == "v2":
            return self._error(404, "The requested resource was not found.")
        return self._error(404, "Route not found: %s %s" % (req.method, req.path))

    def _method_not_allowed(self, req, allowed):
        resp = self._error(405, "The requested method %s is not supported by this resource." % req.method)
        resp.headers["Allow"] = allowed
        return resp

    def _host(self, req):
        host = req.header("host") if req is not None else None
        if host:
            return "http://%s" % host
        return getattr(self.sim, "public_url", None) or "http://127.0.0.1"

    def _base(self, host, version="v2"):
        return "%s/bigcommerce/stores/%s/%s" % (host, self.store_hash, version)

    # -- argument helpers ------------------------------------------------------------------------
    def _page_limit(self, req, default, maximum):
        page = req.arg("page", "1")
        limit = req.arg("limit", str(default))
        p, n = _int_arg(page), _int_arg(limit)
        if p is None or n is None:
            bad = "page" if p is None else "limit"
            if self._tls.version == "v2":
                raise _ApiError(400, "The field '%s' is invalid." % bad)
            raise _ApiError(
                422, "The filter(s): %s are not valid filter parameter(s)." % bad, {bad: "must be an integer"}
            )
        return max(1, p), max(1, min(maximum, n))

    def _body(self, req, kind=dict):
        data = req.json()
        if not isinstance(data, kind):
            if self._tls.version == "v2":
                raise _ApiError(
                    400, "The request body must be a JSON %s." % ("object" if kind is dict else "array")
                )
            raise _ApiError(
                422,
                "JSON data is missing or invalid",
                {"body": "error.expected.js%s" % ("object" if kind is dict else "array")},
            )
        return data

    def _order_or_404(self, order_id):
        order = self.orders.get(_int_arg(order_id))
        if order is None:
            raise _ApiError(
                404,
                "The requested resource was not found." if self._tls.version == "v2" else "Order not found",
            )
        return order
