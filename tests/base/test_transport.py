"""The marketplace clients' base (marketplace_base/adapter/transport.py), without Odoo.

A tiny client over `requests` talks over real HTTP to a scripted local server (http.server in a
thread): each path answers from a plan (an answer, a 429, a 5xx, an expired token, a slow answer,
a dropped connection, a garbled body), and the server records every request that reached it.
Time is a fake clock that the injected `sleep` advances: pacing and waits are measured, not
waited for (except the one real client timeout).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from marketplace_base.adapter.transport import (
    Ambiguous,
    MarketplaceError,
    Throttled,
    Transport,
    Verdict,
    http_verdict,
    parse_retry_after,
    requests_error_verdict,
)

SECRET = "s3cret-api-key"


# --------------------------------------------------------------------------------------------
# the scripted server
# --------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server
        with server.lock:
            server.seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "token": self.headers.get("Authorization"),
                    "body": body,
                }
            )
            plan = server.plans.get(self.path) or []
            action = plan.pop(0) if plan else ("ok",)
        self._act(action)

    def _act(self, action):
        kind = action[0]
        if kind == "drop":  # processed, then the connection closes without an answer
            self.close_connection = True
            return
        if kind == "slow":
            time.sleep(action[1])
            return self._send(200, {"done": True})
        if kind == "garbled":
            return self._send(200, b'{"orders": [1, 2')
        if kind == "status":
            return self._send(action[1], action[2], action[3] if len(action) > 3 else {})
        if self.headers.get("Authorization") not in ("Bearer tok-1", "Bearer tok-2", "Bearer tok-3"):
            return self._send(401, {"error": "invalid token"})
        return self._send(
            200,
            {"done": True, "path": self.path},
            {"X-Rate-Limit": self.server.announce} if self.server.announce else {},
        )

    def _send(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, str(value))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self.close_connection = True

    do_GET = do_POST = _serve

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = "http://127.0.0.1:%s" % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh(server):
    server.plans, server.seen, server.announce = {}, [], None
    Transport.reset_rate_limits()
    yield


def plan(server, path, *actions):
    server.plans[path] = list(actions)


def reached(server, path):
    """The requests to `path` that reached the server."""
    return [r for r in server.seen if r["path"] == path]


# --------------------------------------------------------------------------------------------
# the tiny client
# --------------------------------------------------------------------------------------------


class FakeTime:
    """A clock that only `sleep` moves; the pauses asked for are recorded."""

    def __init__(self):
        self.now = 1000.0
        self.pauses = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


class Tiny(Transport):
    """A client of the scripted server over requests: only classification is its own."""

    RATES = {"read": (2.0, 2), "write": (1.0, 5)}

    def __init__(self, base, account="shop-1", timeout=2.0, time_source=None, **options):
        time_source = time_source or FakeTime()
        options.setdefault("rate_scale", 1.0)
        super().__init__(
            account_key=("tiny", account),
            secrets=(SECRET,),
            sleep=time_source.sleep,
            clock=time_source.clock,
            **options,
        )
        self.time = time_source
        self.base, self.timeout = base, timeout
        self.session = requests.Session()
        self.token, self.renewals = "tok-1", 0

    def renew_token(self):
        self.renewals += 1
        self.token = "tok-%d" % (self.renewals + 1)

    def get(self, path, operation="read"):
        return self.call(
            operation,
            lambda: self.session.get(
                self.base + path, timeout=self.timeout, headers={"Authorization": "Bearer " + self.token}
            ),
        )

    def post(self, path, payload, operation="write"):
        return self.call(
            operation,
            lambda: self.session.post(
                self.base + path,
                json=payload,
                timeout=self.timeout,
                headers={"Authorization": "Bearer " + self.token},
            ),
            idempotent=False,
        )

    def classify_answer(self, operation, response):
        text = "%s: %s" % (operation, response.text[:200])
        if response.status_code == 401 and "expired" in response.text:
            return Verdict(Verdict.EXPIRED, text, "expired", 401)
        if response.status_code >= 400:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return http_verdict(response.status_code, text, retry_after=retry_after)
        try:
            response.json()
        except ValueError:
            return Verdict(Verdict.TRANSIENT, "an unreadable answer")
        return Verdict(Verdict.OK)

    def classify_error(self, operation, error):
        return requests_error_verdict(error)

    def announced_rate(self, outcome):
        value = getattr(outcome, "headers", {}).get("X-Rate-Limit")
        return float(value) if value else None


# --------------------------------------------------------------------------------------------
# pacing
# --------------------------------------------------------------------------------------------


def test_requests_are_paced_a_little_under_the_documented_rate(server):
    client = Tiny(server.base)
    for _ in range(6):
        assert client.get("/orders").json()["done"]
    interval = 1 / (2.0 * Transport.PACING)
    assert client.time.pauses == pytest.approx([interval] * 4), "the burst of 2 goes at once, then 2/s x 0.95"
    assert client.calls == 6 and client.throttled == 0


def test_the_clients_of_one_account_share_the_rate(server):
    clock = FakeTime()
    first, second = Tiny(server.base, time_source=clock), Tiny(server.base, time_source=clock)
    other_account = Tiny(server.base, account="shop-2", time_source=clock)
    first.get("/orders")
    first.get("/orders")
    assert clock.pauses == []
    other_account.get("/orders")
    assert clock.pauses == [], "another account has its own bucket"
    second.get("/orders")
    assert clock.pauses == pytest.approx([1 / (2.0 * Transport.PACING)]), (
        "the burst was spent by the first client"
    )


def test_the_rate_the_api_announces_is_followed(server):
    server.announce = "0.5"
    client = Tiny(server.base)
    for _ in range(4):
        client.get("/orders")
    assert client.rate_bucket("read").rate == pytest.approx(0.5 * Transport.PACING)
    assert client.time.pauses[-1] == pytest.approx(1 / (0.5 * Transport.PACING))


def test_pacing_beyond_the_time_budget_sends_nothing(server):
    client = Tiny(server.base, max_wait=0.1)
    client.get("/orders")
    client.get("/orders")
    with pytest.raises(Throttled) as throttled:
        client.get("/orders")
    assert "nothing was sent" in str(throttled.value)
    assert client.calls == 2 and len(reached(server, "/orders")) == 2 and client.time.pauses == []


# --------------------------------------------------------------------------------------------
# 429
# --------------------------------------------------------------------------------------------


def test_retry_after_is_honoured(server):
    plan(server, "/orders", ("status", 429, {"error": "slow down"}, {"Retry-After": "3"}))
    client = Tiny(server.base)
    assert client.get("/orders").json()["done"]
    assert client.time.pauses == [3.0]
    assert client.calls == 2 and client.throttled == 1


def test_a_429_without_retry_after_backs_off_from_the_rate(server):
    plan(server, "/orders", *[("status", 429, {"error": "slow down"})] * 3)
    client = Tiny(server.base)
    assert client.get("/orders").json()["done"]
    interval = 1 / (2.0 * Transport.PACING)
    assert client.time.pauses == pytest.approx([interval, 2 * interval, 4 * interval])
    assert client.calls == 4 and client.throttled == 3


def test_throttling_beyond_the_time_budget_raises_throttled(server):
    plan(server, "/orders", *[("status", 429, {"error": "slow down"}, {"Retry-After": "10"})] * 10)
    client = Tiny(server.base, max_wait=25)
    with pytest.raises(Throttled) as throttled:
        client.get("/orders")
    assert throttled.value.status == 429 and "slow down" in throttled.value.message
    assert client.time.pauses == [10.0, 10.0], "a third wait would pass the 25 s budget"
    assert client.calls == 3 and client.throttled == 3


def test_a_throttled_write_is_sent_again(server):
    plan(server, "/shipments", ("status", 429, {"error": "slow down"}, {"Retry-After": "1"}))
    client = Tiny(server.base)
    assert client.post("/shipments", {"order": 1}).json()["done"]
    assert len(reached(server, "/shipments")) == 2, "a 429 was refused before any processing"


# --------------------------------------------------------------------------------------------
# token
# --------------------------------------------------------------------------------------------


def test_an_expired_token_is_renewed_once(server):
    plan(server, "/orders", ("status", 401, {"error": "token expired"}))
    client = Tiny(server.base)
    assert client.get("/orders").json()["done"]
    assert client.renewals == 1
    assert [r["token"] for r in reached(server, "/orders")] == ["Bearer tok-1", "Bearer tok-2"]

    plan(server, "/orders", *[("status", 401, {"error": "token expired"})] * 3)
    with pytest.raises(MarketplaceError, match="token expired") as refused:
        client.get("/orders")
    assert refused.value.status == 401 and client.renewals == 2, "renewed once per call, not in a loop"
    assert len(reached(server, "/orders")) == 4


def test_a_write_refused_for_an_expired_token_is_sent_again(server):
    plan(server, "/shipments", ("status", 401, {"error": "token expired"}))
    client = Tiny(server.base)
    assert client.post("/shipments", {"order": 1}).json()["done"]
    assert len(reached(server, "/shipments")) == 2 and client.renewals == 1


# --------------------------------------------------------------------------------------------
# retries, and writes that must never be sent twice
# --------------------------------------------------------------------------------------------


def test_server_errors_of_reads_are_retried_a_bounded_number_of_times(server):
    plan(server, "/orders", ("status", 500, {"error": "boom"}), ("status", 503, {"error": "boom"}))
    client = Tiny(server.base, max_retries=3)
    assert client.get("/orders").json()["done"]
    assert client.calls == 3 and client.time.pauses == [0.5, 1.0], "exponential backoff"

    plan(server, "/orders", *[("status", 500, {"error": "boom"})] * 10)
    with pytest.raises(MarketplaceError) as failed:
        client.get("/orders")
    assert not isinstance(failed.value, Ambiguous)
    assert (
        failed.value.status == 500 and "boom" in failed.value.message and "4 attempts" in failed.value.message
    )
    assert len(reached(server, "/orders")) == 3 + 4


def test_dropped_connections_and_garbled_answers_of_reads_are_retried(server):
    plan(server, "/orders", ("drop",), ("garbled",))
    client = Tiny(server.base)
    assert client.get("/orders").json()["done"]
    assert len(reached(server, "/orders")) == 3


def test_a_write_whose_answer_times_out_is_ambiguous_and_sent_once(server):
    plan(server, "/shipments", ("slow", 1.0))
    client = Tiny(server.base, timeout=0.3)
    with pytest.raises(Ambiguous) as lost:
        client.post("/shipments", {"order": 1})
    assert "may have applied it" in str(lost.value)
    time.sleep(1.0)  # the server finishes the slow answer
    assert len(reached(server, "/shipments")) == 1, "exactly one request reached the server"
    assert client.calls == 1


@pytest.mark.parametrize("fault", [("drop",), ("garbled",), ("status", 502, {"error": "bad gateway"})])
def test_a_write_with_a_lost_answer_is_ambiguous_and_never_sent_again(server, fault):
    plan(server, "/offers", fault)
    client = Tiny(server.base)
    with pytest.raises(Ambiguous):
        client.post("/offers", {"sku": "A"})
    assert len(reached(server, "/offers")) == 1


def test_a_write_that_never_reached_the_api_is_not_ambiguous(server):
    with socket_closed() as port:
        client = Tiny("http://127.0.0.1:%d" % port, max_retries=2)
        with pytest.raises(MarketplaceError) as failed:
            client.post("/shipments", {"order": 1})
    assert not isinstance(failed.value, Ambiguous), "no connection: nothing was sent, sending again is safe"
    assert client.calls == 3 and "no connection" in str(failed.value)


class socket_closed:
    """A local port where nothing listens."""

    def __enter__(self):
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        return self.port

    def __exit__(self, *exc):
        return False


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------


def test_errors_carry_the_marketplaces_text_and_never_a_secret(server):
    plan(server, "/orders", ("status", 403, {"error": "key %s may not read orders" % SECRET}))
    client = Tiny(server.base)
    with pytest.raises(MarketplaceError) as refused:
        client.get("/orders")
    assert refused.value.status == 403 and "may not read orders" in str(refused.value)
    assert SECRET not in str(refused.value) and "***" in str(refused.value)
    assert SECRET not in repr(client)
    assert client.calls == 1, "a refusal is not retried"


def test_retry_after_forms():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
