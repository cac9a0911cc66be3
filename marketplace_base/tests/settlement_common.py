from .order_common import OrderCase


class SettlementCase(OrderCase):
    """Neutral orders imported through the queue and invoiced by the instance's workflow, then
    neutral settlements (schemas/settlement.py) booked through the engine's service, as Import
    Settlements does with what a connector reads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.products.write({"invoice_policy": "order"})
        cls.invoicing = cls.env["marketplace.workflow"].create(
            {"name": "Invoice", "confirm_order": True, "create_invoice": True, "validate_invoice": True}
        )
        cls.instance.write({"workflow_id": cls.invoicing.id, "marketplace_workflow_id": cls.invoicing.id})
        cls.instance.write({"state": "confirmed", "log_level": "all"})
        Account = cls.env["account.account"]
        cls.commission_account = Account.create(
            {
                "name": "Marketplace Commissions",
                "code": "MPC001",
                "account_type": "expense",
                "company_id": company.id,
            }
        )
        cls.fulfilment_account = Account.create(
            {"name": "Fulfilment Fees", "code": "MPF001", "account_type": "expense", "company_id": company.id}
        )
        FeeType = cls.env["marketplace.fee.type"]
        cls.commission = FeeType.create(
            {
                "marketplace": cls.instance.marketplace,
                "code": "Commission",
                "name": "Commission",
                "kind": "fee",
                "account_id": cls.commission_account.id,
            }
        )
        cls.fulfilment = FeeType.create(
            {
                "marketplace": cls.instance.marketplace,
                "code": "FBAPerUnitFulfillmentFee",
                "name": "Fulfilment fee",
                "kind": "fee",
                "account_id": cls.fulfilment_account.id,
            }
        )
        cls.instance._settlement_setup()
        cls.journal = cls.instance.settlement_journal_id

    # orders ----------------------------------------------------------------------------------------
    def _invoiced(self, ref, quantity=2, unit_price=10.0, sku="WID-1", line_ref="L1"):
        """An order imported through the queue and invoiced by its workflow (21% VAT on top)."""
        sale = self._import_one(
            self._order(
                ref,
                lines=[
                    {
                        "external_id": line_ref,
                        "sku": sku,
                        "name": "Widget",
                        "quantity": quantity,
                        "unit_price": unit_price,
                    }
                ],
            )
        )
        self.assertEqual(sale.invoice_ids.mapped("state"), ["posted"])
        return sale

    # settlements -----------------------------------------------------------------------------------
    @staticmethod
    def _line(external_id, kind, amount, **values):
        return dict({"external_id": external_id, "kind": kind, "amount": amount}, **values)

    def _settlement(self, lines, ref="G-1", closed=True, payout=None, **values):
        header = {
            "external_id": ref,
            "currency": "EUR",
            "start": "2026-11-01T00:00:00Z",
            "end": "2026-11-15T00:00:00Z",
            "closed": closed,
            "payout_amount": round(sum(line["amount"] for line in lines), 2) if payout is None else payout,
            "payout_date": "2026-11-17T00:00:00Z",
            "lines": lines,
        }
        header.update(values)
        return header

    def _book(self, *headers, read_lines=None):
        """Import the headers as Import Settlements does; (outcome, log). `read_lines(header,
        posted_after)` stands for the connector's `settlement_lines` hook (lines not in the header)."""
        log = self.env["marketplace.log"].create(
            {"instance_id": self.instance.id, "job": "import_settlements"}
        )
        reader = read_lines or (lambda header, posted_after: [])
        outcome = self.env["marketplace.settlement.importer"]._import(
            self.instance, list(headers), reader, log
        )
        return outcome, log

    def _settlement_of(self, ref="G-1"):
        return self.env["marketplace.settlement"].search(
            [("instance_id", "=", self.instance.id), ("name", "=", ref)]
        )

    def _st_line(self, settlement, ref):
        return settlement.line_ids.filtered(lambda l: l.marketplace_line_ref == ref)

    def _counterpart(self, st_line):
        return st_line.move_id.line_ids.filtered(lambda l: l.account_id != self.journal.default_account_id)
