"""Amazon Finances v0 as the simulator serves it, through the real python-amazon-sp-api client.

Every answer read is checked against ../shared/apispecs/amazon/financesV0.json; the money is
checked against the orders the simulator sold: a group's OriginalTotal is the sum of its events,
its sales minus fees and refunds (plus adjustments) its payout, an order's charges its OrderTotal.
"""

import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import httpx
import pytest

from sp_api.api import Finances, Orders
from sp_api.base.exceptions import (
    SellingApiBadRequestException,
    SellingApiNotFoundException,
    SellingApiRequestThrottledException,
)

from marketplace_simulator import serve_in_thread
from apispec_check import check, load_spec
from marketplace_amazon.adapter.client import (
    forget_access_token,
    forget_restricted_tokens,
    sp_api_client,
    sp_api_credentials,
)

DE = "A1PA6795UKMFR9"
UK = "A1F83G8C2ARO7P"
US = "ATVPDKIKX0DER"
SPEC = "financesV0.json"
MIN_COMMISSION = {DE: 30, "A13V1IB3VIYZZH": 30, UK: 26, US: 32}  # 0.30 EUR at each marketplace's prices
SIZES = {"amazon": {"orders": 250, "products": 40}}


# =============================================================================================
# fixtures and helpers
# =============================================================================================


@pytest.fixture(scope="module")
def simulator():
    server, base_url = serve_in_thread(port=0, seed=7)
    yield SimpleNamespace(server=server, base_url=base_url, http=httpx.Client(base_url=base_url, timeout=30))
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh(simulator):
    """The seeded state, no rate limits (a test that wants them turns them on), no faults."""
    simulator.http.post(
        "/_sim/reset", json={"seed": 7, "sizes": SIZES, "rate_limits": False}
    ).raise_for_status()
    forget_access_token()
    forget_restricted_tokens()
    yield


def control(sim, action, payload=None, status=200):
    resp = sim.http.post("/_sim/amazon/%s" % action, json=payload or {})
    assert resp.status_code == status, resp.text
    return resp.json()


def fin_state(sim):
    return sim.http.get("/_sim/state", params={"marketplace": "amazon"}).json()["amazon"]["finances"]


def client(sim, cls=Finances, marketplace_id=DE):
    credentials = sp_api_credentials(
        client_id="sim-lwa-client", client_secret="sim-lwa-secret", refresh_token="sim-refresh-token"
    )
    return sp_api_client(
        cls, sim.base_url + "/amazon", sim.base_url + "/amazon/auth/o2/token", credentials, marketplace_id
    )


def ago(days=0, seconds=0):
    moment = datetime.now(timezone.utc) - timedelta(days=days, seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def valid(payload, definition):
    root = load_spec("amazon", SPEC)
    return check(payload, root["definitions"][definition], root, definition, date_time=True)


def valid_errors(exc):
    root = load_spec("amazon", SPEC)
    check({"errors": exc.error}, root["definitions"]["ListFinancialEventsResponse"], root, "errors")
    assert exc.error and exc.error[0]["code"]
    return exc.error[0]


def cents(money):
    return round(money["CurrencyAmount"] * 100)


def sold_cents(money):
    """Cents of an Orders API Money (its Amount is a decimal string)."""
    return round(float(money["Amount"]) * 100) if money else 0


def all_groups(fin, **params):
    params.setdefault("FinancialEventGroupStartedAfter", ago(days=150))
    groups, token = [], None
    while True:
        page = fin.list_financial_event_groups(**params, **({"NextToken": token} if token else {}))
        valid(page.payload, "ListFinancialEventGroupsPayload")
        groups += page.payload["FinancialEventGroupList"]
        token = page.payload.get("NextToken")
        if not token:
            return groups


def events_of(call, *args, **params):
    """Every event of a listing, paged: {list name: [event]}."""
    out, token = {}, None
    while True:
        page = call(*args, **params, **({"NextToken": token} if token else {}))
        valid(page.payload, "ListFinancialEventsPayload")
        for name, events in page.payload["FinancialEvents"].items():
            out.setdefault(name, []).extend(events)
        token = page.payload.get("NextToken")
        if not token:
            return out


def amounts(node, keys=None, skip=("PerUnitAmount", "TotalAmount"), inside=False):
    """Cents of every Currency in `node` (under one of `keys` when given); AdjustmentItem's
    per-unit and total values repeat AdjustmentAmount and are skipped."""
    if isinstance(node, list):
        return sum(amounts(n, keys, skip, inside) for n in node)
    if not isinstance(node, dict):
        return 0
    if "CurrencyAmount" in node:
        return cents(node) if (inside or keys is None) else 0
    return sum(
        amounts(value, keys, skip, inside or (keys is not None and key in keys))
        for key, value in node.items()
        if key not in skip
    )


SALES_KEYS = ("ItemChargeList", "PromotionList", "ItemTaxWithheldList")


def breakdown(events):
    """(sales, fees, refunds, adjustments) of a group's events, signed as paid to the seller."""
    shipments = events.get("ShipmentEventList", [])
    sales = amounts(shipments, SALES_KEYS)
    fees = amounts(shipments, ("ItemFeeList",)) + amounts(events.get("ServiceFeeEventList", []))
    refunds = sum(
        amounts(events.get(name, []))
        for name in ("RefundEventList", "ChargebackEventList", "GuaranteeClaimEventList")
    )
    adjustments = amounts(events.get("AdjustmentEventList", []))
    return sales, fees, refunds, adjustments


def open_group(fin, currency="EUR"):
    groups = [g for g in all_groups(fin) if g["ProcessingStatus"] == "Open"]
    return next(g for g in groups if g["OriginalTotal"]["CurrencyCode"] == currency)


def add_order(sim, **spec):
    spec.setdefault("marketplace_id", DE)
    spec.setdefault("gift", False)
    return control(sim, "add_orders", {"orders": [spec]}, status=201)["orders"][0]


def by_item(events, list_name="ShipmentEventList", rows="ShipmentItemList"):
    return {row["OrderItemId"]: row for event in events.get(list_name, []) for row in event[rows]}


def charge(row, charge_type, key="ItemChargeList"):
    return sum(cents(c["ChargeAmount"]) for c in row.get(key, []) if c["ChargeType"] == charge_type)


def fee(row, fee_type, key="ItemFeeList"):
    return sum(cents(f["FeeAmount"]) for f in row.get(key, []) if f["FeeType"] == fee_type)


# =============================================================================================
# groups
# =============================================================================================


def test_groups_are_settlement_periods_per_currency_as_the_contract_shapes_them(simulator):
    fin = client(simulator)
    first = fin.list_financial_event_groups(FinancialEventGroupStartedAfter=ago(days=150))
    assert len(first.payload["FinancialEventGroupList"]) == 10, "the contract's default page is 10"
    assert first.payload["NextToken"]

    groups = all_groups(fin, MaxResultsPerPage=4)
    state = fin_state(simulator)
    assert [g["FinancialEventGroupId"] for g in groups] == [g["id"] for g in state["groups"]]
    by_currency = {}
    for group in groups:
        by_currency.setdefault(group["OriginalTotal"]["CurrencyCode"], []).append(group)
    assert sorted(by_currency) == ["EUR", "GBP", "USD"]
    for currency, series in by_currency.items():
        *closed, current = series
        assert len(closed) >= 3 and current["ProcessingStatus"] == "Open"
        assert current["FundTransferStatus"] == "Unknown"
        assert "FundTransferDate" not in current and "FinancialEventGroupEnd" not in current
        for before, after in zip(closed, closed[1:] + [current]):
            assert before["ProcessingStatus"] == "Closed" and before["FundTransferStatus"] == "Succeeded"
            assert before["FinancialEventGroupEnd"] == after["FinancialEventGroupStart"], (
                "one period after the other"
            )
            span = datetime.fromisoformat(before["FinancialEventGroupEnd"]) - datetime.fromisoformat(
                before["FinancialEventGroupStart"]
            )
            assert span == timedelta(days=14)
            assert before["FundTransferDate"] > before["FinancialEventGroupEnd"]
            assert before["TraceId"] and before["AccountTail"]
            assert before["ConvertedTotal"] == before["OriginalTotal"]
            assert before["BeginningBalance"] == {"CurrencyCode": currency, "CurrencyAmount": 0.0}

    # the window: started at or after, before (not at)
    second = groups[3]
    window = all_groups(
        fin,
        FinancialEventGroupStartedAfter=second["FinancialEventGroupStart"],
        FinancialEventGroupStartedBefore=groups[6]["FinancialEventGroupStart"],
    )
    assert [g["FinancialEventGroupId"] for g in window] == [g["FinancialEventGroupId"] for g in groups[3:6]]


def test_bad_parameters_and_tokens_are_refused_as_the_contract_says(simulator):
    fin = client(simulator)
    refused = [
        {},  # FinancialEventGroupStartedAfter is required in practice
        {"FinancialEventGroupStartedAfter": "yesterday"},
        {"FinancialEventGroupStartedAfter": ago(days=-1)},  # in the future
        {"FinancialEventGroupStartedAfter": ago(days=10), "FinancialEventGroupStartedBefore": ago(days=20)},
        {"FinancialEventGroupStartedAfter": ago(days=10), "MaxResultsPerPage": 0},
        {"FinancialEventGroupStartedAfter": ago(days=10), "MaxResultsPerPage": 101},
        {"FinancialEventGroupStartedAfter": ago(days=10), "NextToken": "not-a-token"},
    ]
    for params in refused:
        with pytest.raises(SellingApiBadRequestException) as bad:
            fin.list_financial_event_groups(**params)
        assert valid_errors(bad.value)["code"] == "InvalidInput", params
    # more than 180 days apart: nothing, as documented
    assert all_groups(fin, FinancialEventGroupStartedAfter=ago(days=200)) == []

    # a token continues only the query that gave it
    since = ago(days=150)
    page = fin.list_financial_event_groups(FinancialEventGroupStartedAfter=since, MaxResultsPerPage=2)
    token = page.payload["NextToken"]
    with pytest.raises(SellingApiBadRequestException):
        fin.list_financial_event_groups(
            FinancialEventGroupStartedAfter=ago(days=149), MaxResultsPerPage=2, NextToken=token
        )
    again = dict(FinancialEventGroupStartedAfter=since)
    second = fin.list_financial_event_groups(**again, MaxResultsPerPage=2, NextToken=token)
    retried = fin.list_financial_event_groups(**again, MaxResultsPerPage=2, NextToken=token)
    assert second.payload == retried.payload, "a token may be used again (a retry)"
    assert second.payload["FinancialEventGroupList"][0] != page.payload["FinancialEventGroupList"][0]

    group_id = page.payload["FinancialEventGroupList"][0]["FinancialEventGroupId"]
    with pytest.raises(SellingApiNotFoundException) as missing:
        fin.list_financial_events_by_group_id("NoSuchGroup")
    assert valid_errors(missing.value)["code"] == "NotFound"
    for params in (
        {"PostedBefore": ago(days=1)},  # PostedBefore needs PostedAfter
        {"PostedAfter": ago(days=1), "PostedBefore": ago(days=2)},
        {"PostedAfter": ago(days=-1)},
        {"MaxResultsPerPage": 500},
    ):
        with pytest.raises(SellingApiBadRequestException) as bad:
            fin.list_financial_events_by_group_id(group_id, **params)
        valid_errors(bad.value)
        with pytest.raises(SellingApiBadRequestException):
            fin.list_financial_events(**params)
    with pytest.raises(SellingApiBadRequestException) as bad_order:
        fin.get_financial_events_for_order("BAD-ORDER")
    valid_errors(bad_order.value)
    unknown = fin.get_financial_events_for_order("302-0000000-0000000").payload["FinancialEvents"]
    assert not any(unknown.values()), "a well-formed order id without events has none"


def test_the_documented_rate_answers_429_past_its_burst(simulator):
    simulator.http.post("/_sim/rate_limits", json={"enabled": True, "scale": 1.0}).raise_for_status()
    fin = client(simulator)
    for _ in range(30):
        answer = fin.list_financial_events(PostedAfter=ago(days=3), MaxResultsPerPage=1)
        assert answer.headers["x-amzn-RateLimit-Limit"] == "0.5"
    with pytest.raises(SellingApiRequestThrottledException) as throttled:
        fin.list_financial_events(PostedAfter=ago(days=3), MaxResultsPerPage=1)
    assert throttled.value.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert "Retry-After" not in throttled.value.headers
    assert valid_errors(throttled.value)["code"] == "QuotaExceeded"
    # each operation has its own usage plan; the bucket refills at 0.5 a second
    fin.list_financial_event_groups(FinancialEventGroupStartedAfter=ago(days=30))
    time.sleep(2.1)
    fin.list_financial_events(PostedAfter=ago(days=3), MaxResultsPerPage=1)


# =============================================================================================
# money
# =============================================================================================


def test_every_group_total_is_its_events_and_its_sales_less_fees_and_refunds(simulator):
    fin = client(simulator)
    seen, fee_types = {}, set()
    for group in all_groups(fin):
        events = events_of(
            fin.list_financial_events_by_group_id, group["FinancialEventGroupId"], MaxResultsPerPage=37
        )
        total = cents(group["OriginalTotal"])
        assert amounts(events) == total, group
        sales, fees, refunds, adjustments = breakdown(events)
        assert sales + fees + refunds + adjustments == total
        assert sales > 0 and fees < 0, group
        assert all(e["FeeList"][0]["FeeType"] == "Subscription" for e in events["ServiceFeeEventList"])
        assert len(events["ServiceFeeEventList"]) == 1, "the selling plan, once per group"
        for name, listed in events.items():
            seen[name] = seen.get(name, 0) + len(listed)
        fee_types.update(f["FeeType"] for f in _fees(events))
        currency = group["OriginalTotal"]["CurrencyCode"]
        assert {m["CurrencyCode"] for m in _currencies(events)} == {currency}
    assert seen["ShipmentEventList"] > 100 and seen["RefundEventList"] > 3
    assert seen["AdjustmentEventList"] >= 12  # reimbursements and the reserve
    assert fee_types == {
        "Commission",
        "FBAPerUnitFulfillmentFee",
        "FixedClosingFee",
        "Subscription",
        "RefundCommission",
    }
    assert sum(seen.values()) == fin_state(simulator)["events"]


def _fees(node):
    if isinstance(node, list):
        for n in node:
            yield from _fees(n)
    elif isinstance(node, dict):
        if "FeeType" in node:
            yield node
        for value in node.values():
            yield from _fees(value)


def _currencies(node):
    if isinstance(node, list):
        for n in node:
            yield from _currencies(n)
    elif isinstance(node, dict):
        if "CurrencyAmount" in node:
            yield node
        for value in node.values():
            yield from _currencies(value)


def test_shipment_events_charge_what_the_orders_sold(simulator):
    fin = client(simulator)
    events = events_of(fin.list_financial_events, PostedAfter=ago(days=120))
    checked = {"AFN": 0, "MFN": 0, "facilitator": 0, "promotion": 0}
    for event in events["ShipmentEventList"][:80]:
        order = control(simulator, "get_order", {"order_id": event["AmazonOrderId"]})
        if order["order"]["OrderStatus"] != "Shipped":
            continue
        rows = by_item({"ShipmentEventList": [event]})
        assert set(rows) == {item["OrderItemId"] for item in order["items"]}
        sold = sold_cents(order["order"]["OrderTotal"])
        assert amounts(event, ("ItemChargeList", "PromotionList")) == sold, event["AmazonOrderId"]
        for item in order["items"]:
            row = rows[item["OrderItemId"]]
            assert row["QuantityShipped"] == item["QuantityOrdered"]
            included = order["order"]["MarketplaceId"] != US  # EU and UK prices include VAT
            price, tax = sold_cents(item["ItemPrice"]), sold_cents(item["ItemTax"])
            assert charge(row, "Principal") + (tax if included else 0) == price
            assert [c["ChargeType"] for c in row["ItemChargeList"]] == [
                "Principal",
                "Tax",
                "GiftWrap",
                "GiftWrapTax",
                "ShippingCharge",
                "ShippingTax",
            ]
            promotion = sold_cents(item["PromotionDiscount"])
            if promotion:
                checked["promotion"] += 1
                assert row["PromotionList"][0]["PromotionId"] == item["PromotionIds"][0]
            base = charge(row, "Principal") + sum(
                cents(p["PromotionAmount"])
                for p in row.get("PromotionList", [])
                if p["PromotionId"] != "SIM-FREESHIP"
            )
            minimum = MIN_COMMISSION[order["order"]["MarketplaceId"]]
            assert -fee(row, "Commission") == max(minimum, (base * 15 + 50) // 100)
            fba = fee(row, "FBAPerUnitFulfillmentFee")
            assert (fba < 0) == (order["order"]["FulfillmentChannel"] == "AFN")
            if item.get("TaxCollection", {}).get("Model") == "MarketplaceFacilitator":
                withheld = row["ItemTaxWithheldList"][0]
                assert withheld["TaxCollectionModel"] == "MarketplaceFacilitator"
                assert amounts(withheld) == -(
                    charge(row, "Tax") + charge(row, "ShippingTax") + charge(row, "GiftWrapTax")
                )
                checked["facilitator"] += 1
            else:
                assert "ItemTaxWithheldList" not in row
        checked[order["order"]["FulfillmentChannel"]] += 1
    assert all(checked.values()), checked


def test_an_mfn_order_is_charged_when_its_shipment_confirmation_is_accepted(simulator):
    order_id = add_order(
        simulator,
        status="Unshipped",
        lines=[{"sku": "SIM-0002", "quantity": 2, "price": "24.99", "shipping": "4.99"}],
        facilitator=False,
    )
    fin = client(simulator)
    assert not any(fin.get_financial_events_for_order(order_id).payload["FinancialEvents"].values())
    before = cents(open_group(fin)["OriginalTotal"])

    orders = client(simulator, Orders)
    item = orders.get_order_items(order_id).payload["OrderItems"][0]
    package = {
        "packageReferenceId": "1",
        "carrierCode": "DHL",
        "trackingNumber": "00340434161234567890",
        "shipDate": ago(seconds=30),
        "orderItems": [{"orderItemId": item["OrderItemId"], "quantity": 1}],
    }
    orders.confirm_shipment(order_id, marketplaceId=DE, packageDetail=package)
    events = events_of(fin.get_financial_events_for_order, order_id)
    (first,) = events["ShipmentEventList"]
    row = first["ShipmentItemList"][0]
    assert row["QuantityShipped"] == 1 and first["MarketplaceName"] == "Amazon.de"
    # half of the line (2 x 24.99 and 4.99 shipping, VAT of 19 % inside, less any promotion)
    line = sold_cents(item["ItemPrice"]) + sold_cents(item["ShippingPrice"])
    line -= sold_cents(item["PromotionDiscount"]) + sold_cents(item["ShippingDiscount"])
    assert abs(amounts(row, ("ItemChargeList", "PromotionList")) - line / 2) <= 2
    assert charge(row, "Tax") == (sold_cents(item["ItemTax"]) - sold_cents(item["PromotionDiscountTax"])) // 2
    assert fee(row, "FBAPerUnitFulfillmentFee") == 0
    group = open_group(fin)
    assert cents(group["OriginalTotal"]) == before + amounts(first)
    in_group = events_of(fin.list_financial_events_by_group_id, group["FinancialEventGroupId"])
    assert first in in_group["ShipmentEventList"]

    package.update(packageReferenceId="2", trackingNumber="00340434169999999999")
    orders.confirm_shipment(order_id, marketplaceId=DE, packageDetail=package)
    events = events_of(fin.get_financial_events_for_order, order_id)
    assert [e["ShipmentItemList"][0]["QuantityShipped"] for e in events["ShipmentEventList"]] == [1, 1]
    sold = sold_cents(orders.get_order(order_id).payload["OrderTotal"])
    assert amounts(events, ("ItemChargeList", "PromotionList")) == sold


def test_an_afn_order_is_charged_when_amazon_ships_it(simulator):
    order_id = add_order(
        simulator, fulfillment_channel="AFN", status="Unshipped", lines=[{"sku": "SIM-0004", "quantity": 3}]
    )
    fin = client(simulator)
    assert not any(fin.get_financial_events_for_order(order_id).payload["FinancialEvents"].values())
    control(simulator, "set_order_status", {"order_id": order_id, "status": "Shipped"})
    control(simulator, "set_order_status", {"order_id": order_id, "status": "Shipped"})  # nothing new shipped
    events = events_of(fin.get_financial_events_for_order, order_id)
    (event,) = events["ShipmentEventList"]
    row = event["ShipmentItemList"][0]
    assert row["QuantityShipped"] == 3 and fee(row, "FBAPerUnitFulfillmentFee") == -3 * 270


# =============================================================================================
# control: refunds, closing, corrections
# =============================================================================================


def shipped_order(sim, marketplace_id=DE, **spec):
    spec.setdefault("lines", [{"sku": "SIM-0002", "quantity": 2, "price": "30.00", "shipping": "5.00"}])
    spec.setdefault("facilitator", False)
    return add_order(sim, marketplace_id=marketplace_id, status="Shipped", **spec)


def test_a_refund_gives_back_the_charges_and_the_commission_less_the_refund_fee(simulator):
    order_id = shipped_order(simulator)
    fin = client(simulator)
    sale = by_item(events_of(fin.get_financial_events_for_order, order_id))
    item_id = next(iter(sale))
    answer = control(
        simulator,
        "finances_refund",
        {"order_id": order_id, "items": [{"order_item_id": item_id, "quantity": 1}], "shipping": True},
    )
    assert answer["list"] == "RefundEventList" and answer["posted"] == answer["event"]["PostedDate"]
    row = answer["event"]["ShipmentItemAdjustmentList"][0]
    assert row["QuantityShipped"] == 1 and row["OrderAdjustmentItemId"]
    sold = sale[item_id]
    assert charge(row, "Principal", "ItemChargeAdjustmentList") == -charge(sold, "Principal") // 2
    assert charge(row, "ShippingCharge", "ItemChargeAdjustmentList") == -charge(sold, "ShippingCharge") // 2
    given = fee(row, "Commission", "ItemFeeAdjustmentList")
    assert given == -fee(sold, "Commission") // 2 > 0
    assert fee(row, "RefundCommission", "ItemFeeAdjustmentList") == -((given * 20 + 50) // 100)
    assert amounts(answer["event"]) == round(float(answer["total"]) * 100) < 0

    events = events_of(fin.get_financial_events_for_order, order_id)
    assert events["RefundEventList"] == [answer["event"]]
    group = open_group(fin)
    assert answer["group_id"] == group["FinancialEventGroupId"]

    # the other unit, without shipping, then nothing is left to refund; a goodwill amount still can be
    second = control(simulator, "finances_refund", {"order_id": order_id, "items": [{"sku": "SIM-0002"}]})
    assert second["event"]["ShipmentItemAdjustmentList"][0]["QuantityShipped"] == 1
    refunded = amounts(
        events_of(fin.get_financial_events_for_order, order_id)["RefundEventList"],
        ("ItemChargeAdjustmentList",),
    )
    shipping = charge(sold, "ShippingCharge") // 2 + charge(sold, "ShippingTax") // 2
    assert refunded == -(charge(sold, "Principal") + charge(sold, "Tax") + shipping)
    control(simulator, "finances_refund", {"order_id": order_id, "items": [{"sku": "SIM-0002"}]}, status=400)
    goodwill = control(simulator, "finances_refund", {"order_id": order_id, "amount": "5.00"})
    assert goodwill["total"] == "-5.00"
    assert (
        charge(goodwill["event"]["ShipmentItemAdjustmentList"][0], "Goodwill", "ItemChargeAdjustmentList")
        == -500
    )

    unshipped = add_order(simulator, status="Unshipped", lines=[{"sku": "SIM-0002", "quantity": 1}])
    control(simulator, "finances_refund", {"order_id": unshipped, "amount": "1.00"}, status=400)
    control(simulator, "finances_refund", {"order_id": "302-0000000-0000000", "amount": "1.00"}, status=404)
    control(simulator, "finances_refund", {"order_id": order_id, "amount": "1.001"}, status=400)


def test_chargebacks_and_guarantee_claims_have_their_own_lists(simulator):
    order_id = shipped_order(simulator, marketplace_id=US, facilitator=None)
    control(
        simulator,
        "finances_refund",
        {"order_id": order_id, "items": [{"sku": "SIM-0002", "quantity": 1}], "kind": "chargeback"},
    )
    control(simulator, "finances_refund", {"order_id": order_id, "amount": "3.50", "kind": "guarantee_claim"})
    events = events_of(client(simulator).get_financial_events_for_order, order_id)
    (chargeback,) = events["ChargebackEventList"]
    (claim,) = events["GuaranteeClaimEventList"]
    row = chargeback["ShipmentItemAdjustmentList"][0]
    assert "ItemFeeAdjustmentList" not in row, "a chargeback gives no commission back"
    withheld = row["ItemTaxWithheldList"][0]  # Amazon collects US sales tax: the refund returns it
    assert amounts(withheld) == -charge(row, "Tax", "ItemChargeAdjustmentList") > 0
    assert amounts(claim) == -350


def test_closing_a_group_settles_it_and_opens_the_next(simulator):
    fin = client(simulator)
    order_id = shipped_order(simulator)
    current = open_group(fin)
    answer = control(simulator, "finances_close", {"reserve": "100.00"})
    assert (answer["group_id"], answer["currency"]) == (current["FinancialEventGroupId"], "EUR")

    groups = {g["FinancialEventGroupId"]: g for g in all_groups(fin)}
    closed = groups[answer["group_id"]]
    assert (closed["ProcessingStatus"], closed["FundTransferStatus"]) == ("Closed", "Succeeded")
    assert closed["FundTransferDate"] and closed["FinancialEventGroupEnd"] and closed["TraceId"]
    events = events_of(fin.list_financial_events_by_group_id, answer["group_id"])
    assert round(float(answer["total"]) * 100) == cents(closed["OriginalTotal"]) == amounts(events)
    assert answer["events"] == sum(len(v) for v in events.values())
    assert events["AdjustmentEventList"][-1]["AdjustmentType"] == "ReserveEvent"
    assert cents(events["AdjustmentEventList"][-1]["AdjustmentAmount"]) == -10000

    following = groups[answer["opened"]]
    assert following["ProcessingStatus"] == "Open"
    assert following["FinancialEventGroupStart"] == closed["FinancialEventGroupEnd"]
    fresh = events_of(fin.list_financial_events_by_group_id, answer["opened"])
    assert fresh["ServiceFeeEventList"][0]["FeeList"][0]["FeeType"] == "Subscription"
    assert cents(fresh["AdjustmentEventList"][0]["AdjustmentAmount"]) == 10000, "the reserve released"

    refund = control(simulator, "finances_refund", {"order_id": order_id, "amount": "2.00"})
    assert refund["group_id"] == answer["opened"], "what happens after the close is in the next period"
    assert cents(groups[answer["group_id"]]["OriginalTotal"]) == cents(
        next(g for g in all_groups(fin) if g["FinancialEventGroupId"] == answer["group_id"])["OriginalTotal"]
    )
    everything = control(simulator, "finances_close", {"all": True})
    assert sorted(g["currency"] for g in everything["closed"]) == ["EUR", "GBP", "USD"]
    control(simulator, "finances_close", {"currency": "JPY"}, status=400)


def test_a_correction_changes_a_closed_group_and_its_total_follows(simulator):
    fin = client(simulator)
    sku = sorted(simulator.http.get("/_sim/state").json()["amazon"]["offers"])[3]
    closed = [g for g in all_groups(fin) if g["ProcessingStatus"] == "Closed"][-1]
    group_id = closed["FinancialEventGroupId"]
    before = cents(closed["OriginalTotal"])
    answer = control(simulator, "finances_correct", {"group_id": group_id, "adjustment": "-12.34"})
    assert answer["added"][0]["AdjustmentType"] == "ReimbursementClawback"
    answer = control(
        simulator,
        "finances_correct",
        {
            "group_id": group_id,
            "add": [{"type": "FBAInventoryReimbursement", "amount": 20, "sku": sku, "quantity": 2}],
        },
    )
    item = answer["added"][0]["AdjustmentItemList"][0]
    assert (item["SellerSKU"], item["Quantity"], cents(item["PerUnitAmount"])) == (sku, "2", 1000)
    after = next(g for g in all_groups(fin) if g["FinancialEventGroupId"] == group_id)
    assert after["ProcessingStatus"] == "Closed"
    assert cents(after["OriginalTotal"]) == before - 1234 + 2000 == round(float(answer["total"]) * 100)
    events = events_of(fin.list_financial_events_by_group_id, group_id)
    assert amounts(events) == cents(after["OriginalTotal"])
    control(simulator, "finances_correct", {"group_id": "nope", "adjustment": 1}, status=404)
    control(simulator, "finances_correct", {"group_id": group_id, "adjustment": 0}, status=400)
    control(
        simulator,
        "finances_correct",
        {"group_id": group_id, "add": [{"type": "Bonus", "amount": 1}]},
        status=400,
    )


def test_events_are_listed_by_posting_date_and_paged(simulator):
    fin = client(simulator)
    state = fin_state(simulator)
    everything = events_of(fin.list_financial_events, MaxResultsPerPage=100)
    assert sum(len(v) for v in everything.values()) == state["events"]
    recent = events_of(fin.list_financial_events, PostedAfter=ago(days=10))
    older = events_of(fin.list_financial_events, PostedAfter=ago(days=30), PostedBefore=ago(days=10))
    ten, thirty = ago(days=10)[:19], ago(days=30)[:19]
    assert recent["ShipmentEventList"] and older["ShipmentEventList"]
    assert all(e["PostedDate"] >= ten for e in recent["ShipmentEventList"])
    assert all(thirty <= e["PostedDate"] < ten for e in older["ShipmentEventList"])
    shipments = [e["PostedDate"] for e in everything["ShipmentEventList"]]
    assert shipments == sorted(shipments)


def test_bench_sizes_generate_a_busy_month_quickly(simulator):
    started = time.monotonic()
    simulator.http.post(
        "/_sim/reset",
        json={"seed": 11, "sizes": {"amazon": {"orders": 10000, "order_days": 30}}, "rate_limits": False},
    ).raise_for_status()
    seconds = time.monotonic() - started
    state = fin_state(simulator)
    print(
        "\n10,000 orders, %d financial events in %d groups: generated in %.2f s"
        % (state["events"], len(state["groups"]), seconds)
    )
    assert state["events"] > 4000
    fin = client(simulator)
    group = max(state["groups"], key=lambda g: g["events"])
    started = time.monotonic()
    events = events_of(fin.list_financial_events_by_group_id, group["id"])
    print("one group of %d events read in %.2f s" % (group["events"], time.monotonic() - started))
    assert amounts(events) == round(float(group["total"]) * 100)
