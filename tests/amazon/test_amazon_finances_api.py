"""The Amazon client's Finances v0 calls and the settlement mapping against the simulator, over
real HTTP (no Odoo, no mocks): every closed group's lines add up to its payout to the cent, pages
and re-reads give the same keys, a refund is one refund line wherever it is read, 429s are
waited out, Amazon's date rules are kept."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketplace_amazon.adapter import client as client_module
from marketplace_amazon.adapter import finances_api
from marketplace_amazon.adapter.client import AmazonClient, AmazonError, forget_access_token
from marketplace_amazon.adapter.settlement_mapping import (
    events_to_lines,
    group_to_settlement,
    refund_lines,
    settlement_lines,
)
from marketplace_base.schemas.settlement import Settlement

from conftest import post, sim_fault, sim_state

DE = "A1PA6795UKMFR9"
LONG_AGO = "2020-01-01T00:00:00Z"


@pytest.fixture(autouse=True)
def fresh(sim):
    post(
        sim,
        "/_sim/reset",
        {"seed": 21, "sizes": {"amazon": {"orders": 120, "products": 20}}, "rate_limits": False},
    )
    client_module.reset_rate_limits()
    forget_access_token()
    yield


class Sleeper:
    def __init__(self):
        self.pauses = []

    def __call__(self, seconds):
        self.pauses.append(seconds)


def client(sim, **kwargs):
    options = dict(
        refresh_token="sim-refresh-token",
        lwa_client_id="sim-lwa-client",
        lwa_client_secret="sim-lwa-secret",
        region="eu",
        endpoint=sim + "/amazon",
        rate_scale=1000,
        max_wait=30,
        sleep=Sleeper(),
    )
    options.update(kwargs)
    return AmazonClient(**options)


def headers(amazon):
    return [group_to_settlement(group) for group in amazon.financial_event_groups(LONG_AGO)]


def lines_of(amazon, settlement, posted_after=None):
    pages = settlement_lines(
        amazon.group_events(settlement["external_id"], posted_after), settlement["currency"]
    )
    return [line for page in pages for line in page]


def by_key(lines):
    return {line["external_id"]: line for line in lines}


def total(lines):
    return sum((Decimal(str(line["amount"])) for line in lines), Decimal(0))


def test_every_closed_group_adds_up_to_its_payout_to_the_cent(sim):
    amazon = client(sim)
    settlements = headers(amazon)
    state = {g["id"]: g for g in sim_state(sim, "amazon")["finances"]["groups"]}
    assert set(state) == {s["external_id"] for s in settlements}, "every group read, over 180-day windows"
    closed = [s for s in settlements if s["closed"]]
    assert closed and len(closed) < len(settlements), "closed groups and the open ones"
    kinds = set()
    for settlement in settlements:
        Settlement(**settlement)
        lines = lines_of(amazon, settlement)
        assert Settlement(**dict(settlement, lines=lines))
        assert (
            total(lines)
            == Decimal(str(settlement["payout_amount"]))
            == Decimal(state[settlement["external_id"]]["total"])
        )
        kinds |= {line["kind"] for line in lines}
    assert {"order", "fee", "reserve", "reimbursement"} <= kinds
    assert amazon.throttled == 0


def test_pages_and_rereads_give_the_same_lines(sim, monkeypatch):
    amazon = client(sim)
    settlement = max((s for s in headers(amazon) if s["closed"]), key=lambda s: s["payout_amount"])
    whole = lines_of(amazon, settlement)
    calls = amazon.calls
    monkeypatch.setattr(finances_api, "PAGE_SIZE", 3)  # Amazon's pages, three events each
    paged = lines_of(amazon, settlement)
    assert amazon.calls - calls > 2, "read in several pages"
    assert by_key(paged) == by_key(whole)
    assert len({line["external_id"] for line in whole}) == len(whole)


def test_a_refund_is_one_line_wherever_it_is_read(sim):
    order = post(
        sim,
        "/_sim/amazon/add_orders",
        {
            "orders": [
                {
                    "marketplace_id": DE,
                    "status": "Shipped",
                    "facilitator": False,
                    "lines": [{"sku": "SIM-0002", "quantity": 2, "price": "30.00", "shipping": "5.00"}],
                }
            ]
        },
    )["orders"][0]
    amazon = client(sim)
    open_group = next(s for s in headers(amazon) if not s["closed"] and s["currency"] == "EUR")
    before = datetime.now(timezone.utc) - timedelta(minutes=10)
    refund = post(
        sim,
        "/_sim/amazon/finances_refund",
        {"order_id": order, "items": [{"sku": "SIM-0002", "quantity": 1}], "shipping": True},
    )
    assert refund["group_id"] == open_group["external_id"]

    (in_group,) = refund_lines(lines_of(amazon, open_group, posted_after=before))
    by_order = [
        line for page in amazon.order_events(order) for line in refund_lines(events_to_lines(page, "EUR"))
    ]
    assert by_order == [in_group]
    assert in_group["order_ref"] == order and in_group["refund_ref"].startswith(order)
    # the refund line and its fees (the commission given back, the refund fee kept): Amazon's total
    refunded = lines_of(amazon, open_group, posted_after=before)
    assert total(
        line for line in refunded if line["external_id"].startswith(in_group["external_id"])
    ) == Decimal(refund["total"])
    (item,) = in_group["items"]
    assert item["sku"] == "SIM-0002" and item["quantity"] == 1 and item["order_line_ref"]
    assert in_group["shipping"] < 0, "its shipping given back"
    # read a minute ago (a bound Amazon refuses: moved back two minutes), the refund is still there
    recent = refund_lines(lines_of(amazon, open_group, posted_after=datetime.now(timezone.utc)))
    assert recent == [in_group]


def test_throttled_calls_are_waited_out_and_nothing_is_lost(sim):
    amazon = client(sim)
    settlement = next(s for s in headers(amazon) if s["closed"])
    expected = lines_of(amazon, settlement)
    sim_fault(sim, "amazon", "listFinancialEventsByGroupId", "429", count=2)
    sim_fault(sim, "amazon", "listFinancialEventGroups", "429", count=1)
    again = client(sim)
    assert [s["external_id"] for s in headers(again)] == [s["external_id"] for s in headers(amazon)]
    assert lines_of(again, settlement) == expected
    assert again.throttled == 3 and again.sleep.pauses


def test_unknown_groups_and_orders_are_amazons_errors(sim):
    amazon = client(sim)
    with pytest.raises(AmazonError) as unknown:
        list(amazon.group_events("NO-SUCH-GROUP"))
    assert unknown.value.status == 404
    with pytest.raises(AmazonError) as bad:
        list(amazon.order_events("not an order"))
    assert bad.value.status == 400
    with pytest.raises(AmazonError):
        list(amazon.financial_event_groups(None))
