from odoo import _, api, fields, models

from ..adapter.mapping import payload_marketplace


class AmazonMarketplace(models.Model):
    """An Amazon marketplace (Amazon.de, Amazon.com, ...) as the SP-API identifies it."""

    _name = "amazon.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True, help="e.g. Amazon.se")
    api_ref = fields.Char(
        string="API Identifier", required=True, help="The MarketplaceId, e.g. A2NODRKZP88ZB9."
    )
    country_id = fields.Many2one("res.country", string="Country")
    domain = fields.Char(help="The shop's domain, e.g. www.amazon.se.")
    region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")],
        required=True,
        help="The SP-API region serving this marketplace.",
    )
    seller_central_url = fields.Char(string="Seller Central URL")
    prices_include_tax = fields.Boolean(
        string="Prices Include Tax",
        help="Amazon's item prices include VAT here (Europe, most of the world) or not (US, Canada).",
    )

    _sql_constraints = [
        ("api_ref_unique", "UNIQUE(api_ref)", "A marketplace identifier appears once."),
    ]

    # the account's marketplaces -----------------------------------------------------------------
    @api.model
    def _update_account(self, instance, participations):
        """Fill an account's available marketplaces from its participations: new ones are
        synchronized until the user removes them; those it left are no longer synchronized.
        Marketplaces unknown here are skipped (a developer adds them as records, and they
        appear at the next update). Returns the marketplaces that appeared."""
        ids = [
            p["marketplace"]["id"]
            for p in participations
            if p.get("participation", {}).get("isParticipating", True)
        ]
        available = self.search([("api_ref", "in", ids)])
        new = available - instance.amazon_available_marketplace_ids
        gone = instance.amazon_available_marketplace_ids - available
        if new or gone:
            instance.write(
                {
                    "amazon_available_marketplace_ids": [(6, 0, available.ids)],
                    "amazon_marketplace_ids": [(4, m.id) for m in new]
                    + [(3, m.id) for m in instance.amazon_marketplace_ids - available],
                }
            )
        if not instance.amazon_home_marketplace_id and available:
            instance.amazon_home_marketplace_id = available[:1]
        return new

    @api.model
    def _refresh_account(self, instance, client):
        """At each order import: a marketplace Amazon opened to the account since is synchronized
        from this run on, so it starts at the account's cursor and none of its orders is missed."""
        new = self._update_account(instance, client.participations(renew=False))
        if new:
            client.notices.append(
                (
                    "info",
                    _("New Amazon marketplaces, synchronized from now on: %s", ", ".join(new.mapped("name"))),
                )
            )
        return new

    @api.model
    def _for_payload(self, payload):
        """The marketplace of a queued order payload (either API version)."""
        return self.search([("api_ref", "=", payload_marketplace(payload))], limit=1)

    # defaults of an account --------------------------------------------------------------------
    @api.model
    def _warehouse(self, instance):
        """Amazon's stock of the company lives in one warehouse shared by its accounts."""
        Warehouse = self.env["stock.warehouse"]
        company = instance.company_id
        return Warehouse.search(
            [("company_id", "=", company.id), ("code", "=", "AMZN")], limit=1
        ) or Warehouse.create({"name": _("Amazon"), "code": "AMZN", "company_id": company.id})

    @api.model
    def _team(self, instance):
        Team = self.env["crm.team"]
        company = instance.company_id
        return Team.search(
            [("name", "=", "Amazon"), ("company_id", "in", (False, company.id))], limit=1
        ) or Team.create({"name": "Amazon", "company_id": company.id})

    # prices ---------------------------------------------------------------------------------------
    def _prices_as_shown(self, instance, wanted, currency, log):
        """{listing: price} as this marketplace shows prices: with the product's VAT (mapped by
        the fiscal position of the marketplace's country) where prices include tax, in the
        marketplace's currency at the company's rates. Without a rate nothing is sent (Odoo would
        convert 1:1): the log says why."""
        self.ensure_one()
        company = instance.company_id
        target = self.country_id.currency_id or instance.currency_id
        if not self._has_rates(company, currency | target):
            log._add(
                "error",
                _(
                    "Prices not exported to %(site)s: %(company)s has no exchange rate between %(origin)s and %(target)s "
                    "(Accounting > Configuration > Currencies); Odoo would have sent them unconverted.",
                    site=self.name,
                    company=company.name,
                    origin=currency.name,
                    target=target.name,
                ),
            )
            return {}
        fpos = (
            self.env["account.fiscal.position"]
            .with_company(company)
            ._get_fpos_by_region(self.country_id.id, False, False, False)
        )
        today = fields.Date.context_today(self)
        prices = {}
        for listing, value in wanted.items():
            if not listing.sku:
                continue
            taxes = listing.product_id.taxes_id.filtered(lambda t: t.company_id == company)
            taxes = fpos.map_tax(taxes) if fpos else taxes
            if taxes:
                amounts = taxes.compute_all(value, currency, 1.0, product=listing.product_id)
                value = amounts["total_included"] if self.prices_include_tax else amounts["total_excluded"]
            prices[listing] = round(currency._convert(value, target, company, today), 2)
        return prices

    def _has_rates(self, company, currencies):
        """Whether the company has a rate for each currency other than its own."""
        Rate = self.env["res.currency.rate"].sudo()  # sudo: whether rates exist, counted only
        today = fields.Date.context_today(self)
        return all(
            Rate.search_count(
                [
                    ("currency_id", "=", c.id),
                    ("name", "<=", today),
                    ("company_id", "in", (False, company.root_id.id)),
                ]
            )
            for c in currencies
            if c != company.currency_id
        )
