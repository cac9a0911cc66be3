from datetime import timedelta

from odoo import fields, models

from ..adapter.settlement_mapping import FEE_TYPES, group_to_settlement, settlement_lines

# How far back the first Import Settlements looks (the job has no cursor yet): the open period
# and the last payouts. Older ones: set the job's Last Processed On back (developer mode).
FIRST_SETTLEMENT_DAYS = 30
# Amazon may list an event up to 48 hours after its posted date (the contract's note): the open
# period's refunds are read again from that far back (a refund already made is known by its id)
LATE_EVENTS = timedelta(hours=48)


def _header(settlement, field):
    return settlement.get(field) if isinstance(settlement, dict) else getattr(settlement, field, None)


class MarketplaceInstance(models.Model):
    """Amazon's payouts (Import Settlements) through Finances API v0: its financial event groups
    are the settlement periods, their events the lines (see adapter/settlement_mapping.py)."""

    _inherit = "marketplace.instance"

    def _home_amazon_currency(self):
        """The currency of a group Amazon gives no total for yet: the home marketplace's."""
        country = self._home_amazon_marketplace().country_id
        return (country.currency_id or self.currency_id or self.company_id.currency_id).name

    def _amazon_read_settlements(self, client, since):
        """The financial event groups opened since `since` (the job's cursor), oldest first."""
        since = since or fields.Datetime.now() - timedelta(days=FIRST_SETTLEMENT_DAYS)
        currency = self._home_amazon_currency()
        groups = [group_to_settlement(group, currency) for group in client.financial_event_groups(since)]
        return sorted(
            groups, key=lambda group: (group["start"] or fields.Datetime.now(), group["external_id"])
        )

    def _amazon_settlement_lines(self, client, settlement, posted_after):
        """The lines of one group, a list per page of 100 events (those posted since
        `posted_after` when given)."""
        group_id, currency = _header(settlement, "external_id"), _header(settlement, "currency")
        if posted_after:
            posted_after = fields.Datetime.to_datetime(posted_after) - LATE_EVENTS
        return settlement_lines(client.group_events(group_id, posted_after), currency)

    def _amazon_fee_types(self):
        return list(FEE_TYPES)
