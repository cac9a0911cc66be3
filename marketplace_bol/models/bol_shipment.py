from odoo import _, api, models
from odoo.exceptions import UserError

from ..adapter.client import MAX_SHIPMENT_ITEMS, TRANSPORTER_CODES
from ..adapter.mapping import transporter_code


class BolShipment(models.AbstractModel):
    """What Export Order Status / Tracking tells Bol.com: a validated delivery as a shipment of
    its order items, and an unhandled return whose goods arrived as each RMA item received.
    Both are answered with process statuses (bol.process.status)."""

    _name = "bol.shipment"
    _description = "Bol.com Shipment"

    @api.model
    def _send_shipment(self, client, picking):
        items = picking._marketplace_items()
        if not items:
            raise UserError(_("%s ships no Bol.com order item.", picking.name))
        if len(items) > MAX_SHIPMENT_ITEMS:
            raise UserError(
                _(
                    "%(picking)s ships %(count)s order items; Bol.com takes %(max)s per shipment: split it.",
                    picking=picking.name,
                    count=len(items),
                    max=MAX_SHIPMENT_ITEMS,
                )
            )
        carrier = picking.carrier_id
        code = (
            (carrier.bol_transporter_code or transporter_code(carrier.name, TRANSPORTER_CODES))
            if carrier
            else ("OTHER" if picking.carrier_tracking_ref else None)
        )
        process = client.create_shipment(
            sorted(items.items()),
            reference=picking.name,
            transporter_code=code,
            track_and_trace=picking.carrier_tracking_ref or None,
        )
        return process["processStatusId"]

    @api.model
    def _shipment_sent(self, instance, client, picking):
        items = sorted(picking._marketplace_items())
        return self.env["bol.process.status"]._find(
            instance, client, items[0] if items else None, "CREATE_SHIPMENT"
        )

    @api.model
    def _send_return(self, client, picking):
        """The goods of an unhandled return arrived (its picking validated): each RMA item with
        the picking's handling result and the quantity received."""
        refs = []
        for rma, quantity in self._return_items(picking).items():
            process = client.handle_return(rma, picking.bol_handling_result or "RETURN_RECEIVED", quantity)
            refs.append(process["processStatusId"])
        if not refs:
            raise UserError(_("%s brings back no Bol.com return item.", picking.name))
        return ",".join(refs)

    @api.model
    def _return_sent(self, instance, client, picking):
        Process = self.env["bol.process.status"]
        refs = [
            Process._find(instance, client, rma, "HANDLE_RETURN_ITEM") for rma in self._return_items(picking)
        ]
        return ",".join(refs) if refs and all(refs) else False

    @api.model
    def _return_items(self, picking):
        items = {}
        for move in picking.move_ids.filtered(lambda m: m.marketplace_return_line_ref and m.quantity):
            items[move.marketplace_return_line_ref] = items.get(move.marketplace_return_line_ref, 0) + int(
                move.quantity
            )
        return items
