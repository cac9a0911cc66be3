"""HTTP core of the marketplace simulator: one threaded server, three API prefixes.

Each marketplace module subclasses :class:`Marketplace` and answers routed requests; this
module owns what they share: request parsing, the `/_sim` control API, token buckets for rate
limits, fault injection and the one-line request log.

Faults (``POST /_sim/faults``; by marketplace and operation, for the next `count` requests or with
a `probability`), by kind:

* ``429`` / ``429_no_retry_after``: the API's throttled answer, with or without Retry-After;
* ``5xx`` (500), ``500``, ``503``: a server error, the request is not processed;
* ``slow``: the request waits `delay` seconds, then is processed and answered;
* ``slow_answer``: the request is processed at once, its answer sent `delay` seconds later, so a
  client that times out leaves the write applied, as a real network does;
* ``lost_answer``: the request is processed, then the connection closes without an answer;
* ``malformed``: processed, answered with a truncated JSON body;
* ``expired_token``: every access token issued so far expires before the request is checked;
* ``answer``: the request is not processed and gets the fault's `status` (default 200), `headers`
  and `body` (text) instead: a raw answer of the contracts' fixtures, replayed.
"""

import json
import logging
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

_logger = logging.getLogger("marketplace_simulator")


class BadBody(ValueError):
    """The request body is not the JSON the operation needs."""


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path  # path after the marketplace prefix, e.g. '/orders/v0/orders'
        self.query = query  # dict of lists, as parse_qs gives
        self.headers = headers  # dict with lower-case keys
        self.body = body or b""

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name):
        """All values of a query parameter, comma-separated lists split."""
        out = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        if not self.body:
            raise BadBody("empty body")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as err:
            raise BadBody("malformed JSON: %s" % err) from err


class Response:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.body = body if body is not None else b""
        self.headers = dict(headers or {})
        self.drop = False  # close the connection without answering (fault lost_answer)


def json_response(status, obj, headers=None, content_type="application/json"):
    hdrs = {"Content-Type": content_type}
    hdrs.update(headers or {})
    return Response(status, json.dumps(obj).encode(), hdrs)


class RouteTable:
    """Paths to (operation, handler): exact paths in a dict, templated ones as regexes whose
    groups become the handler's extra arguments."""

    SEGMENT = r"([^/]+)"

    def __init__(self, rows):
        self.static = {}
        self.dynamic = []
        for method, pattern, operation, handler in rows:
            if "(" in pattern:
                self.dynamic.append((method, re.compile(pattern + "$"), operation, handler))
            else:
                self.static[(method, pattern)] = (operation, handler)

    def match(self, method, path):
        hit = self.static.get((method, path))
        if hit:
            return hit
        for row_method, regex, operation, handler in self.dynamic:
            if row_method != method:
                continue
            found = regex.match(path)
            if found:
                args = [unquote(group) for group in found.groups()]
                return operation, (lambda req, _h=handler, _a=args: _h(req, *_a))
        return None


class TokenBucket:
    """Rate limit of one operation: `rate` requests per second refilling a bucket of `burst`."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self):
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate else 3600.0


class Marketplace:
    """Base of one simulated API, mounted under `/<name>`.

    Subclasses implement `reset`, `route`, `error_response`, `throttled_response` and may
    override the hooks below.
    """

    name = None

    def __init__(self, sim):
        self.sim = sim
        self.lock = threading.RLock()  # guards this marketplace's state

    # state -------------------------------------------------------------------------------
    def reset(self, seed, sizes):
        """Rebuild all state deterministically from `seed`; `sizes` is a dict of counts."""
        raise NotImplementedError

    def state(self):
        """A JSON-serialisable view of the state for `GET /_sim/state`."""
        return {}

    def control(self, action, payload):
        """Handle `POST /_sim/<name>/<action>` (add_orders, set_order_status, ...)."""
        return json_response(404, {"error": "unknown action %s" % action})

    # requests ------------------------------------------------------------------------------
    def route(self, req):
        """Return (operation name, handler) for the request, or None when the path is unknown.

        The handler takes the request and returns a Response. Authentication is the
        handler's business (or `authenticate`), so token endpoints need no exception.
        """
        raise NotImplementedError

    def authenticate(self, req, operation):
        """Return an error Response when the request is not authorised, None otherwise."""
        return None

    def error_response(self, status, message, code=None):
        """The API's own error shape."""
        raise NotImplementedError

    def not_found(self, req):
        return self.error_response(404, "Resource not found: %s %s" % (req.method, req.path))

    # rate limits -----------------------------------------------------------------------------
    def rate_limit(self, operation):
        """(requests per second, burst) documented for the operation, or None."""
        return None

    def throttled_response(self, operation, retry_after):
        """The API's 429 answer; `retry_after` is seconds or None (no Retry-After header)."""
        raise NotImplementedError

    def rate_limit_headers(self, operation, bucket):
        """Headers sent on every answer of a rate-limited operation."""
        return {}

    def expire_tokens(self):
        """Fault 'expired_token': make every issued access token expired now."""


class Simulator:
    """All state of the three APIs plus faults and rate-limit buckets."""

    def __init__(self, seed=1, sizes=None, rate_limits=True, rate_scale=1.0):
        self.seed = seed
        self.rate_limits = rate_limits
        self.rate_scale = rate_scale
        self.marketplaces = {}
        self.faults = []  # dicts: marketplace, operation, kind, count, probability, delay
        self.buckets = {}
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.request_count = 0
        for cls in self._marketplace_classes():
            mp = cls(self)
            self.marketplaces[mp.name] = mp
        self.reset(seed, sizes or {})

    @staticmethod
    def _marketplace_classes():
        from . import amazon, bigcommerce, bol  # noqa: imported here to avoid cycles

        return [amazon.AmazonAPI, bigcommerce.BigCommerceAPI, bol.BolAPI]

    def reset(self, seed, sizes):
        with self.lock:
            self.seed = seed
            self.faults = []
            self.buckets = {}
            self.rng = random.Random(seed)
        for mp in self.marketplaces.values():
            with mp.lock:
                mp.reset(seed, sizes.get(mp.name, sizes))

    # faults ------------------------------------------------------------------------------
    def add_fault(self, spec):
        """spec: marketplace, operation ('*' for all), kind (429, 429_no_retry_after, 5xx,
        slow, slow_answer, lost_answer, malformed, expired_token, answer: see the module docstring),
        count (default 1), probability, delay (slow, slow_answer), retry_after (seconds, 429),
        status, headers and body (answer)."""
        fault = {
            "marketplace": spec.get("marketplace", "*"),
            "operation": spec.get("operation", "*"),
            "kind": str(spec["kind"]),
            "count": spec.get("count", 1 if spec.get("probability") is None else None),
            "probability": spec.get("probability"),
            "delay": float(spec.get("delay", 5.0)),
            "retry_after": spec.get("retry_after", 1),
            "status": int(spec.get("status", 200)),
            "headers": dict(spec.get("headers") or {"Content-Type": "application/json"}),
            "body": str(spec.get("body", "")),
        }
        with self.lock:
            self.faults.append(fault)
        return fault

    def _take_fault(self, marketplace, operation):
        with self.lock:
            for fault in self.faults:
                if fault["marketplace"] not in ("*", marketplace):
                    continue
                if fault["operation"] not in ("*", operation):
                    continue
                if fault["count"] is not None:
                    if fault["count"] <= 0:
                        continue
                    fault["count"] -= 1
                    return fault
                if self.rng.random() < (fault["probability"] or 0):
                    return fault
        return None

    # rate limits -----------------------------------------------------------------------------
    def _bucket(self, mp, operation):
        limit = mp.rate_limit(operation)
        if not limit:
            return None
        key = (mp.name, operation)
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None:
                rate, burst = limit
                bucket = self.buckets[key] = TokenBucket(rate * self.rate_scale, burst)
            return bucket

    # dispatch --------------------------------------------------------------------------------
    def handle(self, req_method, raw_path, headers, body):
        self.request_count += 1
        url = urlsplit(raw_path)
        query = parse_qs(url.query, keep_blank_values=True)
        path = url.path
        if path.startswith("/_sim"):
            return self._control(req_method, path, query, body)
        prefix, _, rest = path.lstrip("/").partition("/")
        mp = self.marketplaces.get(prefix)
        if mp is None:
            return json_response(404, {"error": "unknown marketplace prefix /%s" % prefix})
        req = Request(req_method, "/" + rest, query, headers, body)
        routed = mp.route(req)
        if routed is None:
            return mp.not_found(req)
        operation, handler = routed
        fault = self._take_fault(mp.name, operation)
        if fault:
            answer = self._apply_fault(mp, operation, fault)
            if answer is not None:
                return answer
        denied = mp.authenticate(req, operation)
        if denied is not None:
            return denied
        bucket = self._bucket(mp, operation) if self.rate_limits else None
        if bucket is not None:
            with self.lock:
                wait = bucket.take()
            if wait:
                resp = mp.throttled_response(operation, max(1, int(wait + 0.999)))
                resp.headers.update(mp.rate_limit_headers(operation, bucket))
                return resp
        try:
            with mp.lock:
                resp = handler(req)
        except BadBody as err:
            resp = mp.error_response(400, str(err))
        if bucket is not None:
            resp.headers.update(mp.rate_limit_headers(operation, bucket))
        if fault:
            resp = self._spoil_answer(resp, fault)
        return resp

    @staticmethod
    def _spoil_answer(resp, fault):
        """The faults that strike after the request was processed: the write is applied, the
        client does not learn it."""
        kind = fault["kind"]
        if kind == "malformed":
            return Response(resp.status, b'{"malformed": [1, 2', {"Content-Type": "application/json"})
        if kind == "slow_answer":
            time.sleep(fault["delay"])
        elif kind == "lost_answer":
            resp.drop = True
        return resp

    def _apply_fault(self, mp, operation, fault):
        kind = fault["kind"]
        if kind == "429":
            return mp.throttled_response(operation, fault["retry_after"])
        if kind == "429_no_retry_after":
            return mp.throttled_response(operation, None)
        if kind in ("5xx", "500", "503"):
            return mp.error_response(503 if kind == "503" else 500, "Simulated server error")
        if kind == "answer":
            return Response(fault["status"], fault["body"].encode("utf-8"), fault["headers"])
        if kind == "slow":
            time.sleep(fault["delay"])
        elif kind == "expired_token":
            with mp.lock:
                mp.expire_tokens()
        return None  # the other kinds go on to the handler (malformed, slow_answer, lost_answer spoil its answer)

    def _control(self, method, path, query, body):
        parts = [p for p in path.split("/") if p][1:]
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return json_response(400, {"error": "control body must be JSON"})
        if parts == ["reset"] and method == "POST":
            seed = int(payload.get("seed", self.seed))
            self.reset(seed, payload.get("sizes", {}))
            if "rate_limits" in payload:
                self.rate_limits = bool(payload["rate_limits"])
            if "rate_scale" in payload:
                self.rate_scale = float(payload["rate_scale"])
            return json_response(200, {"seed": seed})
        if parts == ["faults"]:
            if method == "POST":
                return json_response(201, self.add_fault(payload))
            if method == "DELETE":
                with self.lock:
                    self.faults = []
                return Response(204)
            return json_response(200, {"faults": self.faults})
        if parts == ["rate_limits"] and method == "POST":
            with self.lock:
                self.rate_limits = bool(payload.get("enabled", True))
                self.rate_scale = float(payload.get("scale", self.rate_scale))
                self.buckets = {}
            return json_response(200, {"enabled": self.rate_limits, "scale": self.rate_scale})
        if parts == ["state"] and method == "GET":
            names = query.get("marketplace") or list(self.marketplaces)
            out = {}
            for name in names:
                mp = self.marketplaces.get(name)
                if mp:
                    with mp.lock:
                        out[name] = mp.state()
            return json_response(200, out)
        if len(parts) == 2 and parts[0] in self.marketplaces and method == "POST":
            mp = self.marketplaces[parts[0]]
            with mp.lock:
                return mp.control(parts[1], payload)
        return json_response(404, {"error": "unknown control path %s" % path})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MarketplaceSimulator/1.0"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

    def _serve(self):
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            resp = self.server.sim.handle(self.command, self.path, headers, body)
        except Exception as err:  # never let a handler bug kill the connection silently
            _logger.exception("simulator error on %s %s", self.command, self.path)
            resp = json_response(500, {"error": "simulator internal error: %s" % err})
        if getattr(resp, "drop", False):  # fault lost_answer: processed, never answered
            self.close_connection = True
            _logger.info("%s %s dropped %.1fms", self.command, self.path, (time.monotonic() - started) * 1000)
            return
        try:
            self.send_response(resp.status)
            for key, value in resp.headers.items():
                self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if resp.body and self.command != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            # the client gave up (a timeout test): nothing to answer to
            self.close_connection = True
        _logger.info(
            "%s %s %s %.1fms", self.command, self.path, resp.status, (time.monotonic() - started) * 1000
        )

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, fmt, *args):  # the one-line log is written by _serve
        pass


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sim):
        super().__init__(address, _Handler)
        self.sim = sim
        if not getattr(sim, "public_url", None):  # base of URLs handed out (Amazon document uploads)
            host, port = self.server_address[:2]
            sim.public_url = "http://%s:%s" % ("127.0.0.1" if host in ("", "0.0.0.0") else host, port)


def serve_in_thread(port=0, host="127.0.0.1", **kwargs):
    """Start a simulator in a background thread; return (server, base_url). Used by tests."""
    sim = Simulator(**kwargs)
    server = SimulatorServer((host, port), sim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, "http://%s:%s" % (host, server.server_address[1])
