from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..adapter.refund_mapping import (
    RefundMappingError,
    declined,
    needs_products,
    paid_through_gateway,
    refund_line,
)

REFUNDS_SETTLEMENT = "refunds"  # the name of a store's one, always open, settlement
REFUNDED = 4  # the order status Refunded


class BigCommerceRefund(models.AbstractModel):
    """BigCommerce's money after the sale: its refunds (the store's payment gateway pays out,
    BigCommerce takes no fee). The engine's Import Settlements reads one always-open settlement
    whose lines are the store's refunds and makes a credit note of each, once per refund id
    (marketplace.refund.service); here: reading the refunds as neutral lines, and paying a
    credit note back through the journal its order was paid in."""

    _name = "bigcommerce.refund"
    _description = "BigCommerce Refunds"

    # reading -----------------------------------------------------------------------------------------
    @api.model
    def _settlement(self, instance):
        """The store's refunds as one settlement that never closes (no payout: the gateway pays)."""
        return {
            "external_id": REFUNDS_SETTLEMENT,
            "currency": instance.currency_id.name or instance.company_id.currency_id.name,
            "closed": False,
        }

    @api.model
    def _lines(self, instance, client, posted_after):
        """Pages of neutral refund lines: the refunds created since `posted_after` (the first
        time: since Import Orders After, else all of them), each with its order's products when it shares its amount among
        several products (one call per such order). The run's log names the refunds of orders
        Odoo never imported (they wait, with the reason, among the settlement's refunds)."""
        products = {}
        # the first time, none older than the orders Odoo imports (a refund comes after its order)
        for page in client.refunds(created_min=posted_after or instance.import_orders_after):
            lines = [line for line in (self._line(client, refund, products) for refund in page) if line]
            self._tell_unknown_orders(instance, client, lines)
            yield lines

    @api.model
    def _tell_unknown_orders(self, instance, client, lines):
        refs = {line["order_ref"] for line in lines}
        known = self.env["marketplace.refund.service"]._sale_orders(instance, refs)
        notices = getattr(client, "notices", None)
        for line in lines:
            if line["order_ref"] not in known and notices is not None:
                notices.append(
                    (
                        "warning",
                        _(
                            "BigCommerce refund %(refund)s (%(amount)s): %(reason)s.",
                            refund=line["refund_ref"],
                            amount=-line["amount"],
                            reason=self.env["marketplace.refund.service"]._unknown_order_reason(
                                line["order_ref"]
                            ),
                        ),
                    )
                )

    @api.model
    def _line(self, client, refund, products):
        """One refund as a neutral line; None when nothing went back (every payment declined).
        A refund whose items cannot be told apart still gives its credit note, for its total as
        one amount (nothing is lost), and the log says why."""
        notices = getattr(client, "notices", None)
        if declined(refund):
            if notices is not None:
                notices.append(
                    (
                        "warning",
                        _(
                            "BigCommerce refund %(refund)s of order %(order)s: every payment was declined, "
                            "nothing was refunded; no credit note made.",
                            refund=refund.get("id"),
                            order=refund.get("order_id"),
                        ),
                    )
                )
            return None
        rows = None
        if needs_products(refund):
            order_id = refund.get("order_id")
            if order_id not in products:
                products[order_id] = client.order_products(order_id)
            rows = products[order_id]
        try:
            return refund_line(refund, rows)
        except RefundMappingError as err:
            if notices is not None:
                notices.append(
                    (
                        "warning",
                        _("%(error)s: its credit note is made for its total as one amount.", error=err),
                    )
                )
            return refund_line(dict(refund, items=[]))

    # paying back -------------------------------------------------------------------------------------
    @api.model
    def _pay_back(self, instance, note, line):
        """A credit note just made for a refund: when the order's invoice was paid through the
        journal of the order's workflow (the payment gateway's), pay back what BigCommerce
        refunded through the gateway through the same journal, reconciled with the credit note;
        otherwise (store credit, refunded outside BigCommerce, an invoice paid otherwise or not
        yet) leave it open for the accountant, with a note saying why."""
        sale = (
            self.env["marketplace.refund.service"]
            ._sale_orders(instance, [line.order_ref])
            .get(line.order_ref, self.env["sale.order"])
        )
        invoices = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        workflow = sale and self.env["marketplace.workflow"]._for_order(sale)
        journal = workflow and workflow.register_payment and workflow.journal_id
        amount = min(float(paid_through_gateway(line.label)), note.amount_residual)
        reason = None
        if not journal or not any(p.journal_id == journal for p in invoices._get_reconciled_payments()):
            reason = _("the order's invoice was not paid through its workflow's journal")
        elif float_compare(amount, 0.0, precision_rounding=note.currency_id.rounding) <= 0:
            reason = _(
                "BigCommerce refunded nothing through the payment gateway (store credit, or outside BigCommerce)"
            )
        elif not journal.outbound_payment_method_line_ids:
            reason = _("journal %s has no outgoing payment method", journal.display_name)
        if reason:
            note.message_post(body=_("Left open for the accountant: %s.", reason))
            return None
        payment = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=note.ids)
            .create(
                {"journal_id": journal.id, "amount": amount, "payment_date": fields.Date.context_today(self)}
            )
            ._create_payments()
        )
        note.message_post(
            body=_(
                "Paid back through %(journal)s: %(amount)s, as BigCommerce refunded it through the payment "
                "gateway.",
                journal=journal.display_name,
                amount=amount,
            )
        )
        return payment

    # orders refunded in full -------------------------------------------------------------------------
    @api.model
    def _keep_refunded_order(self, instance, order, neutral):
        """An order already in Odoo and invoiced that BigCommerce now calls Refunded (`order`:
        as BigCommerce sent it) is not cancelled by Import Orders, which would reverse its
        invoices: its refunds are booked, once each, by Import Settlements. Returns the neutral
        order to apply."""
        if int(order.get("status_id") or 0) != REFUNDED or not neutral.get("cancelled"):
            return neutral
        sale = self.env["sale.order"].search(
            [
                ("marketplace_instance_id", "=", instance.id),
                ("marketplace_order_ref", "=", neutral.get("external_id")),
            ],
            limit=1,
        )
        if sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted"):
            return dict(neutral, cancelled=False)
        return neutral
