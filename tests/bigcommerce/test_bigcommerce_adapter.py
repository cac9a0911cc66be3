"""The BigCommerce adapter and mapping against the simulator, over real HTTP (no Odoo, no mocks).

The simulator runs in a thread; the client gets a `sleep` that records the pauses it asks for
(and really sleeps only the short ones), so that the quota, 429s and retries are exercised fast.
"""

import json
import time
from pathlib import Path

import pytest
import requests

from marketplace_base.adapter.transport import Ambiguous, MarketplaceError
from marketplace_base.schemas.order import Order
from marketplace_bigcommerce.adapter.client import (
    MAX_ADJUSTMENT_ITEMS,
    BigCommerceAmbiguous,
    BigCommerceClient,
    BigCommerceError,
    BigCommerceThrottled,
    error_text,
)
from marketplace_bigcommerce.adapter.mapping import (
    PAID_PAYMENT_STATUSES,
    adjustment_item,
    from_kg,
    listing_items,
    order_products,
    refused_identities,
    shipment_bodies,
    shipped_quantities,
    split_external_id,
    to_kg,
    to_neutral_order,
    tracking_carrier,
    weight_unit,
)

from conftest import post, sim_fault, sim_state

TOKEN = "sim-token"


@pytest.fixture(autouse=True)
def fresh(sim):
    post(
        sim,
        "/_sim/reset",
        {"seed": 5, "sizes": {"bigcommerce": {"orders": 300, "products": 30}}, "rate_limits": False},
    )
    requests.delete(sim + "/_sim/faults", timeout=10)
    BigCommerceClient.reset_rate_limits()
    BigCommerceClient.reset_windows()
    yield


class Sleeps(list):
    """Records the pauses asked for; sleeps for real only up to `cap` seconds each, and keeps a
    clock that moves by the whole pause (the client's clock), as if it had slept it all."""

    def __init__(self, cap=2.0):
        super().__init__()
        self.cap = cap
        self.skipped = 0.0

    def __call__(self, seconds):
        self.append(seconds)
        time.sleep(min(seconds, self.cap))
        self.skipped += max(seconds - self.cap, 0.0)

    def clock(self):
        return time.monotonic() + self.skipped


def client(sim, token=TOKEN, **kwargs):
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("clock", kwargs["sleep"].clock)
    return BigCommerceClient(
        store_hash="simstore",
        access_token=token,
        api_base_url=sim + "/bigcommerce",
        max_wait=kwargs.pop("max_wait", 30),
        timeout=kwargs.pop("timeout", 10),
        **kwargs,
    )


def fault(sim, operation, kind, count=1, **extra):
    sim_fault(sim, "bigcommerce", operation, kind, count, **extra)


def all_orders(c, status_id, since="2000-01-01T00:00:00+00:00"):
    until = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(c.server_time() + 5))
    orders, min_id = [], None
    while True:
        page = c.orders_page(status_id, since, until, min_id)
        orders.extend(page)
        if len(page) < 250:
            return orders
        min_id = page[-1]["id"] + 1


# =============================================================================================
# the client
# =============================================================================================


def test_orders_are_paged_by_id_with_their_line_items(sim):
    c = client(sim)
    state = sim_state(sim, "bigcommerce")
    shipped = all_orders(c, 2)
    assert len(shipped) == state["orders_by_status"]["Shipped"]
    assert len({o["id"] for o in shipped}) == len(shipped)
    assert all(order_products(o) for o in shipped), "line items in the list call"
    assert all(isinstance(o["consignments"]["shipping"][0]["line_items"][0], dict) for o in shipped)
    # nothing matches: 204 No Content is an empty page, not an error and not an item
    assert c.orders_page(2, "2099-01-01T00:00:00+00:00", "2099-01-02T00:00:00+00:00") == []
    assert c.calls == 3 + (len(shipped) >= 250)


def test_wrong_token_and_missing_scopes(sim):
    with pytest.raises(BigCommerceError) as refused:
        client(sim, token="nope").store()
    assert refused.value.status == 401
    assert "not authorized" in str(refused.value)
    post(sim, "/_sim/bigcommerce/scopes", {"scopes": ["store_v2_information", "store_v2_orders_read_only"]})
    missing = client(sim).missing_scopes()
    assert "Products (store_v2_products)" in missing
    assert "Orders (store_v2_orders)" not in missing, "read-only probes"


def test_the_token_never_shows(sim):
    c = client(sim, token="secret-token-123")
    with pytest.raises(MarketplaceError) as refused:
        c.store()
    assert "secret-token-123" not in str(refused.value)
    assert "secret-token-123" not in repr(c)


def test_paced_before_the_quota_is_spent(sim):
    post(
        sim,
        "/_sim/reset",
        {
            "seed": 5,
            "rate_limits": True,
            "sizes": {"bigcommerce": {"orders": 5, "products": 3, "rate_quota": 4, "rate_window_ms": 500}},
        },
    )
    sleeps = Sleeps()
    c = client(sim, sleep=sleeps)
    for _i in range(10):
        c.store()
    assert c.throttled == 0
    assert c.calls == 10
    assert sleeps and all(0 < s <= 0.6 for s in sleeps), "waited for the window to refresh"


def test_a_429_waits_for_the_reset_it_names(sim):
    fault(sim, "getStore", "429", retry_after=1)
    sleeps = Sleeps()
    c = client(sim, sleep=sleeps)
    assert c.store()["id"] == "simstore"
    assert c.throttled == 1
    assert any(0.9 <= s <= 1.2 for s in sleeps), sleeps


def test_a_429_without_headers_backs_off_more_each_time(sim):
    fault(sim, "getStore", "429_no_retry_after", count=3)
    sleeps = Sleeps(cap=0.05)
    c = client(sim, sleep=sleeps)
    c.store()
    assert c.throttled == 3
    assert sleeps[:3] == [1.0, 2.0, 4.0]


def test_throttled_beyond_the_time_budget(sim):
    fault(sim, "getStore", "429", count=10, retry_after=5)
    c = client(sim, max_wait=3, sleep=Sleeps(cap=0.01))
    with pytest.raises(BigCommerceThrottled):
        c.store()


def test_reads_are_retried_writes_are_ambiguous(sim):
    fault(sim, "getOrderStatuses", "5xx", count=2)
    c = client(sim, sleep=Sleeps(cap=0.01))
    assert len(c.order_statuses()) == 15
    assert c.calls == 3
    fault(sim, "put-absolute-adjustment", "5xx")
    with pytest.raises(BigCommerceAmbiguous) as unclear:
        c.absolute_adjustment([{"location_id": 1, "variant_id": 1001, "quantity": 3}], "test")
    assert isinstance(unclear.value, Ambiguous)
    fault(sim, "createOrderShipments", "lost_answer")
    order = all_orders(c, 11)[0]
    item = order_products(order)[0]
    with pytest.raises(BigCommerceAmbiguous):
        c.create_shipment(
            order["id"],
            {
                "order_address_id": item["order_address_id"],
                "items": [{"order_product_id": item["id"], "quantity": 1}],
            },
        )
    assert shipped_quantities(c.order_products(order["id"]))[str(item["id"])] == 1, "applied, answer lost"


def test_timeouts_of_reads_are_retried(sim):
    fault(sim, "getStore", "slow", delay=1.5)
    c = client(sim, timeout=0.5, sleep=Sleeps(cap=0.01))
    assert c.store()["id"] == "simstore"
    assert c.calls == 2


def test_errors_carry_bigcommerce_words(sim):
    c = client(sim)
    with pytest.raises(BigCommerceError) as refused:
        c.absolute_adjustment([{"location_id": 1, "variant_id": 999999, "quantity": 1}], "test")
    assert refused.value.status == 422
    assert refused_identities(refused.value.message) == [("variant_id", "999999")]
    assert (
        error_text(
            400,
            [{"status": 400, "message": "The field 'x' is invalid.", "details": {"invalid_reason": "why"}}],
        )
        == "The field 'x' is invalid.; why"
    )
    assert "index: 1" in error_text(422, {"batch_errors": [{"title": "bad", "errors": {"index": "1"}}]})


def test_inventory_batch_of_the_api_size(sim):
    c = client(sim)
    variants = [v for page in c.products() for p in page for v in p["variants"]]
    items = [{"location_id": loc, "variant_id": v["id"], "quantity": 1} for v in variants for loc in (1, 2)]
    items = (items * (MAX_ADJUSTMENT_ITEMS // len(items) + 1))[:MAX_ADJUSTMENT_ITEMS]
    assert c.absolute_adjustment(items, "full batch")
    with pytest.raises(BigCommerceError):
        c.absolute_adjustment(items + items[:1], "one too many")


# =============================================================================================
# mapping
# =============================================================================================


def test_every_simulator_order_maps_to_a_valid_neutral_order(sim):
    c = client(sim)
    for status in (1, 2, 3, 5, 7, 9, 10, 11):
        for order in all_orders(c, status):
            taxes = c.order_taxes(order["id"]) if float(order["total_tax"]) else None
            neutral = Order.model_validate(to_neutral_order(order, taxes, anonymous_name="Guest"))
            assert neutral.external_id == str(order["id"])
            assert len(neutral.lines) == len(order_products(order))
            assert neutral.cancelled == (status == 5)
            expected = float(order["total_inc_tax"]) - float(order["gift_certificate_amount"])
            assert neutral.total == pytest.approx(max(expected, 0), abs=0.011)
            for line in neutral.lines:
                assert line.custom or line.product_external_id


def test_mapping_taxes_discounts_and_addresses(sim):
    post(
        sim,
        "/_sim/bigcommerce/add_orders",
        {
            "orders": [
                {
                    "id": 900001,
                    "status": "Awaiting Fulfillment",
                    "country": "DE",
                    "tax_inclusive": True,
                    "b2b": True,
                    "coupon": "SOMMER10",
                    "gift_certificate": 5,
                    "gift": True,
                    "addresses": 2,
                    "currency": "USD",
                    "shipping_cost": 4.95,
                    "handling_cost": 1.0,
                    "lines": [
                        {"sku": "BC-0002", "quantity": 2, "price": 20},
                        {"custom": True, "custom_index": 3, "quantity": 1},
                        {"custom": True, "custom_index": 1, "quantity": 1},
                    ],
                }
            ]
        },
    )
    c = client(sim)
    order = c.order(900001)
    neutral = to_neutral_order(order, c.order_taxes(900001))
    assert neutral["currency"] == "USD"
    assert neutral["prices_include_tax"] is True
    first = neutral["lines"][0]
    assert first["unit_price"] == 20.0 and first["discount"] > 0
    assert first["taxes"][0]["rate"] == 19.0 and first["taxes"][0]["name"].startswith("MwSt")
    assert first["gift_wrap"]["amount"] > 0 and first["gift_wrap"]["taxes"][0]["rate"] == 19.0
    shelf, service = neutral["lines"][1], neutral["lines"][2]
    assert shelf["custom"] and shelf["storable"], "a custom item that ships"
    assert service["custom"] and not service["storable"]
    assert neutral["gift_certificates"] == [{"amount": 5.0}]
    assert neutral["invoice_address"]["company"]
    assert any(note.startswith("Ship") for note in neutral["notes"]), "the other address on the order"
    assert neutral["shipping"]["taxes"][0]["rate"] == 19.0
    Order.model_validate(neutral)
    # without the tax rows: the amounts, for the engine to find the rate
    assert "rate" not in to_neutral_order(order)["lines"][0]["taxes"][0]


def test_weights_between_units():
    assert weight_unit("KGS") == "KGS" and weight_unit("lbs") == "LBS" and weight_unit("Ounces") == "OUNCES"
    assert weight_unit("kg") == "KGS" and weight_unit("weird") == "KGS"
    assert to_kg(2.0, "LBS") == pytest.approx(0.90718474)
    assert to_kg(500, "Grams") == pytest.approx(0.5)
    assert to_kg(1, "Tonnes") == 1000.0
    assert from_kg(1.0, "Ounces") == pytest.approx(35.27396195)
    assert from_kg(to_kg(3.3, "LBS"), "LBS") == pytest.approx(3.3)


def test_shipment_bodies_per_address_capped_at_what_remains():
    products = [
        {"id": 1, "order_address_id": 10, "quantity": 3, "quantity_shipped": 1},
        {"id": 2, "order_address_id": 11, "quantity": 1, "quantity_shipped": 0},
        {"id": 3, "order_address_id": 10, "quantity": 1, "quantity_shipped": 1},
    ]
    bodies, skipped = shipment_bodies(products, {"1": 2, "2": 1, "3": 1}, "TRK", "DHL Express", "ups")
    assert [b["order_address_id"] for b in bodies] == [10, 11]
    assert bodies[0]["items"] == [{"order_product_id": 1, "quantity": 2}]
    assert bodies[0]["tracking_carrier"] == "dhl" and bodies[0]["shipping_provider"] == "ups"
    assert skipped == {"3": 1}
    assert tracking_carrier("Hermes Germany") == "hermes-de" and tracking_carrier("Own van") == ""


def test_listings_and_adjustment_items(sim):
    c = client(sim)
    products = [p for page in c.products() for p in page]
    multi = next(p for p in products if len(p["variants"]) > 1)
    items = listing_items(multi, "LBS")
    assert len(items) == len(multi["variants"])
    assert all(
        split_external_id(i["external_id"]) == (multi["id"], i["bigcommerce_variant_id"]) for i in items
    )
    assert items[0]["options"] and items[0]["inventory_tracking"] == "variant"
    assert items[0]["weight_kg"] == pytest.approx(multi["weight"] * 0.45359237, abs=1e-4)
    assert items[0]["image_url"].startswith(sim)
    assert requests.get(items[0]["image_url"], timeout=10).content[:4] == b"\x89PNG", "the CDN, no token"
    assert adjustment_item(("variant", 5, 7), "2", 3) == {"location_id": 2, "variant_id": 7, "quantity": 3}
    assert adjustment_item(("product", 5, 7), "1", 0) == {"location_id": 1, "product_id": 5, "quantity": 0}
    assert adjustment_item(("none", 5, 7), "1", 3) is None
    assert "captured" in PAID_PAYMENT_STATUSES and "authorized" not in PAID_PAYMENT_STATUSES
    assert json.loads(json.dumps(items))  # queue payloads are JSON


# --------------------------------------------------------------------------------------------
# the contracts' documented examples
# --------------------------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "apispecs" / "bigcommerce" / "examples"


def documented(name):
    """The documented 200 answer of an operation (examples/<name>.json)."""
    path = EXAMPLES / (name + ".json")
    if not path.is_file():
        pytest.skip("example %s not found" % path)
    [answers] = json.loads(path.read_text(encoding="utf-8"))["responses"]["200"].values()
    return next(iter(answers[0].values()))  # the documentation wraps each example in one key


def test_the_documented_order_maps_with_its_state_by_name():
    order, products = documented("orders_v2__getOrder"), documented("orders_v2__getOrderProducts")
    neutral = Order.model_validate(to_neutral_order(dict(order, products=products)))
    assert neutral.external_id == "218" and neutral.currency == "USD" and neutral.status == "Awaiting Payment"
    assert neutral.total == 69.84, "what the buyer pays: total_inc_tax"
    assert (neutral.invoice_address.city, neutral.invoice_address.country_code) == ("Austin", "US")
    assert neutral.invoice_address.state_name == "Texas", "BigCommerce names the state; Odoo finds it by name"
    assert [(line.sku, line.quantity, line.unit_price) for line in neutral.lines][0] == ("S-ORAN", 1, 55.99)
    assert neutral.shipping.amount == 11.09 and neutral.payment_status == "authorized"
