"""Amazon connector figures against the local simulator (real HTTP).

    python3 bench/bench_amazon.py [--db marketplace_test] [--orders 1000] [--offers 10000]
                                  [--throttled-orders 200] [--rate-scale 10]

1. Imports N simulator orders (rate limits off): orders per second, API calls per order (goal
   1.02 or less), and the ratio to the time the ORM alone needs to create and confirm the same
   orders in the same run (goal 1.3 or less).
2. Exports FBM stock for M offers: feeds sent and seconds (sending, then until Amazon is done).
3. Imports orders with the simulator enforcing the documented rates (scaled by --rate-scale for
   both sides, to keep the run short): throttled calls (goal 0) and seconds.
Everything in Odoo is rolled back at the end.
"""
import os
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import REPO, odoo_env, parse_args  # noqa: E402

sys.path.insert(0, REPO)
from marketplace_simulator.core import serve_in_thread  # noqa: E402


def account(env, base_url, name):
    instance = env["marketplace.instance"].create({
        "name": name, "marketplace": "amazon", "amazon_seller_id": "SIMSELLER1",
        "amazon_refresh_token": "sim-refresh-token", "amazon_lwa_client_id": "sim-lwa-client",
        "amazon_lwa_client_secret": "sim-lwa-secret", "api_base_url": base_url + "/amazon",
        "queue_batch_limit": 100,
        "workflow_id": env["marketplace.workflow"].create({"name": name, "confirm_order": True}).id,
    })
    instance.action_confirm()
    instance._job("import_orders").cursor = "2020-01-01 00:00:00"
    return instance


def figures(instance):
    log = instance.env["marketplace.log"].search(
        [("instance_id", "=", instance.id), ("job", "=", "import_orders")], order="id desc", limit=1)
    return log.api_calls, log.throttled_calls


def orm_only(env, sales):
    """The same orders made with plain ORM calls: a customer with its address, the order and
    its lines, confirmation, and for FBA orders the done delivery."""
    started = time.perf_counter()
    for sale in sales:
        source = sale.partner_id
        partner = env["res.partner"].create({
            "name": source.name, "email": source.email, "street": source.street, "city": source.city,
            "zip": source.zip, "country_id": source.country_id.id,
        })
        copy = env["sale.order"].create({
            "partner_id": partner.id,
            "warehouse_id": sale.warehouse_id.id,
            "pricelist_id": sale.pricelist_id.id,
            "order_line": [(0, 0, {"product_id": l.product_id.id, "name": l.name, "product_uom_qty": l.product_uom_qty,
                                   "price_unit": l.price_unit, "tax_id": [(6, 0, l.tax_id.ids)]})
                           for l in sale.order_line],
        })
        if sale.state == "sale":
            copy.action_confirm()
        if sale.marketplace_fulfilment == "marketplace":
            for move in copy.picking_ids.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            copy.picking_ids._action_done()
    env.flush_all()
    return time.perf_counter() - started


def bench_import(env, base_url, count):
    requests.post(base_url + "/_sim/reset", json={"seed": 3, "sizes": {"amazon": {"orders": count, "products": 300}},
                                                 "rate_limits": False}).raise_for_status()
    instance = account(env, base_url, "Bench import")
    env.flush_all()
    started = time.perf_counter()
    instance.action_import_orders()
    env.flush_all()
    download = time.perf_counter() - started
    instance.action_process_queues()
    env.flush_all()
    seconds = time.perf_counter() - started
    sales = env["sale.order"].search([("marketplace_instance_id", "=", instance.id)])
    lines = env["marketplace.queue.line"].search([("instance_id", "=", instance.id)])
    calls, throttled = figures(instance)
    orm_seconds = orm_only(env, sales)
    print("import: %d orders queued, %d sale orders, %d failed lines" % (
        len(lines), len(sales), len(lines.filtered(lambda l: l.state == "failed"))))
    print("import: %.1f s (%.1f s downloading and queuing), %.1f orders/s; API calls %d, %.3f per order "
          "(goal 1.02 or less); throttled %d" % (
              seconds, download, len(lines) / seconds, calls, calls / max(len(lines), 1), throttled))
    print("ORM only, same orders: %.1f s; ratio import/ORM %.2f (goal 1.3 or less)" % (
        orm_seconds, seconds / orm_seconds))


def bench_stock(env, base_url, count, server):
    products = max(count // 2 + 300, 50)
    requests.post(base_url + "/_sim/reset", json={"seed": 5, "sizes": {"amazon": {"orders": 1, "products": products}},
                                                 "rate_limits": False}).raise_for_status()
    requests.post(base_url + "/_sim/amazon/feed_timing", json={"stage_seconds": 0}).raise_for_status()
    # the simulator runs in this process: read its catalogue directly (its state view lists
    # only the offers touched once the catalogue is large)
    skus = sorted(server.sim.marketplaces["amazon"].offers)[:count]
    instance = account(env, base_url, "Bench stock")
    items = env["product.product"].create([{"name": s, "default_code": s, "type": "product"} for s in skus])
    env["marketplace.listing"].create([{"instance_id": instance.id, "sku": s, "product_id": p.id}
                                       for s, p in zip(skus, items)])
    stock = instance.warehouse_id.lot_stock_id
    env["stock.quant"].create([{"product_id": p.id, "location_id": stock.id, "quantity": i % 50}
                               for i, p in enumerate(items)])
    env.flush_all()
    started = time.perf_counter()
    instance.action_export_inventory()
    sent = time.perf_counter() - started
    exports = env["marketplace.export"].search
    while exports([("instance_id", "=", instance.id), ("state", "in", ("sending", "pending", "uncertain"))]):
        instance.action_check_results()
    done = time.perf_counter() - started
    feeds = exports([("instance_id", "=", instance.id)])
    print("stock export: %d offers, %d feeds, %.1f s to send, %.1f s until Amazon's results were recorded "
          "(%d accepted, %d rejected)" % (len(skus), len(feeds), sent, done,
                                         sum(feeds.mapped("accepted_count")), sum(feeds.mapped("rejected_count"))))
    started = time.perf_counter()
    instance.action_export_inventory()
    print("stock export again, nothing changed: %d new feeds, %.1f s" % (
        len(exports([("instance_id", "=", instance.id)]) - feeds), time.perf_counter() - started))


def bench_rates(env, base_url, count, scale):
    requests.post(base_url + "/_sim/reset", json={"seed": 9, "sizes": {"amazon": {"orders": count, "products": 100}},
                                                 "rate_limits": True, "rate_scale": scale}).raise_for_status()
    env["ir.config_parameter"].set_param("marketplace_amazon.rate_scale", str(scale))
    instance = account(env, base_url, "Bench rates")
    started = time.perf_counter()
    instance.action_import_orders()
    seconds = time.perf_counter() - started
    calls, throttled = figures(instance)
    print("documented rates (x%s on both sides): %d calls in %.1f s, %d throttled (goal 0)" % (
        scale, calls, seconds, throttled))


def main():
    args = parse_args(__doc__, orders={"type": int, "default": 1000}, offers={"type": int, "default": 10000},
                      throttled_orders={"type": int, "default": 200}, rate_scale={"type": float, "default": 10.0})
    server, base_url = serve_in_thread(port=0, rate_limits=False)
    import logging
    logging.getLogger("marketplace_simulator").setLevel(logging.WARNING)
    try:
        with odoo_env(args.db) as env:
            # rate limits off in the simulator: no client-side pacing either
            env["ir.config_parameter"].set_param("marketplace_amazon.rate_scale", "100000")
            bench_import(env, base_url, args.orders)
            bench_stock(env, base_url, args.offers, server)
            bench_rates(env, base_url, args.throttled_orders, args.rate_scale)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
