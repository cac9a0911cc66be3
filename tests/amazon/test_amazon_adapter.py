"""The Amazon adapter and mapping against the simulator, over real HTTP (no Odoo, no mocks).

The simulator runs in a thread with its rate limits off unless a test turns them on; the client
gets `rate_scale=1000` (the documented rates x1000) and a `sleep` that records the pauses it asks
for instead of sleeping, so that throttling and retries are exercised in milliseconds.
"""

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from marketplace_amazon.adapter import client as client_module
from marketplace_amazon.adapter.client import (
    AmazonAmbiguous,
    AmazonClient,
    AmazonError,
    AmazonThrottled,
    forget_access_token,
    forget_restricted_tokens,
)
from marketplace_base.adapter.transport import Ambiguous, MarketplaceError, Throttled
from marketplace_amazon.adapter.mapping import (
    ALL_IMPORT_STATUSES,
    is_importable,
    order_header,
    payload_to_neutral,
    prices_include_tax,
    to_neutral_listing,
    to_neutral_order,
)
from marketplace_base.schemas.order import Order

from conftest import post, sim_fault, sim_state

DE, UK, FR, US = "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER"
ALL = [DE, UK, FR, US]
SINCE = "2020-01-01T00:00:00Z"
SECRET = "sim-lwa-secret"
SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "apispecs" / "amazon"


@pytest.fixture(autouse=True)
def fresh(sim):
    post(
        sim,
        "/_sim/reset",
        {"seed": 21, "sizes": {"amazon": {"orders": 250, "products": 30}}, "rate_limits": False},
    )
    post(sim, "/_sim/amazon/feed_timing", {"stage_seconds": 0})
    client_module.reset_rate_limits()
    forget_access_token()
    forget_restricted_tokens()
    yield


def state(sim):
    return sim_state(sim, "amazon")


class Sleeper:
    """Records the pauses the client asks for; sleeps for real only when told to."""

    def __init__(self, real=False):
        self.pauses = []
        self.real = real

    def __call__(self, seconds):
        self.pauses.append(seconds)
        if self.real:
            time.sleep(seconds)


def client(sim, **kwargs):
    options = dict(
        refresh_token="sim-refresh-token",
        lwa_client_id="sim-lwa-client",
        lwa_client_secret=SECRET,
        region="eu",
        endpoint=sim + "/amazon",
        rate_scale=1000,
        max_wait=30,
        sleep=Sleeper(),
    )
    options.update(kwargs)
    return AmazonClient(**options)


def fault(sim, operation, kind, count=1, **extra):
    sim_fault(sim, "amazon", operation, kind, count, **extra)


def add_order(sim, **spec):
    spec = dict({"marketplace_id": DE, "fulfillment_channel": "MFN", "status": "Unshipped"}, **spec)
    return post(sim, "/_sim/amazon/add_orders", {"orders": [spec]})["orders"][0]


# --------------------------------------------------------------------------------------------
# credentials and configuration
# --------------------------------------------------------------------------------------------


def test_refused_credentials_give_amazons_words_and_no_secret(sim):
    amazon = client(sim, lwa_client_secret="a-wrong-secret")
    with pytest.raises(AmazonError) as refused:
        amazon.participations()
    assert "Client authentication failed" in str(refused.value)
    assert "a-wrong-secret" not in str(refused.value) and "sim-refresh-token" not in str(refused.value)
    assert refused.value.status == 401 and refused.value.code == "invalid_client"
    assert "a-wrong-secret" not in repr(amazon)

    with pytest.raises(AmazonError) as revoked:
        client(sim, refresh_token="a-revoked-token").participations()
    assert "invalid grant" in str(revoked.value) and "a-revoked-token" not in str(revoked.value)


def test_participations_list_the_marketplaces(sim):
    amazon = client(sim)
    ids = {p["marketplace"]["id"] for p in amazon.participations()}
    assert set(ALL) <= ids
    assert amazon.calls == 1


def test_endpoints_default_to_amazon_production():
    amazon = AmazonClient(refresh_token="r", lwa_client_id="i", lwa_client_secret="s", region="fe")
    assert amazon.endpoint == "https://sellingpartnerapi-fe.amazon.com"
    assert amazon.lwa_url == "https://api.amazon.com/auth/o2/token"
    local = AmazonClient(
        refresh_token="r",
        lwa_client_id="i",
        lwa_client_secret="s",
        region="na",
        endpoint="http://127.0.0.1:9/amazon/",
    )
    assert local.lwa_url == "http://127.0.0.1:9/amazon/auth/o2/token"
    with pytest.raises(AmazonError):
        AmazonClient(refresh_token="r", lwa_client_id="i", lwa_client_secret="s", region="xx")


# --------------------------------------------------------------------------------------------
# orders: paging, calls per order
# --------------------------------------------------------------------------------------------


def test_orders_page_with_one_call_per_page_and_items_once_per_order(sim):
    amazon = client(sim)
    ids, token = [], None
    while True:  # as an import reads them: a page, then its orders' items
        page = amazon.orders_page(ALL, SINCE, token)
        for order in page["orders"]:
            ids.append(order["AmazonOrderId"])
            assert amazon.order_items(order["AmazonOrderId"])
        token = page["next_token"]
        if not token:
            break
    assert len(ids) == len(set(ids)) == 250, "three pages, no duplicate"
    rdts = state(sim)["rdts_issued"]
    assert rdts <= 1 + 2 * 3, "one RDT for the pages, one per 50 orders' items"
    assert amazon.calls == 3 + 250 + rdts
    per_order = amazon.calls / len(ids)
    print("\nOrders v0, calls per order (getOrders, getOrderItems, RDTs): %.3f" % per_order)
    assert per_order <= 1.05


def test_orders_2026_come_with_their_items_at_100_a_call(sim):
    amazon = client(sim)
    orders = list(amazon.iter_orders(ALL, SINCE, version="2026-01-01"))
    ids = [o["orderId"] for o in orders]
    assert len(ids) == len(set(ids)) == 250 and all(o["orderItems"] for o in orders)
    assert amazon.calls == 3 + 1, "three searchOrders pages and one RDT"
    per_order = amazon.calls / len(ids)
    print("\nOrders 2026-01-01, calls per order: %.3f" % per_order)
    assert per_order <= 0.02


def test_orders_filters_and_early_stop(sim):
    amazon = client(sim)
    fba = list(
        amazon.iter_orders(ALL, SINCE, fulfillment_channels=["AFN"], order_statuses=["Shipped", "Canceled"])
    )
    assert fba and all(
        o["FulfillmentChannel"] == "AFN" and o["OrderStatus"] in ("Shipped", "Canceled") for o in fba
    )
    calls = amazon.calls
    first = next(amazon.iter_orders(ALL, SINCE))
    assert first["AmazonOrderId"] and amazon.calls == calls + 1, (
        "a generator stopped early asks no further page"
    )
    since = datetime.now(timezone.utc) - timedelta(seconds=2)
    fresh_id = add_order(sim)
    recent = [o["AmazonOrderId"] for o in amazon.iter_orders([DE], since)]
    assert fresh_id in recent and len(recent) < 10
    assert list(amazon.iter_orders([], since)) == []


def test_orders_page_gives_amazons_last_updated_before_as_the_next_cursor(sim):
    amazon = client(sim)
    first = amazon.orders_page(ALL, SINCE)
    cursor = first["safe_until"]
    assert len(first["orders"]) == 100 and first["next_token"] and amazon.calls == 2, "the page and its RDT"
    assert cursor.tzinfo is not None and cursor.utcoffset() == timedelta(0)
    time.sleep(1.1)  # the local clock moves on; Amazon's bound of this listing does not
    fresh_id = add_order(sim)
    second = amazon.orders_page(ALL, SINCE, first["next_token"])
    assert second["safe_until"] == cursor, "every page of one listing carries Amazon's LastUpdatedBefore"
    listed = first["orders"] + second["orders"]
    while second["next_token"]:
        second = amazon.orders_page(ALL, SINCE, second["next_token"])
        listed += second["orders"]
    assert fresh_id not in {o["AmazonOrderId"] for o in listed}, "changed after the bound: the next listing's"
    assert all(datetime.fromisoformat(o["LastUpdateDate"].replace("Z", "+00:00")) <= cursor for o in listed)
    following = amazon.orders_page(ALL, cursor)
    assert fresh_id in {o["AmazonOrderId"] for o in following["orders"]}
    assert following["safe_until"] > cursor

    bound = (datetime.now(timezone.utc) - timedelta(minutes=3)).replace(microsecond=0)
    assert amazon.orders_page([DE], SINCE, last_updated_before=bound)["safe_until"] == bound


def test_orders_page_takes_at_most_50_marketplaces(sim):
    amazon = client(sim)
    for ids in ([DE] * 51, []):
        with pytest.raises(AmazonError, match="1 to 50 marketplace ids"):
            amazon.orders_page(ids, SINCE)
    assert amazon.calls == 0, "refused before any request"


def test_order_items_page(sim):
    order_id = add_order(sim, lines=120)
    amazon = client(sim)
    items = amazon.order_items(order_id)
    assert len({i["OrderItemId"] for i in items}) == 120
    assert amazon.calls == 2 + 1, "two pages of items, one RDT"


# --------------------------------------------------------------------------------------------
# throttling, token, retries
# --------------------------------------------------------------------------------------------


def test_throttling_is_waited_out_and_the_paging_resumes_without_duplicates(sim):
    expected = [o["AmazonOrderId"] for o in client(sim).iter_orders(ALL, SINCE)]
    amazon = client(sim)
    pages = amazon.iter_orders(ALL, SINCE)
    got = [next(pages)["AmazonOrderId"]]
    fault(sim, "getOrders", "429", count=3)  # the next page meets a burst of 429s
    got += [o["AmazonOrderId"] for o in pages]
    assert got == expected
    assert amazon.throttled == 3
    assert amazon.calls == 3 + 3, "the pages and the 429s (the first listing's RDT is reused)"
    assert len(amazon.sleep.pauses) >= 3 and all(p > 0 for p in amazon.sleep.pauses)
    assert amazon.sleep.pauses[-1] > amazon.sleep.pauses[0], "backs off"


def test_throttling_beyond_the_time_budget_stops(sim):
    # documented rate (0.0167/s): the backoff of one 429 is a minute, over the 5 s allowed
    amazon = client(sim, rate_scale=1, max_wait=5)
    fault(sim, "getOrders", "429_no_retry_after", count=5)
    with pytest.raises(AmazonThrottled) as throttled:
        list(amazon.iter_orders(ALL, SINCE))
    assert throttled.value.status == 429 and "QuotaExceeded" in str(throttled.value)
    assert isinstance(throttled.value, Throttled) and isinstance(throttled.value, MarketplaceError)
    assert amazon.throttled == 1 and amazon.calls == 2, "the RDT and the throttled page"
    assert sum(amazon.sleep.pauses) <= 5


def test_the_documented_rates_are_kept(sim):
    post(
        sim,
        "/_sim/reset",
        {"seed": 4, "sizes": {"amazon": {"orders": 1, "products": 150}}, "rate_limits": True},
    )
    post(sim, "/_sim/rate_limits", {"enabled": True, "scale": 1.0})
    amazon = client(sim, rate_scale=1, sleep=Sleeper(real=True))
    started = time.monotonic()
    for _round in range(2):  # getInventorySummaries: 2 per second, burst 2
        assert len(list(amazon.inventory_summaries(DE))) > 100
    assert amazon.calls == 6 and amazon.throttled == 0, "paced, never refused"
    assert time.monotonic() - started >= 1.9


def test_the_rate_header_is_followed(sim, monkeypatch):
    # the client believes getInventorySummaries allows 50/s; the service says 2/s (burst 2)
    monkeypatch.setitem(client_module.RATES, "getInventorySummaries", (50.0, 2))
    post(
        sim,
        "/_sim/reset",
        {"seed": 4, "sizes": {"amazon": {"orders": 1, "products": 150}}, "rate_limits": True},
    )
    post(sim, "/_sim/rate_limits", {"enabled": True, "scale": 1.0})
    amazon = client(sim, rate_scale=1, sleep=Sleeper(real=True))
    assert len(list(amazon.inventory_summaries(DE))) > 100
    assert amazon.rate_bucket("getInventorySummaries").rate == pytest.approx(2.0 * client_module.PACING)
    assert amazon.throttled <= 1, "at most the one 429 that taught the real rate"


def test_expired_token_is_renewed_transparently(sim):
    amazon = client(sim)
    amazon.participations()
    issued = state(sim)["tokens_issued"]
    fault(sim, "getOrders", "expired_token")
    assert len(list(amazon.iter_orders([DE], SINCE))) > 0
    assert state(sim)["tokens_issued"] == issued + 1
    assert amazon.throttled == 0


def test_server_errors_are_retried_a_bounded_number_of_times(sim):
    amazon = client(sim, max_retries=3)
    order_id = next(amazon.iter_orders([DE], SINCE))["AmazonOrderId"]
    fault(sim, "getOrderItems", "5xx", count=2)
    calls = amazon.calls
    assert amazon.order_items(order_id)
    assert amazon.calls == calls + 3 + 1, "three tries and the items' RDT"
    fault(sim, "getOrderItems", "5xx", count=10)
    calls = amazon.calls
    with pytest.raises(AmazonError) as failed:
        amazon.order_items(order_id)
    assert failed.value.status == 500 and "Simulated server error" in str(failed.value)
    assert amazon.calls == calls + 4, "the first try and three retries"


def test_unreadable_answers_are_retried_not_taken_for_the_end(sim):
    expected = len(list(client(sim).iter_orders(ALL, SINCE)))
    amazon = client(sim)
    fault(sim, "getOrders", "malformed", count=2)
    assert len(list(amazon.iter_orders(ALL, SINCE))) == expected
    fault(sim, "getOrders", "malformed", count=10)
    with pytest.raises(AmazonError, match="unreadable"):
        list(amazon.iter_orders(ALL, SINCE))


def test_slow_answers_are_retried_then_end_in_an_error(sim):
    amazon = client(sim, timeout=0.5, max_retries=1)
    order_id = next(amazon.iter_orders([DE], SINCE))["AmazonOrderId"]
    fault(sim, "getOrder", "slow", count=1, delay=1)
    assert amazon.order(order_id)["AmazonOrderId"] == order_id
    fault(sim, "getOrder", "slow", count=2, delay=1)
    started = time.monotonic()
    with pytest.raises(AmazonError, match="no answer in time"):
        amazon.order(order_id)
    assert time.monotonic() - started < 2


# --------------------------------------------------------------------------------------------
# shipments
# --------------------------------------------------------------------------------------------


def package(items, **extra):
    values = {
        "package_reference_id": "PKG-1",
        "carrier_code": "DHL",
        "carrier_name": "DHL",
        "shipping_method": "Paket",
        "tracking_number": "00340434161234567890",
        "ship_date": datetime.now(timezone.utc) - timedelta(hours=1),
        "items": [{"order_item_id": i["OrderItemId"], "quantity": i["QuantityOrdered"]} for i in items],
    }
    values.update(extra)
    return values


def test_confirm_shipment_is_recorded(sim):
    order_id = add_order(sim, lines=2)
    amazon = client(sim)
    items = amazon.order_items(order_id)
    amazon.confirm_shipment(order_id, DE, package(items[:1]))
    shipment = [s for s in state(sim)["shipments"] if s["amazonOrderId"] == order_id]
    assert len(shipment) == 1
    assert shipment[0]["trackingNumber"] == "00340434161234567890" and shipment[0]["carrierCode"] == "DHL"
    assert shipment[0]["orderItems"] == [
        {"orderItemId": items[0]["OrderItemId"], "quantity": items[0]["QuantityOrdered"]}
    ]
    assert amazon.order(order_id)["OrderStatus"] == "PartiallyShipped"
    with pytest.raises(AmazonError) as refused:  # Amazon's own refusal, readable
        amazon.confirm_shipment(order_id, DE, package(items[:1], package_reference_id="PKG-2"))
    assert refused.value.status == 400 and "exceeds the unshipped quantity" in str(refused.value)


@pytest.mark.parametrize("kind", ["slow_answer", "lost_answer"])
def test_a_confirmation_whose_answer_is_lost_is_ambiguous_applied_once_and_readable(sim, kind):
    order_id = add_order(sim, lines=2)
    amazon, impatient = client(sim), client(sim, timeout=0.5)
    items = amazon.order_items(order_id)
    assert amazon.shipped_quantities(order_id) == {i["OrderItemId"]: 0 for i in items}
    fault(sim, "confirmShipment", kind, delay=1.5)
    with pytest.raises(AmazonAmbiguous) as lost:
        impatient.confirm_shipment(order_id, DE, package(items[:1]))
    assert isinstance(lost.value, AmazonError) and isinstance(lost.value, Ambiguous)
    assert impatient.calls == 1, "never sent again"
    shipments = [s for s in state(sim)["shipments"] if s["amazonOrderId"] == order_id]
    assert len(shipments) == 1, "Amazon applied it, once"
    assert amazon.shipped_quantities(order_id) == {
        items[0]["OrderItemId"]: items[0]["QuantityOrdered"],
        items[1]["OrderItemId"]: 0,
    }
    with pytest.raises(AmazonError, match="exceeds the unshipped quantity"):  # what a blind resend would meet
        amazon.confirm_shipment(order_id, DE, package(items[:1], package_reference_id="PKG-2"))
    assert len([s for s in state(sim)["shipments"] if s["amazonOrderId"] == order_id]) == 1


def test_a_throttled_confirmation_is_sent_again(sim):
    order_id = add_order(sim)
    amazon = client(sim)
    items = amazon.order_items(order_id)
    fault(sim, "confirmShipment", "429")
    amazon.confirm_shipment(order_id, DE, package(items))
    assert amazon.throttled == 1 and len(state(sim)["shipments"]) == 1


def test_missing_tracking_number_is_refused_before_any_request(sim):
    order_id = add_order(sim)
    amazon = client(sim)
    items = amazon.order_items(order_id)
    calls = amazon.calls
    for empty in ("", "  ", None):
        with pytest.raises(AmazonError, match="tracking number"):
            amazon.confirm_shipment(order_id, DE, package(items, tracking_number=empty))
    assert amazon.calls == calls
    assert not state(sim)["shipments"]


# --------------------------------------------------------------------------------------------
# listings feeds
# --------------------------------------------------------------------------------------------


def test_listings_feed_round_trip_reports_each_sku(sim):
    amazon = client(sim)
    offers = state(sim)["offers"]
    sku, other = sorted(offers)[:2]
    messages = [
        amazon.stock_message(sku, 3, 1),
        amazon.stock_message("NOT-A-SKU", 1, 2),
        amazon.price_message(other, 12.5, "EUR", 3),
    ]
    schema = SPECS / "listings-feed-schema-v2.json"
    if schema.exists():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(
            {"header": {"sellerId": "SIMSELLER1", "version": "2.0"}, "messages": messages},
            json.loads(schema.read_text()),
        )
    feed = amazon.submit_listings_feed("SIMSELLER1", [DE], messages)
    assert amazon.wait_for_feed(feed, timeout=10, interval=0.01)["status"] == "DONE"
    results = amazon.feed_results(feed, messages)
    assert results["NOT-A-SKU"]["status"] == "error"
    assert "does not match any listing" in results["NOT-A-SKU"]["errors"][0]
    assert results[sku] == {"status": "accepted", "errors": []} and results[other]["status"] == "accepted"
    assert set(amazon.feed_results(feed)) == {"NOT-A-SKU"}, "without the messages: what the report names"
    after = state(sim)["offers"]
    assert after[sku][DE]["quantity"] == 3 and after[other][DE]["price"] == "12.50"


def test_feed_results_tie_issues_to_skus_through_message_ids(sim):
    post(sim, "/_sim/amazon/feed_report", {"issue_skus": False})  # issues name their messageId only
    amazon = client(sim)
    sku = sorted(state(sim)["offers"])[0]
    messages = [amazon.stock_message(sku, 3, 1), amazon.stock_message("NOT-A-SKU", 1, 2)]
    feed = amazon.submit_listings_feed("SIMSELLER1", [DE], messages)
    assert amazon.wait_for_feed(feed, timeout=10, interval=0.01)["status"] == "DONE"
    results = amazon.feed_results(feed, messages)
    assert results["NOT-A-SKU"]["status"] == "error"
    assert "does not match any listing" in results["NOT-A-SKU"]["errors"][0]
    assert results[sku] == {"status": "accepted", "errors": []}
    assert amazon.feed_results(feed, {1: sku, 2: "NOT-A-SKU"}) == results, "the messageId -> SKU map will do"
    with pytest.raises(AmazonError, match="no named SKU"):  # never taken for accepted
        amazon.feed_results(feed)


def test_recent_feeds_find_a_feed_whose_creation_answer_was_lost(sim):
    amazon, impatient = client(sim), client(sim, timeout=0.5)
    sku = sorted(state(sim)["offers"])[0]
    old = amazon.submit_listings_feed("SIMSELLER1", [DE], [amazon.stock_message(sku, 1, 1)])
    time.sleep(2.1)  # createdSince counts whole seconds
    known = amazon.submit_listings_feed("SIMSELLER1", [DE], [amazon.stock_message(sku, 2, 1)])
    fault(sim, "createFeed", "slow_answer", delay=1.5)
    with pytest.raises(AmazonAmbiguous) as lost:
        impatient.submit_listings_feed("SIMSELLER1", [DE], [amazon.stock_message(sku, 3, 1)])
    assert lost.value.feed_document_id and lost.value.sent_at.tzinfo is not None
    created = [f["feedId"] for f in state(sim)["feeds"]]
    assert len(created) == 3, "Amazon created the feed whose answer was lost, once"
    calls = amazon.calls
    feeds = amazon.recent_feeds("JSON_LISTINGS_FEED", lost.value.sent_at - timedelta(seconds=1), page_size=1)
    assert [f["feedId"] for f in feeds] == [created[2], known], "newest first, the older one left out"
    assert amazon.calls == calls + 2, "one getFeeds call per page"
    assert all(f["feedType"] == "JSON_LISTINGS_FEED" and f["marketplaceIds"] == [DE] for f in feeds)
    assert old not in [f["feedId"] for f in amazon.recent_feeds("JSON_LISTINGS_FEED", lost.value.sent_at)]
    assert amazon.recent_feeds("JSON_LISTINGS_FEED", lost.value.sent_at, marketplace_ids=[UK]) == []


def test_feed_batches_and_limits(sim):
    messages = [
        AmazonClient.stock_message("SKU-%d" % i, i, 1) for i in range(client_module.MAX_FEED_MESSAGES + 5)
    ]
    batches = list(AmazonClient.feed_batches(messages))
    assert [len(b) for b in batches] == [client_module.MAX_FEED_MESSAGES, 5]
    assert [m["messageId"] for m in batches[1]] == [1, 2, 3, 4, 5]
    amazon = client(sim)
    with pytest.raises(AmazonError, match="at most"):
        amazon.submit_listings_feed("SIMSELLER1", [DE], messages)
    assert amazon.calls == 0


# --------------------------------------------------------------------------------------------
# FBA inventory
# --------------------------------------------------------------------------------------------


def test_inventory_summaries_page(sim):
    post(sim, "/_sim/reset", {"seed": 4, "sizes": {"amazon": {"orders": 1, "products": 150}}})
    amazon = client(sim)
    summaries = list(amazon.inventory_summaries(DE))
    skus = [s["sellerSku"] for s in summaries]
    assert len(skus) == len(set(skus)) > 50, "several pages of 50"
    assert amazon.calls == (len(skus) + 49) // 50
    wanted = skus[:60]
    assert sorted(s["sellerSku"] for s in amazon.inventory_summaries(DE, skus=wanted)) == sorted(wanted)
    listing = to_neutral_listing(summaries[0])
    assert listing["sku"] == skus[0] and listing["fulfilment"] == "marketplace"
    assert listing["quantity"] == summaries[0]["inventoryDetails"]["fulfillableQuantity"]


# --------------------------------------------------------------------------------------------
# mapping
# --------------------------------------------------------------------------------------------


def _reconciles(neutral, included):
    """Odoo's total of a neutral order (as the order service books it) against Amazon's."""
    lines = sum(line.unit_price * line.quantity - line.discount for line in neutral.lines)
    wraps = [line.gift_wrap for line in neutral.lines if line.gift_wrap]
    charges = [c for c in wraps + [neutral.shipping] if c]
    gross = lines + sum(c.amount - c.discount for c in charges)
    if included:
        return abs(gross - neutral.total) <= 0.01
    # taxes on top (not collected by Amazon): the tax amounts are those of the full price, so
    # the discounts' share is taken off at the same rate (as Odoo will compute it)
    taxes = 0.0
    for base, discount, tax_list in [
        (line.unit_price * line.quantity, line.discount, line.taxes) for line in neutral.lines
    ] + [(c.amount, c.discount, c.taxes) for c in charges]:
        taxes += sum(t.amount for t in tax_list) * (base - discount) / base if base else 0.0
    return abs(gross + taxes - neutral.total) <= 0.01 * (1 + len(neutral.lines))


def test_every_order_maps_to_a_valid_neutral_order_with_amazons_total(sim):
    amazon = client(sim)
    checked = {True: 0, False: 0}
    seen = {"b2b": 0, "gift": 0, "anonymous": 0, "cancelled": 0, "facilitated": 0}
    for raw in amazon.iter_orders(ALL, SINCE, order_statuses=ALL_IMPORT_STATUSES):
        items = amazon.order_items(raw["AmazonOrderId"])
        included = prices_include_tax(raw["MarketplaceId"])
        assert included == (raw["MarketplaceId"] != US)
        neutral = Order.model_validate(to_neutral_order(raw, items, prices_include_tax=included))
        assert neutral.external_id == neutral.name == raw["AmazonOrderId"]
        assert neutral.fulfilment == ("marketplace" if raw["FulfillmentChannel"] == "AFN" else "merchant")
        assert neutral.marketplace_id == raw["MarketplaceId"] and neutral.status == raw["OrderStatus"]
        assert len(neutral.lines) == len(items)
        if not neutral.customer.name:
            seen["anonymous"] += 1
            assert raw["FulfillmentChannel"] == "AFN", "with an RDT only FBA buyers are hidden"
            if raw.get("ShippingAddress"):
                assert neutral.delivery_address.country_code == raw["ShippingAddress"]["CountryCode"]
        elif raw["FulfillmentChannel"] == "MFN":
            assert neutral.customer.email == raw["BuyerInfo"]["BuyerEmail"]
        if neutral.invoice_address and neutral.invoice_address.company:
            seen["b2b"] += 1
        if any(line.gift_wrap for line in neutral.lines):
            seen["gift"] += 1
        if any(line.tax_collected_by_marketplace for line in neutral.lines):
            seen["facilitated"] += 1
            assert all(not line.taxes for line in neutral.lines)
        if neutral.cancelled:
            seen["cancelled"] += 1
            assert neutral.total is None
            continue
        assert neutral.currency == raw["OrderTotal"]["CurrencyCode"]
        assert _reconciles(neutral, included), raw["AmazonOrderId"]
        checked[included] += 1
    print("\nmapped orders: %s tax-included, %s US; %s" % (checked[True], checked[False], seen))
    assert checked[True] > 50 and checked[False] > 10
    assert all(seen.values()), seen


def test_both_api_versions_map_every_order_to_the_same_neutral_order(sim):
    v0, v2026 = client(sim), client(sim)
    new = [
        add_order(sim, business=True, gift=True, lines=3),
        add_order(sim, payment_method="COD"),
        add_order(sim, marketplace_id=UK, facilitator=True, lines=2),
        add_order(sim, marketplace_id=US, lines=2),
    ]
    by_id = {
        o["orderId"]: o
        for o in v2026.iter_orders(ALL, SINCE, order_statuses=ALL_IMPORT_STATUSES, version="2026-01-01")
    }
    compared = 0
    for raw in v0.iter_orders(ALL, SINCE, order_statuses=ALL_IMPORT_STATUSES):
        reference, updated, _order = order_header(by_id[raw["AmazonOrderId"]], "2026-01-01")
        assert (reference, updated) == (raw["AmazonOrderId"], raw["LastUpdateDate"])
        old = payload_to_neutral({"order": raw, "items": v0.order_items(raw["AmazonOrderId"])})
        assert Order.model_validate(old) == Order.model_validate(
            payload_to_neutral({"version": "2026-01-01", "order": by_id[raw["AmazonOrderId"]]})
        ), raw["AmazonOrderId"]
        compared += 1
    assert compared == len(by_id) > 200 and set(new) <= set(by_id)


def test_business_gift_cod_and_facilitated_orders_map_as_a_merchant_needs(sim):
    amazon = client(sim)
    order_id = add_order(sim, business=True, gift=True, lines=2, vat="FR40303265045", payment_method="COD")
    raw, items = amazon.order(order_id), amazon.order_items(order_id)
    neutral = Order.model_validate(to_neutral_order(raw, items, prices_include_tax=True, with_asin=True))
    address = neutral.invoice_address
    assert address.company == raw["BuyerInfo"]["BuyerTaxInfo"]["CompanyLegalName"]
    assert address.vat == "FR40303265045" and address.name == raw["ShippingAddress"]["Name"]
    assert address.country_code == raw["ShippingAddress"]["CountryCode"]
    assert neutral.customer.email == raw["BuyerInfo"]["BuyerEmail"]
    assert neutral.customer_reference == raw["BuyerInfo"]["PurchaseOrderNumber"]
    assert all(line.gift_wrap and line.gift_wrap.code == "Classic" for line in neutral.lines)
    assert [line.gift_message for line in neutral.lines] == [
        i["BuyerInfo"].get("GiftMessageText") for i in items
    ]
    assert [line.product_external_id for line in neutral.lines] == [i["ASIN"] for i in items]
    assert (neutral.payment_gateway, neutral.payment_status) == ("Amazon COD", "unpaid")

    # Amazon collects the UK VAT (deemed reseller): net prices, no tax, Amazon's total less its tax
    uk = add_order(
        sim, marketplace_id=UK, facilitator=True, lines=[{"sku": "SIM-0002", "quantity": 3, "price": 10.0}]
    )
    raw, items = amazon.order(uk), amazon.order_items(uk)
    neutral = Order.model_validate(to_neutral_order(raw, items, prices_include_tax=True))
    line, item = neutral.lines[0], items[0]

    def money(key):
        return float(item[key]["Amount"])

    kept = (
        money("ItemTax") + money("ShippingTax") - money("PromotionDiscountTax") - money("ShippingDiscountTax")
    )
    assert line.tax_collected_by_marketplace and not line.taxes
    assert round(line.unit_price * 3 - line.discount, 2) == round(
        30.0 - money("PromotionDiscount") - money("ItemTax") + money("PromotionDiscountTax"), 2
    )
    assert abs(neutral.total - (float(raw["OrderTotal"]["Amount"]) - kept)) < 0.005


def test_without_the_pii_role_orders_keep_their_destination_and_it_is_said_once(sim):
    post(sim, "/_sim/amazon/pii_role", {"granted": False})
    issued = state(sim)["rdts_issued"]
    order_id = add_order(sim, ship_to="AT")
    amazon = client(sim)
    orders = list(amazon.iter_orders([DE], SINCE))
    for order in orders[:3]:
        amazon.order_items(order["AmazonOrderId"])
    raw = next(o for o in orders if o["AmazonOrderId"] == order_id)
    neutral = Order.model_validate(
        to_neutral_order(raw, amazon.order_items(order_id), prices_include_tax=True)
    )
    assert neutral.customer.name is None and neutral.customer.email is None, "the anonymous customer"
    assert (neutral.delivery_address.country_code, neutral.invoice_address) == ("AT", None)
    assert amazon.pii_refused and len(amazon.notices) == 1
    assert "does not have access to one or more requested data elements" in amazon.notices[0][1]
    assert state(sim)["rdts_issued"] == issued


def test_restricted_data_tokens_are_reused_while_valid_and_renewed_with_the_token(sim):
    issued = state(sim)["rdts_issued"]
    first = client(sim)
    list(first.iter_orders([DE], SINCE))
    second = client(sim)  # another run of the same account
    list(second.iter_orders([DE], SINCE))
    assert state(sim)["rdts_issued"] == issued + 1, "the first run's RDT is reused"
    assert second.calls == first.calls - 1, "the pages only"
    fault(sim, "getOrders", "expired_token")  # every token expires, the RDT with the access token
    assert list(second.iter_orders([DE], SINCE))
    assert state(sim)["rdts_issued"] == issued + 2


def test_an_account_refused_orders_2026_reads_with_v0_and_says_it_once(sim):
    post(sim, "/_sim/amazon/orders_api", {"2026-01-01": False})
    amazon = client(sim)
    page = amazon.import_page(ALL, SINCE, order_statuses=ALL_IMPORT_STATUSES)
    assert amazon.orders_version == "v0" and "AmazonOrderId" in page["orders"][0]
    amazon.import_page(ALL, SINCE, page["next_token"], ALL_IMPORT_STATUSES)
    assert [n[0] for n in amazon.notices] == ["warning"] and "2026-01-01" in amazon.notices[0][1]


def test_listings_pages_map_to_neutral_listings(sim):
    amazon = client(sim)
    pages = list(amazon.iter_listings("SIMSELLER1", [DE]))
    items = [item for page in pages for item in page]
    assert all(len(page) <= 20 for page in pages) and amazon.calls == len(pages)
    skus = [i["sku"] for i in items]
    known = state(sim)
    assert len(skus) == len(set(skus)) == known["products"]
    listings = [to_neutral_listing(item, marketplace_id=DE) for item in items]
    fba = set(known["fba_inventory"])
    for listing in listings:
        assert listing["external_id"] == listing["sku"] and listing["name"] and len(listing["barcode"]) == 13
        assert listing["fulfilment"] == ("marketplace" if listing["sku"] in fba else "merchant")
        assert listing["price"] == float(known["offers"][listing["sku"]][DE]["price"])


def test_feed_results_follow_the_message_ids_as_sent(sim):
    """A report that names messageIds only: each result reaches the message's listing, even
    when its SKU changed in Odoo since (the messages passed say the SKU known now)."""
    post(sim, "/_sim/amazon/feed_report", {"issue_skus": False})
    amazon = client(sim)
    sku = sorted(state(sim)["offers"])[0]
    feed = amazon.submit_listings_feed(
        "SIMSELLER1", [DE], [amazon.stock_message("NOT-A-SKU", 1, 1), amazon.stock_message(sku, 2, 2)]
    )
    assert amazon.wait_for_feed(feed, timeout=10, interval=0.01)["status"] == "DONE"
    results = amazon.feed_results(feed, {1: "RENAMED-SINCE", 2: sku})
    assert results["RENAMED-SINCE"]["status"] == "error" and results[sku]["status"] == "accepted"


def test_only_the_import_statuses_are_importable(sim):
    assert is_importable({"FulfillmentChannel": "AFN", "OrderStatus": "Shipped"})
    assert not is_importable({"FulfillmentChannel": "AFN", "OrderStatus": "Unshipped"})
    assert is_importable({"FulfillmentChannel": "MFN", "OrderStatus": "PartiallyShipped"})
    assert not is_importable({"FulfillmentChannel": "MFN", "OrderStatus": "Pending"})
    amazon = client(sim)
    pending = add_order(sim, status="Pending")
    assert pending not in {
        o["AmazonOrderId"] for o in amazon.iter_orders(ALL, SINCE, order_statuses=ALL_IMPORT_STATUSES)
    }


def test_a_business_invoice_request_names_the_buyers_company():
    """BuyerTaxInformation (a buyer asking for a business invoice, Turkey): its legal name and
    tax registration make the company contact, as an Amazon Business buyer's do."""
    order = {
        "AmazonOrderId": "028-1234567-8901234",
        "PurchaseDate": "2026-03-15T10:30:00Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "MarketplaceId": "A33AVAJ2PDY3EV",
        "IsBusinessOrder": False,
        "OrderTotal": {"Amount": "125.00", "CurrencyCode": "TRY"},
        "BuyerInvoicePreference": "BUSINESS",
        "BuyerTaxInformation": {
            "BuyerLegalCompanyName": "Test company name",
            "BuyerTaxRegistrationId": "1234567890",
            "BuyerTaxOffice": "tax office",
        },
        "BuyerInfo": {"BuyerEmail": "buyer@marketplace.amazon.com.tr", "BuyerName": "Mehmet Yilmaz"},
        "ShippingAddress": {
            "Name": "Mehmet Yilmaz",
            "AddressLine1": "Istiklal Caddesi No:42",
            "City": "Istanbul",
            "PostalCode": "34430",
            "CountryCode": "TR",
        },
    }
    items = [
        {
            "OrderItemId": "1",
            "SellerSKU": "FIRE-HD10",
            "QuantityOrdered": 2,
            "ItemPrice": {"Amount": "125.00", "CurrencyCode": "TRY"},
            "ItemTax": {"Amount": "20.83", "CurrencyCode": "TRY"},
        }
    ]
    neutral = Order.model_validate(to_neutral_order(order, items, prices_include_tax=True))
    assert (neutral.invoice_address.company, neutral.invoice_address.vat) == (
        "Test company name",
        "1234567890",
    )
    assert neutral.customer.name == "Mehmet Yilmaz" and neutral.total == 125.0
