"""The Amazon adapter and mapping against the simulator, over real HTTP (no Odoo, no mocks)."""
import pytest
import requests

from marketplace_amazon.adapter.client import AmazonClient, AmazonError, AmazonThrottled
from marketplace_amazon.adapter.mapping import to_neutral_order
from marketplace_base.schemas.order import Order
from marketplace_simulator import serve_in_thread

DE, US = "A1PA6795UKMFR9", "ATVPDKIKX0DER"
ALL = ["A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER"]
INCLUDED = {"A1PA6795UKMFR9": True, "A1F83G8C2ARO7P": True, "A13V1IB3VIYZZH": True, "ATVPDKIKX0DER": False}


@pytest.fixture(scope="module")
def sim():
    server, base = serve_in_thread(port=0, rate_limits=False)
    yield base
    server.shutdown()


@pytest.fixture(autouse=True)
def fresh(sim):
    requests.post(sim + "/_sim/reset", json={"seed": 21, "sizes": {"amazon": {"orders": 150, "products": 30}}})
    requests.post(sim + "/_sim/amazon/feed_timing", json={"stage_seconds": 0})


class Sleeper:
    """Records the pauses the client asks for (time passes for real only where it matters)."""

    def __init__(self):
        self.pauses = []

    def __call__(self, seconds):
        self.pauses.append(seconds)


def client(sim, **kwargs):
    options = dict(refresh_token="sim-refresh-token", lwa_client_id="sim-lwa-client",
                   lwa_client_secret="sim-lwa-secret", endpoint=sim + "/amazon", rate_scale=1000,
                   max_wait=30, sleep=Sleeper())
    options.update(kwargs)
    return AmazonClient(**options)


def fault(sim, operation, kind, count=1, **extra):
    requests.post(sim + "/_sim/faults", json=dict(marketplace="amazon", operation=operation, kind=kind,
                                                  count=count, **extra)).raise_for_status()


def test_refused_credentials_give_amazons_words_and_no_secret(sim):
    with pytest.raises(AmazonError) as refused:
        client(sim, lwa_client_secret="a-wrong-secret").participations()
    assert "a-wrong-secret" not in str(refused.value)
    assert refused.value.status == 401


def test_orders_page_with_one_call_per_page(sim):
    amazon = client(sim)
    orders = list(amazon.iter_orders(ALL, "2020-01-01T00:00:00Z"))
    ids = [o["AmazonOrderId"] for o in orders]
    assert len(ids) == len(set(ids)) > 100, "more than one page, no duplicate"
    assert amazon.calls == 2


def test_throttling_is_waited_out_and_the_paging_resumes(sim):
    amazon = client(sim)
    fault(sim, "getOrders", "429", count=2)
    orders = list(amazon.iter_orders(ALL, "2020-01-01T00:00:00Z"))
    assert amazon.throttled == 2
    assert len({o["AmazonOrderId"] for o in orders}) == len(orders) > 100
    assert amazon.sleep.pauses, "the client waited before trying again"


def test_throttling_beyond_the_time_budget_stops(sim):
    amazon = client(sim, rate_scale=1, max_wait=5)
    fault(sim, "getOrders", "429", count=5)
    with pytest.raises(AmazonThrottled):
        list(amazon.iter_orders(ALL, "2020-01-01T00:00:00Z"))


def test_expired_token_is_renewed(sim):
    amazon = client(sim)
    amazon.participations()
    fault(sim, "getOrders", "expired_token")
    assert list(amazon.iter_orders([DE], "2020-01-01T00:00:00Z"))


def test_server_errors_are_retried_a_bounded_number_of_times(sim):
    amazon = client(sim)
    fault(sim, "getOrderItems", "5xx", count=2)
    order_id = next(amazon.iter_orders([DE], "2020-01-01T00:00:00Z"))["AmazonOrderId"]
    assert amazon.order_items(order_id)
    fault(sim, "getOrderItems", "5xx", count=10)
    with pytest.raises(AmazonError):
        amazon.order_items(order_id)


def test_slow_answers_end_in_an_error(sim):
    amazon = client(sim, timeout=0.3, max_retries=1)
    fault(sim, "getOrder", "slow", count=2, delay=1)
    with pytest.raises(AmazonError) as slow:
        amazon.order("028-0000000-0000000")
    assert "no usable answer" in str(slow.value)


def test_missing_tracking_number_is_refused_before_any_request(sim):
    amazon = client(sim)
    with pytest.raises(AmazonError, match="tracking number"):
        amazon.confirm_shipment("028-1", DE, {"package_reference_id": "1", "carrier_code": "DHL",
                                              "tracking_number": "", "items": []})
    assert amazon.calls == 0


def test_listings_feed_reports_each_sku(sim):
    amazon = client(sim)
    sku = sorted(requests.get(sim + "/_sim/state?marketplace=amazon").json()["amazon"]["offers"])[0]
    feed = amazon.submit_listings_feed("SIMSELLER1", [DE], [amazon.stock_message(sku, 3, 1),
                                                            amazon.stock_message("NOT-A-SKU", 1, 2)])
    for _i in range(5):
        if amazon.feed_status(feed)["processingStatus"] == "DONE":
            break
    results = amazon.feed_results(feed)
    assert results["NOT-A-SKU"]["status"] == "error" and results["NOT-A-SKU"]["errors"]
    assert sku not in results or results[sku]["status"] == "accepted"
    offers = requests.get(sim + "/_sim/state?marketplace=amazon").json()["amazon"]["offers"]
    assert offers[sku][DE]["quantity"] == 3


def test_every_order_maps_to_a_valid_neutral_order_with_amazons_total(sim):
    amazon = client(sim)
    checked = 0
    for raw in amazon.iter_orders(ALL, "2020-01-01T00:00:00Z",
                                  order_statuses=["Unshipped", "PartiallyShipped", "Shipped", "Canceled"]):
        items = amazon.order_items(raw["AmazonOrderId"])
        neutral = Order.model_validate(to_neutral_order(
            raw, items, prices_include_tax=INCLUDED[raw["MarketplaceId"]], anonymous_name="Amazon Customer"))
        assert neutral.fulfilment == ("marketplace" if raw["FulfillmentChannel"] == "AFN" else "merchant")
        assert neutral.customer.name, "a named buyer or the anonymous customer"
        if neutral.cancelled or neutral.total is None:
            continue
        # What Odoo will compute from the neutral order: each charge less its discount, plus (where
        # prices exclude tax) the tax at the rate of the charge's own tax amount.
        charges = [(l.unit_price * l.quantity, l.discount, l.taxes) for l in neutral.lines]
        charges += [(l.gift_wrap.amount, 0.0, l.gift_wrap.taxes) for l in neutral.lines if l.gift_wrap]
        if neutral.shipping:
            charges.append((neutral.shipping.amount, neutral.shipping.discount, neutral.shipping.taxes))
        total = 0.0
        for gross, discount, taxes in charges:
            rate = sum(t.amount or 0 for t in taxes) / gross if gross and not neutral.prices_include_tax else 0.0
            total += (gross - discount) * (1 + rate)
        assert abs(total - neutral.total) <= 0.02 * len(charges), raw["AmazonOrderId"]
        checked += 1
    assert checked > 50


def test_inventory_summaries_page(sim):
    requests.post(sim + "/_sim/reset", json={"seed": 4, "sizes": {"amazon": {"orders": 1, "products": 150}}})
    amazon = client(sim)
    summaries = list(amazon.inventory_summaries(DE))
    skus = [s["sellerSku"] for s in summaries]
    assert len(skus) == len(set(skus)) > 50, "several pages of 50"
