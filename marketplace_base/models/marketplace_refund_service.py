from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..schemas.settlement import SettlementLine


class MarketplaceRefundService(models.AbstractModel):
    """The documents a settlement's money lines pay: a marketplace order's sale order and its
    posted invoices (invoiced by the order's workflow when it can be), and the credit note of a
    marketplace refund, made once per refund (the unique index on account.move over the
    instance and the refund's id):

    1. the credit note already made for that refund;
    2. else a posted credit note of the order for the same amount that no refund claimed yet
       and nothing paid (Import Returns makes those): it becomes this refund's;
    3. else a new one from the order's last invoice, for exactly what was refunded: the items
       (by the marketplace's order line id, else their SKU) at their refunded amounts taxes
       included, the shipping component on the order's shipping product, and whatever is left
       as an amount-only line, so that its total is the refund's to the cent; posted.

    A connector may act on each credit note made (hook `refund_booked`, e.g. pay it back
    through the journal the order was paid in). Problems are UserErrors with the reason a
    person reads on the line that waits."""

    _name = "marketplace.refund.service"
    _description = "Marketplace Refund Credit Notes"

    # orders and invoices ------------------------------------------------------------------------
    @api.model
    def _sale_orders(self, instance, order_refs):
        """{marketplace order reference: sale.order} of the instance."""
        sales = self.env["sale.order"].search(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_order_ref", "in", list(order_refs))]
        )
        return {sale.marketplace_order_ref: sale for sale in sales}

    @api.model
    def _invoices(self, sale, invoice=True):
        """The order's posted invoices; with `invoice`, when it has none, the order's workflow
        invoices what it can first (as it would after a delivery)."""

        def posted():
            return sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")

        if invoice and not posted():
            workflow = self.env["marketplace.workflow"]._for_order(sale)
            if workflow:
                with self.env.cr.savepoint():
                    workflow._invoice(sale)
        return posted()

    @api.model
    def _no_invoice_reason(self, sale):
        return _(
            "order %(order)s has no posted invoice (its workflow does not invoice it yet): invoice it, then "
            "Match Again",
            order=sale.name,
        )

    @api.model
    def _unknown_order_reason(self, order_ref):
        return _("order %s is not in Odoo: import it (Recover Order), then Match Again", order_ref)

    # credit notes -------------------------------------------------------------------------------
    @api.model
    def _find(self, instance, refund_ref):
        return self.env["account.move"].search(
            [
                ("marketplace_refund_instance_id", "=", instance.id),
                ("marketplace_refund_ref", "=", refund_ref),
            ],
            limit=1,
        )

    @api.model
    def _credit_note(self, instance, line, sale=None):
        """The credit note of a refund line (SettlementLine), found or made; raises UserError.
        Not a reversal of the invoice (Odoo would reconcile the two at once): the marketplace
        pays the refund out of the money it collected, so the settlement's own lines pay the
        invoice and the credit note, each in full."""
        note = self._find(instance, line.refund_ref)
        if note:
            return note
        sale = sale or self._sale_orders(instance, [line.order_ref]).get(line.order_ref)
        if not sale:
            raise UserError(self._unknown_order_reason(line.order_ref))
        with self.env.cr.savepoint():
            note = self._adopt(instance, sale, line) or self._create(instance, sale, line)
            hook = instance._hook("refund_booked")
            if hook:
                hook(note, line)
        return note

    @api.model
    def _adopt(self, instance, sale, line):
        """A posted credit note of the order for the refunded amount, unclaimed and unpaid."""
        currency = sale.currency_id
        notes = sale.invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_refund"
                and m.state == "posted"
                and not m.marketplace_refund_ref
                and m.payment_state == "not_paid"
                and float_compare(m.amount_total, abs(line.amount), precision_rounding=currency.rounding) == 0
            )
        )
        note = notes.sorted("id")[:1]
        if note:
            note.write(
                {"marketplace_refund_instance_id": instance.id, "marketplace_refund_ref": line.refund_ref}
            )
        return note

    @api.model
    def _create(self, instance, sale, line):
        invoices = self._invoices(sale)
        if not invoices:
            raise UserError(self._no_invoice_reason(sale))
        invoice = invoices.sorted("id")[-1]
        values = [self._item_values(instance, sale, item) for item in line.items]
        shipping = self._shipping_values(sale, line)
        values += [shipping] if shipping else []
        note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "journal_id": invoice.journal_id.id,
                "currency_id": invoice.currency_id.id,
                "fiscal_position_id": invoice.fiscal_position_id.id,
                "invoice_origin": sale.name,
                "ref": _("Refund %(refund)s of %(order)s", refund=line.refund_ref, order=sale.name),
                "invoice_date": fields.Date.context_today(self),
                "company_id": sale.company_id.id,
                "marketplace_refund_instance_id": instance.id,
                "marketplace_refund_ref": line.refund_ref,
                "invoice_line_ids": [Command.create(vals) for vals in values],
            }
        )
        self._add_rest(note, invoice, abs(line.amount))
        note.action_post()
        return note

    @api.model
    def _item_values(self, instance, sale, item):
        """A credit note line of refunded units: the order's line by the marketplace's line id,
        else by SKU; its unit price such that the units come to the refunded amount, taxes
        included. Not linked to the order line: the goods need not come back, and the order
        must not become to invoice again."""
        lines = sale.order_line.filtered(lambda l: l.product_id and not l.display_type and not l.is_delivery)
        found = item.order_line_ref and lines.filtered(
            lambda l: l.marketplace_line_ref == item.order_line_ref
        )
        if not found and item.sku:
            found = lines.filtered(lambda l: item.sku in (l.marketplace_sku, l.product_id.default_code))
        if not found:
            raise UserError(
                _(
                    "order %(order)s has no line for the refunded item %(item)s: make its credit note by hand, "
                    "then Match Again",
                    order=sale.name,
                    item=item.order_line_ref or item.sku or "?",
                )
            )
        sale_line = found[:1]
        quantity = item.quantity or 1.0
        return self._priced(sale_line, quantity, item.amount)

    @api.model
    def _shipping_values(self, sale, line):
        if float_is_zero(line.shipping, precision_rounding=sale.currency_id.rounding):
            return None
        shipping = sale.order_line.filtered(lambda l: l.is_delivery and l.product_id)[:1]
        return shipping and self._priced(shipping, 1.0, abs(line.shipping))

    @api.model
    def _priced(self, sale_line, quantity, amount):
        """Credit note line values of `quantity` x the order line's product coming to `amount`
        taxes included (its taxes as on the order)."""
        taxes = sale_line.tax_id
        if taxes and not all(taxes.mapped("price_include")):
            total = taxes.with_context(force_price_include=True).compute_all(
                amount, currency=sale_line.currency_id, quantity=1.0, product=sale_line.product_id
            )
            amount = total["total_excluded"]
        return {
            "product_id": sale_line.product_id.id,
            "name": sale_line.name,
            "quantity": quantity,
            "product_uom_id": sale_line.product_uom.id,
            "price_unit": amount / quantity,
            "tax_ids": [Command.set(taxes.ids)],
            "analytic_distribution": sale_line.analytic_distribution,
        }

    @api.model
    def _add_rest(self, note, invoice, total):
        """An amount-only line (no tax) for what the item and shipping lines leave of the
        refund, so that the credit note's total is the refund's to the cent."""
        rest = note.currency_id.round(total - note.amount_total)
        if note.currency_id.is_zero(rest):
            return
        account = (
            invoice.invoice_line_ids.filtered("product_id")[:1].account_id
            or note.journal_id.default_account_id
        )
        note.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": _("Refunded amount (%s)", note.marketplace_refund_ref),
                            "quantity": 1.0,
                            "price_unit": rest,
                            "account_id": account.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )

    # refunds of an open period --------------------------------------------------------------------
    @api.model
    def _book_open_refund(self, settlement, line):
        """A refund line of an open period -> its marketplace.settlement.refund with the credit
        note, or the reason there is none yet. Once per refund: a refund already recorded is
        only retried when still open."""
        Refund = self.env["marketplace.settlement.refund"]
        instance = settlement.instance_id
        record = Refund.search([("instance_id", "=", instance.id), ("name", "=", line.refund_ref)], limit=1)
        if record.state == "done":
            return record
        if not record:
            record = Refund.create(
                {
                    "name": line.refund_ref,
                    "instance_id": instance.id,
                    "settlement_id": settlement.id,
                    "order_ref": line.order_ref,
                    "date": line.date and self.env["marketplace.order.service"]._naive(line.date),
                    "amount": line.amount,
                    "line_data": line.model_dump(mode="json"),
                }
            )
        self._retry(record)
        return record

    @api.model
    def _retry(self, refunds):
        """Make the credit notes of open refunds; the reason stays on those that still cannot."""
        for record in refunds.filtered(lambda r: r.state == "open"):
            line = SettlementLine.model_validate(record.line_data)
            try:
                note = self._credit_note(record.instance_id, line)
            except UserError as err:
                record.note = record.instance_id._error_text(err)
                continue
            record.write({"credit_note_id": note.id, "state": "done", "note": False})
        return refunds.filtered(lambda r: r.state == "done")
