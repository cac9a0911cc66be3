from datetime import timezone

from odoo import _, api, models
from odoo.tools import float_compare, float_round


class MarketplaceOrderService(models.AbstractModel):
    """Turns a marketplace-neutral order (schemas/order.py) into one finished sale.order.

    Every connector goes through here, so a rule about partners, products, taxes, names,
    cancellation or workflows is written once.
    """

    _name = "marketplace.order.service"
    _description = "Marketplace Order Import"

    # entry point --------------------------------------------------------------------------------
    @api.model
    def _import(self, instance, order, log=None):
        """Create or update the sale.order of `order` (a schemas.order.Order); return it, or an
        empty recordset when the order is deliberately not imported."""
        SaleOrder = self.env["sale.order"]
        existing = SaleOrder.search(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_order_ref", "=", order.external_id)],
            limit=1,
        )
        if existing:
            return self._update(instance, existing, order, log)
        if order.cancelled:
            self._log(log, "info", _("Order %s was cancelled before it was imported: skipped.", order.reference))
            return SaleOrder
        if instance.import_orders_after and self._naive(order.date_order) < instance.import_orders_after:
            self._log(log, "info", _("Order %s predates 'Import Orders After': skipped.", order.reference))
            return SaleOrder
        sale = self._create(instance, order)
        self._check_total(instance, sale, order, log)
        self.env["marketplace.workflow"]._apply_to_order(sale)
        if order.fulfilment == "marketplace":
            self._deliver_from_marketplace(sale)
        return sale

    # creation -------------------------------------------------------------------------------------
    def _create(self, instance, order):
        partner, invoice, delivery = self.env["res.partner"]._marketplace_partners(instance, order)
        sale = self.env["sale.order"].create(self._order_values(instance, order, partner, invoice, delivery))
        fpos = sale.fiscal_position_id
        line_vals = []
        for line in order.lines:
            line_vals.extend(self._product_line_values(instance, order, line, fpos))
        line_vals.extend(self._charge_line_values(instance, order, fpos))
        for certificate in order.gift_certificates:
            product = instance._special_product("gift_certificate")
            line_vals.append(self._line(product, _("Gift certificate %s", certificate.code or ""), 1,
                                        -certificate.amount, self.env["account.tax"]))
        for vals in line_vals:
            vals["order_id"] = sale.id
            if instance.analytic_account_id:
                vals["analytic_distribution"] = {str(instance.analytic_account_id.id): 100}
        self.env["sale.order.line"].create(line_vals)
        return sale

    def _order_values(self, instance, order, partner, invoice, delivery):
        fulfilled_by_marketplace = order.fulfilment == "marketplace"
        warehouse = (fulfilled_by_marketplace and instance.marketplace_warehouse_id) or instance.warehouse_id
        vals = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "company_id": instance.company_id.id,
            "warehouse_id": warehouse.id,
            "date_order": self._naive(order.date_order),
            "pricelist_id": instance._pricelist_for(order.currency).id,
            "client_order_ref": order.reference,
            "marketplace_instance_id": instance.id,
            "marketplace_order_ref": order.external_id,
            "marketplace_fulfilment": order.fulfilment,
            "marketplace_status": order.status,
            "marketplace_site_ref": order.marketplace_id,
            "marketplace_gift_message": order.gift_message,
            "marketplace_payment_gateway_id": self.env["marketplace.payment.gateway"]._get(
                instance, order.payment_gateway).id,
            "marketplace_payment_status": order.payment_status,
            "team_id": instance.team_id.id,
            "user_id": instance.user_id.id,
            "payment_term_id": instance.payment_term_id.id,
        }
        if instance.use_marketplace_sequence:
            prefix = (instance.marketplace_order_prefix if fulfilled_by_marketplace else instance.order_prefix) or ""
            vals["name"] = prefix + order.reference
        return vals

    def _product_line_values(self, instance, order, line, fpos):
        product = instance._order_line_product(line, order.fulfilment)
        taxes = self._taxes(instance, order, line.taxes, product, fpos, line.unit_price * line.quantity)
        unit_price = self._price(instance, order, taxes, line.unit_price)
        name = line.name or product.display_name
        if line.sku and product in instance._fallback_products():
            name = "[%s] %s" % (line.sku, name)  # keep what the marketplace sold on the default product
        vals = self._line(product, name, line.quantity, unit_price, taxes)
        vals["marketplace_line_ref"] = line.external_id
        vals["marketplace_gift_message"] = line.gift_message or False
        result = [vals]
        if line.discount:
            result.append(self._line(instance._special_product("discount"), _("Discount on %s", name), 1,
                                     -self._price(instance, order, taxes, line.discount), taxes))
        if line.gift_wrap and line.gift_wrap.amount:
            result.append(self._charge_line(instance, order, line.gift_wrap, "gift_wrap", _("Gift wrap"), fpos))
        return result

    def _charge_line_values(self, instance, order, fpos):
        result = []
        if order.shipping and (order.shipping.amount or order.shipping.discount):
            vals = self._charge_line(instance, order, order.shipping, "delivery",
                                     order.shipping.name or _("Shipping"), fpos)
            vals["is_delivery"] = True
            result.append(vals)
        if order.gift_wrap and order.gift_wrap.amount:
            result.append(self._charge_line(instance, order, order.gift_wrap, "gift_wrap", _("Gift wrap"), fpos))
        return result

    def _charge_line(self, instance, order, charge, kind, name, fpos):
        product = instance._special_product(kind, code=charge.code)
        amount = charge.amount - charge.discount
        # marketplace tax amounts are on the full charge, before its discount
        taxes = self._taxes(instance, order, charge.taxes, product, fpos, charge.amount)
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

    # taxes -----------------------------------------------------------------------------------------
    def _taxes(self, instance, order, mp_taxes, product, fpos, base_amount):
        """The Odoo taxes of a line by the instance's tax system."""
        if instance.tax_system == "odoo":
            taxes = product.taxes_id.filtered(lambda t: t.company_id == instance.company_id)
            return fpos.map_tax(taxes) if fpos else taxes
        taxes = self.env["account.tax"]
        for mp_tax in mp_taxes:
            rate = mp_tax.rate
            if rate is None:
                rate = self._rate_of(mp_tax.amount, base_amount, order.prices_include_tax)
            if rate:
                taxes |= instance._marketplace_tax(rate, order.prices_include_tax)
        if instance.tax_system == "marketplace_fpos" and fpos:
            taxes = fpos.map_tax(taxes)
        return taxes

    @staticmethod
    def _rate_of(amount, base, included):
        """The tax rate behind a tax amount: the roundest rate (19 before 18.95) that gives the
        same amount to the cent, since marketplaces round each amount."""
        if not amount or not base:
            return 0.0
        net = base - amount if included else base
        if net <= 0:
            return 0.0
        exact = 100.0 * amount / net
        for digits in (0, 1, 2):
            rate = float_round(exact, precision_digits=digits)
            tax = base - base / (1 + rate / 100.0) if included else base * rate / 100.0
            if abs(tax - amount) <= 0.005 + 1e-9:
                return rate
        return float_round(exact, precision_digits=2)

    def _price(self, instance, order, taxes, price):
        """A marketplace price as the Odoo line must hold it with these taxes, so that the
        totals stay the marketplace's: a tax-included price on tax-excluded taxes loses its tax,
        a tax-excluded price on tax-included taxes gains it."""
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
        """Flag the order (marker and log line) when Odoo's total is not the marketplace's."""
        if order.total is None:
            return
        currency = sale.currency_id
        difference = abs(sale.amount_total - order.total)
        tolerance = instance.tax_rounding or 0.0
        if float_compare(difference, tolerance, precision_rounding=currency.rounding) > 0:
            message = _(
                "Order %(ref)s: Odoo's total %(odoo).2f differs from the marketplace's %(mp).2f "
                "by %(diff).2f (more than the rounding tolerance %(tol).2f).",
                ref=order.reference, odoo=sale.amount_total, mp=order.total, diff=difference, tol=tolerance,
            )
            sale._marketplace_flag(message)
            self._log(log, "error", message, sale)

    # updates -----------------------------------------------------------------------------------------
    def _update(self, instance, sale, order, log):
        """An order seen again: follow its status, never duplicate it."""
        sale.marketplace_status = order.status
        if order.cancelled and sale.state != "cancel":
            if sale._marketplace_shipped():
                sale._marketplace_flag(_(
                    "Order %s was cancelled on the marketplace after it shipped: check it by hand.",
                    order.reference))
                self._log(log, "error", sale.marketplace_sync_message, sale)
            else:
                sale.invoice_ids.filtered(lambda m: m.state == "draft").button_cancel()
                sale.with_context(disable_cancel_warning=True)._action_cancel()
                self._log(log, "success", _("Order %s cancelled as on the marketplace.", order.reference), sale)
        return sale

    # marketplace-fulfilled stock ---------------------------------------------------------------------
    def _deliver_from_marketplace(self, sale):
        """FBA/FBB: the marketplace shipped it, so the delivery from its warehouse is done.

        Lot/serial-tracked products need a person to pick the lots: their moves wait in a
        backorder and the order is flagged, the rest of the order goes through."""
        if sale.state in ("draft", "sent"):
            sale.action_confirm()
        for picking in sale.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            tracked = picking.move_ids.filtered(lambda m: m.product_id.tracking != "none")
            for move in picking.move_ids - tracked:
                move.quantity = move.product_uom_qty
                move.picked = True
            if tracked:
                sale._marketplace_flag(_(
                    "Lot/serial numbers are needed for %s: their delivery from the marketplace "
                    "warehouse waits for you.", ", ".join(tracked.product_id.mapped("display_name"))))
            if picking.move_ids - tracked:
                picking.with_context(cancel_backorder=False)._action_done()

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
