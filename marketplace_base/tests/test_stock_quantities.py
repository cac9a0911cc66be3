from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestStockQuantities(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.instance.warehouse_id
        cls.stock = cls.warehouse.lot_stock_id
        cls.shelf = cls.env["stock.location"].create({"name": "Shelf", "location_id": cls.stock.id})
        cls.other = cls.env["stock.warehouse"].create({"name": "Elsewhere", "code": "ELSW"})
        cls.customer = cls.env["res.partner"].create({"name": "Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Vendor"})
        cls.Quant = cls.env["stock.quant"]

    def _picking(self, picking_type, product, qty):
        """A confirmed picking of the warehouse, reserved as far as the stock allows."""
        source = picking_type.default_location_src_id or self.env.ref("stock.stock_location_suppliers")
        dest = picking_type.default_location_dest_id or self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": (self.customer if picking_type.code == "outgoing" else self.vendor).id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _export(self, products, basis):
        return products._marketplace_export_quantities(self.warehouse, basis)

    # export ------------------------------------------------------------------------------------
    def test_each_basis_counts_only_the_instance_warehouse(self):
        stocked, short, incoming = self.products
        # stocked: 10 on hand (9 in stock, 1 on a shelf inside it), 3 reserved, 4 incoming.
        self.Quant._update_available_quantity(stocked, self.stock, 9)
        self.Quant._update_available_quantity(stocked, self.shelf, 1)
        self.Quant._update_available_quantity(stocked, self.other.lot_stock_id, 50)  # not ours
        delivery = self._picking(self.warehouse.out_type_id, stocked, 3)
        self._picking(self.warehouse.in_type_id, stocked, 4)
        self._picking(self.other.in_type_id, stocked, 100)  # incoming elsewhere: not ours
        self.assertEqual(delivery.state, "assigned")
        # short: 2 on hand, all of them reserved by a delivery of 5.
        self.Quant._update_available_quantity(short, self.stock, 2)
        self._picking(self.warehouse.out_type_id, short, 5)
        # incoming: nothing on hand, 6 on a receipt.
        self._picking(self.warehouse.in_type_id, incoming, 6)
        service = self.env["product.product"].create({"name": "Service", "type": "service"})
        consumable = self.env["product.product"].create({"name": "Consumable", "type": "consu"})
        products = self.products | service | consumable

        expected = {  # basis: (stocked, short, incoming, service, consumable)
            "free": (7, 0, 0, 0, 0),
            "on_hand": (10, 2, 0, 0, 0),
            "forecast": (11, 0, 6, 0, 0),  # short: 2 - 5 = -3, exported as 0
        }
        for basis, figures in expected.items():
            quantities = self._export(products, basis)
            self.assertEqual(tuple(quantities[p.id] for p in products), figures, basis)

    def test_figures_match_odoo_fields(self):
        """What is exported is what the merchant reads on the product in that warehouse."""
        product = self.products[0]
        self.Quant._update_available_quantity(product, self.stock, 12)
        self._picking(self.warehouse.out_type_id, product, 5)
        self._picking(self.warehouse.in_type_id, product, 2)
        in_warehouse = product.with_context(warehouse=self.warehouse.id)
        for basis, field in (
            ("free", "free_qty"),
            ("on_hand", "qty_available"),
            ("forecast", "virtual_available"),
        ):
            self.assertEqual(self._export(product, basis)[product.id], in_warehouse[field], basis)

    def test_a_location_in_the_context_does_not_narrow_the_warehouse(self):
        product = self.products[0]
        self.Quant._update_available_quantity(product, self.stock, 4)
        self.Quant._update_available_quantity(product, self.shelf, 1)
        products = product.with_context(location=self.shelf.id)
        self.assertEqual(products._marketplace_export_quantities(self.warehouse, "on_hand")[product.id], 5)

    def test_queries_do_not_grow_with_products(self):
        many = self.env["product.product"].create(
            [{"name": "Bulk %s" % i, "type": "product"} for i in range(200)]
        )
        for i, product in enumerate(many):
            if i % 4 == 0:
                self.Quant._update_available_quantity(product, self.stock, i + 1)
        self._picking(self.warehouse.out_type_id, many[0], 1)
        self._picking(self.warehouse.in_type_id, many[1], 1)
        counts = {}
        for products in (many[:10], many):
            for basis in ("free", "forecast"):
                self.env.flush_all()
                self.env.invalidate_all()
                fresh = self.env["product.product"].browse(products.ids)
                before = self.env.cr.sql_log_count
                quantities = fresh._marketplace_export_quantities(self.warehouse, basis)
                counts[len(products), basis] = self.env.cr.sql_log_count - before
                self.assertEqual(len(quantities), len(products))
        self.assertEqual(counts[10, "free"], counts[200, "free"], counts)
        self.assertEqual(counts[10, "forecast"], counts[200, "forecast"], counts)
        self.assertLessEqual(counts[200, "free"], 10, "a handful of queries")

    # import ------------------------------------------------------------------------------------
    def _log(self):
        self.instance.log_level = "all"
        return self.env["marketplace.log"].create(
            {"instance_id": self.instance.id, "job": "import_inventory"}
        )

    def _location_qty(self, product, location):
        return product.with_context(location=location.id).qty_available

    def test_inventory_import_skips_tracked_products(self):
        plain, lot_tracked, serial_tracked = self.products
        lot_tracked.tracking = "lot"
        serial_tracked.tracking = "serial"
        service = self.env["product.product"].create({"name": "Gift Wrapping", "type": "service"})
        location = self.other.lot_stock_id
        log = self._log()
        quants = self.Quant._marketplace_apply_inventory(
            location, {plain: 8, lot_tracked: 5, serial_tracked.id: 1, service: 3}, validate=True, log=log
        )

        self.assertEqual(quants.product_id, plain)
        self.assertEqual((quants.quantity, quants.inventory_quantity_set), (8, False))
        self.assertEqual(self._location_qty(plain, location), 8)
        untouched = self.Quant.search([("product_id", "in", (lot_tracked | serial_tracked | service).ids)])
        self.assertFalse(untouched, "skipped products get no quant")
        move = self.env["stock.move"].search([("product_id", "=", plain.id), ("is_inventory", "=", True)])
        self.assertEqual((move.state, move.quantity, move.name), ("done", 8, "Marketplace stock import"))

        messages = log.line_ids.mapped("message")
        self.assertEqual(len(messages), 3, messages)
        for product in (lot_tracked, serial_tracked):
            self.assertTrue(
                any(product.display_name in m and "tracked by lot or serial" in m for m in messages)
            )
        self.assertTrue(any(service.display_name in m and "not a storable product" in m for m in messages))
        self.assertEqual(set(log.line_ids.mapped("res_id")), {lot_tracked.id, serial_tracked.id, service.id})
        self.assertEqual(log.error_count, 0, "a skipped product is no error")

    def test_inventory_count_waits_for_a_person_unless_validated(self):
        plain, newcomer, _third = self.products
        location = self.other.lot_stock_id
        self.Quant._update_available_quantity(plain, location, 2)
        quants = self.Quant._marketplace_apply_inventory(location, {plain: 9, newcomer.id: 4}, validate=False)
        self.assertEqual(quants.product_id, plain | newcomer)
        for quant, (quantity, counted) in zip(quants, ((2, 9), (0, 4))):
            self.assertEqual(quant.location_id, location)
            self.assertEqual(
                (quant.quantity, quant.inventory_quantity, quant.inventory_quantity_set),
                (quantity, counted, True),
                "counted, not applied yet",
            )
        self.assertEqual(self._location_qty(plain, location), 2)

        # Stock moved before anyone applied the count: the marketplace's new figure still wins.
        self.Quant._update_available_quantity(plain, location, 1)
        quants = self.Quant._marketplace_apply_inventory(location, {plain: 9, newcomer: 4}, validate=True)
        self.assertEqual(
            (self._location_qty(plain, location), self._location_qty(newcomer, location)), (9, 4)
        )
        self.assertEqual(quants.mapped("inventory_quantity_set"), [False, False])
        self.assertEqual(quants.mapped("inventory_quantity"), [0, 0])

    def test_unchanged_stock_needs_no_move(self):
        plain, absent, _third = self.products
        location = self.other.lot_stock_id
        self.Quant._update_available_quantity(plain, location, 5)
        quants = self.Quant._marketplace_apply_inventory(location, {plain: 5, absent: 0}, validate=True)
        self.assertEqual(quants.product_id, plain, "no quant is created for nothing")
        self.assertEqual(
            (quants.quantity, quants.inventory_quantity_set, quants.inventory_diff_quantity), (5, False, 0)
        )
        self.assertFalse(self.env["stock.move"].search([("product_id", "in", self.products.ids)]))

    def test_stock_lands_in_the_location_given(self):
        product = self.products[0]
        self.Quant._update_available_quantity(product, self.stock, 3)
        location = self.other.lot_stock_id
        self.Quant._marketplace_apply_inventory(location, {product: 7}, validate=True)
        self.assertEqual(self._location_qty(product, location), 7)
        self.assertEqual(self._location_qty(product, self.stock), 3, "the merchant's own stock is untouched")
