from odoo import _, api, models
from odoo.exceptions import UserError

from ..adapter.transport import Ambiguous, MarketplaceError
from .marketplace_claim import claim, to_send_domain

TO_SEND = ("pending", "uncertain", "sending")


class MarketplacePaymentExporter(models.AbstractModel):
    """Export Payments ("Mark Order as Paid?"): the payment of an imported order, registered in
    Odoo (its invoice paid, or the order's Mark Order as Paid button), reported to the
    marketplace once per order.

    The connector's hook `_<code>_register_payment(client, order)` reports it; it reads the
    marketplace's state of the order first and sends nothing when the marketplace already
    shows it paid, which also makes a second call after a lost answer harmless. The order's
    Payment Export state is the database's record of it: "done" is never sent again; an order
    is claimed FOR UPDATE SKIP LOCKED, so that a cron, a button and an invoice payment running
    together report it once."""

    _name = "marketplace.payment.exporter"
    _description = "Marketplace Payment Export"

    @api.model
    def _run(self, instance, run, orders=None):
        for order_id in (orders if orders is not None else self._to_export(instance)).ids:
            order = self._take(order_id)
            if order:
                self._export_one(instance, run, order)
                instance._maybe_commit()

    @api.model
    def _to_export(self, instance):
        return self.env["sale.order"].search(
            [("marketplace_instance_id", "=", instance.id)] + to_send_domain("marketplace_payment_export"),
            order="id",
        )

    @api.model
    def _take(self, order_id):
        """Lock one order FOR UPDATE SKIP LOCKED; empty when another worker holds it, has just
        changed it, or its payment was reported meanwhile."""
        ids = claim(
            self.env,
            "sale_order",
            "id = %s AND marketplace_payment_export = ANY(%s)",
            [order_id, list(TO_SEND + ("failed",))],
        )
        order = self.env["sale.order"].browse(ids or [])
        order.invalidate_recordset(["marketplace_payment_export"])
        return order

    def _export_one(self, instance, run, order):
        order.marketplace_payment_export = "sending"
        instance._maybe_commit()  # recorded before the marketplace hears of it
        try:
            instance._hook("register_payment", required=True)(run.client, order)
        except Ambiguous as err:
            text = instance._error_text(err)
            order.write({"marketplace_payment_export": "uncertain", "marketplace_payment_export_error": text})
            run.log._add(
                "error",
                _(
                    "%(order)s: no clear answer (%(error)s); the next run reads the marketplace "
                    "before reporting the payment again.",
                    order=order.name,
                    error=text,
                ),
                record=order,
            )
            return
        except (MarketplaceError, UserError) as err:
            text = instance._error_text(err)
            order.write({"marketplace_payment_export": "failed", "marketplace_payment_export_error": text})
            run.log._add(
                "error",
                _("%(order)s: the payment could not be reported: %(error)s", order=order.name, error=text),
                record=order,
            )
            return
        order.write({"marketplace_payment_export": "done", "marketplace_payment_export_error": False})
        run.log._add(
            "success",
            _(
                "%(order)s: payment reported to %(marketplace)s.",
                order=order.name,
                marketplace=instance._marketplace_label(),
            ),
            record=order,
        )

    @api.model
    def _report_now(self, orders):
        """Report the payments of these orders at once (an invoice paid, the button), each
        instance's orders in one run with its own log; a refusal stays on the order and the log,
        it never stops the payment being registered in Odoo."""
        # sudo: the callers checked the person (Mark Order as Paid) or hold a payment Odoo
        # registered (an invoice paid); these orders and their instances only
        for instance in orders.marketplace_instance_id:
            mine = orders.filtered(lambda o: o.marketplace_instance_id == instance)
            with instance.sudo()._job_run("export_payments") as run:
                self.sudo()._run(instance.sudo(), run, mine.sudo())
