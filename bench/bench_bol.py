"""Bol.com connector figures against the local simulator (real HTTP).

    python3 bench/bench_bol.py [--db marketplace_test] [--orders 1000] [--offers 1000] [--changed 100]
                               [--rated-orders 200]

1. Imports N simulator orders (FBR & FBB, every status, rate limits off): orders per second, API
   calls per order, and the ratio to the time the ORM alone needs to create and confirm the same
   orders in the same run (goal 1.3 or less).
2. Exports FBR stock of M offers of which C changed, with the simulator enforcing Bol's documented
   rates: offer writes (goal C: one per changed offer) and seconds; the same again with nothing
   changed (goal 0 calls); then Check Export Results (process statuses read in bulk).
3. Imports orders with the simulator enforcing the documented rates (25 order lists a minute,
   25 order details a second): throttled calls (goal 0) and seconds.
Everything in Odoo is rolled back at the end.
"""

import logging
import os
import sys
import time
from datetime import timedelta

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import REPO, odoo_env, parse_args, print_import, print_ratio, timed_import  # noqa: E402

sys.path.insert(0, REPO)
from marketplace_simulator.core import serve_in_thread  # noqa: E402


def reset(base_url, seed, sizes, rate_limits):
    requests.post(
        base_url + "/_sim/reset",
        json={"seed": seed, "sizes": {"bol": sizes}, "rate_limits": rate_limits, "rate_scale": 1.0},
    ).raise_for_status()


def account(env, base_url, name, days=61):
    statuses = env.ref("marketplace_bol.order_status_open") | env.ref("marketplace_bol.order_status_shipped")
    instance = env["marketplace.instance"].create(
        {
            "name": name,
            "marketplace": "bol",
            "bol_client_id": "sim-bol-client",
            "bol_client_secret": "sim-bol-secret",
            "bol_fulfilment": "ALL",
            "api_base_url": base_url + "/bol",
            "queue_batch_limit": 100,
            "order_status_ids": [(6, 0, statuses.ids)],
            "order_prefix": "BOL-",
            "marketplace_order_prefix": "FBB-",
            "workflow_id": env["marketplace.workflow"].create({"name": name, "confirm_order": True}).id,
            "marketplace_workflow_id": env["marketplace.workflow"]
            .create({"name": name + " FBB", "confirm_order": True})
            .id,
        }
    )
    instance.action_confirm()
    instance._job("import_orders").cursor = env.cr.now().replace(tzinfo=None) - timedelta(days=days)
    return instance


def catalogue(env, server):
    """Odoo products for the simulator's offers (read in process: its state lists only the
    offers touched once the catalogue is large)."""
    offers = server.sim.marketplaces["bol"].offer_list
    products = env["product.product"].create(
        [
            {"name": o["title"], "barcode": o["ean"], "default_code": o["sku"], "type": "product"}
            for o in offers
        ]
    )
    return offers, products


def figures(instance, job):
    log = instance.env["marketplace.log"].search(
        [("instance_id", "=", instance.id), ("job", "=", job)], order="id desc", limit=1
    )
    return log.api_calls, log.throttled_calls


def bench_import(env, base_url, server, count):
    reset(base_url, 3, {"orders": count, "products": 300, "returns": 0}, rate_limits=False)
    catalogue(env, server)
    instance = account(env, base_url, "Bench import")
    seconds, download, sales, lines = timed_import(env, instance)
    calls, throttled = figures(instance, "import_orders")
    print(
        "import: %d Bol orders queued, %d sale orders (two for a mixed FBR/FBB order, none for one cancelled "
        "before the import), %d failed lines"
        % (len(lines), len(sales), len(lines.filtered(lambda l: l.state == "failed")))
    )
    print_import("import", seconds, download, lines, calls, throttled)
    print_ratio(env, sales, seconds)


def bench_stock(env, base_url, server, count, changed):
    reset(base_url, 5, {"orders": 0, "products": count, "returns": 0}, rate_limits=True)
    offers, products = catalogue(env, server)
    fbr = [(o, p) for o, p in zip(offers, products) if o["m"] == "FBR"][:count]
    instance = account(env, base_url, "Bench stock", days=1)
    stock = instance.warehouse_id.lot_stock_id
    env["stock.quant"].create(
        [
            {"product_id": p.id, "location_id": stock.id, "quantity": 10 + i % 50}
            for i, (_o, p) in enumerate(fbr)
        ]
    )
    # Bol accepted every quantity earlier, but `changed` of them moved since
    env["marketplace.listing"].create(
        [
            {
                "instance_id": instance.id,
                "product_id": p.id,
                "external_id": o["id"],
                "barcode": o["ean"],
                "sku": o["ref"] or False,
                "fulfilment": "merchant",
                "sync_state": "synced",
                "exported_qty": 10 + i % 50 + (1 if i < changed else 0),
            }
            for i, (o, p) in enumerate(fbr)
        ]
    )
    fbb = [(o, p) for o, p in zip(offers, products) if o["m"] == "FBB"]
    env["marketplace.listing"].create(
        [
            {
                "instance_id": instance.id,
                "product_id": p.id,
                "external_id": o["id"],
                "barcode": o["ean"],
                "fulfilment": "marketplace",
            }
            for o, p in fbb
        ]
    )
    env.flush_all()
    started = time.perf_counter()
    instance.action_export_inventory()
    seconds = time.perf_counter() - started
    calls, throttled = figures(instance, "export_inventory")
    exports = env["marketplace.export"].search([("instance_id", "=", instance.id)])
    print(
        "stock export at the documented rates: %d FBR offers (%d FBB never written), %d changed: %d calls "
        "(goal %d), %d exports, %.1f s, %d throttled"
        % (len(fbr), len(fbb), changed, calls, changed, len(exports), seconds, throttled)
    )
    started = time.perf_counter()
    instance.action_export_inventory()
    calls, throttled = figures(instance, "export_inventory")
    print("stock export again, nothing changed: %d calls, %.2f s" % (calls, time.perf_counter() - started))
    started = time.perf_counter()
    checks = calls = 0
    while env["marketplace.export"].search_count(
        [("instance_id", "=", instance.id), ("state", "=", "pending")]
    ):
        instance.action_check_results()
        checks += 1
        calls += figures(instance, "check_results")[0]
    exports = env["marketplace.export"].search([("instance_id", "=", instance.id)])
    print(
        "check export results until Bol decided: %d runs, %d calls (bulk process statuses), %.1f s; "
        "%d accepted, %d rejected"
        % (
            checks,
            calls,
            time.perf_counter() - started,
            sum(exports.mapped("accepted_count")),
            sum(exports.mapped("rejected_count")),
        )
    )


def bench_rates(env, base_url, server, count):
    reset(base_url, 9, {"orders": count, "products": 100, "returns": 0}, rate_limits=True)
    catalogue(env, server)
    env["ir.config_parameter"].set_param("marketplace_bol.rate_scale", "1")
    instance = account(env, base_url, "Bench rates", days=2)
    started = time.perf_counter()
    instance.action_import_orders()
    seconds = time.perf_counter() - started
    calls, throttled = figures(instance, "import_orders")
    lines = env["marketplace.queue.line"].search_count([("instance_id", "=", instance.id)])
    print(
        "import at the documented rates: %d orders, %d calls in %.1f s, %d throttled (goal 0)"
        % (lines, calls, seconds, throttled)
    )


def main():
    args = parse_args(
        __doc__,
        orders={"type": int, "default": 1000},
        offers={"type": int, "default": 1000},
        changed={"type": int, "default": 100},
        rated_orders={"type": int, "default": 2000},
    )
    server, base_url = serve_in_thread(port=0, rate_limits=False)
    logging.getLogger("marketplace_simulator").setLevel(logging.WARNING)
    try:
        with odoo_env(args.db) as env:
            # no SMS or mail to buyers when deliveries are validated (a benchmark has no network)
            env.company.write(
                {"stock_move_sms_validation": False, "stock_move_email_validation": False}
            ) if "stock_move_sms_validation" in env.company else None
            # rate limits off in the simulator: no client-side pacing either
            env["ir.config_parameter"].set_param("marketplace_bol.rate_scale", "100000")
            bench_import(env, base_url, server, args.orders)
            env["ir.config_parameter"].set_param("marketplace_bol.rate_scale", "1")
            bench_stock(env, base_url, server, args.offers, args.changed)
            bench_rates(env, base_url, server, args.rated_orders)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
