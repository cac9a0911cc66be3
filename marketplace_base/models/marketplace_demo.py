import csv
import io
import os
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import file_open


class MarketplaceDemo(models.AbstractModel):
    """What every connector's demo data needs: the address of the local simulator, and the
    simulator's catalogue as Odoo products with stock, so demo orders match real products."""

    _name = "marketplace.demo"
    _description = "Marketplace Demo Data"

    @api.model
    def _simulator_url(self):
        """Where the local simulator answers: system parameter, else the environment, else localhost."""
        params = self.env["ir.config_parameter"].sudo()  # sudo: demo data set-up, a system parameter
        url = (
            params.get_param("marketplace.simulator_url")
            or os.environ.get("MARKETPLACE_SIMULATOR_URL")
            or "http://localhost:8700"
        )
        params.set_param("marketplace.simulator_url", url)
        return url.rstrip("/")

    @api.model
    def _ready(self, instance, xml_id, catalogue, days):
        """A confirmed demo instance, made ready to show orders: its catalogue's products with
        stock, the orders of the last days at the first import. Its daily jobs run on schedule as
        any confirmed instance's do (marketplace_job.JOBS)."""
        self._create_catalogue(catalogue, instance.warehouse_id)
        instance._job("import_orders").cursor = fields.Datetime.now() - timedelta(days=days)
        self.env["ir.model.data"]._update_xmlids([{"xml_id": xml_id, "record": instance, "noupdate": True}])
        return instance

    @api.model
    def _create_catalogue(self, csv_path, warehouse):
        """Products of a demo catalogue file (tools/demo_catalogue.py writes them from the
        simulator), with their quantity on hand in the warehouse. A product whose internal
        reference already exists is kept as it is. Returns the new products."""
        with file_open(csv_path, "rb") as handle:
            rows = list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))
        known = set(
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("default_code", "in", [row["default_code"] for row in rows])])
            .mapped("default_code")
        )
        rows = [row for row in rows if row["default_code"] not in known]
        products = self.env["product.product"].create(
            [
                {
                    "name": row["name"],
                    "default_code": row["default_code"],
                    "barcode": row["barcode"] or False,
                    "list_price": float(row["list_price"]),
                    "type": "product",
                }
                for row in rows
            ]
        )
        Quant = self.env["stock.quant"].sudo()  # sudo: demo data set-up, the catalogue's stock
        for product, row in zip(products, rows):
            if int(row["qty_available"]):
                Quant._update_available_quantity(product, warehouse.lot_stock_id, int(row["qty_available"]))
        return products
