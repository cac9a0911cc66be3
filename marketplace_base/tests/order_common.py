from .common import MarketplaceCase


class OrderCase(MarketplaceCase):
    """Neutral orders (schemas/order.py) fed through the instance's order queue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.tax_account = cls.env["account.account"].create(
            {
                "name": "Marketplace VAT",
                "code": "MPVAT1",
                "account_type": "liability_current",
                "company_id": company.id,
            }
        )
        cls.tax21 = cls.env["account.tax"].create(
            {
                "name": "Test VAT 21%",
                "amount": 21.0,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.products.write({"taxes_id": [(6, 0, cls.tax21.ids)], "list_price": 10.0})
        cls.product = cls.products[0]
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.instance.write({"currency_id": cls.eur.id, "tax_rounding": 0.01})

    def _order(self, ref="ORD-1", lines=None, **values):
        order = {
            "external_id": ref,
            "date_order": "2026-11-20T10:00:00Z",
            "currency": "EUR",
            "customer": {"name": "Zoë Müller", "email": "zoe@example.com"},
            "invoice_address": {
                "name": "Zoë Müller",
                "street": "Kanaalstraat 1",
                "city": "Utrecht",
                "zip": "3511 AA",
                "country_code": "NL",
            },
            "lines": lines or [{"sku": "WID-1", "name": "Widget one", "quantity": 2, "unit_price": 10.0}],
        }
        order.update(values)
        return order

    def _import(self, *orders, instance=None):
        """Queue the orders, process the queue, return (sale orders, queue lines)."""
        queue = self._queue([(o["external_id"], o) for o in orders], kind="order", instance=instance)
        (instance or self.instance).action_process_queues()
        lines = queue.line_ids
        sales = self.env["sale.order"].browse([l.res_id for l in lines if l.res_model == "sale.order"])
        return sales, lines

    def _import_one(self, order, instance=None):
        """Import one order that must succeed; return its sale order."""
        sales, lines = self._import(order, instance=instance)
        self.assertEqual(lines.mapped("state"), ["done"], lines.error)
        self.assertEqual(len(sales), 1)
        return sales
