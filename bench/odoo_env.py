"""Open an Odoo environment on a database where the suite is installed, for benchmarks.

Database settings come from PGHOST/PGPORT/PGUSER/PGPASSWORD, else from the repository's odoo.conf;
the database from --db (default: the test command's database, marketplace_test).
"""

import argparse
import configparser
import contextlib
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(description, **extra):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", default=os.environ.get("MARKETPLACE_TEST_DB", "marketplace_test"))
    for name, (kwargs) in extra.items():
        parser.add_argument("--" + name.replace("_", "-"), **kwargs)
    return parser.parse_args()


@contextlib.contextmanager
def odoo_env(db):
    """Yield a superuser environment; everything done in it is rolled back at the end."""
    odoo_path = os.environ.get("ODOO_PATH")
    if odoo_path:
        sys.path.insert(0, odoo_path)
    import odoo
    from odoo.tools import config

    conf = configparser.ConfigParser()
    conf.read(os.path.join(REPO, "odoo.conf"))
    opts = conf["options"] if conf.has_section("options") else {}
    odoo_dir = os.path.dirname(os.path.dirname(odoo.__file__))
    addons = [os.path.join(odoo_dir, "addons"), REPO]
    config.parse_config(
        [
            "--addons-path",
            ",".join(p for p in addons if os.path.isdir(p)),
            "--db_host",
            os.environ.get("PGHOST") or opts.get("db_host", "127.0.0.1"),
            "--db_port",
            os.environ.get("PGPORT") or opts.get("db_port", "5432"),
            "-r",
            os.environ.get("PGUSER") or opts.get("db_user", "odoo"),
            "-w",
            os.environ.get("PGPASSWORD") or opts.get("db_password", "odoo"),
            "--log-level",
            "warn",
        ]
    )
    registry = odoo.registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            yield env
        finally:
            cr.rollback()


def orm_only(env, sales):
    """The reference a benchmark compares the import with: the same orders made with plain ORM
    calls (a customer with its address, the order and its lines, confirmation, and for orders
    the marketplace or the merchant already shipped the done delivery). Returns seconds."""
    import time

    started = time.perf_counter()
    for sale in sales:
        source = sale.partner_id
        partner = env["res.partner"].create(
            {
                "name": source.name,
                "email": source.email,
                "street": source.street,
                "city": source.city,
                "zip": source.zip,
                "country_id": source.country_id.id,
            }
        )
        copy = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": sale.warehouse_id.id,
                "pricelist_id": sale.pricelist_id.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": l.product_id.id,
                            "name": l.name,
                            "product_uom_qty": l.product_uom_qty,
                            "price_unit": l.price_unit,
                            "tax_id": [(6, 0, l.tax_id.ids)],
                        },
                    )
                    for l in sale.order_line
                ],
            }
        )
        if sale.state == "sale":
            copy.action_confirm()
        if sale.marketplace_fulfilment == "marketplace" or sale.marketplace_shipped_outside:
            for move in copy.picking_ids.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            copy.picking_ids._action_done()
    env.flush_all()
    return time.perf_counter() - started


def timed_import(env, instance):
    """Import Orders then Process Queues, timed. Returns (seconds, seconds downloading and
    queuing, the instance's sale orders, its order queue lines)."""
    import time

    env.flush_all()
    started = time.perf_counter()
    instance.action_import_orders()
    env.flush_all()
    download = time.perf_counter() - started
    instance.action_process_queues()
    env.flush_all()
    seconds = time.perf_counter() - started
    sales = env["sale.order"].search([("marketplace_instance_id", "=", instance.id)])
    lines = env["marketplace.queue.line"].search([("instance_id", "=", instance.id), ("kind", "=", "order")])
    return seconds, download, sales, lines


def print_import(label, seconds, download, lines, calls, throttled):
    print(
        "%s: %.1f s (%.1f s downloading and queuing), %.1f orders/s; API calls %d, %.3f per order; "
        "throttled %d"
        % (label, seconds, download, len(lines) / seconds, calls, calls / max(len(lines), 1), throttled)
    )


def print_ratio(env, sales, seconds):
    """The ORM-only time of the same orders, and the import's ratio to it."""
    orm_seconds = orm_only(env, sales)
    print(
        "ORM only, same orders: %.1f s; ratio import/ORM %.2f (goal 1.3 or less)"
        % (orm_seconds, seconds / orm_seconds)
    )
