import math

from odoo import _, api, models
from odoo.tools import float_round

from .marketplace_batch import batch_memo


class MarketplaceTaxService(models.AbstractModel):
    """The Odoo taxes of a marketplace order's lines.

    With the marketplace's tax systems, a tax is the rate the marketplace states, else the rate
    its amounts imply over the whole order, snapped to a sale tax the company already has; new
    taxes are created (once, whatever the number of workers) only when none fits. Whatever the
    tax system, the taxes put on a line agree with the marketplace's prices (tax included or
    not), so that Odoo's totals are the marketplace's to the cent.
    """

    _name = "marketplace.tax.service"
    _description = "Marketplace Order Taxes"

    # the taxes of one line ------------------------------------------------------------------------
    @api.model
    def _line_taxes(self, instance, order, mp_taxes, product, fpos, order_taxes):
        """The Odoo taxes of a line (or charge) by the instance's tax system; `order_taxes` is
        the result of _order_taxes for the order."""
        if instance.tax_system == "odoo":
            taxes = product.taxes_id.filtered(lambda t: t.company_id == instance.company_id)
            taxes = fpos.map_tax(taxes) if fpos else taxes
        else:
            taxes = self.env["account.tax"]
            for mp_tax in mp_taxes:
                taxes |= order_taxes.get(id(mp_tax), self.env["account.tax"])
            if instance.tax_system == "marketplace_fpos" and fpos:
                taxes = fpos.map_tax(taxes)
        keep = instance._hook("keep_product_taxes")
        if keep and keep():
            # the connector's choice (e.g. Bol.com's "Managing Excluded Taxes on Odoo Product?"):
            # the taxes stay as they are and the price is converted to them (order service's
            # _price); a cent lost to rounding is flagged by the total check
            return taxes
        return self._on_price_basis(taxes, order.prices_include_tax)

    # the taxes of a whole order -------------------------------------------------------------------
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
        for mp_tax, base in self._entries(order):
            if mp_tax.rate is not None:
                rates.setdefault(mp_tax.rate, []).append(mp_tax)
                continue
            bounds = self._rate_bounds(mp_tax.amount, base, included, tolerance)
            if bounds:
                derived.append((mp_tax, mp_tax.amount, base - mp_tax.amount if included else base, bounds))
        # fixed order of creation, so that two workers lock new taxes in the same order
        for rate in sorted(rates):
            tax = self._marketplace_tax(instance, rate, included) if rate else self.env["account.tax"]
            result.update((id(mp_tax), tax) for mp_tax in rates[rate])
        for low, high, entries in self._groups(derived):
            pooled = 100.0 * sum(e[1] for e in entries) / sum(e[2] for e in entries)
            tax = self._snap(instance, low, high, pooled, included) or self._marketplace_tax(
                instance, self._roundest(low, high, pooled), included)
            result.update((id(entry[0]), tax) for entry in entries)
        return result

    @staticmethod
    def _entries(order):
        """(marketplace tax, amount it was computed on) of every line and charge."""
        for line in order.lines:
            for mp_tax in line.taxes:
                yield mp_tax, line.unit_price * line.quantity
            if line.gift_wrap:
                for mp_tax in line.gift_wrap.taxes:
                    yield mp_tax, line.gift_wrap.amount
        for charge in (order.shipping, order.gift_wrap):
            for mp_tax in (charge.taxes if charge else []):
                yield mp_tax, charge.amount  # marketplace tax amounts are on the full charge

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
            step = 10.0 ** -digits
            first, last = math.ceil(low / step - 1e-9), math.floor(min(high, 1000.0) / step + 1e-9)
            if first <= last:
                return float_round(min(max(round(pooled / step), first), last) * step, precision_digits=digits)
        return float_round(pooled, precision_digits=4)

    def _snap(self, instance, low, high, pooled, included):
        """The company's sale tax nearest the pooled rate among those within [low, high]."""
        candidates = self.env["account.tax"].with_context(active_test=False).search(
            self._tax_domain(instance, included) + [("amount", ">=", low - 1e-6), ("amount", "<=", high + 1e-6)])
        if not candidates:
            return candidates
        return min(candidates, key=lambda t: (not t.active, abs(t.amount - pooled), t.id))

    # taxes created from marketplace rates --------------------------------------------------------
    def _tax_domain(self, instance, included):
        domain = [
            ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent"),
            ("price_include", "=", included), ("company_id", "=", instance.company_id.id),
        ]
        if instance.tax_account_id:
            domain.append(("invoice_repartition_line_ids.account_id", "=", instance.tax_account_id.id))
        return domain

    @api.model
    def _marketplace_tax(self, instance, rate, price_include):
        """The company's sale tax of a marketplace rate, created on the tax accounts if new."""
        Tax = self.env["account.tax"].with_context(active_test=False)
        account = instance.tax_account_id
        name = _("%(marketplace)s Tax %(rate)s%%%(incl)s", marketplace=instance._marketplace_label(),
                 rate=("%g" % rate), incl=_(" (incl.)") if price_include else "")
        return self.env["marketplace.key.lock"]._find_or_create(
            Tax, instance.company_id, ("marketplace tax", rate, bool(price_include), account.id),
            self._tax_domain(instance, price_include) + [("amount", "=", rate)],
            lambda: {
                "name": name,
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include": price_include,
                "company_id": instance.company_id.id,
                "invoice_repartition_line_ids": self._tax_repartition(account),
                "refund_repartition_line_ids": self._tax_repartition(instance.refund_tax_account_id or account),
            },
            order="active desc, id",
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
            ("company_id", "=", tax.company_id.id), ("type_tax_use", "=", tax.type_tax_use),
            ("amount_type", "=", tax.amount_type), ("amount", "=", tax.amount), ("price_include", "=", included),
            ("include_base_amount", "=", tax.include_base_amount), ("tax_group_id", "=", tax.tax_group_id.id),
            ("country_id", "=", tax.country_id.id), ("tax_scope", "=", tax.tax_scope),
        ]
        signature = self._repartition_signature(tax)
        twins = Tax.search(domain).filtered(lambda t: self._repartition_signature(t) == signature)
        if twins:
            return min(twins, key=lambda t: (not t.active, t.id))
        name = "%s (%s)" % (tax.name, _("incl.") if included else _("excl."))
        return self.env["marketplace.key.lock"]._find_or_create(
            Tax, tax.company_id, ("tax twin", tax.id, bool(included)), domain + [("name", "=", name)],
            lambda: tax.copy_data({"name": name, "price_include": included, "active": True})[0],
        )

    @staticmethod
    def _repartition_signature(tax):
        return sorted(
            (line.document_type, line.repartition_type, line.factor_percent, line.account_id.id,
             tuple(sorted(line.tag_ids.ids)), line.use_in_tax_closing)
            for line in tax.repartition_line_ids
        )
