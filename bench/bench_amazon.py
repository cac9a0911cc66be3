"""Amazon connector figures against the local simulator (real HTTP).

    python3 bench/bench_amazon.py [--db marketplace_test] [--orders 1000] [--offers 10000]
                                  [--rate-scale 1] [--skip-rates]

1. Imports N simulator orders with each Orders API (rate limits off): orders per second, API
   calls per order, and the ratio to the time the ORM alone needs to create and confirm the same
   orders in the same run (goal 1.3 or less).
2. Exports FBM stock for M offers: feeds sent and seconds (sending, then until Amazon is done).
3. A backlog of N importable orders (the same orders for both versions) imported with the
   simulator and the client at the documented rates: API calls per order (goal 0.02 or less
   with 2026-01-01), throttled calls (goal 0) and the wall time of Import Orders (v0 is bound
   near 33 minutes for 1,000 orders by getOrderItems at 0.5/s; goal under 3 minutes), then of
   processing the queue. `--rate-scale X` multiplies every rate on both sides (X > 1: a shorter
   run, whose rate-bound seconds are also given at the documented rates, times X).
Everything in Odoo is rolled back at the end.
"""

import logging
import os
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import REPO, odoo_env, parse_args, print_import, print_ratio, timed_import  # noqa: E402

sys.path.insert(0, REPO)
from marketplace_simulator.core import serve_in_thread  # noqa: E402

VERSIONS = ("2026-01-01", "v0")
IMPORTABLE = {"AFN": ("Shipped", "Canceled"), "MFN": ("Unshipped", "PartiallyShipped", "Shipped", "Canceled")}


def account(env, base_url, name, version):
    instance = env["marketplace.instance"].create(
        {
            "name": name,
            "marketplace": "amazon",
            "amazon_seller_id": "SIMSELLER1",
            "amazon_orders_api": version,
            "amazon_refresh_token": "sim-refresh-token",
            "amazon_lwa_client_id": "sim-lwa-client",
            "amazon_lwa_client_secret": "sim-lwa-secret",
            "api_base_url": base_url + "/amazon",
            "queue_batch_limit": 100,
            "workflow_id": env["marketplace.workflow"].create({"name": name, "confirm_order": True}).id,
        }
    )
    instance.action_confirm()
    instance._job("import_orders").cursor = "2020-01-01 00:00:00"
    return instance


def figures(instance):
    log = instance.env["marketplace.log"].search(
        [("instance_id", "=", instance.id), ("job", "=", "import_orders")], order="id desc", limit=1
    )
    return log.api_calls, log.throttled_calls


def reset(base_url, seed, orders, products=300, **extra):
    requests.post(
        base_url + "/_sim/reset",
        json=dict({"seed": seed, "sizes": {"amazon": {"orders": orders, "products": products}}}, **extra),
    ).raise_for_status()


def forget_tokens(env):
    """Each run starts as a new worker would: without cached restricted data tokens."""
    from odoo.addons.marketplace_amazon.adapter.restricted import forget_restricted_tokens

    forget_restricted_tokens()


def bench_import(env, base_url, count, version):
    reset(base_url, 3, count, rate_limits=False)
    forget_tokens(env)
    instance = account(env, base_url, "Bench import %s" % version, version)
    seconds, download, sales, lines = timed_import(env, instance)
    calls, throttled = figures(instance)
    print(
        "import (Orders API %s): %d orders queued, %d sale orders, %d failed lines"
        % (version, len(lines), len(sales), len(lines.filtered(lambda l: l.state == "failed")))
    )
    print_import("import (Orders API %s)" % version, seconds, download, lines, calls, throttled)
    if version == VERSIONS[0]:
        print_ratio(env, sales, seconds)


def bench_stock(env, base_url, count, server):
    products = max(count // 2 + 300, 50)
    reset(base_url, 5, 1, products, rate_limits=False)
    requests.post(base_url + "/_sim/amazon/feed_timing", json={"stage_seconds": 0}).raise_for_status()
    # the simulator runs in this process: read its catalogue directly (its state view lists
    # only the offers touched once the catalogue is large)
    skus = sorted(server.sim.marketplaces["amazon"].offers)[:count]
    instance = account(env, base_url, "Bench stock", VERSIONS[0])
    items = env["product.product"].create([{"name": s, "default_code": s, "type": "product"} for s in skus])
    env["marketplace.listing"].create(
        [{"instance_id": instance.id, "sku": s, "product_id": p.id} for s, p in zip(skus, items)]
    )
    stock = instance.warehouse_id.lot_stock_id
    env["stock.quant"].create(
        [{"product_id": p.id, "location_id": stock.id, "quantity": i % 50} for i, p in enumerate(items)]
    )
    env.flush_all()
    started = time.perf_counter()
    instance.action_export_inventory()
    sent = time.perf_counter() - started
    exports = env["marketplace.export"].search
    while exports([("instance_id", "=", instance.id), ("state", "in", ("sending", "pending", "uncertain"))]):
        instance.action_check_results()
    done = time.perf_counter() - started
    feeds = exports([("instance_id", "=", instance.id)])
    print(
        "stock export: %d offers, %d feeds, %.1f s to send, %.1f s until Amazon's results were recorded "
        "(%d accepted, %d rejected)"
        % (
            len(skus),
            len(feeds),
            sent,
            done,
            sum(feeds.mapped("accepted_count")),
            sum(feeds.mapped("rejected_count")),
        )
    )
    started = time.perf_counter()
    instance.action_export_inventory()
    print(
        "stock export again, nothing changed: %d new feeds, %.1f s"
        % (len(exports([("instance_id", "=", instance.id)]) - feeds), time.perf_counter() - started)
    )


def backlog(base_url, server, count):
    """A simulator holding exactly `count` orders the import takes (a realistic mix, topped up
    with unshipped FBM orders), the same for every run."""
    reset(base_url, 9, count, 300, rate_limits=False)
    amazon = server.sim.marketplaces["amazon"]
    importable = sum(1 for o in amazon.order_list if o["st"] in IMPORTABLE[o["ch"]])
    if importable < count:  # (generated orders include some the import leaves: pending, FBA unshipped)
        requests.post(
            base_url + "/_sim/amazon/add_orders",
            json={"count": count - importable, "fulfillment_channel": "MFN", "status": "Unshipped"},
        ).raise_for_status()


def bench_rates(env, base_url, server, count, scale):
    """The same backlog read by each Orders API at the documented rates (x scale on both sides)."""
    env["ir.config_parameter"].set_param("marketplace_amazon.rate_scale", str(scale))
    for version in VERSIONS:
        backlog(base_url, server, count)
        requests.post(
            base_url + "/_sim/rate_limits", json={"enabled": True, "scale": scale}
        ).raise_for_status()
        forget_tokens(env)
        instance = account(env, base_url, "Bench rates %s" % version, version)
        started = time.perf_counter()
        instance.action_import_orders()
        imported = time.perf_counter() - started
        queued = env["marketplace.queue.line"].search_count([("instance_id", "=", instance.id)])
        requests.post(base_url + "/_sim/rate_limits", json={"enabled": False}).raise_for_status()
        started = time.perf_counter()
        instance.action_process_queues()
        processed = time.perf_counter() - started
        calls, throttled = figures(instance)
        at_documented = "" if scale == 1 else " (about %.0f s at the documented rates)" % (imported * scale)
        print(
            "Orders API %s at the documented rates (x%s): %d orders, %d API calls, %.3f calls per order "
            "(goal 0.02 or less with 2026-01-01), %d throttled (goal 0); Import Orders %.1f s = %.1f min%s "
            "(goal under 3 minutes), then processing the queue %.1f s"
            % (
                version,
                scale,
                queued,
                calls,
                calls / max(queued, 1),
                throttled,
                imported,
                imported / 60,
                at_documented,
                processed,
            )
        )


def main():
    args = parse_args(
        __doc__,
        orders={"type": int, "default": 1000},
        offers={"type": int, "default": 10000},
        rate_scale={"type": float, "default": 1.0},
        skip_rates={"action": "store_true"},
    )
    server, base_url = serve_in_thread(port=0, rate_limits=False)
    logging.getLogger("marketplace_simulator").setLevel(logging.WARNING)
    try:
        with odoo_env(args.db) as env:
            # rate limits off in the simulator: no client-side pacing either
            env["ir.config_parameter"].set_param("marketplace_amazon.rate_scale", "100000")
            for version in VERSIONS:
                bench_import(env, base_url, args.orders, version)
            bench_stock(env, base_url, args.offers, server)
            if not args.skip_rates:
                bench_rates(env, base_url, server, args.orders, args.rate_scale)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
