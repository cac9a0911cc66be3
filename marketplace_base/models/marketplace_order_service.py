from datetime import timezone

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .marketplace_batch import memoized


class MarketplaceOrderService(models.AbstractModel):
    """Turns a marketplace-neutral order (schemas/order.py) into one finished sale.order.

    Every connector goes through here, so a rule about partners, products, taxes, names,
    cancellation or workflows is written once. Orders arrive again and again (every status
    change, retries, overlapping downloads, parallel workers): the version the marketplace
    changed last wins, and a cancellation is final.
    """

    _name = "marketplace.order.service"
    _description = "Marketplace Order Import"

    # entry point --------------------------------------------------------------------------------
    @api.model
    def _import(self, instance, order, log=None):
        """Create or update the sale.order of `order` (a schemas.order.Order); return it, or an
        empty recordset when the order is deliberately not imported."""
        SaleOrder = self.env["sale.order"]
        Cancellation = self.env["marketplace.order.cancellation"]
        existing = SaleOrder.search(self._order_domain(instance, order), limit=1)
        cancelled = Cancellation._is_cancelled(instance, order.external_id)
        if not existing and not cancelled:
            self._claim(instance, order)
        if cancelled and not order.cancelled:
            self._log(
                log,
                "info",
                _(
                    "Order %s was cancelled on the marketplace: a version of it that is not cancelled "
                    "is ignored.",
                    order.reference,
                ),
                existing or None,
            )
            return existing
        if existing:
            return self._update(instance, existing, order, log)
        if order.cancelled:
            Cancellation._remember(instance, order)
            self._log(
                log, "info", _("Order %s was cancelled before it was imported: skipped.", order.reference)
            )
            return SaleOrder
        if instance.import_orders_after and self._naive(order.date_order) < instance.import_orders_after:
            self._log(log, "info", _("Order %s predates 'Import Orders After': skipped.", order.reference))
            return SaleOrder
        sale = self._create(instance, order)
        self._check_total(instance, sale, order, log)
        self.env["marketplace.workflow"]._apply_to_order(sale)
        if order.fulfilment == "marketplace" or sale.marketplace_shipped_outside:
            self._complete_delivery(sale)
        if log:
            log._count_order(sale, created=True)
        return sale

    @staticmethod
    def _order_domain(instance, order):
        return [
            ("marketplace_instance_id", "=", instance.id),
            ("marketplace_order_ref", "=", order.external_id),
        ]

    def _claim(self, instance, order):
        """Make this transaction the only one deciding the fate of an order it has not seen yet.

        Another worker may hold another version of the same order (a retry, a cancellation): the
        lock on its reference makes the second one wait, and the check on a fresh snapshot sends
        it to a new transaction when the first one created the order or recorded its
        cancellation meanwhile, so that a cancellation and a creation never both happen."""
        KeyLock = self.env["marketplace.key.lock"]
        KeyLock._lock("sale.order", instance.company_id, ("order", instance.id, order.external_id))
        KeyLock._check_snapshot(
            (self.env["sale.order"], self._order_domain(instance, order)),
            (
                self.env["marketplace.order.cancellation"].sudo(),  # sudo: the engine's record, searched only
                [("instance_id", "=", instance.id), ("order_ref", "=", order.external_id)],
            ),
        )

    # creation -------------------------------------------------------------------------------------
    def _create(self, instance, order):
        partner, invoice, delivery = self.env["res.partner"]._marketplace_partners(instance, order)
        sale = self.env["sale.order"].create(self._order_values(instance, order, partner, invoice, delivery))
        fpos = sale.fiscal_position_id
        order_taxes = self.env["marketplace.tax.service"]._lazy_order_taxes(instance, order, sale.currency_id)
        line_vals = []
        for line in order.lines:
            line_vals.extend(self._product_line_values(instance, order, line, fpos, order_taxes))
        line_vals.extend(self._charge_line_values(instance, order, fpos, order_taxes))
        Products = self.env["marketplace.product.resolver"]
        for certificate in order.gift_certificates:
            product = Products._special_product(instance, "gift_certificate")
            line_vals.append(
                self._line(
                    product,
                    _("Gift certificate %s", certificate.code or ""),
                    1,
                    -certificate.amount,
                    self.env["account.tax"],
                )
            )
        for vals in line_vals:
            vals["order_id"] = sale.id
            if instance.analytic_account_id:
                vals["analytic_distribution"] = {str(instance.analytic_account_id.id): 100}
        self.env["sale.order.line"].create(line_vals)
        if order.notes:
            # Markup.join escapes each note: they come from the marketplace
            sale.message_post(body=Markup("<br/>").join(order.notes), subtype_xmlid="mail.mt_note")
        return sale

    def _order_values(self, instance, order, partner, invoice, delivery):
        fulfilled_by_marketplace = order.fulfilment == "marketplace"
        if fulfilled_by_marketplace and not instance.marketplace_warehouse_id:
            # Never take the merchant's own stock for goods the marketplace shipped.
            raise UserError(
                _(
                    "Order %(ref)s was fulfilled by the marketplace, but %(instance)s has no "
                    "Marketplace-Fulfilled Warehouse: %(advice)s",
                    ref=order.reference,
                    instance=instance.name,
                    advice=instance._setting_advice("marketplace_warehouse_id"),
                )
            )
        warehouse = instance.marketplace_warehouse_id if fulfilled_by_marketplace else instance.warehouse_id
        vals = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "company_id": instance.company_id.id,
            "warehouse_id": warehouse.id,
            "date_order": self._naive(order.date_order),
            "pricelist_id": self._pricelist_for(instance, order.currency).id,
            "client_order_ref": order.customer_reference or order.reference,
            "marketplace_instance_id": instance.id,
            "marketplace_order_ref": order.external_id,
            "marketplace_fulfilment": order.fulfilment,
            "marketplace_status": order.status,
            "marketplace_updated_at": order.updated_at and self._naive(order.updated_at),
            "marketplace_shipped_outside": order.shipped and not fulfilled_by_marketplace,
            "marketplace_site_ref": order.marketplace_id,
            "marketplace_gift_message": order.gift_message,
            "marketplace_payment_gateway_id": self.env["marketplace.payment.gateway"]
            ._get(instance, order.payment_gateway)
            .id,
            "marketplace_payment_status": order.payment_status,
            "marketplace_prices_include_tax": order.prices_include_tax,
            "marketplace_taxes_stated": order.taxes_stated,
            "team_id": instance.team_id.id,
            "user_id": instance.user_id.id,
            "payment_term_id": instance.payment_term_id.id,
        }
        if instance.use_marketplace_sequence:
            prefix = (
                instance.marketplace_order_prefix if fulfilled_by_marketplace else instance.order_prefix
            ) or ""
            vals["name"] = prefix + order.reference
        return vals

    def _product_line_values(self, instance, order, line, fpos, order_taxes):
        if line.quantity - line.cancelled_quantity <= 0:
            return []  # cancelled on the marketplace before the import
        Products = self.env["marketplace.product.resolver"]
        product, reason = Products._order_line_product(instance, line, order.fulfilment)
        taxes = self.env["marketplace.tax.service"]._line_taxes(
            instance, order, line.taxes, product, fpos, order_taxes
        )
        if line.tax_collected_by_marketplace:
            taxes = self.env[
                "account.tax"
            ]  # the marketplace's tax liability, not the seller's: net price, no tax
        unit_price = self._price(instance, order, taxes, line.unit_price)
        name = line.name or product.display_name
        if line.sku and product in Products._fallback_products(instance):
            name = "[%s] %s" % (line.sku, name)  # keep what the marketplace sold on the default product
        vals = self._line(product, name, line.quantity - line.cancelled_quantity, unit_price, taxes)
        vals["marketplace_line_ref"] = line.external_id
        vals["marketplace_tax_collected"] = line.tax_collected_by_marketplace
        vals["marketplace_gift_message"] = line.gift_message or False
        vals["marketplace_sku"] = line.sku or False
        vals["marketplace_matching_reason"] = reason or False
        result = [vals]
        if line.discount:
            result.append(
                self._line(
                    Products._special_product(instance, "discount"),
                    _("Discount on %s", name),
                    1,
                    -self._price(instance, order, taxes, line.discount),
                    taxes,
                )
            )
        if line.gift_wrap and line.gift_wrap.amount:
            result.append(
                self._charge_line(
                    instance, order, line.gift_wrap, "gift_wrap", _("Gift wrap"), fpos, order_taxes
                )
            )
        return result

    def _charge_line_values(self, instance, order, fpos, order_taxes):
        result = []
        if order.shipping and (order.shipping.amount or order.shipping.discount):
            vals = self._charge_line(
                instance,
                order,
                order.shipping,
                "delivery",
                order.shipping.name or _("Shipping"),
                fpos,
                order_taxes,
            )
            vals["is_delivery"] = True
            result.append(vals)
        if order.gift_wrap and order.gift_wrap.amount:
            result.append(
                self._charge_line(
                    instance, order, order.gift_wrap, "gift_wrap", _("Gift wrap"), fpos, order_taxes
                )
            )
        for fee in order.fees:
            if fee.amount or fee.discount:
                result.append(
                    self._charge_line(instance, order, fee, "fee", fee.name or _("Fee"), fpos, order_taxes)
                )
        return result

    def _charge_line(self, instance, order, charge, kind, name, fpos, order_taxes):
        product = self.env["marketplace.product.resolver"]._special_product(instance, kind, charge.code)
        amount = charge.amount - charge.discount
        taxes = self.env["marketplace.tax.service"]._line_taxes(
            instance, order, charge.taxes, product, fpos, order_taxes
        )
        if charge.tax_collected_by_marketplace:
            taxes = self.env["account.tax"]  # collected and remitted by the marketplace (see the line's)
        return self._line(product, name, 1, self._price(instance, order, taxes, amount), taxes)

    @staticmethod
    def _line(product, name, quantity, price_unit, taxes):
        return {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": quantity,
            "price_unit": price_unit,
            "tax_id": [(6, 0, taxes.ids)],
            "discount": 0.0,
        }

    def _pricelist_for(self, instance, code):
        """The instance's pricelist when it is in the order's currency, else one per currency
        (in the instance's company, created once whatever the number of workers)."""
        return memoized(
            self.env,
            ("pricelist", instance.id, code),
            self.env["product.pricelist"],
            lambda: self._find_pricelist(instance, code),
        )

    def _find_pricelist(self, instance, code):
        currency = instance._currency(code)
        if instance.pricelist_id.currency_id == currency:
            return instance.pricelist_id
        company = instance.company_id
        name = "%s %s" % (instance.name, currency.name)
        return self.env["marketplace.key.lock"]._find_or_create(
            self.env["product.pricelist"],
            company,
            ("pricelist", name, currency.id),
            [
                ("name", "=", name),
                ("currency_id", "=", currency.id),
                ("company_id", "in", (False, company.id)),
            ],
            {"name": name, "currency_id": currency.id, "company_id": company.id},
        )

    # prices and totals -----------------------------------------------------------------------------
    def _price(self, instance, order, taxes, price):
        """A marketplace price as the Odoo line must hold it with these taxes.

        Percent taxes already agree with the marketplace's prices (tax-included twins, see
        marketplace.tax.service._on_price_basis), so the price is kept as it is. Only other kinds
        of taxes need a conversion: a tax-included price on tax-excluded taxes loses its tax, a
        tax-excluded price on tax-included taxes gains it."""
        if not taxes or not price:
            return price
        odoo_included = all(t.price_include for t in taxes)
        if order.prices_include_tax == odoo_included:
            return price
        amounts = taxes.with_context(force_price_include=order.prices_include_tax).compute_all(
            price, currency=instance._currency(order.currency)
        )
        return amounts["total_excluded"] if order.prices_include_tax else amounts["total_included"]

    def _check_total(self, instance, sale, order, log):
        """Flag the order (marker and warning log line) when Odoo's total is not the
        marketplace's, beyond the instance's Tax Rounding."""
        if order.total is None:
            return
        currency = sale.currency_id
        difference = abs(sale.amount_total - order.total)
        tolerance = instance.tax_rounding or 0.0
        if float_compare(difference, tolerance, precision_rounding=currency.rounding) > 0:
            message = _(
                "Order %(ref)s: Odoo's total %(odoo).2f differs from the marketplace's %(mp).2f "
                "by %(diff).2f (more than the rounding tolerance %(tol).2f).",
                ref=order.reference,
                odoo=sale.amount_total,
                mp=order.total,
                diff=difference,
                tol=tolerance,
            )
            sale._marketplace_flag(message)
            self._log(log, "warning", message, sale)

    # updates -----------------------------------------------------------------------------------------
    def _update(self, instance, sale, order, log):
        """An order seen again: follow its status unless this version is older than the one
        applied, never duplicate it."""
        if self._is_stale(sale, order):
            self._log(
                log,
                "info",
                _(
                    "Order %(ref)s: this version (updated %(version)s) is older than the one applied "
                    "(updated %(applied)s): ignored.",
                    ref=order.reference,
                    version=instance._reader_time(self._naive(order.updated_at), log and log.user_id),
                    applied=instance._reader_time(sale.marketplace_updated_at, log and log.user_id),
                ),
                sale,
            )
            return sale
        vals = {"marketplace_status": order.status}
        if order.updated_at:
            vals["marketplace_updated_at"] = self._naive(order.updated_at)
        sale.write(vals)
        if log:
            log._count_order(sale, created=False)
        if order.cancelled:
            self._cancel(instance, sale, order, log)
        elif sale.state != "cancel":
            # items the marketplace cancelled since (a buyer's request): out of the order and its delivery
            for line in order.lines:
                if line.external_id and line.cancelled_quantity:
                    sale.order_line.filtered(
                        lambda l, ref=line.external_id: l.marketplace_line_ref == ref
                    )._marketplace_reduce_quantity(line.quantity - line.cancelled_quantity, log)
        return sale

    def _is_stale(self, sale, order):
        """Whether the marketplace changed the order after this version (to the second, as
        Odoo stores times); a version without a time cannot be placed and is applied."""
        if not order.updated_at or not sale.marketplace_updated_at:
            return False
        return self._naive(order.updated_at).replace(microsecond=0) < sale.marketplace_updated_at

    def _cancel(self, instance, sale, order, log):
        """The marketplace cancelled the order: remember it for good, and undo it in Odoo unless
        it has shipped (then a person decides)."""
        self.env["marketplace.order.cancellation"]._remember(instance, order, sale)
        if sale.state == "cancel":
            return
        if sale._marketplace_shipped():
            sale._marketplace_flag(
                _(
                    "Order %s was cancelled on the marketplace after it shipped: check it by hand.",
                    order.reference,
                )
            )
            self._log(log, "error", sale.marketplace_sync_message, sale)
            return
        drafts = sale.invoice_ids.filtered(lambda m: m.state == "draft")
        drafts.button_cancel()
        credit_notes = self._reverse_invoices(sale)
        sale.with_context(disable_cancel_warning=True)._action_cancel()
        lines = [_("Cancelled on the marketplace: order %s cancelled.", order.reference)]
        lines += [
            _(
                "Invoice %(invoice)s reversed by credit note %(note)s.",
                invoice=note.reversed_entry_id.name,
                note=note.name,
            )
            for note in credit_notes
        ]
        if drafts:
            lines.append(_("Draft invoices cancelled: %s.", ", ".join(drafts.mapped("display_name"))))
        # Markup.join escapes each line: references and names come from the marketplace
        sale.message_post(body=Markup("<br/>").join(lines), subtype_xmlid="mail.mt_note")
        self._log(log, "success", _("Order %s cancelled as on the marketplace.", order.reference), sale)

    def _reverse_invoices(self, sale):
        """Credit notes reversing (and reconciled with) every posted customer invoice of the
        order, so that nothing stays booked for an order the marketplace cancelled. A payment
        already registered stays as the customer's credit, to be refunded."""
        invoices = sale.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted" and m.payment_state != "reversed"
        )
        if not invoices:
            return invoices
        today = fields.Date.context_today(sale)
        return invoices._reverse_moves(
            [
                {
                    "ref": _("Reversal of: %s, cancelled on the marketplace", move.name),
                    "date": today,
                    "invoice_date": today,
                    "invoice_date_due": today,
                }
                for move in invoices
            ],
            cancel=True,
        )

    # stock already shipped -----------------------------------------------------------------------------
    def _complete_delivery(self, sale):
        """The goods already left: the marketplace shipped them (FBA/FBB, from its warehouse),
        or the merchant did outside Odoo (from the merchant warehouse). The delivery is recorded
        as done, so nobody ships it a second time; such a delivery is never exported
        (see stock.picking._action_done).

        Lot/serial-tracked products need a person to pick the lots: their moves wait in a
        backorder and the order is flagged, the rest of the order goes through."""
        if sale.state in ("draft", "sent"):
            sale.action_confirm()
        for picking in sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            tracked = picking.move_ids.filtered(lambda m: m.product_id.tracking != "none")
            for move in picking.move_ids - tracked:
                move.write(
                    {"quantity": move.product_uom_qty, "picked": True}
                )  # one write: one reservation pass
            if tracked:
                sale._marketplace_flag(
                    _(
                        "Lot/serial numbers are needed for %(products)s: their delivery from %(warehouse)s "
                        "waits for you.",
                        products=", ".join(tracked.product_id.mapped("display_name")),
                        warehouse=sale.warehouse_id.name,
                    )
                )
            if picking.move_ids - tracked:
                # skip_sms: the buyer is the marketplace's customer, told by the marketplace; Odoo's
                # delivery SMS (stock_sms) would text them from the merchant's IAP account.
                picking.with_context(cancel_backorder=False, skip_sms=True)._action_done()

    # helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def _naive(value):
        if value.tzinfo:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    @staticmethod
    def _log(log, level, message, record=None):
        if log:
            log._add(level, message, record=record)
