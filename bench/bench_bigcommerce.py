"""BigCommerce connector figures against the local simulator (real HTTP).

    python3 bench/bench_bigcommerce.py [--db marketplace_test] [--orders 1000] [--skus 10000]
                                       [--rate-orders 300] [--tax-system odoo|marketplace]

1. Imports N simulator orders of every status (rate limits off): orders per second, API calls per
   order, and the ratio to the time the ORM alone needs to create and confirm the same orders in
   the same run (goal 1.3 or less).
2. Exports the stock of M SKUs over two BigCommerce locations: calls (goal 10 or fewer: absolute
   adjustments of up to 2,000 items) and seconds; then again with nothing changed (goal 0 calls).
3. Imports orders with the simulator enforcing the documented quota (150 requests per 30 s
   window) and BigCommerce's taxes read per order, so that the run needs more than one window:
   throttled calls (goal 0) and seconds.
Everything in Odoo is rolled back at the end.
"""

import os
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import REPO, odoo_env, parse_args, print_import, print_ratio, timed_import  # noqa: E402

sys.path.insert(0, REPO)
from marketplace_simulator.core import serve_in_thread  # noqa: E402


def store(env, base_url, name, **vals):
    instance = env["marketplace.instance"].create(
        dict(
            {
                "name": name,
                "marketplace": "bigcommerce",
                "bigcommerce_store_hash": "simstore",
                "bigcommerce_access_token": "sim-token",
                "api_base_url": base_url + "/bigcommerce",
                "queue_batch_limit": 100,
                "workflow_id": env["marketplace.workflow"].create({"name": name, "confirm_order": True}).id,
            },
            **vals,
        )
    )
    instance.action_confirm()
    statuses = env["marketplace.order.status"].search(
        [("marketplace", "=", "bigcommerce"), ("code", "!=", "0")]
    )
    instance.order_status_ids = statuses
    instance._job("import_orders").cursor = "2020-01-01 00:00:00"
    return instance


def figures(instance, job):
    log = instance.env["marketplace.log"].search(
        [("instance_id", "=", instance.id), ("job", "=", job)], order="id desc", limit=1
    )
    return log.api_calls, log.throttled_calls


def bench_import(env, base_url, count, tax_system):
    requests.post(
        base_url + "/_sim/reset",
        json={"seed": 3, "sizes": {"bigcommerce": {"orders": count, "products": 300}}, "rate_limits": False},
    ).raise_for_status()
    instance = store(env, base_url, "Bench import", tax_system=tax_system)
    seconds, download, sales, lines = timed_import(env, instance)
    calls, throttled = figures(instance, "import_orders")
    print(
        "import (%s taxes): %d orders queued, %d sale orders, %d failed lines"
        % (tax_system, len(lines), len(sales), len(lines.filtered(lambda l: l.state == "failed")))
    )
    print_import("import", seconds, download, lines, calls, throttled)
    print_ratio(env, sales, seconds)


def bench_stock(env, base_url, count, server):
    products = count // 2 + 200
    requests.post(
        base_url + "/_sim/reset",
        json={"seed": 5, "sizes": {"bigcommerce": {"orders": 1, "products": products}}, "rate_limits": False},
    ).raise_for_status()
    # the simulator runs in this process: read its catalogue directly
    bc = server.sim.marketplaces["bigcommerce"]
    variants = [v for v in bc.variant_list if bc.products[v["product_id"]]["tracking"] != "none"][:count]
    instance = store(env, base_url, "Bench stock")
    warehouse = instance.warehouse_id
    second = env["stock.location"].create(
        {"name": "Łódź", "usage": "internal", "location_id": warehouse.view_location_id.id}
    )
    hamburg, lodz = instance.bigcommerce_location_ids[:2]
    lodz.write({"stock_location_id": second.id, "sync_enabled": True})
    items = env["product.product"].create(
        [{"name": v["sku"], "default_code": v["sku"], "type": "product"} for v in variants]
    )
    env["marketplace.listing"].create(
        [
            {
                "instance_id": instance.id,
                "sku": v["sku"],
                "product_id": p.id,
                "external_id": "%s:%s" % (v["product_id"], v["id"]),
                "bigcommerce_inventory_tracking": bc.products[v["product_id"]]["tracking"],
            }
            for v, p in zip(variants, items)
        ]
    )
    env["stock.quant"].create(
        [
            {"product_id": p.id, "location_id": loc.id, "quantity": (i + k) % 50 + 1}
            for i, p in enumerate(items)
            for k, loc in enumerate((hamburg.stock_location_id, second))
        ]
    )
    env.flush_all()
    started = time.perf_counter()
    instance.action_export_inventory()
    seconds = time.perf_counter() - started
    calls, _throttled = figures(instance, "export_inventory")
    exports = env["marketplace.export"].search([("instance_id", "=", instance.id)])
    print(
        "stock export: %d SKUs x 2 locations, %d calls (goal 10 or fewer), %.1f s, %d accepted, %d rejected"
        % (
            len(variants),
            calls,
            seconds,
            sum(exports.mapped("accepted_count")),
            sum(exports.mapped("rejected_count")),
        )
    )
    started = time.perf_counter()
    instance.action_export_inventory()
    calls, _throttled = figures(instance, "export_inventory")
    print(
        "stock export again, nothing changed: %d calls (goal 0), %.1f s"
        % (calls, time.perf_counter() - started)
    )


def bench_rates(env, base_url, count):
    requests.post(
        base_url + "/_sim/reset",
        json={
            "seed": 9,
            "sizes": {"bigcommerce": {"orders": count, "products": 60}},
            "rate_limits": True,
            "rate_scale": 1.0,
        },
    ).raise_for_status()
    instance = store(env, base_url, "Bench rates", tax_system="marketplace")
    started = time.perf_counter()
    instance.action_import_orders()
    seconds = time.perf_counter() - started
    calls, throttled = figures(instance, "import_orders")
    print(
        "documented quota (150 requests per 30 s): %d calls in %.1f s, %d throttled (goal 0)"
        % (calls, seconds, throttled)
    )


def main():
    args = parse_args(
        __doc__,
        orders={"type": int, "default": 1000},
        skus={"type": int, "default": 10000},
        rate_orders={"type": int, "default": 300},
        tax_system={"default": "odoo"},
    )
    server, base_url = serve_in_thread(port=0, rate_limits=False)
    import logging

    logging.getLogger("marketplace_simulator").setLevel(logging.WARNING)
    try:
        with odoo_env(args.db) as env:
            env.ref("base.EUR").active = True
            bench_import(env, base_url, args.orders, args.tax_system)
            bench_stock(env, base_url, args.skus, server)
            bench_rates(env, base_url, args.rate_orders)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
