from odoo import api, models

from ..adapter.client import PAGE_SIZE
from ..adapter.mapping import FBB_SUFFIX, to_neutral_return
from .marketplace_instance import fulfilment_methods


class BolReturnImport(models.AbstractModel):
    """Import Returns on Bol.com: the returns of the configured status, as neutral returns."""

    _name = "bol.return.import"
    _description = "Bol.com Return Import"

    @api.model
    def _read_returns(self, instance, client):
        """Returns of the configured status for the configured fulfilment methods, a page of
        neutral returns at a time (the FBB part of a mixed order has its own reference)."""
        handled = instance.bol_return_status == "handled"
        for method in fulfilment_methods(instance):
            page = 1
            while True:
                rows = client.returns_page(method, handled, page)
                refs = self._order_refs(instance, rows, method)
                yield [to_neutral_return(row, refs) for row in rows if row.get("returnItems")]
                if len(rows) < PAGE_SIZE:
                    break
                page += 1

    @api.model
    def _order_refs(self, instance, rows, method):
        """{Bol order id: the reference of its FBB sale order} for the orders that were split."""
        if method != "FBB":
            return {}
        ids = {str(item.get("orderId")) for row in rows for item in row.get("returnItems") or []}
        mixed = set(
            self.env["sale.order"]
            .search(
                [
                    ("marketplace_instance_id", "=", instance.id),
                    ("marketplace_order_ref", "in", [i + FBB_SUFFIX for i in ids]),
                ]
            )
            .mapped("marketplace_order_ref")
        )
        return {i: i + FBB_SUFFIX for i in ids if i + FBB_SUFFIX in mixed}
