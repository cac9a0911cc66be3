"""Finances v0 (financesV0.json): listFinancialEventGroups, listFinancialEventsByGroupId,
listFinancialEventsByOrderId, listFinancialEvents; each 0.5 requests per second, burst 30.

* listFinancialEventGroups: FinancialEventGroupStartedAfter is required (400 "Date range is
  invalid." without it, as Amazon's sandbox answers); groups whose start is at or after it and
  before FinancialEventGroupStartedBefore (default: now); MaxResultsPerPage 1-100, default 10.
* the event listings: MaxResultsPerPage 1-100, default 100, counted in events (entries of any
  list); events posted at or after PostedAfter and before PostedBefore (default: now; PostedBefore
  needs PostedAfter). Every list of the contract's FinancialEvents is in the answer, empty or not,
  as Amazon sends them. An unknown group is 404; an order id that is neither an order of the
  seller nor in Amazon's 3-7-7 form is 400, a well-formed unknown one has no events.
* dates later than the request, or a before not after its after, are 400 InvalidInput; a window
  longer than 180 days answers nothing (the contract's rule). Simplification, as for orders: the
  two minutes Amazon holds back are not held back, so a test sees an event it has just caused.
* NextToken: valid only with the same arguments as the request that gave it (400 otherwise), and
  may be used again (a retry after a 429); the listing it continues is the one of its first page.
"""

import base64
import hashlib
import os
import re
import time

from .data import iso_ms, parse_iso

DAY = 86400
MAX_WINDOW = 180 * DAY
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
EVENT_LISTS = (
    "ShipmentEventList",
    "ShipmentSettleEventList",
    "RefundEventList",
    "GuaranteeClaimEventList",
    "EBTRefundReimbursementOnlyEventList",
    "ChargebackEventList",
    "PayWithAmazonEventList",
    "ServiceProviderCreditEventList",
    "RetrochargeEventList",
    "RentalTransactionEventList",
    "ProductAdsPaymentEventList",
    "ServiceFeeEventList",
    "SellerDealPaymentEventList",
    "DebtRecoveryEventList",
    "LoanServicingEventList",
    "AdjustmentEventList",
    "SAFETReimbursementEventList",
    "SellerReviewEnrollmentPaymentEventList",
    "FBALiquidationEventList",
    "CouponPaymentEventList",
    "ImagingServicesFeeEventList",
    "NetworkComminglingTransactionEventList",
    "AffordabilityExpenseEventList",
    "AffordabilityExpenseReversalEventList",
    "RemovalShipmentEventList",
    "RemovalShipmentAdjustmentEventList",
    "TrialShipmentEventList",
    "TDSReimbursementEventList",
    "AdhocDisbursementEventList",
    "TaxWithholdingEventList",
    "ChargeRefundEventList",
    "FailedAdhocDisbursementEventList",
    "ValueAddedServiceChargeEventList",
    "CapacityReservationBillingEventList",
)


def _money(currency, cents):
    return {"CurrencyCode": currency, "CurrencyAmount": cents / 100}


class FinancesApiMixin:
    # -- handlers ----------------------------------------------------------------------------------
    def _list_event_groups(self, req):
        def matched():
            lo, hi, err = self._fin_window(
                req, "FinancialEventGroupStartedAfter", "FinancialEventGroupStartedBefore", required=True
            )
            if err:
                return None, err
            return [g for g in self.fin_groups.values() if lo <= g["start"] < hi], None

        return self._fin_paged(req, ("groups",), 10, matched, self._fin_groups_answer)

    def _list_events_by_group(self, req, group_id):
        group = self.fin_groups.get(group_id)
        if group is None:
            return self.error_response(404, "Financial event group not found: %s" % group_id, "NotFound")
        return self._fin_paged(
            req,
            ("group", group_id),
            100,
            lambda: self._fin_posted(req, group["events"]),
            self._fin_events_answer,
        )

    def _list_events_by_order(self, req, order_id):
        if order_id not in self.orders and not ORDER_ID.match(order_id):
            return self.error_response(400, "Bad order ID provided: %s" % order_id, "InvalidInput")
        events = self.fin_by_order.get(order_id, [])
        return self._fin_paged(
            req, ("order", order_id), 100, lambda: (list(events), None), self._fin_events_answer
        )

    def _list_events(self, req):
        return self._fin_paged(
            req, ("events",), 100, lambda: self._fin_posted(req, self.fin_events), self._fin_events_answer
        )

    # -- parameters ------------------------------------------------------------------------------------
    def _fin_window(self, req, after_name, before_name, required=False):
        """(after, before, error) of a date window, after -inf when none was given; a window
        longer than the contract allows is empty (after == before)."""
        now = time.time()
        dates = {}
        for name in (after_name, before_name):
            raw = req.arg(name)
            if raw is None:
                continue
            ts = parse_iso(raw)
            if ts is None or "T" not in raw:
                return (
                    None,
                    None,
                    self.error_response(400, "%s is not an ISO 8601 date-time: %s" % (name, raw)),
                )
            if ts > now:
                return (
                    None,
                    None,
                    self.error_response(400, "%s must be before the time of the request" % name),
                )
            dates[name] = ts
        if after_name not in dates and (required or before_name in dates):
            return None, None, self.error_response(400, "Date range is invalid.", "InvalidInput")
        lo, hi = dates.get(after_name, float("-inf")), dates.get(before_name, now)
        if hi <= lo:
            return (
                None,
                None,
                self.error_response(400, "%s must be later than %s" % (before_name, after_name)),
            )
        if hi - lo > MAX_WINDOW and after_name in dates:
            return hi, hi, None
        return lo, hi, None

    def _fin_posted(self, req, events):
        lo, hi, err = self._fin_window(req, "PostedAfter", "PostedBefore")
        if err:
            return None, err
        return [e for e in events if lo <= e["posted"] < hi], None

    def _fin_paged(self, req, what, default_size, compute, answer):
        """One page of a listing; `compute()` gives (matched, error) on a first page."""
        raw = req.arg("MaxResultsPerPage", str(default_size))
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return self.error_response(400, "MaxResultsPerPage must be between 1 and 100: %s" % raw)
        key = (what, tuple(sorted((k, tuple(v)) for k, v in req.query.items() if k != "NextToken")))
        token = req.arg("NextToken")
        if token is not None:
            cursor = self.fin_cursors.get(token)
            if cursor is None:
                return self.error_response(400, "Invalid NextToken: the token is unknown or expired")
            if cursor[0] != key:
                return self.error_response(
                    400, "A NextToken must come with the same arguments as the call that produced it"
                )
            matched, offset, listing = cursor[1], cursor[2], cursor[3]
        else:
            matched, err = compute()
            if err:
                return err
            offset, listing = 0, os.urandom(12)
        nxt = None
        if offset + size < len(matched):
            # the same page asked again (a retry) gives the same token
            digest = hashlib.sha256(listing + b"%d" % (offset + size)).digest()
            nxt = base64.b64encode(digest[:24]).decode()
            self.fin_cursors[nxt] = (key, matched, offset + size, listing)
            while len(self.fin_cursors) > 5000:
                self.fin_cursors.popitem(last=False)
        return answer(matched[offset : offset + size], nxt)

    # -- answers -------------------------------------------------------------------------------------
    def _fin_groups_answer(self, groups, nxt):
        payload = {"FinancialEventGroupList": [self._render_group(g) for g in groups]}
        if nxt:
            payload["NextToken"] = nxt
        return self._ok(200, {"payload": payload})

    def _fin_events_answer(self, events, nxt):
        lists = {name: [] for name in EVENT_LISTS}
        for event in events:
            lists[event["list"]].append(event["body"])
        payload = {"FinancialEvents": lists}
        if nxt:
            payload["NextToken"] = nxt
        return self._ok(200, {"payload": payload})

    @staticmethod
    def _render_group(group):
        currency = group["currency"]
        out = {
            "FinancialEventGroupId": group["id"],
            "ProcessingStatus": group["status"],
            "FundTransferStatus": group["transfer"],
            "OriginalTotal": _money(currency, group["cents"]),
        }
        if group["status"] == "Closed":
            out["ConvertedTotal"] = _money(currency, group["cents"])
            out["FundTransferDate"] = iso_ms(group["transfer_date"])
            out["TraceId"] = group["trace"]
        out["AccountTail"] = ACCOUNT_TAIL.get(currency, "000")
        out["BeginningBalance"] = _money(currency, 0)
        out["FinancialEventGroupStart"] = iso_ms(group["start"])
        if group["end"]:
            out["FinancialEventGroupEnd"] = iso_ms(group["end"])
        return out


ACCOUNT_TAIL = {"EUR": "047", "GBP": "213", "USD": "586"}
