from types import SimpleNamespace

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import float_compare


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    marketplace_line_ref = fields.Char(string="Marketplace Line Reference", copy=False)
    marketplace_gift_message = fields.Text(string="Gift Message", copy=False)
    marketplace_sku = fields.Char(
        string="Marketplace SKU", copy=False, readonly=True, help="The SKU the marketplace sold on this line."
    )
    marketplace_tax_collected = fields.Boolean(
        string="Tax Collected by the Marketplace",
        copy=False,
        readonly=True,
        help="The marketplace collects and remits this line's tax itself (e.g. Amazon as marketplace "
        "facilitator): the line carries no tax of the seller.",
    )
    marketplace_needs_matching = fields.Boolean(
        string="Needs Matching",
        compute="_compute_marketplace_needs_matching",
        store=True,
        help="No Odoo product matched the marketplace's SKU: the line is on the default product. "
        "Pair the listing to choose the product (this order's open lines and later orders follow).",
    )
    marketplace_matching_reason = fields.Char(
        string="Why Not Matched",
        copy=False,
        readonly=True,
        help="Why the item waits on the default product although an Odoo product matches it (e.g. that "
        "product is archived).",
    )

    @api.depends("product_id", "marketplace_sku", "order_id.marketplace_instance_id")
    def _compute_marketplace_needs_matching(self):
        for line in self:
            instance = line.order_id.marketplace_instance_id
            line.marketplace_needs_matching = bool(
                instance
                and line.marketplace_sku
                and line.product_id in self.env["marketplace.product.resolver"]._fallback_products(instance)
            )

    def action_marketplace_pair_listing(self):
        """Choose the Odoo product of this line's SKU (the Pair Listings wizard)."""
        self.env["marketplace.access"]._check(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketplace_base.action_marketplace_pair_listing"
        )
        action["context"] = {"active_model": self._name, "active_ids": self.ids, "active_id": self[:1].id}
        return action

    def _marketplace_product_replaceable(self):
        """Whether the line may still sell another product: not cancelled, nothing of it
        delivered nor invoiced (a locked order included: the line only held a placeholder)."""
        self.ensure_one()
        return self.state in ("draft", "sent") or (
            self.state == "sale" and not self.qty_delivered and not self.qty_invoiced
        )

    def _marketplace_replace_product(self, product):
        """Sell `product` on these lines instead of the default product, at the marketplace's
        price, with the taxes the import would have given the line on that product (the
        marketplace's, or the product's where they decide: marketplace.tax.service); a confirmed
        line's open delivery moves follow."""
        for line in self:
            order = line.order_id
            locked = order.locked
            moves = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            price, taxes = line._marketplace_price_and_taxes(product)
            order.locked = False
            # Written together, the price, taxes and description are kept (not recomputed from the product).
            line.write(
                {
                    "product_id": product.id,
                    "product_uom": product.uom_id.id,
                    "price_unit": price,
                    "tax_id": [(6, 0, taxes.ids)],
                    "name": line.name,
                    "discount": line.discount,
                }
            )
            if moves:
                moves._action_cancel()
            if line.state == "sale":
                line._action_launch_stock_rule()
            order.locked = locked

    def _marketplace_price_and_taxes(self, product):
        """(unit price, taxes) of this imported line once it sells `product`, as the import
        would have made them. The line's taxes came from the marketplace's figures unless the
        product decides (Odoo's tax system and a product with taxes, or a marketplace that
        states none): then the product's taxes, mapped by the order's fiscal position, on the
        basis of the marketplace's prices, and the marketplace's price converted where needed."""
        self.ensure_one()
        order = self.order_id
        instance = order.marketplace_instance_id
        TaxService = self.env["marketplace.tax.service"]
        product_taxes = TaxService._product_taxes(instance, product)
        if self.marketplace_tax_collected or not TaxService._product_decides(
            instance, order.marketplace_taxes_stated, product_taxes
        ):
            return self.price_unit, self.tax_id
        # (an order imported before the flag was kept: its line's taxes tell)
        included = (
            order.marketplace_prices_include_tax
            or bool(self.tax_id)
            and all(self.tax_id.mapped("price_include"))
        )
        # the marketplace's own unit price, before the line's taxes changed it (they rarely did)
        shown = self.price_unit
        if self.tax_id and any(t.price_include != included for t in self.tax_id):
            amounts = self.tax_id.compute_all(self.price_unit, currency=order.currency_id)
            shown = amounts["total_included"] if included else amounts["total_excluded"]
        fpos = order.fiscal_position_id
        taxes = TaxService._as_priced(
            instance, fpos.map_tax(product_taxes) if fpos else product_taxes, included
        )
        basis = SimpleNamespace(prices_include_tax=included, currency=order.currency_id.name)
        return self.env["marketplace.order.service"]._price(instance, basis, taxes, shown), taxes

    def _marketplace_reduce_quantity(self, keep, log=None):
        """The marketplace cancelled part of this line after it was imported (a buyer's
        cancellation request the connector confirmed): keep `keep` units, and take the rest
        out of the open delivery, so that nobody ships it. Units already delivered are never
        taken back: the order is flagged for a person instead."""
        for line in self:
            rounding = line.product_uom.rounding
            keep = max(keep, 0.0)
            if float_compare(line.product_uom_qty, keep, precision_rounding=rounding) <= 0:
                continue
            order = line.order_id
            if float_compare(line.qty_delivered, keep, precision_rounding=rounding) > 0:
                message = _(
                    "Order %(order)s: %(product)s was cancelled on the marketplace after %(qty)s were "
                    "delivered: check it by hand.",
                    order=order.name,
                    product=line.product_id.display_name,
                    qty=line.qty_delivered,
                )
                order._marketplace_flag(message)
                if log:
                    log._add("error", message, record=order)
                continue
            removed = line.product_uom_qty - keep
            line._marketplace_reduce_moves(removed)
            line.product_uom_qty = keep
            message = _(
                "%(qty)s x %(product)s cancelled on the marketplace: removed from the order and its "
                "delivery.",
                qty=removed,
                product=line.product_id.display_name,
            )
            order.message_post(body=Markup("%s") % message, subtype_xmlid="mail.mt_note")
            if log:
                log._add("success", "%s: %s" % (order.name, message), record=order)

    def _marketplace_reduce_moves(self, quantity):
        """Take `quantity` out of the line's open outgoing moves, the newest first (a move left
        without quantity is cancelled, which cancels a delivery left empty)."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.location_dest_id.usage == "customer"
        )
        for move in moves.sorted("id", reverse=True):
            if quantity <= 0:
                break
            take = min(quantity, move.product_uom_qty)
            quantity -= take
            if float_compare(take, move.product_uom_qty, precision_rounding=move.product_uom.rounding) >= 0:
                move._action_cancel()
                continue
            move._do_unreserve()
            move.product_uom_qty -= take
            move._action_assign()
