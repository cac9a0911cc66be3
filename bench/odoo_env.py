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
    config.parse_config([
        "--addons-path", ",".join(p for p in addons if os.path.isdir(p)),
        "--db_host", os.environ.get("PGHOST") or opts.get("db_host", "127.0.0.1"),
        "--db_port", os.environ.get("PGPORT") or opts.get("db_port", "5432"),
        "-r", os.environ.get("PGUSER") or opts.get("db_user", "odoo"),
        "-w", os.environ.get("PGPASSWORD") or opts.get("db_password", "odoo"),
        "--log-level", "warn",
    ])
    registry = odoo.registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            yield env
        finally:
            cr.rollback()
