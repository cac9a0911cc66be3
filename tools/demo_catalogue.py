#!/usr/bin/env python3
"""Writes the demo catalogues: the products the simulator sells (seed 1, default sizes, as docker
compose runs it) as CSV files the connectors' demo data turns into Odoo products with stock.

    python3 tools/demo_catalogue.py           # rewrite marketplace_<x>/data/demo_catalogue.csv
    python3 tools/demo_catalogue.py --check   # exit 1 when a file differs from the simulator

Columns: default_code (the SKU the marketplace sends), barcode (the EAN, where the connector
matches by it), name, list_price, qty_available (in the instance's warehouse).
tests/simulator/test_demo_catalogue.py checks that the files and the simulator agree.
"""

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from marketplace_simulator.core import Simulator  # noqa: E402

COLUMNS = ("default_code", "barcode", "name", "list_price", "qty_available")
SEED = 1
STOCK_MARGIN = 20  # on top of what the marketplace shows, so the first orders can be delivered


def amazon_rows(api):
    """Amazon matches by SKU; prices and stock of the home site (Amazon.de)."""
    for sku, product in api.products.items():
        offer = api.offers[sku]["A1PA6795UKMFR9"]
        yield sku, "", product["title"], offer["price"] / 100, offer["quantity"] + STOCK_MARGIN


def bigcommerce_rows(api):
    """BigCommerce matches by SKU: one Odoo product per sellable variant."""
    for product in api.product_list:
        for variant in product["variants"]:
            labels = ", ".join(value["label"] for value in variant["values"])
            name = "%s (%s)" % (product["name"], labels) if labels else product["name"]
            yield (
                variant["sku"],
                "",
                name,
                api._unit_price(variant) / 100,
                api.stock.get((variant["id"], 1), 0) + STOCK_MARGIN,
            )


def bol_rows(api):
    """Bol.com matches by EAN; FBB offers have no stock in the merchant's own warehouse."""
    for offer in api.offer_list:
        qty = offer["stock"] + STOCK_MARGIN if offer["m"] == "FBR" else 0
        yield offer["sku"], offer["ean"], offer["title"], offer["bundle"][0][1] / 100, qty


CATALOGUES = {"amazon": amazon_rows, "bigcommerce": bigcommerce_rows, "bol": bol_rows}


def path_of(marketplace):
    return REPO / ("marketplace_%s" % marketplace) / "data" / "demo_catalogue.csv"


def render(marketplace, sim=None):
    """The CSV text of one marketplace's demo catalogue."""
    sim = sim or Simulator(seed=SEED)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for code, barcode, name, price, qty in CATALOGUES[marketplace](sim.marketplaces[marketplace]):
        writer.writerow((code, barcode, name, "%.2f" % price, qty))
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    sim = Simulator(seed=SEED)
    stale = []
    for marketplace in CATALOGUES:
        text = render(marketplace, sim)
        path = path_of(marketplace)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(REPO)))
        else:
            path.write_text(text, encoding="utf-8")
            print("wrote %s (%d products)" % (path.relative_to(REPO), text.count("\n") - 1))
    if stale:
        print("out of step with the simulator: %s (run tools/demo_catalogue.py)" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
