from odoo.tests import TransactionCase, tagged

# The addons of the suite: every model one of them defines is checked, including models added later.
SUITE = ("marketplace_base", "marketplace_amazon", "marketplace_bigcommerce", "marketplace_bol")

# Relations to records of a company that need not be the instance's, and why.
OPEN_RELATIONS = {
    # people: a user may work for several companies (Odoo checks their companies, not one)
    ("marketplace.instance", "user_id"),
    ("marketplace.instance", "activity_user_id"),
    ("marketplace.job", "requested_by_id"),
    ("marketplace.log", "user_id"),
    # anyone's address may receive the summary mails
    ("marketplace.instance", "notify_partner_ids"),
}


@tagged("post_install", "-at_install")
class TestEveryModelKeepsToItsCompany(TransactionCase):
    """Over every model of the suite (the registry's models whose module is one of ours): a model
    holding an instance's or a company's data carries a stored company, is filtered by a
    multi-company record rule and checks the companies of its relations. A model added later
    without them fails here."""

    def _suite_models(self):
        for name in sorted(self.env.registry.models):
            model = self.env[name]
            if model._original_module in SUITE and not model._abstract:
                yield model

    def _company_models(self):
        return [model for model in self._suite_models() if {"company_id", "instance_id"} & set(model._fields)]

    def test_every_model_with_a_company_or_an_instance_has_a_company_rule(self):
        models = self._company_models()
        names = [model._name for model in models]
        for expected in (
            "marketplace.instance",
            "marketplace.listing",
            "marketplace.return",
            "marketplace.order.status",
            "bigcommerce.location",
            "bigcommerce.channel",
            "bigcommerce.tax.class",
            "bigcommerce.category",
            "bigcommerce.brand",
        ):
            self.assertIn(expected, names, "the check sees the suite's models")
        problems = [problem for model in models for problem in self._rule_problems(model)]
        self.assertFalse(problems, "\n".join(problems))

    def _rule_problems(self, model):
        field = model._fields.get("company_id")
        if not field:
            return ["%s: no company_id (an instance's records carry its company)" % model._name]
        if not field.store:
            return ["%s: company_id is not stored, no record rule can filter on it" % model._name]
        rules = self.env["ir.rule"].sudo().search([("model_id.model", "=", model._name)])
        company_rules = rules.filtered(
            lambda r: "company_id" in (r.domain_force or "") and "company_ids" in (r.domain_force or "")
        )
        if not company_rules:
            return ["%s: no multi-company record rule" % model._name]
        if not company_rules.filtered("global"):
            return ["%s: its company rule applies to some groups only" % model._name]
        if not model._check_company_auto:
            return ["%s: _check_company_auto is off (its relations' companies are not checked)" % model._name]
        return []

    def test_relations_to_company_records_are_checked(self):
        problems = []
        for model in self._company_models():
            for name, field in model._fields.items():
                if (
                    field.type not in ("many2one", "many2many")
                    or not field.store
                    or field.related
                    or field.automatic
                    or field._module not in SUITE
                    or (model._name, name) in OPEN_RELATIONS
                ):
                    continue
                if "company_id" in self.env[field.comodel_name]._fields and not field.check_company:
                    problems.append(
                        "%s.%s (%s) has no check_company" % (model._name, name, field.comodel_name)
                    )
        self.assertFalse(problems, "\n".join(problems))

    def test_the_rules_hide_another_companys_records(self):
        """The rules at work: an instance of another company and its records are invisible, even
        to a Marketplace Manager."""
        other = self.env["res.company"].create({"name": "Rule Check Co"})
        instance = self.env["marketplace.instance"].create(
            {"name": "Rule Check Store", "marketplace": "generic", "company_id": other.id}
        )
        self.env["marketplace.queue"]._enqueue(instance, "listing", [("RC-1", {"sku": "RC-1"})])
        user = self.env["res.users"].create(
            {
                "name": "Rule Checker",
                "login": "rule_checker",
                "groups_id": [(6, 0, self.env.ref("marketplace_base.group_marketplace_manager").ids)],
            }
        )
        self.assertNotIn(other, user.company_ids)
        for model in (
            "marketplace.instance",
            "marketplace.job",
            "marketplace.queue",
            "marketplace.queue.line",
        ):
            records = self.env[model].search([("company_id", "=", other.id)])
            self.assertTrue(records, model)
            self.assertFalse(records.with_user(user)._filter_access_rules("read"), model)
