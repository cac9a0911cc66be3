from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementRights(SettlementCase):
    """Match Again books as the engine (as superuser) once the caller's rights are checked: a
    Marketplace User of the instance's company may; a portal user, a salesperson without a
    marketplace right or a user of another company may not, and nothing changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "settle_user", groups="marketplace_base.group_marketplace_user")
        cls.portal = new_test_user(cls.env, "settle_portal", groups="base.group_portal")
        cls.clerk = new_test_user(cls.env, "settle_clerk", groups="sales_team.group_sale_salesman")
        other = cls.env["res.company"].create({"name": "Other Settlement Co"})
        cls.foreign = new_test_user(
            cls.env,
            "settle_foreign",
            groups="marketplace_base.group_marketplace_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )

    def _open_settlement(self):
        self._book(self._settlement([self._line("O-1", "order", 12.1, order_ref="SR-9")]))
        settlement = self._settlement_of()
        self.assertEqual(settlement.open_line_count, 1)
        self._invoiced("SR-9", quantity=1)
        return settlement

    def test_outsiders_cannot_match_again(self):
        settlement = self._open_settlement()
        for user in (self.portal, self.clerk, self.foreign):
            with self.assertRaises(AccessError, msg=user.login):
                settlement.with_user(user).action_match_again()
        settlement.invalidate_recordset()
        self.assertEqual(settlement.open_line_count, 1, "nothing was matched")
        self.assertFalse(settlement.with_user(self.foreign).search([("id", "=", settlement.id)]))

    def test_a_marketplace_user_matches_again(self):
        settlement = self._open_settlement()
        answer = settlement.with_user(self.user).action_match_again()
        self.assertEqual(answer["params"]["message"], "1 lines matched, 0 left to match.")
        self.assertTrue(settlement.line_ids.is_reconciled)
        # the figures, without the right to read bank statements
        self.assertAlmostEqual(settlement.with_user(self.user).amount_sales, 12.1)
        self.assertFalse(self.user.has_group("account.group_account_invoice"))
