from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestStockQuantities(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.instance.warehouse_id
        cls.stock = cls.warehouse.lot_stock_id
        cls.other = cls.env["stock.warehouse"].create({"name": "Elsewhere", "code": "ELSW"})
        cls.customer = cls.env["res.partner"].create({"name": "Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Vendor"})

    def _picking(self, picking_type, product, qty):
        picking = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id,
            "partner_id": (self.customer if picking_type.code == "outgoing" else self.vendor).id,
            "location_id": picking_type.default_location_src_id.id or self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": picking_type.default_location_dest_id.id or self.env.ref("stock.stock_location_customers").id,
            "move_ids": [(0, 0, {"name": product.name, "product_id": product.id, "product_uom_qty": qty,
                                 "product_uom": product.uom_id.id,
                                 "location_id": picking_type.default_location_src_id.id or self.env.ref("stock.stock_location_suppliers").id,
                                 "location_dest_id": picking_type.default_location_dest_id.id or self.env.ref("stock.stock_location_customers").id})],
        })
        picking.action_confirm()
        picking.action_assign()
        return picking

    def test_each_basis_counts_only_the_instance_warehouse(self):
        product, negative, _third = self.products
        self.env["stock.quant"]._update_available_quantity(product, self.stock, 10)
        self.env["stock.quant"]._update_available_quantity(product, self.other.lot_stock_id, 50)
        self._picking(self.warehouse.out_type_id, product, 3)  # reserves 3
        self._picking(self.warehouse.in_type_id, product, 4)   # 4 incoming
        self.env["stock.quant"]._update_available_quantity(negative, self.stock, -2)
        service = self.env["product.product"].create({"name": "Service", "type": "service"})
        products = self.products | service
        free = products._marketplace_export_quantities(self.warehouse, "free")
        on_hand = products._marketplace_export_quantities(self.warehouse, "on_hand")
        forecast = products._marketplace_export_quantities(self.warehouse, "forecast")
        self.assertEqual((free[product.id], on_hand[product.id], forecast[product.id]), (7, 10, 11))
        self.assertEqual(on_hand[negative.id], 0, "nothing below zero is exported")
        self.assertEqual(free[service.id], 0)

    def test_queries_do_not_grow_with_products(self):
        many = self.env["product.product"].create([
            {"name": "Bulk %s" % i, "type": "product"} for i in range(200)
        ])
        for product in many[:50]:
            self.env["stock.quant"]._update_available_quantity(product, self.stock, 1)
        counts = []
        for products in (many[:10], many):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            products._marketplace_export_quantities(self.warehouse, "free")
            counts.append(self.env.cr.sql_log_count - before)
        self.assertLessEqual(counts[1], counts[0] + 2, "a handful of queries whatever the number of products")

    def test_inventory_import_skips_tracked_products(self):
        plain, lot_tracked, serial_tracked = self.products
        lot_tracked.tracking = "lot"
        serial_tracked.tracking = "serial"
        location = self.other.lot_stock_id
        log = self.env["marketplace.log"].create({"instance_id": self.instance.id, "job": "import_inventory"})
        self.instance.log_level = "all"
        quants = self.env["stock.quant"]._marketplace_apply_inventory(
            location, {plain: 8, lot_tracked: 5, serial_tracked.id: 1}, validate=True, log=log)
        self.assertEqual(quants.product_id, plain)
        self.assertEqual(plain.with_context(location=location.id).qty_available, 8)
        self.assertEqual(lot_tracked.with_context(location=location.id).qty_available, 0)
        skipped = log.line_ids.mapped("message")
        self.assertTrue(any(lot_tracked.display_name in m for m in skipped))
        self.assertTrue(any(serial_tracked.display_name in m for m in skipped))

    def test_inventory_count_waits_for_a_person_unless_validated(self):
        plain = self.products[0]
        location = self.other.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(plain, location, 2)
        quant = self.env["stock.quant"]._marketplace_apply_inventory(location, {plain: 9}, validate=False)
        self.assertEqual(quant.quantity, 2, "not applied yet")
        self.assertEqual(quant.inventory_quantity, 9)
        self.assertTrue(quant.inventory_quantity_set)
        self.env["stock.quant"]._marketplace_apply_inventory(location, {plain: 9}, validate=True)
        self.assertEqual(plain.with_context(location=location.id).qty_available, 9)
