import os
import re

from odoo.tests import TransactionCase, tagged

from ..models.marketplace_job_runner import MarketplaceJobRunner

# A hook line of the runner's docstring: "_<x>_name(args) -> returns    when".
HOOK_LINE = re.compile(
    r"^\s*_<x>_(?P<name>[\w<>]+)\((?P<args>[^)]*)\) -> (?P<returns>.+?)\s{2,}(?P<when>\S.*?)\s*$"
)
README = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md"
)


def contract():
    """{hook name: the jobs that need it, or ['always'] / ['optional'] / ['any-job']}, from the
    runner's docstring (`queue_<kind>` stands for every queue kind)."""
    hooks = {}
    for line in (MarketplaceJobRunner.__doc__ or "").splitlines():
        match = HOOK_LINE.match(line)
        if match:
            hooks[match["name"]] = match["when"].split()
    return hooks


def readme_hooks():
    """The hook names of the README's table "The connector contract" (its first column)."""
    with open(README, encoding="utf-8") as readme:
        text = readme.read()
    section = text.split("### The connector contract", 1)[1].split("\n#", 1)[0]
    names = set()
    for row in section.splitlines():
        if row.startswith("| `_<x>_"):
            names.update(re.findall(r"`_<x>_([\w<>]+)", row.split(" | ")[0]))
    return names


@tagged("post_install", "-at_install")
class TestConnectorContract(TransactionCase):
    """The contract between the engine and its connectors is the list of hooks in the runner's
    docstring: a connector defines no `_<code>_*` method the list does not know (a typo, or a
    helper that would be taken for a hook), every hook the jobs it declares need, and the
    README's table names the same hooks."""

    def setUp(self):
        super().setUp()
        self.hooks = contract()
        self.Instance = self.env["marketplace.instance"]
        self.codes = [code for code, _label in self.Instance._fields["marketplace"].selection]

    def _defined(self, code):
        """The hook names a connector defines (its `_<code>_*` methods, without the prefix)."""
        prefix = "_%s_" % code
        return {
            name[len(prefix) :]
            for name in dir(type(self.Instance))
            if name.startswith(prefix) and callable(getattr(type(self.Instance), name))
        }

    def test_the_contract_is_read_from_the_runner(self):
        self.assertGreaterEqual(len(self.hooks), 30, "the hook lines of the runner's docstring")
        for name in ("fetch_orders", "map_order", "send_shipment", "site_name", "queue_<kind>"):
            self.assertIn(name, self.hooks)
        self.assertEqual(self.hooks["send_export"], ["export_inventory", "export_prices"])
        jobs = set(dict(self.env["marketplace.job"]._fields["job"].selection))
        for name, when in self.hooks.items():
            self.assertTrue(set(when) <= jobs | {"always", "optional", "any-job"}, "%s: %s" % (name, when))

    def test_connectors_define_only_hooks_of_the_contract(self):
        self.assertTrue({"amazon", "bigcommerce", "bol", "generic"} <= set(self.codes))
        for code in self.codes:
            unknown = sorted(
                name
                for name in self._defined(code)
                if name not in self.hooks and not name.startswith("queue_")
            )
            self.assertFalse(
                unknown,
                "%s defines methods the connector contract does not know: %s (a hook "
                "missing from the runner's docstring, or a helper named like a hook)" % (code, unknown),
            )

    def test_connectors_define_the_hooks_their_jobs_need(self):
        for code in self.codes:
            declared = set(self.Instance.new({"name": code, "marketplace": code})._declared_jobs())
            defined = self._defined(code)
            for name, when in self.hooks.items():
                needed = (
                    "always" in when
                    or bool(declared & set(when))
                    or ("any-job" in when and declared - {"process_queues"})
                )
                if needed:
                    self.assertIn(
                        name,
                        defined,
                        "%s declares %s but has no _%s_%s" % (code, sorted(declared), code, name),
                    )

    def test_the_readme_names_the_hooks_of_the_contract(self):
        if not os.path.exists(README):
            self.skipTest("no README.md next to the addons")
        self.assertEqual(
            readme_hooks(),
            set(self.hooks),
            "the README's connector contract table and the runner's docstring differ",
        )
