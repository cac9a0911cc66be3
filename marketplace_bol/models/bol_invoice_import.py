from datetime import datetime, timedelta
from decimal import Decimal

import pytz

from odoo import api, models

from ..adapter.client import BolError
from ..adapter.invoice_mapping import (
    difference_line,
    order_ids,
    period_windows,
    settlement_header,
    settlement_lines,
)
from ..adapter.mapping import FBB_SUFFIX

FIRST_DAYS = 62  # without an order yet, the first run reads the invoices of the last two months
MAX_DAYS = 366  # ... and never more than a year back


class BolInvoiceImport(models.AbstractModel):
    """Import Settlements on Bol.com: each invoice (GET /retailer/invoices, asked for in
    periods of at most 31 days) is a closed settlement, its specification (paged) its lines.
    Bol.com has no open period in its API: what is not invoiced yet is not read."""

    _name = "bol.invoice.import"
    _description = "Bol.com Invoice Import"

    @api.model
    def _today(self):
        # bol's calendar: an invoice issued just after midnight in Amsterdam has that day's date
        return datetime.now(pytz.timezone("Europe/Amsterdam")).date()

    @api.model
    def _first_day(self, instance, since):
        """The first day to read: the cursor's (the start of the earliest period to read
        again), else the date of the account's oldest imported order, else two months back."""
        today = self._today()
        if since:
            first = since.date() if isinstance(since, datetime) else since
        else:
            oldest = self.env["sale.order"].search(
                [("marketplace_instance_id", "=", instance.id)], order="date_order asc", limit=1
            )
            first = oldest.date_order.date() if oldest else today - timedelta(days=FIRST_DAYS)
        return min(max(first, today - timedelta(days=MAX_DAYS)), today)

    @api.model
    def _read_settlements(self, instance, client, since):
        """The invoices issued from the first day to today, oldest window first, each once."""
        seen = set()
        for start, end in period_windows(self._first_day(instance, since), self._today()):
            for invoice in client.invoices(start, end):
                header = settlement_header(invoice)
                if header["external_id"] not in seen:
                    seen.add(header["external_id"])
                    yield header

    @api.model
    def _settlement_lines(self, instance, client, settlement):
        """The pages of an invoice's specification as neutral lines; after the last page, the
        difference to the payout when bol's lines do not add up to it (VAT rounded on totals)."""
        header = settlement if isinstance(settlement, dict) else settlement.model_dump()
        seen, total, page = set(), Decimal(0), 1
        while True:
            try:
                rows = client.invoice_specification(header["external_id"], page)
            except BolError as err:
                if page > 1 and err.status == 404:  # past the last page, should bol say so
                    break
                raise
            if not rows:
                break
            lines = settlement_lines(rows, self._order_refs(instance, rows), seen)
            total += sum(Decimal(str(line["amount"])) for line in lines)
            yield lines
            page += 1
        extra = difference_line(header, total)
        if extra:
            yield [extra]

    @api.model
    def _order_refs(self, instance, rows):
        """{(bol order id, order item id or EAN): reference} of the lines held by the FBB part
        of a mixed order, which Odoo keeps as its own sale order (`<order id>-FBB`)."""
        ids = order_ids(rows)
        if not ids:
            return {}
        lines = self.env["sale.order.line"].search(
            [
                ("order_id.marketplace_instance_id", "=", instance.id),
                ("order_id.marketplace_order_ref", "in", [i + FBB_SUFFIX for i in ids]),
            ]
        )
        refs = {}
        for line in lines:
            ref = line.order_id.marketplace_order_ref
            bol_id = ref[: -len(FBB_SUFFIX)]
            if line.marketplace_line_ref:
                refs[(bol_id, line.marketplace_line_ref)] = ref
            if line.product_id.barcode:
                refs[(bol_id, line.product_id.barcode)] = ref
        return refs
