"""Speed of the marketplace simulator: requests per second and order generation.

    python bench/bench_simulator.py [--requests 2000] [--orders 100000] [--in-process]

1. Starts the simulator with rate limits off (a subprocess by default, so that the server has a
   core of its own; ``--in-process`` runs it in a thread of this process), then fires a mix of
   requests over keep-alive connections from one client thread and prints requests per second.
2. Times the generation of ``--orders`` orders: through ``POST /_sim/reset`` for all three APIs at
   once, then for each API alone through its class.

It prints figures and asserts nothing. The issue asks for at least 300 requests per second on one
core and 100,000 orders in under 10 seconds.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from marketplace_simulator.core import Simulator, serve_in_thread  # noqa: E402

DE = "A1PA6795UKMFR9"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(in_process):
    if in_process:
        server, base_url = serve_in_thread(port=0, rate_limits=False)
        host, port = server.server_address[:2]
        return (lambda: server.shutdown()), host, port
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketplace_simulator", "--port", str(port), "--no-rate-limits", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)

    def stop():
        proc.terminate()
        proc.wait(10)

    return stop, "127.0.0.1", port


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host, port):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def request(self, method, path, body=None, headers=None):
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        self.conn.request(method, path, body=body, headers=hdrs)
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, data


def amazon_mix(conn):
    status, data = conn.request(
        "POST",
        "/amazon/auth/o2/token",
        urlencode(
            {
                "grant_type": "refresh_token",
                "refresh_token": "sim-refresh-token",
                "client_id": "sim-lwa-client",
                "client_secret": "sim-lwa-secret",
            }
        ).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        return []
    hdr = {"x-amz-access-token": json.loads(data)["access_token"]}
    status, data = conn.request(
        "GET",
        "/amazon/orders/v0/orders?"
        + urlencode({"MarketplaceIds": DE, "CreatedAfter": "2000-01-01T00:00:00Z", "MaxResultsPerPage": 20}),
        headers=hdr,
    )
    ids = [o["AmazonOrderId"] for o in json.loads(data)["payload"]["Orders"]]
    mix = [
        (
            "amazon getOrders (20)",
            "GET",
            "/amazon/orders/v0/orders?"
            + urlencode(
                {"MarketplaceIds": DE, "CreatedAfter": "2000-01-01T00:00:00Z", "MaxResultsPerPage": 20}
            ),
            None,
            hdr,
        )
    ]
    for oid in ids[:5]:
        mix.append(("amazon getOrder", "GET", "/amazon/orders/v0/orders/%s" % oid, None, hdr))
        mix.append(("amazon getOrderItems", "GET", "/amazon/orders/v0/orders/%s/orderItems" % oid, None, hdr))
    mix.append(
        (
            "amazon getInventorySummaries",
            "GET",
            "/amazon/fba/inventory/v1/summaries?"
            + urlencode(
                {
                    "granularityType": "Marketplace",
                    "granularityId": DE,
                    "marketplaceIds": DE,
                    "details": "true",
                }
            ),
            None,
            hdr,
        )
    )
    mix.append(
        ("amazon marketplaceParticipations", "GET", "/amazon/sellers/v1/marketplaceParticipations", None, hdr)
    )
    return mix


def bigcommerce_mix(conn):
    hdr = {"X-Auth-Token": "sim-token", "Accept": "application/json"}
    path = "/bigcommerce/stores/simstore/v2/orders?limit=20"
    status, _ = conn.request("GET", path, headers=hdr)
    if status not in (200, 204):
        return []
    return [
        ("bigcommerce v2 orders (20)", "GET", path, None, hdr),
        (
            "bigcommerce v3 catalog products",
            "GET",
            "/bigcommerce/stores/simstore/v3/catalog/products?limit=20",
            None,
            hdr,
        ),
    ]


def bol_mix(conn):
    import base64

    basic = base64.b64encode(b"sim-bol-client:sim-bol-secret").decode()
    status, data = conn.request(
        "POST",
        "/bol/token",
        b"grant_type=client_credentials",
        {
            "Authorization": "Basic " + basic,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    if status != 200:
        return []
    hdr = {
        "Authorization": "Bearer " + json.loads(data)["access_token"],
        "Accept": "application/vnd.retailer.v10+json",
    }
    status, _ = conn.request("GET", "/bol/retailer/orders", headers=hdr)
    if status != 200:
        return []
    return [("bol orders", "GET", "/bol/retailer/orders", None, hdr)]


def bench_requests(host, port, total):
    conn = Conn(host, port)
    mix = []
    skipped = []
    for name, build in (("amazon", amazon_mix), ("bigcommerce", bigcommerce_mix), ("bol", bol_mix)):
        try:
            part = build(conn)
        except Exception as err:  # a marketplace not (yet) served the way this script expects
            part = []
            conn = Conn(host, port)
            skipped.append("%s (%s)" % (name, err.__class__.__name__))
        if not part and not any(s.startswith(name) for s in skipped):
            skipped.append(name)
        mix.extend(part)
    statuses = Counter()
    per_kind = Counter()
    started = time.perf_counter()
    for i in range(total):
        kind, method, path, body, hdr = mix[i % len(mix)]
        status, _ = conn.request(method, path, body, hdr)
        statuses[status] += 1
        per_kind[kind] += 1
    elapsed = time.perf_counter() - started
    return total / elapsed, elapsed, statuses, per_kind, skipped


def bench_generation(orders):
    figures = []
    sim = Simulator(seed=1, sizes={"orders": 10, "products": 40})
    started = time.perf_counter()
    sim.reset(1, {"orders": orders})
    figures.append(
        ("all three APIs, %d orders each (Simulator.reset)" % orders, time.perf_counter() - started)
    )
    for name, mp in sim.marketplaces.items():
        started = time.perf_counter()
        with mp.lock:
            mp.reset(2, {"orders": orders})
        figures.append(("%s alone, %d orders" % (name, orders), time.perf_counter() - started))
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=100000)
    parser.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    args = parser.parse_args(argv)

    stop, host, port = start_server(args.in_process)
    try:
        rps, elapsed, statuses, per_kind, skipped = bench_requests(host, port, args.requests)
        conn = Conn(host, port)
        started = time.perf_counter()
        status, _ = conn.request("POST", "/_sim/reset", {"seed": 3, "sizes": {"orders": args.orders}})
        reset_http = time.perf_counter() - started
        big = bench_requests(host, port, max(1, args.requests // 4))
    finally:
        stop()
    print(
        "requests: %d mixed requests in %.2f s over one keep-alive connection (server %s, rate limits off)"
        % (args.requests, elapsed, "in-process" if args.in_process else "subprocess")
    )
    print("requests per second: %.0f" % rps)
    print("status codes: %s" % dict(sorted(statuses.items())))
    print("mix: %s" % ", ".join("%s x%d" % kv for kv in sorted(per_kind.items())))
    if skipped:
        print("not in the mix (not served as expected): %s" % ", ".join(skipped))
    print("POST /_sim/reset with %d orders per API: %.2f s (HTTP %s)" % (args.orders, reset_http, status))
    print(
        "requests per second with %d orders per API loaded: %.0f (%d requests, status codes %s)"
        % (args.orders, big[0], max(1, args.requests // 4), dict(sorted(big[2].items())))
    )
    for label, seconds in bench_generation(args.orders):
        print("generation, %s: %.2f s" % (label, seconds))


if __name__ == "__main__":
    main()
