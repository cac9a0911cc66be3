#!/usr/bin/env python3
"""The README's screenshots ("What a merchant sees"), taken from a real Odoo on demo data.

Starts the marketplace simulator and an Odoo server on a fresh demo database, imports the demo
instances' orders from the simulator (the Amazon account last), leaves one Amazon queue line failed
(an order whose payload was cut off on its way), then photographs with headless Chromium (1280x800):

    docs/dashboard.png   Marketplaces > Dashboard
    docs/instance.png    the Amazon instance
    docs/queue.png       an order queue with its failed line
    docs/order.png       an imported order

Needs Odoo 17 (importable by python3, or --odoo-path), PostgreSQL, Debian's chromium and
chromium-driver, and selenium for Python (`pip install "selenium>=4.10,<4.16"`: later versions
require urllib3 2, while Odoo 17 pins urllib3 1.26). Everything listens on 127.0.0.1 only.

    python3 tools/readme_screenshots.py [--db marketplace_screens] [--port 8979] [--sim-port 8790]
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDONS = "marketplace_base,marketplace_amazon,marketplace_bigcommerce,marketplace_bol"
VIEWPORT = (1280, 800)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="marketplace_screens", help="demo database (dropped and made anew)")
    parser.add_argument("--port", type=int, default=8979, help="Odoo's HTTP port")
    parser.add_argument("--sim-port", type=int, default=8790, help="the simulator's port")
    parser.add_argument("--out", default=str(REPO / "docs"), help="where the PNG files go")
    parser.add_argument("--odoo-path", default=os.environ.get("ODOO_PATH"), help="an Odoo 17 source tree")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-port", default=os.environ.get("PGPORT", "5432"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "odoo"))
    parser.add_argument("--db-password", default=os.environ.get("PGPASSWORD", "odoo"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# servers -----------------------------------------------------------------------------------------
def odoo_command(args, *extra):
    addons = "%s/addons,%s" % (args.odoo_path, REPO) if args.odoo_path else str(REPO)
    if not args.odoo_path:
        import odoo  # noqa: F401  (Odoo must be importable: its own addons path is added by Odoo)

        addons = "%s,%s" % (os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons"), REPO)
    launcher = 'import sys; sys.argv[0] = "odoo"; import odoo; odoo.cli.main()'
    env_path = [args.odoo_path] if args.odoo_path else []
    return (
        [
            sys.executable,
            "-c",
            launcher,
            "-d",
            args.db,
            "--db_host",
            args.db_host,
            "--db_port",
            str(args.db_port),
            "-r",
            args.db_user,
            "-w",
            args.db_password,
            "--addons-path",
            addons,
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(args.port),
            "--db-filter",
            "^%s$" % args.db,
            "--max-cron-threads",
            "0",
        ]
        + list(extra),
        env_path,
    )


def odoo_env(args, paths):
    env = dict(
        os.environ,
        MARKETPLACE_SIMULATOR_URL="http://127.0.0.1:%d" % args.sim_port,
        PGPASSWORD=args.db_password,
    )
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
    return env


def wait_for(url, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2)
            return
        time.sleep(0.5)
    raise SystemExit("%s did not answer within %d seconds" % (url, seconds))


@contextlib.contextmanager
def process(command, env=None, log=None):
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def make_database(args):
    subprocess.run(
        ["dropdb", "--if-exists", "-h", args.db_host, "-p", str(args.db_port), "-U", args.db_user, args.db],
        env=dict(os.environ, PGPASSWORD=args.db_password),
        check=True,
    )
    command, paths = odoo_command(args, "-i", ADDONS, "--stop-after-init", "--log-level", "warn")
    print("Installing %s with demo data in %s..." % (ADDONS, args.db), flush=True)
    subprocess.run(command, cwd=REPO, env=odoo_env(args, paths), check=True)


# demo data ---------------------------------------------------------------------------------------
class Rpc:
    def __init__(self, args):
        url = "http://127.0.0.1:%d/xmlrpc/2/" % args.port
        self.db = args.db
        self.uid = xmlrpc.client.ServerProxy(url + "common").authenticate(args.db, "admin", "admin", {})
        self.models = xmlrpc.client.ServerProxy(url + "object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, "admin", model, method, list(args), kwargs)


def prepare_data(rpc):
    """The merchant's first hour: Import Orders, Process Queues, and one order whose payload was
    cut off on its way (its line fails, with the reason)."""
    for marketplace in ("bigcommerce", "bol", "amazon"):
        [instance] = rpc("marketplace.instance", "search", [("marketplace", "=", marketplace)], limit=1)
        print("Importing the demo %s orders from the simulator..." % marketplace, flush=True)
        rpc("marketplace.instance", "action_import_orders", [instance])
        rpc("marketplace.instance", "action_process_queues", [instance])
    [line] = rpc(
        "marketplace.queue.line",
        "search_read",
        [("instance_id", "=", instance), ("state", "=", "done")],
        ["name", "payload"],
        limit=1,
    )
    # An answer cut off on its way (half of a real order's payload): its line fails, with the reason.
    queue = rpc("marketplace.queue", "create", {"instance_id": instance, "kind": "order"})
    rpc(
        "marketplace.queue.line",
        "create",
        {
            "queue_id": queue,
            "name": line["name"] + "-CUT",
            "payload": line["payload"][: len(line["payload"]) // 2],
        },
    )
    rpc("marketplace.queue", "action_process", [queue])
    orders = rpc("sale.order", "search", [("marketplace_instance_id", "=", instance)], order="id")
    matching = rpc(
        "sale.order",
        "search",
        [("marketplace_instance_id", "=", instance), ("marketplace_needs_matching", "=", True)],
        limit=1,
    )
    if not orders:
        raise SystemExit("No order was imported: is the simulator answering?")
    [admin] = rpc("res.users", "read", [rpc.uid], ["tz", "company_id", "company_ids"])
    # every company of the demo at once (the Amazon and Bol.com accounts are the European company's)
    companies = [admin["company_id"][0]] + [c for c in admin["company_ids"] if c != admin["company_id"][0]]
    return {
        "instance": instance,
        "queue": queue,
        "order": (matching or orders)[0],
        "tz": admin["tz"] or "UTC",
        "cids": ",".join(map(str, companies)),
    }


# pictures ----------------------------------------------------------------------------------------
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--window-size=%d,%d" % VIEWPORT,
    ):
        options.add_argument(flag)
    binary = next(
        (path for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(path)), None
    )
    if binary:
        options.binary_location = binary
    driver_path = next(
        (
            path
            for path in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
            if os.path.exists(path)
        ),
        None,
    )
    if not driver_path:
        raise SystemExit("chromedriver not found: apt-get install chromium-driver")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    # The page itself 1280x800, whatever the window's own bars take.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def wait_css(driver, selector, seconds=30):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, selector))
    )
    time.sleep(1.5)  # graphs and fonts settle


def shoot(driver, base, fragment, ready, path, cids=None):
    driver.get(base + "/web#" + fragment + ("&cids=%s" % cids if cids else ""))
    wait_css(driver, ready)
    driver.save_screenshot(str(path))
    shrink(path)
    print(
        "  %s (%d KB)"
        % (path.relative_to(REPO) if path.is_relative_to(REPO) else path, path.stat().st_size // 1024),
        flush=True,
    )


def shrink(path):
    """Fewer colours, same look: keeps the README's pictures small."""
    with contextlib.suppress(ImportError):
        from PIL import Image

        with Image.open(path) as image:
            image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
                path, optimize=True
            )


def take_pictures(args, records):
    from selenium.webdriver.common.by import By

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = "http://127.0.0.1:%d" % args.port
    driver = browser()
    # The browser in the merchant's timezone, as Odoo's own dates (the dashboard's) are.
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": records["tz"]})
    try:
        driver.get(base + "/web/login")
        wait_css(driver, "input[name=login]")
        driver.find_element(By.NAME, "login").send_keys("admin")
        driver.find_element(By.NAME, "password").send_keys("admin")
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_css(driver, ".o_main_navbar")
        print("Screenshots:", flush=True)
        shoot(
            driver,
            base,
            "action=marketplace_base.action_marketplace_dashboard",
            ".o_marketplace_dashboard .o_kanban_record .o_marketplace_graph canvas",
            out / "dashboard.png",
            records["cids"],
        )
        shoot(
            driver,
            base,
            "model=marketplace.instance&view_type=form&id=%d" % records["instance"],
            ".o_form_view .o_statusbar_buttons",
            out / "instance.png",
            records["cids"],
        )
        shoot(
            driver,
            base,
            "model=marketplace.queue&view_type=form&id=%d" % records["queue"],
            ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
            out / "queue.png",
            records["cids"],
        )
        shoot(
            driver,
            base,
            "action=marketplace_base.action_sale_order_marketplace&model=sale.order&view_type=form"
            "&id=%d" % records["order"],
            ".o_form_view .o_field_widget[name=marketplace_order_ref]",
            out / "order.png",
            records["cids"],
        )
    finally:
        driver.quit()


def main():
    args = parse_args()
    make_database(args)
    log = open(REPO / "var" / "screenshots-odoo.log", "wb") if (REPO / "var").is_dir() else None
    simulator = [
        sys.executable,
        "-m",
        "marketplace_simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(args.sim_port),
        "--seed",
        "1",
        "--no-rate-limits",
        "--quiet",
    ]
    command, paths = odoo_command(args, "--log-level", "warn")
    try:
        with process(simulator), process(command, env=odoo_env(args, paths), log=log):
            wait_for("http://127.0.0.1:%d/_sim/state" % args.sim_port)
            wait_for("http://127.0.0.1:%d/web/login" % args.port)
            records = prepare_data(Rpc(args))
            take_pictures(args, records)
    finally:
        if log:
            log.close()
        if not args.keep:
            subprocess.run(
                [
                    "dropdb",
                    "--if-exists",
                    "-h",
                    args.db_host,
                    "-p",
                    str(args.db_port),
                    "-U",
                    args.db_user,
                    args.db,
                ],
                env=dict(os.environ, PGPASSWORD=args.db_password),
                check=False,
            )


if __name__ == "__main__":
    main()
