from odoo import _, api, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.schemas.settlement import SettlementLine

from ..adapter.settlement_mapping import refund_lines, settlement_lines

# Amazon charges an order when it ships: an order not shipped yet has no refund
CHARGED = ("Shipped", "PartiallyShipped")


class MarketplaceOrderImporter(models.AbstractModel):
    """Recover Order of an Amazon account also makes the credit notes of the order's refunds,
    read from its financial events (listFinancialEventsByOrderId), through the engine's refund
    service: once per refund, as Import Settlements does (the same refund ids)."""

    _inherit = "marketplace.order.importer"

    @api.model
    def _recover(self, instance, reference):
        sale = super()._recover(instance, reference)
        if (
            sale
            and instance.marketplace == "amazon"
            and sale.marketplace_status in CHARGED
            and "import_settlements" in instance._declared_jobs()
        ):
            self._recover_refunds(instance, sale)
        return sale

    @api.model
    def _recover_refunds(self, instance, sale):
        """The credit notes of the order's refunds; a refund that cannot have one yet (e.g. the
        order is not invoiced) says why on the run's log, and Import Settlements tries again."""
        Refunds = self.env["marketplace.refund.service"]
        with instance._job_run("import_settlements") as run:
            pages = run.client.order_events(sale.marketplace_order_ref)
            lines = [
                line for page in settlement_lines(pages, sale.currency_id.name) for line in refund_lines(page)
            ]
            made = 0
            for raw in lines:
                line = SettlementLine.model_validate(raw)
                if Refunds._find(instance, line.refund_ref):
                    continue
                try:
                    with self.env.cr.savepoint():
                        Refunds._credit_note(instance, line, sale)
                    made += 1
                except UserError as err:
                    run.log._add("warning", instance._error_text(err), detail=line.refund_ref)
            run.log._add(
                "success" if made else "info",
                _(
                    "Order %(order)s recovered: %(refunds)s refunds on Amazon, %(made)s credit notes made.",
                    order=sale.marketplace_order_ref,
                    refunds=len(lines),
                    made=made,
                ),
            )
