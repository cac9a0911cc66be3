"""The seller's money at Amazon: financial event groups (settlement periods) and their events.

Each currency the seller sells in has its own series of groups (Amazon.de and Amazon.fr share the
EUR one; Amazon.co.uk has GBP, Amazon.com USD), one period after the other, 14 days long
(``sizes`` ``settlement_days``). One group per currency is Open: what happens now is posted there.
A group's OriginalTotal is always the sum of its events, to the cent (Open: the balance so far;
Closed: the payout, or a charge when negative); BeginningBalance is 0.00.

What posts events (finance_events.py builds them):

* an order line's units ship: a ShipmentEvent for the units not posted before, whatever shipped
  them (seeded or added Shipped orders, control ``set_order_status``, an accepted confirmShipment);
* control ``finances_refund``: a RefundEvent (or a ChargebackEvent, a GuaranteeClaimEvent);
* a group opening: its ServiceFeeEvent Subscription (the selling plan, once per group);
* control ``finances_close`` with a ``reserve``: a ReserveEvent held back in the closing group,
  released in the next; control ``finances_correct``: AdjustmentEvents in any group (a closed
  group's OriginalTotal follows: Amazon corrected it).

The seeded state (reset) has closed groups from the seeded orders' shipments, the refunds of the
seeded customer returns (refunded or returned to inventory), an FBAInventoryReimbursement in each
closed group, a reserve held in the next-to-last closed group and released in the last, and one
open group per currency, which starts five days before the seed's time.
"""

import base64
import hashlib
import time
from collections import OrderedDict

from .data import MARKETPLACES, iso_ms, parse_iso
from .finance_events import SUBSCRIPTION, Money, amount_text, scaled

DAY = 86400
OPEN_SINCE = 5 * DAY  # the seeded open group started this long before the seed's time
RESERVE = 2500  # cents (EUR) held back by the seeded reserve


class FinancesMixin:
    # -- state -------------------------------------------------------------------------------------
    def _fin_reset(self, sizes):
        self.fin_period = int(float(sizes.get("settlement_days", 14)) * DAY)
        self.fin_groups = OrderedDict()  # id -> group, in opening order
        self.fin_open = {}  # currency -> the open group
        self.fin_events = []  # every event, by posting date
        self.fin_by_order = {}  # AmazonOrderId -> its events
        self.fin_cursors = OrderedDict()  # NextToken -> (query key, matched, offset)
        self._fin_seq = 0
        self._fin_adjust_seq = 0
        self._fin_group_seq = 0
        self._fin_seed = {}  # (currency, period index) -> group, while seeding
        self._fin_seeding = True
        self._fin_open_start = int(self.now - min(OPEN_SINCE, self.fin_period // 2))

    def _fin_new_group(self, currency, start):
        self._fin_group_seq += 1
        digest = hashlib.sha256(("%s|%s|%d" % (self.seed, currency, self._fin_group_seq)).encode()).digest()
        group = {
            "id": base64.urlsafe_b64encode(digest[:24]).decode(),
            "currency": currency,
            "start": start,
            "end": None,
            "status": "Open",
            "transfer": "Unknown",
            "transfer_date": None,
            "trace": None,
            "events": [],
            "cents": 0,
        }
        self.fin_groups[group["id"]] = group
        return group

    def _fin_seed_group(self, currency, posted):
        index = min(0, int((posted - self._fin_open_start) // self.fin_period))
        group = self._fin_seed.get((currency, index))
        if group is None:
            start = self._fin_open_start + index * self.fin_period
            group = self._fin_seed[(currency, index)] = self._fin_new_group(currency, start)
        return group

    def _fin_open_group(self, currency, start=None):
        group = self.fin_open.get(currency)
        if group is None:
            group = self.fin_open[currency] = self._fin_new_group(currency, start or time.time())
            self._fin_subscription(group)
        return group

    # -- posting -----------------------------------------------------------------------------------
    def _fin_posted_at(self, seeded):
        """When an event happening now is posted: while seeding, at the seeded moment."""
        return min(seeded, self.now - 1) if self._fin_seeding else time.time()

    def _fin_post(self, currency, list_name, body, cents, posted, order_id=None, group=None):
        if group is None:
            group = (
                self._fin_seed_group(currency, posted)
                if self._fin_seeding
                else self._fin_open_group(currency)
            )
        self._fin_seq += 1
        event = {
            "seq": self._fin_seq,
            "list": list_name,
            "posted": posted,
            "order": order_id,
            "cents": cents,
            "body": body,
            "group": group["id"],
        }
        group["events"].append(event)
        group["cents"] += cents
        if not self._fin_seeding:
            self.fin_events.append(event)
        if order_id:
            self.fin_by_order.setdefault(order_id, []).append(event)
        return event

    def _fin_ship(self, order):
        """Post the ShipmentEvent of an order's units shipped and not posted yet."""
        if not self._priced(order) or order["st"] == "Canceled":
            return None
        spans = [(it, it.get("fin_q", 0), it["shipped"]) for it in order["items"]]
        spans = [(it, done, upto) for it, done, upto in spans if upto > done]
        if not spans:
            return None
        currency = MARKETPLACES[order["mp"]][2]
        posted = self._fin_posted_at(order["u"])
        money = Money(currency)
        body = self._fin_event_head(order, posted)
        body["ShipmentItemList"] = [self._fin_shipment_item(order, it, a, b, money) for it, a, b in spans]
        for it, _done, upto in spans:
            it["fin_q"] = upto
        return self._fin_post(currency, "ShipmentEventList", body, money.cents, posted, order["id"])

    def _fin_subscription(self, group):
        currency = group["currency"]
        body, cents = self._fin_service_fee(
            currency, "Subscription", SUBSCRIPTION.get(currency, 3900), "Professional selling plan"
        )
        posted = group["start"] + 3600 if self._fin_seeding else time.time()
        return self._fin_post(currency, "ServiceFeeEventList", body, cents, posted, group=group)

    def _fin_refund(self, order, lines, shipping, goodwill, list_name="RefundEventList", seeded=None):
        """Post a refund-like event of `lines` [(item, quantity)] of an order, the shipping of those
        units when `shipping`, and a goodwill amount (cents). The caller checked the quantities."""
        currency = MARKETPLACES[order["mp"]][2]
        posted = self._fin_posted_at(seeded) if seeded else time.time()
        money = Money(currency)
        body = self._fin_event_head(order, posted)
        rows = []
        for k, (it, qty) in enumerate(lines):
            done, ship_done = it.get("fin_r", 0), it.get("fin_sr", 0)
            ship_upto = min(it.get("fin_q", 0), ship_done + qty) if shipping else ship_done
            rows.append(
                self._fin_adjustment_item(
                    order,
                    it,
                    (done, done + qty),
                    (ship_done, ship_upto),
                    money,
                    list_name,
                    goodwill if k == 0 else 0,
                )
            )
            it["fin_r"], it["fin_sr"] = done + qty, ship_upto
        if not rows:  # a goodwill refund alone: on the order's first line, no unit given back
            it = order["items"][0]
            span = (it.get("fin_r", 0),) * 2
            rows.append(self._fin_adjustment_item(order, it, span, span, money, list_name, goodwill))
        body["ShipmentItemAdjustmentList"] = rows
        return self._fin_post(currency, list_name, body, money.cents, posted, order["id"])

    def _fin_adjust(self, group, adjustment_type, cents, sku=None, quantity=1, posted=None):
        posted = posted or time.time()
        body, total = self._fin_adjustment(group["currency"], posted, adjustment_type, cents, sku, quantity)
        return self._fin_post(group["currency"], "AdjustmentEventList", body, total, posted, group=group)

    # -- closing -----------------------------------------------------------------------------------
    def _fin_close(self, currency, reserve=0):
        """Close the open group of `currency` (holding back `reserve` cents, released in the next
        group) and open the next one; return the closed group."""
        group = self._fin_open_group(currency)
        if reserve:
            self._fin_adjust(group, "ReserveEvent", -reserve)
        now = time.time()
        self._fin_mark_closed(group, now, now)
        del self.fin_open[currency]
        following = self._fin_open_group(currency, start=now)
        if reserve:
            self._fin_adjust(following, "ReserveEvent", reserve)
        return group

    def _fin_mark_closed(self, group, end, transfer_date):
        group.update(status="Closed", end=end, transfer="Succeeded", transfer_date=transfer_date)
        digest = hashlib.sha256(group["id"].encode()).hexdigest().upper()
        group["trace"] = "%s%s" % (digest[:4], int(digest[4:20], 16) % 10**13)

    # -- seeding -------------------------------------------------------------------------------------
    def _fin_finish_seeding(self):
        """After the seeded orders shipped: the returns' refunds, the closed groups' fees,
        reimbursements and reserve, every group complete and sorted; live posting from now on."""
        self._fin_seed_refunds()
        currencies = {MARKETPLACES[mp][2] for mp in self.participations}
        currencies.update(currency for currency, _index in self._fin_seed)
        first = min([index for _currency, index in self._fin_seed] or [0])
        for currency in sorted(currencies):
            for index in range(first, 1):
                start = self._fin_open_start + index * self.fin_period
                group = self._fin_seed_group(currency, start + 1)
                self._fin_subscription(group)
                if index < 0:
                    self._fin_seed_adjustments(group, index, first)
        for (currency, index), group in sorted(self._fin_seed.items(), key=lambda kv: kv[1]["start"]):
            group["events"].sort(key=lambda e: (e["posted"], e["seq"]))
            if index < 0:
                end = group["start"] + self.fin_period
                self._fin_mark_closed(group, end, min(end + DAY, self.now - 3600))
            else:
                self.fin_open[currency] = group
        self.fin_groups = OrderedDict(
            sorted(self.fin_groups.items(), key=lambda kv: (kv[1]["start"], kv[1]["currency"]))
        )
        self.fin_events = sorted(
            (e for g in self.fin_groups.values() for e in g["events"]), key=lambda e: (e["posted"], e["seq"])
        )
        for events in self.fin_by_order.values():
            events.sort(key=lambda e: (e["posted"], e["seq"]))
        self._fin_seed = {}
        self._fin_seeding = False

    def _fin_seed_refunds(self):
        for ret in self.returns:
            if ret["status"] == "Pending":
                continue
            order = self.orders.get(ret["amazon_order_id"])
            it = next((it for it in order["items"] if it["sku"] == ret["sku"]), None) if order else None
            if it is None or it.get("fin_q", 0) - it.get("fin_r", 0) < ret["quantity"]:
                continue
            when = parse_iso(ret["return_date"]) or self.now - DAY
            self._fin_refund(order, [(it, ret["quantity"])], False, 0, seeded=when)

    def _fin_seed_adjustments(self, group, index, first):
        currency = group["currency"]
        mp_id = next((mp for mp in MARKETPLACES if MARKETPLACES[mp][2] == currency), None)
        posted = group["start"] + self.fin_period / 2
        if mp_id and self.fba_skus:
            sku = self.fba_skus[(index * 7) % len(self.fba_skus)]
            unit = self.offers[sku][mp_id]["price"] // 2 if mp_id in self.offers[sku] else 999
            self._fin_adjust(group, "FBAInventoryReimbursement", unit * 2, sku, 2, posted)
        if mp_id and index == -2:  # held back when this period closed, released in the next one
            self._fin_adjust(
                group, "ReserveEvent", -scaled(RESERVE, mp_id), posted=posted + self.fin_period / 2 - 60
            )
        elif mp_id and index == -1 and first <= -2:
            self._fin_adjust(group, "ReserveEvent", scaled(RESERVE, mp_id), posted=group["start"] + 60)

    # -- views -----------------------------------------------------------------------------------------
    def _fin_group_view(self, group):
        return {
            "id": group["id"],
            "currency": group["currency"],
            "status": group["status"],
            "start": iso_ms(group["start"]),
            "end": iso_ms(group["end"]) if group["end"] else None,
            "total": amount_text(group["cents"]),
            "events": len(group["events"]),
        }

    def _fin_state(self):
        groups = list(self.fin_groups.values())
        return {
            "groups": [self._fin_group_view(g) for g in groups],
            "open": {currency: g["id"] for currency, g in self.fin_open.items()},
            "events": len(self.fin_events),
        }
