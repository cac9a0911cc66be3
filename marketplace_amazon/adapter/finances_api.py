"""The finance calls of AmazonClient: Finances API v0. Imports nothing from Odoo.

Amazon pays a seller per *financial event group*: a settlement period (about two weeks) of one
currency, Open while it collects events, then Closed with its OriginalTotal paid out on its
FundTransferDate. Its events (sales, refunds, fees, reimbursements, reserves...) are listed per
group, 100 per page, paged by NextToken; an order's events across groups are listed per order.
settlement_mapping.py turns both into the neutral settlement.

Every operation is paced at the documented 0.5 requests per second (burst 30). A page token is
only valid with the arguments of the call that produced it: every page is asked with the same
query plus the token; a page may be empty and still have a token. Amazon refuses date bounds
less than two minutes before the request (they are moved back: what is read twice has the same
keys) and answers nothing for a window of more than 180 days (a longer one is read in parts).
"""

from datetime import datetime, timedelta, timezone

from sp_api.api import FinancesV0

from .errors import AmazonError, _datetime, _iso, path_segment

PAGE_SIZE = 100  # MaxResultsPerPage: 1 to 100
# Amazon refuses time bounds less than two minutes old; a little more for clock drift
RECENT = timedelta(minutes=2, seconds=30)
# Amazon answers nothing for a date window of more than 180 days (a day less: the last window
# ends at Amazon's own default, a little later than ours)
WINDOW = timedelta(days=179)


class _Finances(FinancesV0):
    """sp_api adds MarketplaceId(s) to every GET it sends; Finances v0 takes none (events are
    the seller's, whatever the marketplace): send the query as the contract has it."""

    def _request(self, path, **kwargs):
        kwargs.setdefault("add_marketplace", False)
        return super()._request(path, **kwargs)


def _latest_bound(now=None):
    return (now or datetime.now(timezone.utc)) - RECENT


def _windows(after, before=None, now=None):
    """The windows (after, before) from `after` to `before` (None: up to Amazon's default, two
    minutes before the request): Amazon answers nothing for a window of more than 180 days, and
    refuses a bound less than two minutes old, which is moved back (what was read again is
    known by its key)."""
    latest = _latest_bound(now)
    start = min(_datetime(after), latest)
    end = min(_datetime(before), latest) if before else None
    windows = []
    while (end or latest) - start > WINDOW:
        windows.append((start, start + WINDOW))
        start += WINDOW
    if end is None or start < end:
        windows.append((start, end))
    return windows


class FinancesApiMixin:
    """Part of AmazonClient: financial event groups (settlement periods) and their events."""

    def _finances_api(self):
        return self._api(_Finances)

    def _finances_page(self, operation, method, args, query, token):
        """One page of a Finances v0 listing: its payload (a dict), and its next token."""
        kwargs = dict(query, NextToken=token) if token else dict(query)
        payload = self._request(operation, self._finances_api(), method, *args, **kwargs).payload
        if not isinstance(payload, dict):
            raise AmazonError("%s: Amazon's answer holds no payload." % operation)
        return payload, payload.get("NextToken") or None

    def financial_event_groups(self, started_after, started_before=None):
        """Every financial event group opened at or after `started_after` (and before
        `started_before` when given), all pages, as Amazon gives them (FinancialEventGroup).
        Amazon answers nothing for a window over 180 days: a longer one is read in parts."""
        if not _datetime(started_after):
            raise AmazonError("listFinancialEventGroups needs the date the groups opened after.")
        for after, before in _windows(started_after, started_before):
            query = {"MaxResultsPerPage": PAGE_SIZE, "FinancialEventGroupStartedAfter": _iso(after)}
            if before:
                query["FinancialEventGroupStartedBefore"] = _iso(before)
            token = None
            while True:
                payload, token = self._finances_page(
                    "listFinancialEventGroups", "list_financial_event_groups", (), query, token
                )
                groups = payload.get("FinancialEventGroupList")
                if not isinstance(groups, list):
                    raise AmazonError("listFinancialEventGroups: Amazon's answer holds no group list.")
                yield from groups
                if not token:  # an empty page with a token is not the end (the contract says so)
                    break

    def group_events(self, group_id, posted_after=None):
        """The events of one financial event group, a page (a FinancialEvents dict: event lists
        by name) at a time; only those posted at or after `posted_after` when given."""
        if not group_id:
            raise AmazonError("listFinancialEventsByGroupId needs the financial event group id.")
        args = (path_segment(group_id),)
        method = "list_financial_events_by_group_id"
        if not posted_after:
            yield from self._event_pages("listFinancialEventsByGroupId", method, args, {})
            return
        for after, before in _windows(posted_after):
            query = {"PostedAfter": _iso(after)}
            if before:
                query["PostedBefore"] = _iso(before)
            yield from self._event_pages("listFinancialEventsByGroupId", method, args, query)

    def order_events(self, order_id):
        """Every financial event of one order (listFinancialEventsByOrderId), a page at a time."""
        if not order_id:
            raise AmazonError("listFinancialEventsByOrderId needs the order id.")
        yield from self._event_pages(
            "listFinancialEventsByOrderId",
            "get_financial_events_for_order",
            (path_segment(order_id),),
            {},
        )

    def _event_pages(self, operation, method, args, query):
        query = dict(query, MaxResultsPerPage=PAGE_SIZE)
        token = None
        while True:
            payload, token = self._finances_page(operation, method, args, query, token)
            events = payload.get("FinancialEvents")
            if not isinstance(events, dict):
                # never read as "no more events": a cursor moved past events never read loses them
                raise AmazonError("%s: Amazon's answer holds no financial events." % operation)
            yield events
            if not token:
                return
