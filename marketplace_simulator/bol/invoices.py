"""Invoices: the money of the simulated account, period by period, as Bol.com invoices it.

Bol.com sends an ALL_IN_ONE invoice per period (monthly): the sales of the period added together
(TURNOVER, negative on the invoice: bol owes it to the retailer), its costs subtracted
(COMMISSION per item, SHIPMENT_LABEL per label bol sold, PICK_PACK per FBB unit), and the
returns processed in the period corrected (CORRECTION_TURNOVER, CORRECTION_COMMISSION).
`payableAmount` is the sum of the specification's lines, taxes included: positive the retailer
owes it, negative bol pays it out.

The ledger is derived from the state the simulator already serves, so that invoices agree with
the orders, shipments and returns: an order item's shipped units not invoiced yet, a label not
invoiced yet, a return item's refunded units (handled with RETURN_RECEIVED or STILL_APPROVED,
ACCEPTED) not invoiced yet; plus corrections added by the control API. At reset the months of
the generated history are invoiced (issued on the first of the next month); the current period
starts on the first of this month (Amsterdam) and is closed by `POST /_sim/bol/issue_invoice`.
"""

import calendar
import time

from .data import _ams_offset

# line type -> (description as on bol's specification, VAT percent, UNCL5305 tax category)
LINE_TYPES = {
    "TURNOVER": ("Verkoopprijs artikel(en), ontvangen van kopers en door bol.com door te storten", 0, "B"),
    "CORRECTION_TURNOVER": ("Correctie verkoopprijs artikel(en) na retour", 0, "B"),
    "COMMISSION": ("Commissie", 21, "S"),
    "CORRECTION_COMMISSION": ("Correctie commissie na retour", 21, "S"),
    "SHIPMENT_LABEL": ("Verzendlabel", 21, "S"),
    "CORRECTION_SHIPMENT_LABEL": ("Correctie verzendlabel", 21, "S"),
    "PICK_PACK": ("Pick&pack kosten (Logistiek via bol)", 21, "S"),
    "CORRECTION_PICK_PACK": ("Correctie pick&pack kosten", 21, "S"),
    "COMPENSATION": ("Compensatie", 0, "E"),
    "COMPENSATION_LOST_GOODS": ("Compensatie zoekgeraakte artikelen", 0, "E"),
    "CORRECTION_CORRECTION": ("Correctie", 21, "S"),
}
REFUNDED_RESULTS = ("RETURN_RECEIVED", "STILL_APPROVED")  # handling results bol refunds the buyer for
LABEL_CENTS = 495  # a shipping label bol sold, excluding VAT
PICK_PACK_CENTS = 145  # per FBB unit, excluding VAT
RETAILER_ID = "1187290"  # the first part of the ID of a line that belongs to no order


def vat_cents(net, percent):
    """VAT of a signed amount in cents, half away from zero."""
    sign = -1 if net < 0 else 1
    return sign * ((abs(net) * percent + 50) // 100)


def ams_month_start(ts, months_ahead=0):
    """Epoch of midnight (Amsterdam) on the first of the month of `ts`, `months_ahead` later."""
    t = time.gmtime(ts + _ams_offset(ts))
    month = t.tm_mon - 1 + months_ahead
    year, month = t.tm_year + month // 12, month % 12 + 1
    naive = calendar.timegm((year, month, 1, 0, 0, 0))
    return naive - _ams_offset(naive - 3600)


class InvoiceLedgerMixin:
    """The invoices of BolAPI: what is invoiced when (see the module docstring)."""

    invoice_page_size = 25000  # specification lines per page, as bol documents

    def _reset_invoices(self):
        self.invoices = []
        self.invoices_by_id = {}
        self._inv_seq = 0
        self._tx_seq = 0
        self._inv_shipped = {}  # order item id -> units invoiced
        self._inv_returned = {}  # rma id -> units whose turnover was corrected
        self._inv_labels = set()  # shipment ids whose label is invoiced
        self._inv_extra = []  # corrections added by the control API, not invoiced yet
        self.invoice_page_size = type(self).invoice_page_size
        current = ams_month_start(self.now)
        shipped = [it["u"] for _order, it in self.items.values() if it["s"]]
        start = ams_month_start(min(shipped)) if shipped else current
        self._period_start = start
        while start < current:  # the generated history, month by month
            end = ams_month_start(start, 1)
            self._issue_invoice(end, end + 2 * 3600)
            start = end

    # -- transactions ------------------------------------------------------------------------------
    def _tx(self, kind, net, when, qty=1, order=None, it=None, tax=None):
        self._tx_seq += 1
        percent = LINE_TYPES.get(kind, ("", 21, "S"))[1]
        return {
            "type": kind,
            "net": int(net),
            "tax": vat_cents(int(net), percent) if tax is None else int(tax),
            "percent": percent,
            "qty": qty,
            "order": order["id"] if order else None,
            "item": it["id"] if it else None,
            "ean": it["o"]["ean"] if it else None,
            "t": when,
            "seq": self._tx_seq,
        }

    @staticmethod
    def _turnover_upto(it, units):
        """What the buyer paid for the first `units` units of an order item (cents)."""
        return it["up"] * units - it["disc"] * units // max(1, it["q"])

    def _sales(self, until):
        out = []
        for order in self.order_list:
            for it in order["items"]:
                done = self._inv_shipped.get(it["id"], 0)
                if it["s"] <= done or it["u"] >= until:
                    continue
                qty = it["s"] - done
                turnover = self._turnover_upto(it, it["s"]) - self._turnover_upto(it, done)
                commission = self._commission(it)
                fee = commission * it["s"] // it["q"] - commission * done // it["q"]
                out.append(self._tx("TURNOVER", -turnover, it["u"], qty, order, it))
                out.append(self._tx("COMMISSION", fee, it["u"], qty, order, it))
                if it["m"] == "FBB":
                    out.append(self._tx("PICK_PACK", PICK_PACK_CENTS * qty, it["u"], qty, order, it))
                self._inv_shipped[it["id"]] = it["s"]
        return out

    def _labels(self, until):
        out = []
        for shipment in self.shipments:
            if not shipment["transport"].get("shippingLabelId") or shipment["t"] >= until:
                continue
            if shipment["id"] in self._inv_labels:
                continue
            it = shipment["items"][0][0]
            out.append(self._tx("SHIPMENT_LABEL", LABEL_CENTS, shipment["t"], 1, shipment["order"], it))
            self._inv_labels.add(shipment["id"])
        return out

    def _refunds(self, until):
        out = []
        for ret in self.returns:
            if ret["t"] >= until:
                continue
            for ri in ret["items"]:
                refunded = sum(
                    r["quantity"]
                    for r in ri["results"]
                    if r.get("processingResult") == "ACCEPTED" and r.get("handlingResult") in REFUNDED_RESULTS
                )
                refunded = min(refunded, ri["qty"])
                done = self._inv_returned.get(ri["rma"], 0)
                if refunded <= done:
                    continue
                it, order, qty = ri["it"], ri["order"], refunded - done
                total = self._turnover_upto(it, it["q"])
                amount = total * refunded // it["q"] - total * done // it["q"]
                commission = self._commission(it)
                fee = commission * refunded // it["q"] - commission * done // it["q"]
                out.append(self._tx("CORRECTION_TURNOVER", amount, ret["t"], qty, order, it))
                out.append(self._tx("CORRECTION_COMMISSION", -fee, ret["t"], qty, order, it))
                self._inv_returned[ri["rma"]] = refunded
        return out

    def _issue_invoice(self, until, issued):
        """Close the period [period start, until): every transaction before `until` not
        invoiced yet becomes a line of a new ALL_IN_ONE invoice."""
        lines = self._sales(until) + self._labels(until) + self._refunds(until)
        extra = [tx for tx in self._inv_extra if tx["t"] < until]
        self._inv_extra = [tx for tx in self._inv_extra if tx["t"] >= until]
        lines = sorted(lines + extra, key=lambda tx: (tx["t"], tx["seq"]))
        self._inv_seq += 1
        invoice_id = "45%011d" % (self._salt % 1000 * 10**7 + 22543000 + self._inv_seq)
        for tx in lines:
            tx["id"] = "%s#%d#%s" % (tx["order"] or RETAILER_ID, tx["seq"], tx["type"])
        invoice = {
            "id": invoice_id,
            "type": "ALL_IN_ONE",
            "start": self._period_start,
            "end": until,
            "issued": issued,
            "lines": lines,
            "net": sum(tx["net"] for tx in lines),
            "tax": sum(tx["tax"] for tx in lines),
        }
        invoice["payable"] = invoice["net"] + invoice["tax"]
        self.invoices.append(invoice)
        self.invoices_by_id[invoice_id] = invoice
        self._period_start = until
        return invoice

    # -- control -------------------------------------------------------------------------------
    def _invoice_control(self, action, payload):
        """POST /_sim/bol/<action> for invoices (see ControlMixin); None for another action."""
        if action == "issue_invoice":
            self._settle()
            until = float(payload.get("until") or time.time())
            if until <= self._period_start:
                return self._json(400, {"error": "the current period started after %s" % until})
            invoice = self._issue_invoice(until, float(payload.get("issued") or until))
            return self._json(201, self._invoice_state(invoice))
        if action == "add_invoice_correction":
            return self._control_correction(payload)
        if action == "invoices":
            return self._json(200, {"invoices": [self._invoice_state(i) for i in self.invoices]})
        if action == "invoice_page_size":
            self.invoice_page_size = max(1, int(payload.get("lines", type(self).invoice_page_size)))
            return self._json(200, {"lines": self.invoice_page_size})
        return None

    def _control_correction(self, payload):
        kind = str(payload.get("type") or "CORRECTION_CORRECTION").upper()
        order = it = None
        if payload.get("order_item_id"):
            found = self.items.get(str(payload["order_item_id"]))
            if found is None:
                return self._json(404, {"error": "unknown order item"})
            order, it = found
        try:
            net = int(round(float(payload["amount"]) * 100))
        except (KeyError, TypeError, ValueError):
            return self._json(400, {"error": "amount (excluding VAT, as on the invoice) is required"})
        tax = payload.get("tax")
        tax = None if tax is None else int(round(float(tax) * 100))
        tx = self._tx(kind, net, time.time(), int(payload.get("quantity", 1)), order, it, tax)
        if payload.get("description"):
            tx["description"] = str(payload["description"])
        self._inv_extra.append(tx)
        return self._json(201, {"type": kind, "net": net / 100.0, "tax": tx["tax"] / 100.0})

    @staticmethod
    def _invoice_state(invoice):
        return {
            "invoiceId": invoice["id"],
            "invoiceType": invoice["type"],
            "payableAmount": invoice["payable"] / 100.0,
            "lines": [
                {
                    "id": tx["id"],
                    "type": tx["type"],
                    "orderId": tx["order"],
                    "orderItemId": tx["item"],
                    "amount": tx["net"] / 100.0,
                    "tax": tx["tax"] / 100.0,
                    "quantity": tx["qty"],
                }
                for tx in invoice["lines"]
            ],
        }
