"""The demo catalogues (marketplace_<x>/data/demo_catalogue.csv) are the products the simulator
sells as docker compose runs it: when the simulator's catalogue changes, demo orders would fall
back on the default product until tools/demo_catalogue.py is run again."""

import csv
import importlib.util

from conftest import REPO


def _tool():
    spec = importlib.util.spec_from_file_location("demo_catalogue", REPO / "tools" / "demo_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_catalogues_are_the_simulators_products():
    tool = _tool()
    for marketplace in tool.CATALOGUES:
        written = tool.path_of(marketplace).read_text(encoding="utf-8")
        assert written == tool.render(marketplace), "%s: run tools/demo_catalogue.py" % marketplace


def test_demo_catalogues_can_become_odoo_products():
    seen_codes = set()
    for marketplace in ("amazon", "bigcommerce", "bol"):
        with open(
            REPO / ("marketplace_%s" % marketplace) / "data" / "demo_catalogue.csv", encoding="utf-8"
        ) as f:
            rows = list(csv.DictReader(f))
        assert len(rows) > 20
        codes = [row["default_code"] for row in rows]
        assert len(set(codes)) == len(codes), "one product per SKU"
        assert not seen_codes & set(codes), "two marketplaces' SKUs would match the same product"
        seen_codes |= set(codes)
        barcodes = [row["barcode"] for row in rows if row["barcode"]]
        assert len(set(barcodes)) == len(barcodes), "Odoo refuses a barcode twice"
        assert all(float(row["list_price"]) > 0 for row in rows)
    assert barcodes, "Bol.com matches by EAN: its demo products carry them"
