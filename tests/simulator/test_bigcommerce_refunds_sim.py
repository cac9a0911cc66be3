"""The simulator's BigCommerce refunds (v3 payment actions), over real HTTP, each body checked
against ../shared/apispecs/bigcommerce/orders.v3.yml: refund quotes, refunds of items, shipping,
handling, gift wrapping, fees, order-level amounts and tax, what is left to refund (422 beyond
it), the order following (status, payment status, refunded_amount, quantity_refunded), the
store's refunds filtered and paged, scopes and the store's quota."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import requests

from marketplace_simulator import serve_in_thread
from apispec_check import check, load_spec, resolve

V3 = "orders.v3.yml"
ORDERS_V2 = "orders.v2.oas2.yml"


@pytest.fixture(scope="module")
def simulator():
    server, base_url = serve_in_thread(port=0, seed=11)
    session = requests.Session()
    session.headers["X-Auth-Token"] = "sim-token"
    yield SimpleNamespace(base_url=base_url, http=session)
    session.close()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh(simulator):
    simulator.http.post(
        simulator.base_url + "/_sim/reset",
        json={"seed": 11, "sizes": {"bigcommerce": {"orders": 120, "products": 20}}, "rate_limits": False},
    ).raise_for_status()


def url(sim, version, path):
    return "%s/bigcommerce/stores/simstore/%s/%s" % (sim.base_url, version, path)


def get(sim, path, version="v3", **params):
    return sim.http.get(url(sim, version, path), params=params, timeout=10)


def post(sim, path, body):
    return sim.http.post(url(sim, "v3", path), json=body, timeout=10)


def control(sim, action, payload):
    resp = sim.http.post(sim.base_url + "/_sim/bigcommerce/%s" % action, json=payload, timeout=10)
    assert resp.status_code < 300, resp.text
    return resp.json()


def documented(body, path, method="get", status="200", spec=V3):
    """`body` checked against the documented answer of an operation."""
    root = load_spec("bigcommerce", spec)
    response = resolve(root["paths"][path][method]["responses"][status], root)
    return check(body, response["content"]["application/json"]["schema"], root, path, date_time=True)


def cents(value):
    return round(float(value) * 100)


def add_order(sim, order_id, **spec):
    """An order of known amounts: tax-inclusive German prices (19 %), paid by card."""
    values = dict(
        id=order_id,
        status="Awaiting Fulfillment",
        country="DE",
        b2b=False,
        tax_inclusive=True,
        gift=False,
        coupon=0,
        gift_certificate=0,
        payment_method="Credit Card",
        payment_status="captured",
        customer_id=42,
        shipping_cost=5.95,
        handling_cost=0,
        lines=[{"sku": "BC-0002", "price": 10.00, "quantity": 3}, {"sku": "BC-0003", "price": 20.00}],
    )
    values.update(spec)
    control(sim, "add_orders", {"orders": [values]})
    order = get(sim, "orders/%d" % order_id, "v2").json()
    products = get(sim, "orders/%d/products" % order_id, "v2").json()
    return order, products


def refund(sim, order_id, items, provider="stripe"):
    """Quote, then refund as the quote says (the documented two steps); the refund's body."""
    quote = post(sim, "orders/%d/payment_actions/refund_quotes" % order_id, {"items": items})
    assert quote.status_code == 201, quote.text
    documented(quote.json(), "/orders/{order_id}/payment_actions/refund_quotes", "post", "201")
    amount = quote.json()["data"]["total_refund_amount"]
    answer = post(
        sim,
        "orders/%d/payment_actions/refunds" % order_id,
        {"items": items, "payments": [{"provider_id": provider, "amount": amount, "offline": False}]},
    )
    assert answer.status_code == 201, answer.text
    documented(answer.json(), "/orders/{order_id}/payment_actions/refunds", "post", "201")
    assert answer.json()["data"]["total_amount"] == amount
    return answer.json()["data"]


def test_a_quoted_unit_is_refunded_and_the_order_follows(simulator):
    order, products = add_order(simulator, 880001)
    line = products[0]
    quote = post(
        simulator,
        "orders/880001/payment_actions/refund_quotes",
        {"items": [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]},
    )
    assert quote.status_code == 201
    data = quote.json()["data"]
    assert data["total_refund_amount"] == 10.00  # one of three units, taxes included
    assert data["total_refund_tax_amount"] == pytest.approx(1.60)  # 10.00 - 10.00 / 1.19 = 1.5966
    assert [m[0]["provider_id"] for m in data["refund_methods"]] == ["stripe", "storecredit", "custom"]

    made = refund(simulator, 880001, [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}])
    assert made["order_id"] == 880001 and made["total_tax"] == pytest.approx(1.60)
    assert made["items"] == [{"item_type": "PRODUCT", "item_id": line["id"], "reason": "", "quantity": 1}]
    assert made["payments"][0]["transaction_id"]

    after = get(simulator, "orders/880001", "v2").json()
    documented(after, "/orders/{order_id}", spec=ORDERS_V2)
    assert (after["status"], after["status_id"], after["payment_status"]) == (
        "Partially Refunded",
        14,
        "partially refunded",
    )
    assert after["refunded_amount"] == "10.0000"
    assert after["date_modified"] >= order["date_modified"]
    rows = get(simulator, "orders/880001/products", "v2").json()
    assert [(r["is_refunded"], r["quantity_refunded"], r["refund_amount"]) for r in rows] == [
        (True, 1, "0.0000"),  # refund_amount: deprecated, "always returns 0"
        (False, 0, "0.0000"),
    ]
    listed = get(simulator, "orders/880001/payment_actions/refunds").json()
    documented(listed, "/orders/{order_id}/payment_actions/refunds")
    assert [r["id"] for r in listed["data"]] == [made["id"]]
    by_txn = get(
        simulator,
        "orders/880001/payment_actions/refunds",
        transaction_id=made["payments"][0]["transaction_id"],
    )
    assert [r["id"] for r in by_txn.json()["data"]] == [made["id"]]
    transactions = get(simulator, "orders/880001/transactions").json()["data"]
    assert (transactions[-1]["event"], transactions[-1]["amount"]) == ("refund", 10.00)


def test_every_part_refunded_in_pieces_adds_up_to_the_order_total(simulator):
    order, products = add_order(
        simulator,
        880002,
        gift=True,
        coupon="SOMMER10",
        handling_cost=2.50,
        fees=[{"name": "Versandversicherung", "amount": 1.99}],
        lines=[{"sku": "BC-0002", "price": 9.99, "quantity": 3}],
    )
    line, address = products[0], products[0]["order_address_id"]
    total = cents(order["total_inc_tax"])
    fee_id = get(simulator, "orders/880002/fees", "v2").json()["fees"][0]["id"]
    shipping = cents(order["shipping_cost_inc_tax"])
    pieces = [
        refund(simulator, 880002, [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]),
        refund(simulator, 880002, [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]),
        refund(
            simulator,
            880002,
            [
                {"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1},
                {"item_type": "SHIPPING", "item_id": address, "amount": 2.00},
            ],
        ),
        refund(
            simulator,
            880002,
            [
                {"item_type": "SHIPPING", "item_id": address, "amount": (shipping - 200) / 100},
                {"item_type": "HANDLING", "item_id": address, "amount": 2.50},
                {"item_type": "GIFT_WRAPPING", "item_id": line["id"], "quantity": 3},
                {"item_type": "FEE", "item_id": fee_id, "amount": 1.99},
            ],
        ),
    ]
    # the units take the line's total after the coupon, the last one what rounding left
    units = [cents(p["total_amount"]) for p in pieces[:2]]
    assert sum(units) + cents(pieces[2]["total_amount"]) - 200 == cents(line["discounted_total_inc_tax"])
    assert sum(cents(p["total_amount"]) for p in pieces) == total
    assert sum(cents(p["total_tax"]) for p in pieces) == cents(order["total_tax"])
    after = get(simulator, "orders/880002", "v2").json()
    assert (after["status"], after["payment_status"]) == ("Refunded", "refunded")
    assert cents(after["refunded_amount"]) == total

    more = post(
        simulator,
        "orders/880002/payment_actions/refund_quotes",
        {"items": [{"item_type": "ORDER", "item_id": 880002, "amount": 0.01}]},
    )
    assert more.status_code == 422
    documented(more.json(), "/orders/{order_id}/payment_actions/refund_quotes", "post", "422")
    assert more.json()["title"] == "Refund amount is greater than remaining amount"


def test_order_level_and_tax_refunds(simulator):
    order, _products = add_order(simulator, 880003)
    made = refund(
        simulator, 880003, [{"item_type": "ORDER", "item_id": 880003, "amount": 4.5, "reason": "Goodwill"}]
    )
    assert (made["total_amount"], made["total_tax"], made["reason"]) == (4.5, 0, "Goodwill")  # tax-exempt
    assert made["items"][0]["requested_amount"] == 4.5
    tax = refund(simulator, 880003, [{"item_type": "TAX", "item_id": 880003, "amount": 1.00}])
    # tax alone: in total_tax; the documented refund item types have no TAX
    assert (tax["total_amount"], tax["total_tax"], tax["items"]) == (1.0, 1.0, [])
    adjusted = post(
        simulator,
        "orders/880003/payment_actions/refunds",
        {
            "tax_adjustment_amount": 0.5,
            "payments": [{"provider_id": "custom", "amount": 0.5, "offline": True}],
        },
    )
    assert adjusted.status_code == 201, adjusted.text
    assert adjusted.json()["data"]["payments"][0]["offline"] is True
    single = get(simulator, "orders/payment_actions/refunds/%d" % made["id"])
    documented(single.json(), "/orders/payment_actions/refunds/{refund_id}")
    assert single.json()["data"]["items"][0]["requested_amount"] == "4.50"
    assert get(simulator, "orders/payment_actions/refunds/999999").status_code == 404
    too_much_tax = post(
        simulator,
        "orders/880003/payment_actions/refund_quotes",
        {"items": [{"item_type": "TAX", "item_id": 880003, "amount": cents(order["total_tax"]) / 100}]},
    )
    assert too_much_tax.status_code == 422


def test_what_is_not_left_or_not_paid_is_refused(simulator):
    _order, products = add_order(simulator, 880004, customer_id=0)
    line = products[0]

    def refused(body, path="refunds"):
        answer = post(simulator, "orders/880004/payment_actions/%s" % path, body)
        assert answer.status_code == 422, answer.text
        if path == "refunds":  # this operation's documented 422: {"data": [error]}
            documented(answer.json(), "/orders/{order_id}/payment_actions/refunds", "post", "422")
            return answer.json()["data"][0]["title"]
        documented(answer.json(), "/orders/{order_id}/payment_actions/refund_quotes", "post", "422")
        return answer.json()["title"]

    unit = {"item_type": "PRODUCT", "item_id": line["id"], "quantity": 4}
    assert "remaining quantity" in refused({"items": [unit]}, "refund_quotes")
    pay = [{"provider_id": "stripe", "amount": 10.00}]
    assert "remaining quantity" in refused({"items": [unit], "payments": pay})
    unit["quantity"] = 1
    assert "add up" in refused({"items": [unit], "payments": [{"provider_id": "stripe", "amount": 9.99}]})
    assert "guest" in refused(
        {"items": [unit], "payments": [{"provider_id": "storecredit", "amount": 10.00}]}
    )
    assert "cannot refund" in refused(
        {"items": [unit], "payments": [{"provider_id": "paypal", "amount": 10.00}]}
    )
    assert "missing or invalid" in refused({"items": [unit]})  # payments are required
    assert "missing or invalid" in refused(
        {"items": [{"item_type": "COUPON", "item_id": 1}]}, "refund_quotes"
    )
    shipping = {"item_type": "SHIPPING", "item_id": line["order_address_id"], "amount": 5.96}
    assert "remaining amount" in refused({"items": [shipping]}, "refund_quotes")
    other = {"item_type": "PRODUCT", "item_id": 1, "quantity": 1}
    assert "not part of order" in refused({"items": [other]}, "refund_quotes")
    assert get(simulator, "orders/880004/payment_actions/refunds").json()["data"] == []

    # an order whose payment is only authorized has nothing settled to refund
    _order, products = add_order(simulator, 880005, payment_status="authorized")
    answer = post(
        simulator,
        "orders/880005/payment_actions/refund_quotes",
        {"items": [{"item_type": "PRODUCT", "item_id": products[0]["id"], "quantity": 1}]},
    )
    assert answer.status_code == 422 and "settled payment" in answer.json()["title"]
    assert post(simulator, "orders/999999/payment_actions/refund_quotes", {"items": []}).status_code == 404


def test_the_stores_refunds_filtered_and_paged(simulator):
    generated = get(simulator, "orders/payment_actions/refunds", limit=250).json()["data"]
    assert generated, "orders generated as Refunded / Partially Refunded carry their refunds"
    for row in generated:
        order = get(simulator, "orders/%d" % row["order_id"], "v2").json()
        assert order["status"] in ("Refunded", "Partially Refunded")
        assert cents(order["refunded_amount"]) == cents(row["total_amount"])
        if order["status"] == "Refunded":
            assert cents(order["refunded_amount"]) == cents(order["total_inc_tax"])

    start = datetime(2030, 1, 15, 10, 0, tzinfo=timezone.utc)
    made = []
    for n in range(5):
        _order, products = add_order(simulator, 880100 + n)
        answer = control(
            simulator,
            "refund",
            {
                "order_id": 880100 + n,
                "items": [{"item_type": "PRODUCT", "item_id": products[0]["id"], "quantity": 1}],
                "created": (start + timedelta(hours=n)).isoformat(),
            },
        )
        made.append(answer["refund"]["id"])

    seen, page = [], 1
    while True:
        answer = get(simulator, "orders/payment_actions/refunds", page=page, limit=2).json()
        documented(answer, "/orders/payment_actions/refunds")
        seen += [r["id"] for r in answer["data"]]
        if page >= answer["meta"]["pagination"]["total_pages"]:
            break
        page += 1
    assert seen == sorted(seen) and seen[-5:] == made and len(seen) == len(generated) + 5

    def ids(**params):
        answer = get(simulator, "orders/payment_actions/refunds", **params)
        assert answer.status_code == 200, answer.text
        return [r["id"] for r in answer.json()["data"]]

    assert ids(**{"order_id:in": "880101,880103"}) == [made[1], made[3]]
    assert ids(**{"id:in": "%d,%d" % (made[0], made[4])}) == [made[0], made[4]]
    window = {
        "created:min": (start + timedelta(hours=1)).isoformat(),
        "created:max": (start + timedelta(hours=3)).isoformat(),
    }
    assert ids(**window) == made[1:4]
    # RFC 3339 as documented: a date without its offset is refused, as is an id that is no number
    bad = get(simulator, "orders/payment_actions/refunds", **{"created:min": "2030-01-15 10:00:00"})
    assert bad.status_code == 422 and "created:min" in bad.json()["title"]
    assert get(simulator, "orders/payment_actions/refunds", **{"id:in": "x"}).status_code == 422


def test_scopes_and_the_stores_quota(simulator):
    _order, products = add_order(simulator, 880006)
    control(simulator, "scopes", {"scopes": ["store_v2_transactions_read_only"]})
    assert get(simulator, "orders/payment_actions/refunds").status_code == 200
    item = {"items": [{"item_type": "PRODUCT", "item_id": products[0]["id"], "quantity": 1}]}
    assert post(simulator, "orders/880006/payment_actions/refund_quotes", item).status_code == 403
    control(simulator, "scopes", {"scopes": ["store_v2_transactions"]})  # either scope will do
    assert post(simulator, "orders/880006/payment_actions/refund_quotes", item).status_code == 201
    control(simulator, "scopes", {"scopes": None})

    simulator.http.post(
        simulator.base_url + "/_sim/reset",
        json={
            "seed": 11,
            "rate_limits": True,
            "sizes": {"bigcommerce": {"orders": 5, "products": 3, "rate_quota": 2, "rate_window_ms": 5000}},
        },
    ).raise_for_status()
    first = get(simulator, "orders/payment_actions/refunds")
    assert first.headers["X-Rate-Limit-Requests-Left"] == "1"
    get(simulator, "orders/payment_actions/refunds")
    throttled = get(simulator, "orders/payment_actions/refunds")
    assert throttled.status_code == 429 and int(throttled.headers["X-Rate-Limit-Time-Reset-Ms"]) > 0
