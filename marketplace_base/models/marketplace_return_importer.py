from collections import OrderedDict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class MarketplaceReturnImporter(models.AbstractModel):
    """Import Returns: the returns a connector reads (hook `read_returns`: pages of neutral
    returns, schemas/returns.py) queued one line per return, then each made into a return
    picking per order (into the order's warehouse) and, for an invoiced order, a credit note.

    A return is imported once (marketplace.return is unique per instance and return id). A
    return whose goods are back is validated at once and its credit note posted; one the
    marketplace waits for (notify_on_receipt) stays ready until the merchant validates it,
    which exports the receipt (marketplace.shipment.exporter, hook `send_return`)."""

    _name = "marketplace.return.importer"
    _description = "Marketplace Return Import"

    # job -----------------------------------------------------------------------------------------
    @api.model
    def _run(self, instance, run):
        queue, queued, known = None, 0, 0
        for page in instance._hook("read_returns", required=True)(run.client):
            imported = set(
                self.env["marketplace.return"]
                .search([("instance_id", "=", instance.id), ("name", "in", [r["external_id"] for r in page])])
                .mapped("name")
            )
            records = [(r["external_id"], r) for r in page if r["external_id"] not in imported]
            known += len(page) - len(records)
            queue = self.env["marketplace.queue"]._enqueue(instance, "return", records, queue=queue) or queue
            queued += len(records)
            instance._maybe_commit()
        run.log._add(
            "success" if queued else "info",
            _("%(queued)s returns queued, %(known)s already imported.", queued=queued, known=known),
        )

    # one return ----------------------------------------------------------------------------------
    @api.model
    def _import(self, instance, ret, log=None):
        """A neutral return (schemas.returns.Return) -> its marketplace.return, made once."""
        Return = self.env["marketplace.return"]
        domain = [("instance_id", "=", instance.id), ("name", "=", ret.external_id)]
        existing = Return.search(domain, limit=1)
        if existing:
            return existing
        KeyLock = self.env["marketplace.key.lock"]
        KeyLock._lock("marketplace.return", instance.company_id, ("return", instance.id, ret.external_id))
        KeyLock._check_snapshot((Return, domain))
        by_order = OrderedDict()
        for line in ret.lines:
            by_order.setdefault(line.order_ref, []).append(line)
        sales, pickings, notes = self.env["sale.order"], self.env["stock.picking"], self.env["account.move"]
        for order_ref, lines in by_order.items():
            sale = self.env["sale.order"].search(
                [("marketplace_instance_id", "=", instance.id), ("marketplace_order_ref", "=", order_ref)],
                limit=1,
            )
            if not sale:
                raise UserError(
                    _(
                        "Return %(ret)s: order %(order)s is not in Odoo; import it, then Retry.",
                        ret=ret.external_id,
                        order=order_ref,
                    )
                )
            returned = [(line, self._sale_line(instance, sale, ret, line)) for line in lines]
            sales |= sale
            pickings |= self._picking(sale, ret, returned)
            notes |= self._credit_note(sale, ret, returned)
        record = Return.create(
            {
                "name": ret.external_id,
                "instance_id": instance.id,
                "received": ret.received,
                "notify_on_receipt": ret.notify_on_receipt,
                "date": ret.date and self.env["marketplace.order.service"]._naive(ret.date),
                "reason": "\n".join(filter(None, (line.reason for line in ret.lines))) or False,
                "sale_order_ids": [(6, 0, sales.ids)],
                "credit_note_ids": [(6, 0, notes.ids)],
            }
        )
        pickings.marketplace_return_id = record
        if ret.received:
            self._receive(pickings, log)
        if log:
            log._add(
                "success",
                _(
                    "Return %(ret)s: %(pickings)s%(notes)s.",
                    ret=ret.external_id,
                    pickings=", ".join(pickings.mapped("name")),
                    notes=(_(", credit note %s", ", ".join(notes.mapped("name")))) if notes else "",
                ),
                record=record,
            )
        return record

    @api.model
    def _sale_line(self, instance, sale, ret, line):
        """The order line a return line brings back: by the marketplace's line id, else by the
        product the item resolves to, else by barcode; its units must have been delivered."""
        lines = sale.order_line.filtered(lambda l: l.product_id and not l.display_type)
        found = line.order_line_ref and lines.filtered(
            lambda l: l.marketplace_line_ref == line.order_line_ref
        )
        if not found:
            product, _listing = self.env["marketplace.product.resolver"]._resolve(
                instance, line.sku, line.barcode
            )
            found = lines.filtered(lambda l: l.product_id == product) if product else found
        if not found and line.barcode:
            found = lines.filtered(lambda l: l.product_id.barcode == line.barcode)
        if not found:
            raise UserError(
                _(
                    "Return %(ret)s: order %(order)s has no line for item %(item)s.",
                    ret=ret.external_id,
                    order=sale.name,
                    item=line.barcode or line.sku or line.order_line_ref,
                )
            )
        sale_line = found[:1]
        if (
            float_compare(
                sale_line.qty_delivered, line.quantity, precision_rounding=sale_line.product_uom.rounding
            )
            < 0
        ):
            raise UserError(
                _(
                    "Return %(ret)s: %(qty)s x %(product)s come back, but Odoo delivered %(delivered)s of "
                    "order %(order)s; validate its delivery, then Retry.",
                    ret=ret.external_id,
                    qty=line.quantity,
                    product=sale_line.product_id.display_name,
                    delivered=sale_line.qty_delivered,
                    order=sale.name,
                )
            )
        return sale_line

    @api.model
    def _picking(self, sale, ret, returned):
        """An incoming picking of the returned units into the order's warehouse, linked to the
        order (its procurement group) and refunding its delivered quantities."""
        warehouse = sale.warehouse_id
        picking_type = warehouse.out_type_id.return_picking_type_id or warehouse.in_type_id
        source = self.env.ref("stock.stock_location_customers")
        destination = warehouse.lot_stock_id
        moves = []
        for line, sale_line in returned:
            delivered = sale_line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
            )
            moves.append(
                (
                    0,
                    0,
                    {
                        "name": sale_line.product_id.display_name,
                        "product_id": sale_line.product_id.id,
                        "product_uom_qty": line.quantity,
                        "product_uom": sale_line.product_id.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "sale_line_id": sale_line.id,
                        "to_refund": True,
                        "origin_returned_move_id": delivered[-1:].id,
                        "marketplace_return_line_ref": line.external_id,
                        "company_id": sale.company_id.id,
                        "group_id": sale.procurement_group_id.id,  # the picking's group, hence its order
                    },
                )
            )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": sale.partner_shipping_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": sale.company_id.id,
                "origin": _("Return %(ret)s of %(order)s", ret=ret.external_id, order=sale.name),
                "move_ids": moves,
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    @api.model
    def _credit_note(self, sale, ret, returned):
        """A credit note of the returned units at the order's prices, when the order has a
        posted invoice; posted when the goods are back, a draft otherwise."""
        invoices = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        if not invoices:
            return self.env["account.move"]
        invoice = invoices.sorted("id")[-1]
        today = fields.Date.context_today(self)
        # An account whose payouts Import Settlements books: the payout's own lines pay the invoice
        # and this credit note, each in full (the settlement adopts it for its refund). As a
        # reversal of the invoice, Odoo would reconcile the two when the credit note is posted.
        settled = "import_settlements" in sale.marketplace_instance_id._declared_jobs()
        note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "journal_id": invoice.journal_id.id,
                "currency_id": invoice.currency_id.id,
                "reversed_entry_id": False if settled else invoice.id,
                "fiscal_position_id": invoice.fiscal_position_id.id,
                "invoice_origin": sale.name,
                "ref": _("Return %(ret)s of %(order)s", ret=ret.external_id, order=sale.name),
                "invoice_date": today,
                "company_id": sale.company_id.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": sale_line.product_id.id,
                            "name": sale_line.name,
                            "quantity": line.quantity,
                            "product_uom_id": sale_line.product_uom.id,
                            "price_unit": sale_line.price_unit,
                            "discount": sale_line.discount,
                            "tax_ids": [(6, 0, sale_line.tax_id.ids)],
                            "sale_line_ids": [(6, 0, sale_line.ids)],
                            "analytic_distribution": sale_line.analytic_distribution,
                        },
                    )
                    for line, sale_line in returned
                ],
            }
        )
        if ret.received:
            note.action_post()
        return note

    @api.model
    def _receive(self, pickings, log=None):
        """The goods are back: validate the return pickings (those with lot/serial-tracked
        products wait for a person, who picks the lots)."""
        for picking in pickings:
            if picking.move_ids.product_id.filtered(lambda p: p.tracking != "none"):
                if log:
                    log._add(
                        "info",
                        _("%s holds lot/serial-tracked products: validate it by hand.", picking.name),
                        record=picking,
                    )
                continue
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking._action_done()
