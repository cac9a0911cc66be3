from odoo import _, api, fields, models

from odoo.addons.marketplace_base.adapter.transport import Ambiguous, MarketplaceError

from ..adapter.mapping import cancellation_requests, open_quantity

CANCEL_WAIT = 30.0  # seconds a confirmed cancellation is followed during the import


class BolOrderCancellation(models.Model):
    """Items a customer asked to cancel, confirmed to Bol.com when Import Orders reads the
    order, and what Bol.com answered.

    The confirmation is asked while the order is imported (Process Queues never calls the
    marketplace); its outcome is told when the order is processed: in the log, and on the sale
    order when Bol.com did not confirm it. It is kept here rather than in the queued payload,
    which stays what Bol.com sent (with the items Bol.com now counts as cancelled)."""

    _name = "bol.order.cancellation"
    _inherit = ["marketplace.instance.bound"]
    _description = "Bol.com Cancellation Request"
    _order = "id desc"
    _rec_name = "order_ref"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "marketplace.instance",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    order_ref = fields.Char(string="Bol.com Order", required=True, index=True, readonly=True)
    items = fields.Char(
        string="Order Items", readonly=True, help="The order items the customer asked to cancel."
    )
    status = fields.Char(
        readonly=True, help="Bol.com's process status of the cancellation (SUCCESS when done)."
    )
    error = fields.Text(readonly=True)
    reported = fields.Boolean(readonly=True, help="Told in the log of the order's processing.")

    @api.model
    def _confirm(self, instance, client, order):
        """Confirm to Bol the cancellations the customer asked for of items Odoo has not
        shipped; the items Bol cancelled are counted as cancelled in `order`."""
        requested = self._to_confirm(instance, order)
        if not requested:
            return
        outcome = {
            "instance_id": instance.id,
            "order_ref": str(order.get("orderId")),
            "items": ", ".join(requested),
        }
        try:
            try:
                process = client.cancel_items(requested)
            except Ambiguous:
                found = client.processes_for(requested[0], "CANCEL_ORDER")
                if not found:
                    raise
                process = found[0]
            process = client.wait_process(process, CANCEL_WAIT)
            outcome.update(status=process.get("status"), error=process.get("errorMessage"))
        except MarketplaceError as err:
            outcome.update(status="ERROR", error=client.scrub(str(err)))
        if outcome["status"] == "SUCCESS":
            for item in order.get("orderItems") or []:
                if item["orderItemId"] in requested:
                    item["quantityCancelled"] = int(item.get("quantityCancelled") or 0) + open_quantity(item)
        self.sudo().create(outcome)  # sudo: the engine's record of what Bol answered

    @api.model
    def _to_confirm(self, instance, order):
        requested = cancellation_requests(order)
        if not requested:
            return []
        shipped = set(
            self.env["sale.order.line"]
            .search(
                [
                    ("order_id.marketplace_instance_id", "=", instance.id),
                    ("marketplace_line_ref", "in", requested),
                    ("qty_delivered", ">", 0),
                ]
            )
            .mapped("marketplace_line_ref")
        )
        return [item for item in requested if item not in shipped]

    @api.model
    def _report(self, instance, payload, sales, log):
        """Tell, once, what Bol.com answered to the cancellations of this order: confirmed, or
        not (then the sale order is flagged: the items stay on it)."""
        if not any(item.get("cancellationRequest") for item in payload.get("orderItems") or []):
            return
        order_ref = str(payload.get("orderId"))
        # sudo: the engine's records of this order, marked told once
        for outcome in self.sudo().search(
            [("instance_id", "=", instance.id), ("order_ref", "=", order_ref), ("reported", "=", False)],
            order="id",
        ):
            outcome.reported = True
            if outcome.status == "SUCCESS":
                log._add(
                    "success",
                    _(
                        "Order %(order)s: cancellation of items %(items)s requested by the customer "
                        "confirmed to Bol.com.",
                        order=order_ref,
                        items=outcome.items,
                    ),
                    record=sales[:1] or None,
                )
                continue
            message = _(
                "Order %(order)s: the customer asked to cancel items %(items)s, but Bol.com did not "
                "confirm the cancellation (%(status)s: %(error)s); they stay on the order.",
                order=order_ref,
                items=outcome.items,
                status=outcome.status,
                error=outcome.error or "-",
            )
            sales._marketplace_flag(message)
            log._add("error", message, record=sales[:1] or None)
