"""Orders per second through the queue, against the ORM creating the same orders directly;
and the time to compute export quantities for many products.

    python3 bench/bench_order_queue.py [--db marketplace_test] [--orders 1000] [--products 10000]

Feeds N marketplace-neutral orders (3 lines each; half from returning customers) through an
order queue processed by the instance (workflow: confirm), and, in the same run, creates and
confirms the same orders with plain ORM calls (partner lookup or creation, sale.order with its
lines, action_confirm). Prints both rates and their ratio (goal: 1.3 or less). Then creates
N storable products with stock and prints the seconds and SQL queries to compute their export
quantities for each stock basis. Everything is rolled back at the end.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import odoo_env, parse_args  # noqa: E402


def neutral_orders(count, prefix, skus):
    """Orders of `count // 2` distinct buyers, each ordering twice (new, then returning)."""
    orders = []
    for i in range(count):
        buyer = i // 2
        orders.append(
            {
                "external_id": "%s-%06d" % (prefix, i),
                "date_order": "2026-11-20T10:00:00Z",
                "currency": "USD",
                "customer": {
                    "name": "Buyer %d" % buyer,
                    "email": "buyer%d@%s.example.com" % (buyer, prefix.lower()),
                },
                "invoice_address": {
                    "name": "Buyer %d" % buyer,
                    "street": "Main Street %d" % buyer,
                    "city": "Springfield",
                    "zip": "%05d" % buyer,
                    "country_code": "US",
                },
                "lines": [
                    {
                        "sku": skus[(i + k) % len(skus)],
                        "name": "Item",
                        "quantity": 1 + k,
                        "unit_price": 10.0 + k,
                    }
                    for k in range(3)
                ],
                "shipping": {"amount": 4.5},
            }
        )
    return orders


def orm_direct(env, orders, products_by_sku, warehouse):
    """What a hand-written import would do at least: find/create the buyer, create the order
    with its product and shipping lines, confirm."""
    Partner = env["res.partner"]
    shipping = env.ref("marketplace_base.product_marketplace_delivery")
    for order in orders:
        email = order["customer"]["email"]
        partner = Partner.search([("email", "=ilike", email)], limit=1) or Partner.create(
            {
                "name": order["customer"]["name"],
                "email": email,
                "street": order["invoice_address"]["street"],
                "zip": order["invoice_address"]["zip"],
            }
        )
        sale = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": warehouse.id,
                "client_order_ref": order["external_id"],
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": products_by_sku[line["sku"]].id,
                            "product_uom_qty": line["quantity"],
                            "price_unit": line["unit_price"],
                        },
                    )
                    for line in order["lines"]
                ]
                + [
                    (
                        0,
                        0,
                        {
                            "product_id": shipping.id,
                            "product_uom_qty": 1,
                            "price_unit": order["shipping"]["amount"],
                            "is_delivery": True,
                        },
                    )
                ],
            }
        )
        sale.action_confirm()
    env.flush_all()


def export_quantities(env, instance, count):
    products = env["product.product"].create(
        [
            {"name": "Stock bench %d" % i, "default_code": "SB-%06d" % i, "type": "product"}
            for i in range(count)
        ]
    )
    stock = instance.warehouse_id.lot_stock_id
    Quant = env["stock.quant"]
    Quant.create(
        [
            {"product_id": p.id, "location_id": stock.id, "quantity": (i % 37) + 1}
            for i, p in enumerate(products)
        ]
    )
    env.flush_all()
    for basis in ("free", "on_hand", "forecast"):
        env.invalidate_all()
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        quantities = products._marketplace_export_quantities(instance.warehouse_id, basis)
        seconds = time.perf_counter() - started
        print(
            "export quantities, %s, %d products: %.2f s, %d queries (total %d units)"
            % (basis, count, seconds, env.cr.sql_log_count - queries, sum(quantities.values()))
        )


def main():
    args = parse_args(
        __doc__, orders={"type": int, "default": 1000}, products={"type": int, "default": 10000}
    )
    with odoo_env(args.db) as env:
        skus = ["BENCH-%03d" % i for i in range(30)]
        products = env["product.product"].create(
            [
                {"name": "Bench %s" % sku, "default_code": sku, "type": "consu", "invoice_policy": "order"}
                for sku in skus
            ]
        )
        by_sku = dict(zip(skus, products))
        code = "generic"
        workflow = env["marketplace.workflow"].create({"name": "Bench confirm", "confirm_order": True})
        instance = env["marketplace.instance"].create(
            {
                "name": "Bench",
                "marketplace": code,
                "workflow_id": workflow.id,
                "queue_batch_limit": 100,
            }
        )
        env.flush_all()

        started = time.perf_counter()
        orm_direct(env, neutral_orders(args.orders, "ORM", skus), by_sku, instance.warehouse_id)
        orm_seconds = time.perf_counter() - started

        orders = neutral_orders(args.orders, "QUEUE", skus)
        started = time.perf_counter()
        env["marketplace.queue"]._enqueue(instance, "order", [(o["external_id"], o) for o in orders])
        instance.action_process_queues()
        env.flush_all()
        queue_seconds = time.perf_counter() - started

        lines = env["marketplace.queue.line"].search([("instance_id", "=", instance.id)])
        done = len(lines.filtered(lambda l: l.state == "done"))
        print("orders: %d (3 lines each, %d customers)" % (args.orders, args.orders // 2))
        print("queue lines done: %d, failed: %d" % (done, len(lines) - done))
        print("ORM direct:  %.1f s, %.1f orders/s" % (orm_seconds, args.orders / orm_seconds))
        print("queue:       %.1f s, %.1f orders/s" % (queue_seconds, args.orders / queue_seconds))
        print("ratio queue/ORM: %.2f (goal 1.3 or less)" % (queue_seconds / orm_seconds))
        export_quantities(env, instance, args.products)


if __name__ == "__main__":
    main()
