"""HTTP plumbing: the route table, authentication and media types, answers in Bol's problem
shape, rate limits with X-RateLimit-* headers and 429s, query parameter checks."""

import json
import math
import time
import uuid

from ..core import Response, RouteTable
from .data import (
    ADVERTISER_TYPE,
    CLOCK_SKEW,
    CSV_TYPE,
    JSON_TYPE,
    OK_CONTENT_TYPE,
    PROBLEM_TYPE,
    PUBLIC_HOST,
    RATE_LIMITS,
    VALIDATION_TITLE,
    _utc_z,
)
from .invoice_render import INVOICE_TYPES, SPECIFICATION_TYPES


class HttpMixin:
    """How BolAPI answers requests (see the package docstring)."""

    def _build_routes(self):
        seg = r"([^/]+)"
        j, a, c = frozenset([JSON_TYPE]), frozenset([JSON_TYPE, ADVERTISER_TYPE]), frozenset([CSV_TYPE])
        table = [
            # method, path, operation, handler, accepted Accept types, accepted body Content-Types
            ("POST", "/token", "token", self._token, None, None),
            ("GET", "/retailer/orders", "get-orders", self._get_orders, j, None),
            ("PUT", "/retailer/orders/cancellation", "cancel-order-item", self._cancel_items, j, j),
            ("GET", "/retailer/orders/%s" % seg, "get-order", self._get_order, j, None),
            ("GET", "/retailer/shipments", "get-shipments", self._get_shipments, j, None),
            ("POST", "/retailer/shipments", "create-shipment", self._create_shipment, j, j),
            ("GET", "/retailer/shipments/%s" % seg, "get-shipment", self._get_shipment, j, None),
            ("POST", "/retailer/offers", "post-offer", self._create_offer, j, j),
            ("POST", "/retailer/offers/export", "post-offer-export", self._create_export, j, j),
            ("GET", "/retailer/offers/export/%s" % seg, "get-offer-export", self._get_export, c, None),
            ("GET", "/retailer/offers/%s" % seg, "get-offer", self._get_offer, j, None),
            ("PUT", "/retailer/offers/%s" % seg, "put-offer", self._put_offer, j, j),
            ("DELETE", "/retailer/offers/%s" % seg, "delete-offer", self._delete_offer, j, None),
            ("PUT", "/retailer/offers/%s/stock" % seg, "update-offer-stock", self._put_stock, j, j),
            ("PUT", "/retailer/offers/%s/price" % seg, "update-offer-price", self._put_price, j, j),
            ("GET", "/retailer/returns", "get-returns", self._get_returns, j, None),
            (
                "POST",
                "/retailer/returns",
                "create-return",
                self._create_return,
                j,
                frozenset(["application/json", JSON_TYPE]),
            ),  # the contract says application/json here
            ("GET", "/retailer/returns/%s" % seg, "get-return", self._get_return, j, None),
            ("PUT", "/retailer/returns/%s" % seg, "handle-return", self._handle_return, j, j),
            ("GET", "/retailer/inventory", "get-inventory", self._get_inventory, j, None),
            ("GET", "/retailer/invoices", "get-invoices", self._get_invoices, j, None),
            ("GET", "/retailer/invoices/%s" % seg, "get-invoice", self._get_invoice, INVOICE_TYPES, None),
            (
                "GET",
                "/retailer/invoices/%s/specification" % seg,
                "get-invoice-specification",
                self._get_invoice_specification,
                SPECIFICATION_TYPES,
                None,
            ),
            (
                "GET",
                "/shared/process-status",
                "get-process-status-entity-id",
                self._get_ps_by_entity,
                a,
                None,
            ),
            ("POST", "/shared/process-status", "get-process-status-bulk", self._get_ps_bulk, a, a),
            ("GET", "/shared/process-status/%s" % seg, "get-process-status", self._get_ps, a, None),
        ]
        self._media = {op: (accept, body) for _method, _pattern, op, _handler, accept, body in table}
        return RouteTable([row[:4] for row in table])

    def route(self, req):
        self._local.path = req.path
        return self._routes.match(req.method, req.path.rstrip("/") or "/")

    # -- auth and media types --------------------------------------------------------------------
    def authenticate(self, req, operation):
        if operation == "token":
            return None
        auth = (req.header("authorization") or "").strip()
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return self._auth_problem(
                "Unauthorized", "Full authentication is required to access this resource."
            )
        exp = self.tokens.get(token)
        if exp is None:
            if token.count(".") != 2:
                return self._auth_problem(
                    "Invalid JWT",
                    "JWT strings must contain exactly 2 period characters. Found: %d" % token.count("."),
                )
            return self._auth_problem(
                "Invalid JWT",
                "JWT signature does not match locally computed signature. JWT validity cannot be "
                "asserted and should not be trusted.",
            )
        now = time.time()
        if now - CLOCK_SKEW > exp:
            return self._auth_problem(
                "Expired JWT",
                "JWT expired at %s. Current time: %s, a difference of %d milliseconds."
                "  Allowed clock skew: %d milliseconds."
                % (_utc_z(exp), _utc_z(now), int((now - CLOCK_SKEW - exp) * 1000), CLOCK_SKEW * 1000),
            )
        accept, body_types = self._media.get(operation, (None, None))
        if accept and not self._accepts(req, accept):
            wanted = sorted(accept)[-1] if len(accept) == 1 else JSON_TYPE
            return self.problem(
                406,
                "Not Acceptable",
                "The requested media type in the Accept header is not supported. "
                "Supported media type: %s." % wanted,
            )
        if body_types and req.method in ("POST", "PUT"):
            ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
            if ctype not in body_types:
                supported = JSON_TYPE if JSON_TYPE in body_types else sorted(body_types)[0]
                return self.problem(
                    415,
                    "Unsupported Media Type",
                    "Content type '%s' not supported. Supported media "
                    "type: %s." % (req.header("content-type") or "", supported),
                )
        return None

    @staticmethod
    def _accepts(req, wanted):
        for part in (req.header("accept") or "").split(","):
            if part.split(";")[0].strip().lower() in wanted:
                return True
        return False

    def _auth_problem(self, title, detail):
        # as fixtures_http/401-jwt-expired: title, status and detail only
        return Response(
            401,
            json.dumps({"title": title, "status": 401, "detail": detail}).encode(),
            {"Content-Type": JSON_TYPE},
        )

    def expire_tokens(self):
        past = time.time() - CLOCK_SKEW - 1
        for token in self.tokens:
            self.tokens[token] = min(self.tokens[token], int(past))

    # -- answers ---------------------------------------------------------------------------------
    def _ok(self, status, obj):
        return Response(
            status,
            json.dumps(obj, ensure_ascii=False).encode("utf-8"),
            {"Content-Type": OK_CONTENT_TYPE, "X-Request-ID": str(uuid.uuid4())},
        )

    def _empty_list(self):
        return Response(200, b"{ }", {"Content-Type": OK_CONTENT_TYPE, "X-Request-ID": str(uuid.uuid4())})

    def problem(self, status, title, detail, violations=None):
        body = {
            "type": PROBLEM_TYPE,
            "title": title,
            "status": status,
            "detail": detail,
            "host": "Instance-%03d" % (1 + getattr(self, "seed", 0) % 120),
            "instance": PUBLIC_HOST + (getattr(self._local, "path", None) or "/retailer"),
        }
        if violations is not None:
            body["violations"] = violations
        return Response(
            status, json.dumps(body, ensure_ascii=False).encode("utf-8"), {"Content-Type": JSON_TYPE}
        )

    def bad_request(self, violations):
        return self.problem(400, VALIDATION_TITLE, "Bad request", violations)

    def error_response(self, status, message, code=None):
        if status >= 500:  # as fixtures_http/500-internal-server-error: nginx's text/html page
            text = "Internal Server Error" if status == 500 else "Service Temporarily Unavailable"
            return Response(status, text.encode(), {"Content-Type": "text/html; charset=UTF-8"})
        if status == 400:
            return self.bad_request([{"name": "body", "reason": message}])
        titles = {
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            405: "Method Not Allowed",
            406: "Not Acceptable",
            409: "Conflict",
            415: "Unsupported Media Type",
        }
        return self.problem(status, titles.get(status, "Error"), message)

    def not_found(self, req):
        self._local.path = req.path
        return self.problem(404, "Not Found", "No endpoint %s %s exists." % (req.method, req.path))

    # -- rate limits -----------------------------------------------------------------------------
    def rate_limit(self, operation):
        limit = RATE_LIMITS.get(operation)
        return (limit[0] / float(limit[1]), limit[0]) if limit else None

    def rate_limit_headers(self, operation, bucket):
        limit = RATE_LIMITS.get(operation)
        if not limit or bucket is None:
            return {}
        missing = bucket.burst - bucket.tokens
        reset = max(1, int(math.ceil(missing / bucket.rate))) if bucket.rate else limit[1]
        return {
            "X-RateLimit-Limit": str(limit[0]),
            "X-RateLimit-Remaining": str(max(0, int(bucket.tokens))),
            "X-RateLimit-Reset": str(reset),
        }

    def throttled_response(self, operation, retry_after):
        """As fixtures_http/429-too-many-requests[-without-retry-after]."""
        if retry_after is None:
            limit = RATE_LIMITS.get(operation)
            seconds = max(1, int(math.ceil(limit[1] / float(limit[0])))) if limit else 4
        else:
            seconds = int(retry_after)
        headers = {"Content-Type": JSON_TYPE}
        if retry_after is not None:
            headers["Retry-After"] = str(seconds)
        body = {
            "title": "Too Many Requests",
            "status": 429,
            "detail": "Too many requests, retry in %d seconds." % seconds,
        }
        return Response(429, json.dumps(body).encode(), headers)

    # -- query parameters ------------------------------------------------------------------------
    @staticmethod
    def _q_int(req, name, default, violations, minimum=None, maximum=None):
        raw = req.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            violations.append({"name": name, "reason": "Request contains invalid value(s): '%s'." % raw})
            return default
        if minimum is not None and value < minimum:
            violations.append({"name": name, "reason": "Must be greater than or equal to %d." % minimum})
        if maximum is not None and value > maximum:
            violations.append({"name": name, "reason": "Must be less than or equal to %d." % maximum})
        return value

    @staticmethod
    def _q_enum(req, name, allowed, default, violations):
        raw = req.arg(name)
        if raw is None or raw == "":
            return default
        if raw.upper() not in allowed:
            violations.append(
                {
                    "name": name,
                    "reason": "Request contains invalid value(s): '%s', allowed values: %s."
                    % (raw, ", ".join(allowed)),
                }
            )
            return default
        return raw.upper()

    @staticmethod
    def _q_bool(req, name, default, violations):
        raw = req.arg(name)
        if raw is None or raw == "":
            return default
        if raw.lower() not in ("true", "false"):
            violations.append(
                {
                    "name": name,
                    "reason": "Request contains invalid value(s): '%s', allowed values: true, false." % raw,
                }
            )
            return default
        return raw.lower() == "true"

    def _base_url(self, req):
        host = req.header("host") or ""
        if host and "/" not in host:
            return "http://%s/bol" % host
        return "%s/bol" % (getattr(self.sim, "public_url", None) or "http://127.0.0.1")
