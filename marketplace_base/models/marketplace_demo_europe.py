import csv
import io

from odoo import Command, api, models
from odoo.tools import file_open

EUROPE = "marketplace_base.demo_company_europe"
# the demo's VAT: (xml id suffix, name, rate, tax group, country whose VAT it is)
VAT = (
    ("nl21", "21% NL", 21.0, "VAT 21%", "nl"),
    ("nl9", "9% NL", 9.0, "VAT 9%", "nl"),
    ("de19", "19% DE (OSS)", 19.0, "VAT 19%", "de"),
    ("de7", "7% DE (OSS)", 7.0, "VAT 7%", "de"),
    ("be21", "21% BE (OSS)", 21.0, "VAT 21%", "be"),
    ("be6", "6% BE (OSS)", 6.0, "VAT 6%", "be"),
)
# one-stop shop: sales to consumers of another EU country bear that country's VAT
OSS = (
    ("de", "Germany (OSS)", (("nl21", "de19"), ("nl9", "de7"))),
    ("be", "Belgium (OSS)", (("nl21", "be21"), ("nl9", "be6"))),
)
# what a euro was worth in the currencies of the demo's European orders (Amazon.co.uk, Amazon.com)
RATES = (("EUR", 1.0), ("GBP", 0.86), ("USD", 1.08))


class MarketplaceDemoEurope(models.AbstractModel):
    """The demo's European seller: a Dutch B.V. in euros selling on Amazon.de and Bol.com, with
    the Netherlands' VAT, Germany's and Belgium's for its sales to consumers there (one-stop shop,
    fiscal positions), so that demo orders show the VAT their marketplace charged, not the US demo
    company's sales tax."""

    _inherit = "marketplace.demo"

    @api.model
    def _europe_company(self):
        company = self.env.ref(EUROPE, raise_if_not_found=False)
        if company:
            return company
        eur = self.env.ref("base.EUR")
        eur.active = True
        company = self.env["res.company"].create(
            {
                "name": "Marketplace Europe B.V.",
                "country_id": self.env.ref("base.nl").id,
                "currency_id": eur.id,
                "street": "Oudegracht 120",
                "zip": "3511 AW",
                "city": "Utrecht",
                "vat": "NL004495445B01",
            }
        )
        self.env["ir.model.data"]._update_xmlids([{"xml_id": EUROPE, "record": company, "noupdate": True}])
        # the people of the demo work in both companies (the company switcher shows them)
        users = self.env.ref("base.user_admin") | (
            self.env.ref("base.user_demo", raise_if_not_found=False) or self.env["res.users"]
        )
        users.write({"company_ids": [Command.link(company.id)]})
        self._europe_accounting(company)
        return company

    @api.model
    def _europe_accounting(self, company):
        """Odoo's generic chart of accounts (journals, accounts), made Dutch: euros, the
        Netherlands as fiscal country, VAT instead of the chart's 15% sales tax."""
        self.env["account.chart.template"]._load("generic_coa", company, install_demo=False)
        nl = self.env.ref("base.nl")
        generic = (
            self.env["account.tax"].with_context(active_test=False).search([("company_id", "=", company.id)])
        )
        company.write(
            {
                "currency_id": self.env.ref("base.EUR").id,
                "account_fiscal_country_id": nl.id,
                "account_sale_tax_id": False,
                "account_purchase_tax_id": False,
            }
        )
        groups = generic.tax_group_id
        generic.unlink()
        groups.unlink()
        taxes = self._europe_vat(company)
        company.account_sale_tax_id = taxes["nl21"]
        for country, name, mapping in OSS:
            self.env["account.fiscal.position"].create(
                {
                    "name": name,
                    "company_id": company.id,
                    "auto_apply": True,
                    "country_id": self.env.ref("base.%s" % country).id,
                    "tax_ids": [
                        Command.create({"tax_src_id": taxes[src].id, "tax_dest_id": taxes[dest].id})
                        for src, dest in mapping
                    ],
                }
            )
        for code, rate in RATES:
            self.env["res.currency.rate"].create(
                {
                    "currency_id": self.env.ref("base.%s" % code).id,
                    "rate": rate,
                    "name": "2010-01-01",
                    "company_id": company.id,
                }
            )

    @api.model
    def _europe_vat(self, company):
        """{key: sale tax} of VAT, booked on the chart's Tax Received account."""
        account = self.env["account.account"].search(
            [("company_id", "=", company.id), ("code", "=like", "2510%")], limit=1
        )
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create({"repartition_type": "tax", "account_id": account.id}),
        ]
        Group = self.env["account.tax.group"]
        groups, taxes = {}, {}
        for key, name, rate, group, _country in VAT:
            if group not in groups:
                groups[group] = Group.create(
                    {
                        "name": group,
                        "company_id": company.id,
                        "country_id": company.account_fiscal_country_id.id,
                    }
                )
            taxes[key] = self.env["account.tax"].create(
                {
                    "name": name,
                    "amount": rate,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": company.id,
                    "tax_group_id": groups[group].id,
                    "invoice_repartition_line_ids": repartition,
                    "refund_repartition_line_ids": repartition,
                }
            )
        return taxes

    @api.model
    def _give_company_taxes(self, csv_path, company):
        """The demo catalogue's products sell with the company's sales tax (products are shared:
        each company reads its own taxes of a product)."""
        with file_open(csv_path, "rb") as handle:
            codes = [
                row["default_code"] for row in csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8"))
            ]
        products = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("default_code", "in", codes)])
        )
        products.write({"taxes_id": [Command.link(company.account_sale_tax_id.id)]})
