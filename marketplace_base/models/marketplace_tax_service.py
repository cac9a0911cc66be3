import math

from odoo import _, api, models
from odoo.tools import float_round

from .marketplace_batch import batch_memo


class OrderTaxes:
    """The Odoo taxes of an order's marketplace taxes (MarketplaceTaxService._order_taxes),
    worked out the first time a line needs them: an order whose lines all take their products'
    taxes creates no marketplace tax."""

    def __init__(self, compute):
        self._compute, self._taxes = compute, None

    def get(self, key, default):
        if self._taxes is None:
            self._taxes = self._compute()
        return self._taxes.get(key, default)


class MarketplaceTaxService(models.AbstractModel):
    """The Odoo taxes of a marketplace order's lines (the README's tax table).

    A line's tax is what the marketplace charged on it: the rate it states, else the rate its
    amounts imply over the whole order, snapped to a sale tax the company already has (same
    rate, price-included flag and scope), or created once (whatever the number of workers),
    named and grouped by its rate. No tax where the marketplace charged none: never a default
    tax in place of the marketplace's figures. The products' own taxes (mapped by the fiscal
    position) decide instead with Odoo's tax system, for the products that have a sales tax of
    the company, and wherever the marketplace states no taxes (Bol.com). Whatever decides, the
    taxes put on a line agree with the marketplace's prices (tax included or not), so that
    Odoo's totals are the marketplace's to the cent.
    """

    _name = "marketplace.tax.service"
    _description = "Marketplace Order Taxes"

    # the taxes of one line ------------------------------------------------------------------------
    @api.model
    def _line_taxes(self, instance, order, mp_taxes, product, fpos, order_taxes):
        """The Odoo taxes of a line (or charge); `order_taxes`: the order's OrderTaxes (see
        _lazy_order_taxes). A line whose tax the marketplace collects itself is left without tax
        by the caller (order service)."""
        product_taxes = self._product_taxes(instance, product)
        if self._product_decides(instance, order.taxes_stated, product_taxes):
            taxes = fpos.map_tax(product_taxes) if fpos else product_taxes
        else:
            taxes = self.env["account.tax"]
            for mp_tax in mp_taxes:
                taxes |= order_taxes.get(id(mp_tax), self.env["account.tax"])
            if instance.tax_system == "marketplace_fpos" and fpos:
                taxes = fpos.map_tax(taxes)
        return self._as_priced(instance, taxes, order.prices_include_tax)

    @api.model
    def _as_priced(self, instance, taxes, included):
        """The taxes as they apply to the marketplace's prices (see _on_price_basis)."""
        keep = instance._hook("keep_product_taxes")
        if keep and keep():
            # the connector's choice (e.g. Bol.com's "Managing Excluded Taxes on Odoo Product?"):
            # the taxes stay as they are and the price is converted to them (order service's
            # _price); a cent lost to rounding is flagged by the total check
            return taxes
        return self._on_price_basis(taxes, included)

    @api.model
    def _product_taxes(self, instance, product):
        return product.taxes_id.filtered(lambda t: t.company_id == instance.company_id)

    @api.model
    def _product_decides(self, instance, taxes_stated, product_taxes):
        """Whether a line takes its product's taxes rather than the marketplace's: with Odoo's
        tax system when the product has a sales tax of the company (the suite's default,
        shipping and gift wrap products have none: their lines follow the marketplace), and
        whenever the marketplace states no taxes (`taxes_stated`, see schemas.order.Order)."""
        return not taxes_stated or (instance.tax_system == "odoo" and bool(product_taxes))

    # the taxes of a whole order -------------------------------------------------------------------
    @api.model
    def _lazy_order_taxes(self, instance, order, currency):
        return OrderTaxes(lambda: self._order_taxes(instance, order, currency))

    @api.model
    def _order_taxes(self, instance, order, currency):
        """{id(marketplace tax): Odoo tax} for every tax of the order's lines and charges.

        A stated rate is taken as it is. Amounts without a rate are grouped by the rate they
        imply: a line's rounded amount only tells that the rate lies in an interval, and the
        lines whose intervals share a rate form one group. The group's rate is its pooled rate
        (sum of taxes / sum of bases) snapped to an existing tax inside every interval, i.e. one
        that reproduces each line's amount to the cent; a new tax (the roundest rate of the
        intersection) is created only when none does. So an 8.25 % tax covers lines that taken
        one by one look like 8.24 % or 8.26 %."""
        included = order.prices_include_tax
        tolerance = currency.rounding / 2.0 + 1e-9  # "to the cent": equal once rounded
        result, derived, rates = {}, [], {}
        for mp_tax, base, scope in self._entries(order):
            if mp_tax.rate is not None:
                rates.setdefault(mp_tax.rate, []).append((mp_tax, scope))
                continue
            bounds = self._rate_bounds(mp_tax.amount, base, included, tolerance * mp_tax.parts)
            if bounds:
                derived.append(
                    (mp_tax, mp_tax.amount, base - mp_tax.amount if included else base, bounds, scope)
                )
        # fixed order of creation, so that two workers lock new taxes in the same order
        for rate in sorted(rates):
            tax = self.env["account.tax"]
            if rate:
                scopes = {scope for _mp_tax, scope in rates[rate]}
                tax = self._snap(instance, rate, rate, rate, included, scopes) or self._marketplace_tax(
                    instance, rate, included
                )
            result.update((id(mp_tax), tax) for mp_tax, _scope in rates[rate])
        for low, high, entries in self._groups(derived):
            pooled = 100.0 * sum(e[1] for e in entries) / sum(e[2] for e in entries)
            scopes = {entry[4] for entry in entries}
            tax = self._snap(instance, low, high, pooled, included, scopes) or self._marketplace_tax(
                instance, self._roundest(low, high, pooled), included
            )
            result.update((id(entry[0]), tax) for entry in entries)
        return result

    @staticmethod
    def _entries(order):
        """(marketplace tax, amount it was computed on, scope) of every line and charge: items
        are goods ("consu"), shipping, gift wrap and fees services."""
        for line in order.lines:
            for mp_tax in line.taxes:
                yield mp_tax, line.unit_price * line.quantity, "consu"
            if line.gift_wrap:
                for mp_tax in line.gift_wrap.taxes:
                    yield mp_tax, line.gift_wrap.amount, "service"
        for charge in (order.shipping, order.gift_wrap, *order.fees):
            for mp_tax in charge.taxes if charge else []:
                yield mp_tax, charge.amount, "service"  # marketplace tax amounts are on the full charge

    @staticmethod
    def _rate_bounds(amount, base, included, tolerance):
        """(lowest, exact, highest) rate in percent whose tax on `base` rounds to `amount`; None
        when there is no tax to speak of."""
        if not amount or not base or amount <= 0 or base <= 0:
            return None

        def rate(tax):
            net = base - tax if included else base
            return 100.0 * tax / net if net > 0 else math.inf

        exact = rate(amount)
        if exact == math.inf:
            return None
        return rate(max(amount - tolerance, 0.0)), exact, rate(amount + tolerance)

    @staticmethod
    def _groups(entries):
        """[(low, high, entries)]: entries sorted by rate, each joining the current group while
        the group's rate interval and its own still overlap."""
        groups = []
        for entry in sorted(entries, key=lambda e: e[3][1]):
            low, _exact, high = entry[3]
            if groups and max(low, groups[-1][0]) <= min(high, groups[-1][1]):
                group = groups[-1]
                group[0], group[1] = max(low, group[0]), min(high, group[1])
                group[2].append(entry)
            else:
                groups.append([low, high, [entry]])
        return groups

    @staticmethod
    def _roundest(low, high, pooled):
        """The rate with the fewest decimals in [low, high] nearest the pooled rate (19 before
        18.95), else the pooled rate to Odoo's 4 digits."""
        for digits in range(5):
            step = 10.0**-digits
            first, last = math.ceil(low / step - 1e-9), math.floor(min(high, 1000.0) / step + 1e-9)
            if first <= last:
                return float_round(
                    min(max(round(pooled / step), first), last) * step, precision_digits=digits
                )
        return float_round(pooled, precision_digits=4)

    def _snap(self, instance, low, high, pooled, included, scopes):
        """The company's sale tax nearest the pooled rate among those within [low, high], of a
        scope that fits every line it taxes (goods, services; unset fits both). One whose
        "Included in Price" is the marketplace's comes first; another one becomes its twin that
        agrees (_on_price_basis: same accounts, tax grids and group) rather than a new tax."""
        scope = [False] + (list(scopes) if len(scopes) == 1 else [])
        candidates = (
            self.env["account.tax"]
            .with_context(active_test=False)
            .search(
                self._tax_domain(instance)
                + [("amount", ">=", low - 1e-6), ("amount", "<=", high + 1e-6), ("tax_scope", "in", scope)]
            )
        )
        if not candidates:
            return candidates
        return min(
            candidates,
            key=lambda t: (not t.active, t.price_include != bool(included), abs(t.amount - pooled), t.id),
        )

    # taxes created from marketplace rates --------------------------------------------------------
    def _tax_domain(self, instance, included=None):
        domain = [
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("company_id", "=", instance.company_id.id),
        ]
        if included is not None:
            domain.append(("price_include", "=", bool(included)))
        if instance.tax_account_id:
            domain.append(("invoice_repartition_line_ids.account_id", "=", instance.tax_account_id.id))
        return domain

    @api.model
    def _marketplace_tax(self, instance, rate, price_include):
        """The company's sale tax of a marketplace rate, created on the tax accounts if new: named
        by its rate and the marketplace ("19% (Amazon)", "19% incl. (Amazon)"), in the tax group of
        its rate, so that order and invoice totals show each rate under its own name."""
        Tax = self.env["account.tax"].with_context(active_test=False)
        account = instance.tax_account_id
        label = instance._marketplace_label()
        if price_include:
            name = _("%(rate)s%% incl. (%(marketplace)s)", rate="%g" % rate, marketplace=label)
        else:
            name = _("%(rate)s%% (%(marketplace)s)", rate="%g" % rate, marketplace=label)
        if account and Tax.search_count([("company_id", "=", instance.company_id.id), ("name", "=", name)]):
            name = "%s %s" % (name, account.code)  # names are unique: another tax account, another tax
        return self.env["marketplace.key.lock"]._find_or_create(
            Tax,
            instance.company_id,
            ("marketplace tax", rate, bool(price_include), account.id),
            self._tax_domain(instance, price_include) + [("amount", "=", rate)],
            lambda: {
                "name": name,
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include": price_include,
                "company_id": instance.company_id.id,
                "tax_group_id": self._tax_group(instance.company_id, rate).id,
                "invoice_repartition_line_ids": self._tax_repartition(account),
                "refund_repartition_line_ids": self._tax_repartition(
                    instance.refund_tax_account_id or account
                ),
            },
            order="active desc, id",
        )

    @api.model
    def _tax_group(self, company, rate):
        """The company's tax group of a rate: Odoo totals orders and invoices by tax group, and a
        new tax would otherwise join the company's first group (e.g. "Tax 15%")."""
        country = company.account_fiscal_country_id or company.country_id
        name = _("Tax %s%%", "%g" % rate)
        Group = self.env["account.tax.group"]
        return self.env["marketplace.key.lock"]._find_or_create(
            Group,
            company,
            ("marketplace tax group", rate),
            [("company_id", "=", company.id), ("name", "=", name), ("country_id", "in", (False, country.id))],
            {"name": name, "company_id": company.id, "country_id": country.id},
        )

    @staticmethod
    def _tax_repartition(account):
        return [
            (0, 0, {"repartition_type": "base"}),
            (0, 0, {"repartition_type": "tax", "account_id": account.id or False}),
        ]

    # prices with or without tax ---------------------------------------------------------------------
    @api.model
    def _on_price_basis(self, taxes, included):
        """The taxes as they apply to the marketplace's prices: a percent tax whose "Included in
        Price" is not the marketplace's is replaced by its twin that agrees.

        Why a twin rather than a converted price: an Odoo line keeps its unit price to the
        "Product Price" precision (2 digits by default). 10.00 tax included at 21 % would become
        8.26 before tax, and Odoo would total 8.26 + 1.73 = 9.99: a cent lost on the order, its
        invoice and the payment to reconcile. On a tax-included twin the line keeps 10.00 and
        Odoo totals 8.26 + 1.74 = 10.00, the marketplace's amount, on every line and whatever the
        quantity. The twin is a copy of the tax (same rate, accounts, tax grids and group), so
        tax reports do not change. Other kinds of taxes (fixed, group, division) keep the
        converted price (see marketplace.order.service._price); a cent lost there is flagged by
        the total check."""
        result = self.env["account.tax"]
        for tax in taxes:
            if tax.amount_type == "percent" and tax.price_include != included:
                tax = self._twin(tax, included)
            result |= tax
        return result

    def _twin(self, tax, included):
        """The copy of `tax` with "Included in Price" = `included`, created when missing (the
        same for every line of a batch: remembered by the batch's memo)."""
        memo = batch_memo(self.env)
        if memo is None:
            return self._find_twin(tax, included)
        ids = memo.ids(("tax twin", tax.id, bool(included)), lambda: self._find_twin(tax, included))
        return tax.browse(ids)

    def _find_twin(self, tax, included):
        Tax = self.env["account.tax"].with_context(active_test=False)
        domain = [
            ("company_id", "=", tax.company_id.id),
            ("type_tax_use", "=", tax.type_tax_use),
            ("amount_type", "=", tax.amount_type),
            ("amount", "=", tax.amount),
            ("price_include", "=", included),
            ("include_base_amount", "=", tax.include_base_amount),
            ("tax_group_id", "=", tax.tax_group_id.id),
            ("country_id", "=", tax.country_id.id),
            ("tax_scope", "=", tax.tax_scope),
        ]
        signature = self._repartition_signature(tax)
        suffix = " (%s)" % (_("incl.") if included else _("excl."))
        name = tax.name + suffix
        twins = Tax.search(domain).filtered(lambda t: self._repartition_signature(t) == signature)
        # a twin made for another tax of the same figures is that tax's (21% BE beside 21% NL)
        others = {t.name for t in twins if t.name != name and t.name.endswith(suffix)}
        taken = set(
            Tax.search(
                [("company_id", "=", tax.company_id.id), ("name", "in", [n[: -len(suffix)] for n in others])]
            ).mapped("name")
        )
        twins = twins.filtered(
            lambda t: t.name == name or t.name[: -len(suffix)] not in taken or not t.name.endswith(suffix)
        )
        if twins:
            return min(twins, key=lambda t: (t.name != name, not t.active, t.id))
        return self.env["marketplace.key.lock"]._find_or_create(
            Tax,
            tax.company_id,
            ("tax twin", tax.id, bool(included)),
            domain + [("name", "=", name)],
            lambda: tax.copy_data({"name": name, "price_include": included, "active": True})[0],
        )

    @staticmethod
    def _repartition_signature(tax):
        return sorted(
            (
                line.document_type,
                line.repartition_type,
                line.factor_percent,
                line.account_id.id,
                tuple(sorted(line.tag_ids.ids)),
                line.use_in_tax_closing,
            )
            for line in tax.repartition_line_ids
        )
