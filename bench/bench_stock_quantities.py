"""Seconds and SQL queries to compute the quantities to export for many products.

    python3 bench/bench_stock_quantities.py [--db marketplace_test] [--products 10000]

In one transaction rolled back at the end: creates a marketplace instance (the first
marketplace of the selection), N storable products with stock in its warehouse, some stock in
another warehouse (which must not count), a delivery reserving and a receipt bringing some of
them; then, for each stock basis, prints the seconds and SQL queries that
`_marketplace_export_quantities` takes for the N products. Prints figures, asserts nothing.
Database settings: PGHOST/PGPORT/PGUSER/PGPASSWORD, else the repository's odoo.conf.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import odoo_env, parse_args  # noqa: E402

MOVED = 1000  # products also on a delivery and on a receipt


def make_stock(env, count):
    """N storable products with quants in the instance's warehouse, plus moves and stock
    elsewhere, so that every query has real rows to group."""
    Instance = env["marketplace.instance"]
    code = Instance._fields["marketplace"]._description_selection(env)[0][0]
    instance = Instance.create({"name": "Stock bench", "marketplace": code})
    warehouse = instance.warehouse_id
    other = env["stock.warehouse"].create({"name": "Stock bench elsewhere", "code": "SBEW"})
    products = env["product.product"].create(
        [
            {"name": "Stock bench %d" % i, "default_code": "SQB-%06d" % i, "type": "product"}
            for i in range(count)
        ]
    )
    env["stock.quant"].create(
        [
            {"product_id": p.id, "location_id": warehouse.lot_stock_id.id, "quantity": (i % 37) + 1}
            for i, p in enumerate(products)
        ]
        + [
            {"product_id": p.id, "location_id": other.lot_stock_id.id, "quantity": 5}
            for p in products[:MOVED]
        ]
    )
    for picking_type in (warehouse.out_type_id, warehouse.in_type_id):
        picking = env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": picking_type.default_location_src_id.id
                or env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": picking_type.default_location_dest_id.id
                or env.ref("stock.stock_location_customers").id,
            }
        )
        env["stock.move"].create(
            [
                {
                    "name": p.name,
                    "product_id": p.id,
                    "product_uom_qty": 1,
                    "product_uom": p.uom_id.id,
                    "picking_id": picking.id,
                    "location_id": picking.location_id.id,
                    "location_dest_id": picking.location_dest_id.id,
                }
                for p in products[:MOVED]
            ]
        )
        picking.action_confirm()
        picking.action_assign()
    env.flush_all()
    return instance, products


def main():
    args = parse_args(__doc__, products={"type": int, "default": 10000})
    with odoo_env(args.db) as env:
        started = time.perf_counter()
        instance, products = make_stock(env, args.products)
        print(
            "setup: %d products, %d on a delivery and a receipt: %.1f s"
            % (args.products, min(MOVED, args.products), time.perf_counter() - started)
        )
        for basis in ("free", "on_hand", "forecast"):
            env.invalidate_all()
            products = products.browse(products.ids)  # a fresh recordset: nothing read yet
            queries = env.cr.sql_log_count
            started = time.perf_counter()
            quantities = products._marketplace_export_quantities(instance.warehouse_id, basis)
            seconds = time.perf_counter() - started
            print(
                "export quantities, %-8s %d products: %.2f s, %d SQL queries (total %d units)"
                % (
                    basis + ",",
                    len(quantities),
                    seconds,
                    env.cr.sql_log_count - queries,
                    sum(quantities.values()),
                )
            )


if __name__ == "__main__":
    main()
