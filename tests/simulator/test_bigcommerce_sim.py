"""The BigCommerce part of the marketplace simulator, driven by the real `bigcommerce` package.

No Odoo, no HTTP mocks: a simulator runs in a thread; v2 orders go through the package's resource
classes (BigcommerceApi, Orders, OrderShipments, ...), v3 catalogue, inventory and transactions
through `connection.make_request`, as the connector does. Each body the client reads is checked
against the OpenAPI contracts in ../shared/apispecs/bigcommerce.
"""

import json
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests

from bigcommerce.api import BigcommerceApi
from bigcommerce.connection import OAuthConnection
from bigcommerce.exception import ClientRequestException, RateLimitingException, ServerException

from marketplace_simulator import serve_in_thread
from apispec_check import check, load_spec, resolve

# =============================================================================================
# Client configuration helpers: how to point the `bigcommerce` package at the simulator.
# Kept free of test specifics so that the Odoo connector can take them over as they are.
# =============================================================================================

BIGCOMMERCE_API_BASE_URL = "https://api.bigcommerce.com"


class BaseUrlOAuthConnection(OAuthConnection):
    """The package's OAuthConnection, with every URL built from `api_base_url`.

    The package builds ``"https://" + host + api_path`` in ``full_path()``, so it can only reach
    an https host at the root. This subclass keeps the scheme and path of `api_base_url`:
    ``https://api.bigcommerce.com`` (production, same URLs as the package) or
    ``http://127.0.0.1:8700/bigcommerce`` (the simulator). `v3_url()` gives the absolute URL that
    `make_request` needs for v3 endpoints (the package itself speaks v2 only).
    """

    def __init__(self, api_base_url, client_id, store_hash, access_token, rate_limiting_management=None):
        url = urlsplit((api_base_url or BIGCOMMERCE_API_BASE_URL).rstrip("/"))
        self.scheme = url.scheme or "https"
        self.base_path = url.path
        super().__init__(
            client_id,
            store_hash,
            access_token,
            host=url.netloc,
            api_path=self.base_path + "/stores/{}/v2/{}",
            rate_limiting_management=rate_limiting_management,
        )

    def full_path(self, url):
        return "%s://%s%s" % (self.scheme, self.host, self.api_path.format(self.store_hash, url))

    def v3_url(self, path):
        return "%s://%s%s/stores/%s/v3/%s" % (
            self.scheme,
            self.host,
            self.base_path,
            self.store_hash,
            path.lstrip("/"),
        )


def bigcommerce_api(api_base_url, store_hash, access_token, client_id="", rate_limiting_management=None):
    """A `bigcommerce.api.BigcommerceApi` talking to `api_base_url` (see BaseUrlOAuthConnection)."""
    api = BigcommerceApi(client_id=client_id or "connector", store_hash=store_hash, access_token=access_token)
    api.connection = BaseUrlOAuthConnection(
        api_base_url,
        client_id or "connector",
        store_hash,
        access_token,
        rate_limiting_management=rate_limiting_management,
    )
    return api


def is_empty_page(result):
    """True for what the package makes of a 204 No Content answer.

    On 204 the connection returns ``{}``; `Orders.all()` (and the other `all()`s) wrap that into a
    resource object that holds only its `_connection` key -- truthy, not a list. So test for a
    list, not for truthiness. (`iterall()` tests the raw ``{}`` and stops correctly.)
    """
    return not isinstance(result, list) or not result


def v3(api, method, path, data=None, params=None):
    """A v3 call through the package: `connection.make_request` with the absolute v3 URL."""
    return api.connection.make_request(method, api.connection.v3_url(path), data=data, params=params)


# =============================================================================================
# Schema checks against ../shared/apispecs/bigcommerce (OpenAPI 3: $ref, allOf, anyOf/oneOf,
# nullable, type, enum, required, properties, items -- enough to catch a wrong shape)
# =============================================================================================


def spec(name):
    return load_spec("bigcommerce", name)


def check_response(instance, spec_name, path, method="get", status="200"):
    """Check a body against the documented response of an operation."""
    root = spec(spec_name)
    response = resolve(root["paths"][path][method]["responses"][status], root)
    content = response["content"]
    media = (
        content.get("application/json")
        or content.get("application/problem+json")
        or next(iter(content.values()))
    )
    return check(instance, media["schema"], root, "%s %s %s" % (method.upper(), path, status))


def check_schema(instance, spec_name, name):
    root = spec(spec_name)
    return check(instance, root["components"]["schemas"][name], root, name)


def last_json(api):
    """The body of the last answer the package read (resource objects drop some keys)."""
    return api.connection._last_response.json()


# =============================================================================================
# fixtures
# =============================================================================================

SIZES = {"bigcommerce": {"orders": 180, "products": 30}}
ORDERS_V2 = "orders.v2.oas2.yml"


@pytest.fixture(scope="module")
def simulator():
    server, base_url = serve_in_thread(port=0, seed=11)
    session = requests.Session()
    yield SimpleNamespace(server=server, base_url=base_url, http=session)
    session.close()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh(simulator):
    """Every test starts from the same seeded state, a fresh rate-limit window, no faults."""
    http = simulator.http
    http.post(
        simulator.base_url + "/_sim/reset", json={"seed": 11, "sizes": SIZES, "rate_limits": True}
    ).raise_for_status()
    http.post(
        simulator.base_url + "/_sim/rate_limits", json={"enabled": True, "scale": 1.0}
    ).raise_for_status()
    yield


@pytest.fixture
def api(simulator):
    return bigcommerce_api(simulator.base_url + "/bigcommerce", "simstore", "sim-token")


def control(sim, action, payload=None):
    resp = sim.http.post(sim.base_url + "/_sim/bigcommerce/%s" % action, json=payload or {})
    assert resp.status_code < 300, resp.text
    return resp.json()


def sim_state(sim):
    return sim.http.get(sim.base_url + "/_sim/state", params={"marketplace": "bigcommerce"}).json()[
        "bigcommerce"
    ]


def cents(value):
    return round(float(value) * 100)


def all_orders(api, **filters):
    """Every order through the package, page by page, until the empty page."""
    seen, page = [], 1
    while True:
        batch = api.Orders.all(page=page, limit=50, **filters)
        if is_empty_page(batch):
            return seen, batch
        for raw in check_response(last_json(api), ORDERS_V2, "/orders"):
            seen.append(raw)
        page += 1


# =============================================================================================
# tests
# =============================================================================================


def test_wrong_token_and_unknown_store_are_refused(simulator, api):
    bad = bigcommerce_api(simulator.base_url + "/bigcommerce", "simstore", "not-the-token")
    with pytest.raises(ClientRequestException) as v2_denied:
        bad.Orders.all(limit=5)
    assert v2_denied.value.status_code == 401
    body = v2_denied.value.response.json()
    assert body[0]["status"] == 401 and body[0]["message"]

    with pytest.raises(ClientRequestException) as v3_denied:
        v3(bad, "GET", "catalog/products")
    assert v3_denied.value.status_code == 401
    assert v3_denied.value.response.json()["status"] == 401

    other_store = bigcommerce_api(simulator.base_url + "/bigcommerce", "nostore", "sim-token")
    with pytest.raises(ClientRequestException) as missing:
        other_store.Orders.all()
    assert missing.value.status_code == 404
    check_response(missing.value.response.json(), ORDERS_V2, "/orders/{order_id}", status="404")

    # the right credentials work, and the store speaks EUR and kilograms
    store = api.Store.all()
    assert (store["currency"], store["weight_units"], store["country_code"]) == ("EUR", "KGS", "DE")
    assert store["name"].startswith("Zoë")


def test_orders_page_until_the_empty_204_page(simulator, api):
    state = sim_state(simulator)
    listed = state["orders"] - state["orders_by_status"].get("Incomplete", 0)
    assert api.Orders.count() == state["orders"]
    check_response(last_json(api), ORDERS_V2, "/orders/count")

    seen, last = all_orders(api)
    # past the last page the service answers 204 with no body; the package returns an empty,
    # falsy resource instead of raising, and still reads the rate-limit headers
    assert api.connection._last_response.status_code == 204
    assert api.connection._last_response.content == b""
    assert is_empty_page(last) and "id" not in last
    assert bool(last) is True  # the package's quirk: a truthy resource object with no data
    assert api.connection.rate_limit["requests_quota"] == 150

    ids = [o["id"] for o in seen]
    assert len(ids) == listed == len(set(ids))
    assert ids == sorted(ids)  # default sort: id ascending
    assert all(o["status_id"] != 0 for o in seen)  # Incomplete orders are not listed by default

    # the package's own auto-pager (limit 250) stops cleanly at the 204 too
    assert [o.id for o in api.Orders.iterall()] == ids

    # the mix a connector must cope with
    assert {o["is_tax_inclusive_pricing"] for o in seen} == {True, False}
    assert any(cents(o["gift_certificate_amount"]) for o in seen)
    assert any(cents(o["coupon_discount"]) for o in seen)
    assert any(cents(o["wrapping_cost_inc_tax"]) for o in seen)
    assert any(cents(o["handling_cost_inc_tax"]) for o in seen)
    assert any(o["billing_address"]["company"] and o["billing_address"]["form_fields"] for o in seen)
    assert any(o["billing_address"]["phone"] == "" for o in seen)
    assert any(
        any(ch > "\x7f" for ch in o["billing_address"]["city"] + o["billing_address"]["last_name"])
        for o in seen
    )
    assert {"Awaiting Fulfillment", "Shipped", "Partially Shipped", "Cancelled"} <= {
        o["status"] for o in seen
    }
    assert {"captured", "authorized", "pending"} <= {o["payment_status"] for o in seen}
    for o in seen:
        assert cents(o["total_inc_tax"]) == cents(o["total_ex_tax"]) + cents(o["total_tax"]), o["id"]
        assert cents(o["subtotal_inc_tax"]) == cents(o["subtotal_ex_tax"]) + cents(o["subtotal_tax"]), o["id"]


def test_orders_filter_by_status_and_min_date_modified(simulator, api):
    since = time.time()
    shipped, _ = all_orders(api, status_id=2)
    assert shipped and {o["status_id"] for o in shipped} == {2}

    # nothing modified since the test started: an empty 204 answer, an empty result
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(int(since)))
    assert is_empty_page(api.Orders.all(min_date_modified=stamp))
    assert api.connection._last_response.status_code == 204

    awaiting = api.Orders.all(status_id=11, limit=3)
    control(simulator, "set_order_status", {"order_id": awaiting[0].id, "status": "Cancelled"})
    control(simulator, "set_order_status", {"order_id": awaiting[1].id, "status": 9})
    added = control(simulator, "add_orders", {"count": 2, "status": "Awaiting Fulfillment"})["orders"]

    iso_since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(since)))
    for value in (stamp, iso_since):
        changed = api.Orders.all(min_date_modified=value, sort="date_modified:asc")
        check_response(last_json(api), ORDERS_V2, "/orders")
        assert {o.id for o in changed} == {awaiting[0].id, awaiting[1].id, *added}
        assert [o["date_modified"] for o in changed] == sorted(
            (o["date_modified"] for o in changed),
            key=lambda d: time.mktime(time.strptime(d[5:25], "%d %b %Y %H:%M:%S")),
        )
    assert {o["status"] for o in api.Orders.all(min_date_modified=iso_since, status_id=11)} == {
        "Awaiting Fulfillment"
    }
    assert {o.id for o in api.Orders.all(min_date_modified=iso_since, status_id=5)} == {awaiting[0].id}

    # an order shipped from the store's back office shows its shipment and shipped quantities
    control(simulator, "set_order_status", {"order_id": awaiting[2].id, "status": "Shipped"})
    shipped_now = api.Orders.get(awaiting[2].id)
    assert shipped_now["items_shipped"] == shipped_now["items_total"] and shipped_now["date_shipped"]
    listed = shipped_now.shipments()
    assert all("items" not in s for s in listed)  # the package drops keys named like dict methods
    raw_shipments = check_response(last_json(api), ORDERS_V2, "/orders/{order_id}/shipments")
    assert sum(i["quantity"] for s in raw_shipments for i in s["items"]) == shipped_now["items_total"]
    assert sim_state(simulator)["shipments"] == []  # only the connector's shipments are recorded as such

    # Incomplete orders only with status_id=0
    incomplete, _ = all_orders(api, status_id=0)
    assert incomplete and all(o["status"] == "Incomplete" for o in incomplete)

    with pytest.raises(ClientRequestException) as bad_date:
        api.Orders.all(min_date_modified="last tuesday")
    assert bad_date.value.status_code == 400
    assert "min_date_modified" in bad_date.value.response.json()[0]["message"]


def test_order_products_and_shipping_addresses(simulator, api):
    catalogue = v3(api, "GET", "catalog/products", params={"limit": 30, "include": "variants"})
    check_response(catalogue, "products_catalog.v3.yml", "/catalog/products")
    variants = {v["sku"]: v for p in catalogue["data"] for v in p["variants"]}
    multi = next(p for p in catalogue["data"] if len(p["variants"]) > 1)
    simple = next(p for p in catalogue["data"] if len(p["variants"]) == 1)

    order_id = control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "status": "Awaiting Fulfillment",
                    "country": "PL",
                    "gift": True,
                    "coupon": "SOMMER10",
                    "tax_inclusive": True,
                    "gift_certificate": 10,
                    "shipping_cost": 6.90,
                    "b2b": False,
                    "lines": [
                        {"sku": multi["variants"][1]["sku"], "quantity": 2},
                        {"sku": simple["sku"], "quantity": 1},
                        {"custom": True, "custom_index": 0, "quantity": 1, "price": 15.0},
                    ],
                }
            ]
        },
    )["orders"][0]

    order = api.Orders.get(order_id)
    raw = check_response(last_json(api), ORDERS_V2, "/orders/{order_id}")
    assert raw["shipping_address_count"] == 1 and raw["is_tax_inclusive_pricing"] is True
    assert raw["billing_address"]["city"] == "Łódź"
    assert cents(raw["gift_certificate_amount"]) == 1000
    assert cents(raw["shipping_cost_inc_tax"]) == 690

    lines = order.products()
    products = check_response(last_json(api), ORDERS_V2, "/orders/{order_id}/products")
    assert len(lines) == 3
    assert [p["sku"] for p in products[:2]] == [multi["variants"][1]["sku"], simple["sku"]]
    for p in products[:2]:
        variant = variants[p["sku"]]
        assert (p["variant_id"], p["product_id"]) == (variant["id"], variant["product_id"])
        assert p["upc"] == variant["gtin"]
        assert cents(p["base_price"]) == cents(variant["calculated_price"])
    assert [o["display_value"] for o in products[0]["product_options"]] == [
        v["label"] for v in multi["variants"][1]["option_values"]
    ]
    custom = products[2]
    assert (custom["product_id"], custom["variant_id"], cents(custom["price_inc_tax"])) == (0, 0, 1500)
    assert all(p["wrapping_name"] and cents(p["base_wrapping_cost"]) > 0 for p in products)
    assert any(p["wrapping_message"] for p in products)
    assert all(p["applied_discounts"][0]["code"] == "SOMMER10" for p in products)
    # totals add up the way BigCommerce's do
    assert sum(cents(p["total_inc_tax"]) for p in products) == cents(raw["subtotal_inc_tax"])
    assert sum(cents(p["base_wrapping_cost"]) for p in products) == cents(raw["wrapping_cost_inc_tax"])
    entered = sum(cents(p["base_total"]) for p in products)
    assert cents(raw["discount_amount"]) == entered // 10 == cents(raw["coupon_discount"])
    assert cents(raw["total_inc_tax"]) == (
        cents(raw["subtotal_inc_tax"])
        + cents(raw["shipping_cost_inc_tax"])
        + cents(raw["wrapping_cost_inc_tax"])
        + cents(raw["handling_cost_inc_tax"])
        - cents(raw["discount_amount"])
    )
    vat = sum(cents(p["total_tax"]) for p in products)
    assert (
        vat == round(sum(cents(p["total_inc_tax"]) for p in products) * 23 / 123)
        or abs(vat - sum(cents(p["total_inc_tax"]) for p in products) * 23 / 123) <= 2
    )

    addresses = order.shipping_addresses()
    raw_addresses = check_response(last_json(api), ORDERS_V2, "/orders/{order_id}/shipping_addresses")
    assert len(addresses) == 1
    assert raw_addresses[0]["id"] == products[0]["order_address_id"]
    assert raw_addresses[0]["country_iso2"] == "PL" and raw_addresses[0]["items_total"] == 4

    coupons = order.coupons()
    assert [c["code"] for c in check_response(last_json(api), ORDERS_V2, "/orders/{order_id}/coupons")] == [
        "SOMMER10"
    ]
    assert len(coupons) == 1

    # a B2B order, reverse-charged: company and VAT number on the billing address, no tax
    b2b_id = control(simulator, "add_orders", {"orders": [{"country": "FR", "b2b": True, "lines": 2}]})[
        "orders"
    ][0]
    b2b = api.Orders.get(b2b_id)
    if b2b["billing_address"]["form_fields"]:
        assert b2b["billing_address"]["form_fields"][0]["value"].startswith("FR")
        assert cents(b2b["total_tax"]) == 0
    assert b2b["billing_address"]["company"]
    assert b2b["is_tax_inclusive_pricing"] is False

    with pytest.raises(ClientRequestException) as missing:
        api.Orders.get(999999)
    assert missing.value.status_code == 404
    check_response(missing.value.response.json(), ORDERS_V2, "/orders/{order_id}", status="404")


def test_shipment_is_recorded_and_moves_the_order(simulator, api):
    order_id = control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "status": "Awaiting Fulfillment",
                    "country": "DE",
                    "lines": [{"sku": "BC-0002", "quantity": 2}, {"sku": "BC-0005", "quantity": 1}],
                }
            ]
        },
    )["orders"][0]
    order = api.Orders.get(order_id)
    products = order.products()
    address_id = order.shipping_addresses()[0]["id"]
    first, second = products[0], products[1]

    with pytest.raises(ClientRequestException) as too_many:
        api.OrderShipments.create(
            order_id,
            order_address_id=address_id,
            tracking_number="X1",
            items=[{"order_product_id": first["id"], "quantity": 3}],
        )
    assert too_many.value.status_code == 400
    assert "quantity" in too_many.value.response.json()[0]["message"]
    with pytest.raises(ClientRequestException) as no_address:
        api.OrderShipments.create(order_id, items=[{"order_product_id": first["id"], "quantity": 1}])
    assert no_address.value.status_code == 400
    assert "order_address_id" in no_address.value.response.json()[0]["message"]
    with pytest.raises(ClientRequestException) as bad_provider:
        api.OrderShipments.create(
            order_id,
            order_address_id=address_id,
            shipping_provider="pigeon",
            items=[{"order_product_id": first["id"], "quantity": 1}],
        )
    assert bad_provider.value.status_code == 400

    assert is_empty_page(order.shipments())  # 204: no shipment yet
    shipment = api.OrderShipments.create(
        order_id,
        order_address_id=address_id,
        tracking_number="00340434161094042557",
        shipping_provider="",
        tracking_carrier="dhl",
        comments="Teil 1 von 2 – Grüße",
        items=[{"order_product_id": first["id"], "quantity": 2}],
    )
    raw = check_response(
        last_json(api), ORDERS_V2, "/orders/{order_id}/shipments", method="post", status="201"
    )
    assert api.connection._last_response.status_code == 201
    assert raw["items"] == [
        {"order_product_id": first["id"], "product_id": first["product_id"], "quantity": 2}
    ]
    assert raw["shipping_address"]["street_1"] and raw["tracking_carrier"] == "dhl"
    assert api.Orders.get(order_id)["status"] == "Partially Shipped"

    api.OrderShipments.create(
        order_id,
        order_address_id=str(address_id),
        tracking_number="1Z999AA10123456784",
        shipping_provider="ups",
        items=[{"order_product_id": second["id"], "quantity": 1}],
    )
    after = api.Orders.get(order_id)
    assert (after["status"], after["items_shipped"], after["items_total"]) == ("Shipped", 3, 3)
    assert after["date_shipped"]
    listed = api.Orders.get(order_id).shipments()
    check_response(last_json(api), ORDERS_V2, "/orders/{order_id}/shipments")
    assert [s["tracking_number"] for s in listed] == ["00340434161094042557", "1Z999AA10123456784"]
    assert listed[1]["generated_tracking_link"].endswith("1Z999AA10123456784")
    assert shipment["id"] == listed[0]["id"]

    recorded = sim_state(simulator)["shipments"]
    assert [(s["order_id"], s["tracking_number"]) for s in recorded] == [
        (order_id, "00340434161094042557"),
        (order_id, "1Z999AA10123456784"),
    ]
    assert recorded[0]["comments"] == "Teil 1 von 2 – Grüße"


def test_absolute_inventory_adjustment_is_reflected(simulator, api):
    items = v3(api, "GET", "inventory/items", params={"limit": 5})
    check_response(items, "inventory.v3.yml", "/inventory/items")
    locations = v3(api, "GET", "inventory/locations")
    check_response(locations, "locations.v3.yml", "/inventory/locations")
    assert [loc["id"] for loc in locations["data"]] == [1, 2, 3]
    assert any(loc["address"]["city"] == "Łódź" for loc in locations["data"])

    sku = items["data"][0]["identity"]["sku"]
    variant_id = items["data"][0]["identity"]["variant_id"]
    answer = v3(
        api,
        "PUT",
        "inventory/adjustments/absolute",
        data={
            "reason": "Odoo stock sync",
            "items": [
                {"location_id": 1, "sku": sku, "quantity": 42},
                {"location_id": 2, "variant_id": variant_id, "quantity": 7},
                {"location_id": 3, "variant_id": variant_id, "quantity": 0},
            ],
        },
    )
    check_response(answer, "inventory.v3.yml", "/inventory/adjustments/absolute", method="put")
    assert answer["transaction_id"]

    state = sim_state(simulator)
    assert state["inventory"][sku] == {"1": 42, "2": 7, "3": 0}
    assert state["inventory_adjustments"][-1]["transaction_id"] == answer["transaction_id"]
    at_location = v3(api, "GET", "inventory/locations/1/items", params={"sku:in": sku})
    check_response(at_location, "inventory.v3.yml", "/inventory/locations/{location_id}/items")
    assert at_location["data"][0]["total_inventory_onhand"] == 42
    variant = v3(api, "GET", "catalog/variants", params={"sku": sku})["data"][0]
    assert variant["inventory_level"] == 49  # what the Catalog API shows: the total available to sell

    relative = v3(
        api,
        "POST",
        "inventory/adjustments/relative",
        data={"reason": "order", "items": [{"location_id": 1, "sku": sku, "quantity": -2}]},
    )
    assert relative["transaction_id"]
    assert sim_state(simulator)["inventory"][sku]["1"] == 40

    with pytest.raises(ClientRequestException) as too_much:
        v3(
            api,
            "POST",
            "inventory/adjustments/relative",
            data={"items": [{"location_id": 2, "sku": sku, "quantity": -8}]},
        )
    assert too_much.value.status_code == 422

    bulk = [{"location_id": 1, "sku": sku, "quantity": n % 5} for n in range(2001)]
    with pytest.raises(ClientRequestException) as refused:
        v3(api, "PUT", "inventory/adjustments/absolute", data={"reason": "too big", "items": bulk})
    assert refused.value.status_code == 422
    assert refused.value.response.headers["Content-Type"] == "application/problem+json"
    body = check_response(
        refused.value.response.json(),
        "inventory.v3.yml",
        "/inventory/adjustments/absolute",
        method="put",
        status="422",
    )
    assert body["status"] == 422 and "2000" in json.dumps(body["errors"])
    assert sim_state(simulator)["inventory"][sku]["1"] == 40  # nothing applied
    # exactly 2000 is fine
    v3(api, "PUT", "inventory/adjustments/absolute", data={"reason": "max", "items": bulk[:2000]})
    assert sim_state(simulator)["inventory"][sku]["1"] == 1999 % 5

    # a product with variants cannot be adjusted by product id
    multi = next(
        p
        for p in v3(api, "GET", "catalog/products", params={"limit": 30})["data"]
        if p["inventory_tracking"] == "variant"
    )
    with pytest.raises(ClientRequestException) as by_product:
        v3(
            api,
            "PUT",
            "inventory/adjustments/absolute",
            data={"items": [{"location_id": 1, "product_id": multi["id"], "quantity": 3}]},
        )
    assert by_product.value.status_code == 422
    assert "tracked by variant" in by_product.value.response.json()["title"]


def test_inventory_adjustments_are_asynchronous_when_asked(simulator, api):
    control(simulator, "timing", {"inventory_delay": 0.4})
    item = v3(api, "GET", "inventory/items", params={"limit": 1})["data"][0]
    sku = item["identity"]["sku"]
    before = item["locations"][0]["total_inventory_onhand"]
    v3(
        api,
        "PUT",
        "inventory/adjustments/absolute",
        data={"items": [{"location_id": 1, "sku": sku, "quantity": before + 5}]},
    )
    assert sim_state(simulator)["inventory_pending"] == 1
    assert (
        v3(api, "GET", "inventory/items", params={"sku:in": sku})["data"][0]["locations"][0][
            "total_inventory_onhand"
        ]
        == before
    )
    time.sleep(0.5)
    assert (
        v3(api, "GET", "inventory/items", params={"sku:in": sku})["data"][0]["locations"][0][
            "total_inventory_onhand"
        ]
        == before + 5
    )


def test_rate_limit_burst_answers_429_with_the_four_headers(simulator, api):
    simulator.http.post(
        simulator.base_url + "/_sim/rate_limits", json={"enabled": True, "scale": 0.1}
    ).raise_for_status()
    left = []
    with pytest.raises(RateLimitingException) as throttled:
        for _ in range(40):
            api.OrderStatuses.all()
            left.append(api.connection.rate_limit["requests_remaining"])
    check_response(last_json(api), ORDERS_V2, "/order_statuses")
    assert left == list(range(14, -1, -1))  # a quota of 15 (150 scaled by 0.1), shared by the store
    headers = throttled.value.response.headers
    assert throttled.value.status_code == 429
    assert headers["X-Rate-Limit-Requests-Left"] == "0"
    assert headers["X-Rate-Limit-Requests-Quota"] == "15"
    assert headers["X-Rate-Limit-Time-Window-Ms"] == "30000"
    assert 0 < int(throttled.value.retry_after) <= 30000  # the package reads X-Rate-Limit-Time-Reset-Ms
    assert "Retry-After" not in headers and 1 <= int(headers["X-Retry-After"]) <= 30

    # v3 shares the same window
    with pytest.raises(ClientRequestException) as v3_throttled:
        v3(api, "GET", "catalog/products")
    assert v3_throttled.value.status_code == 429

    # the other documented 429: the platform under load, without the rate-limit headers
    simulator.http.post(simulator.base_url + "/_sim/rate_limits", json={"enabled": False}).raise_for_status()
    simulator.http.post(
        simulator.base_url + "/_sim/faults",
        json={"marketplace": "bigcommerce", "operation": "getOrders", "kind": "429_no_retry_after"},
    ).raise_for_status()
    with pytest.raises(RateLimitingException) as bare:
        api.Orders.all()
    assert not any(h.lower().startswith("x-rate-limit") for h in bare.value.response.headers)
    assert api.Orders.all(limit=1)  # the fault was a single one


def test_product_and_variant_price_updates(simulator, api):
    product = v3(api, "GET", "catalog/products", params={"sku": "BC-0003"})["data"][0]
    updated = v3(
        api, "PUT", "catalog/products/%d" % product["id"], data={"price": 24.95, "sale_price": 19.95}
    )
    check_response(updated, "products_catalog.v3.yml", "/catalog/products/{product_id}", method="put")
    assert (updated["data"]["price"], updated["data"]["sale_price"], updated["data"]["calculated_price"]) == (
        24.95,
        19.95,
        19.95,
    )
    again = v3(api, "GET", "catalog/products/%d" % product["id"])
    check_response(again, "products_catalog.v3.yml", "/catalog/products/{product_id}")
    assert again["data"]["price"] == 24.95

    state = sim_state(simulator)
    assert [(u["sku"], u["field"], u["new"]) for u in state["price_updates"]] == [
        ("BC-0003", "price", 24.95),
        ("BC-0003", "sale_price", 19.95),
    ]

    multi = next(
        p
        for p in v3(api, "GET", "catalog/products", params={"limit": 30, "include": "variants"})["data"]
        if len(p["variants"]) > 1
    )
    batch = [{"id": v["id"], "price": 30 + n} for n, v in enumerate(multi["variants"])]
    answer = v3(api, "PUT", "catalog/variants", data=batch)
    assert [v["price"] for v in answer["data"]] == [30 + n for n in range(len(batch))]
    state = sim_state(simulator)
    assert state["prices"][multi["variants"][0]["sku"]]["price"] == 30
    variants = v3(api, "GET", "catalog/products/%d/variants" % multi["id"])
    check_response(variants, "product-variants_catalog.v3.yml", "/catalog/products/{product_id}/variants")
    assert [v["calculated_price"] for v in variants["data"]] == [30 + n for n in range(len(batch))]

    with pytest.raises(ClientRequestException) as invalid:
        v3(api, "PUT", "catalog/products/%d" % product["id"], data={"price": "24,95"})
    assert invalid.value.status_code == 422
    assert "price" in invalid.value.response.json()["errors"]
    with pytest.raises(ClientRequestException) as too_big:
        v3(api, "PUT", "catalog/variants", data=[{"id": multi["variants"][0]["id"], "price": 1}] * 51)
    assert too_big.value.status_code == 413
    with pytest.raises(ClientRequestException) as unknown:
        v3(api, "GET", "catalog/products/999999")
    assert unknown.value.status_code == 404
    check_response(
        unknown.value.response.json(),
        "products_catalog.v3.yml",
        "/catalog/products/{product_id}",
        status="404",
    )


def test_capture_and_offline_payment_mark_orders_paid(simulator, api):
    authorized = next(o for o in all_orders(api)[0] if o["payment_status"] == "authorized")
    before = v3(api, "GET", "orders/%d/transactions" % authorized["id"])
    check_response(before, "orders.v3.yml", "/orders/{order_id}/transactions")
    assert [t["event"] for t in before["data"]][-1] == "authorization"

    assert v3(api, "POST", "orders/%d/payment_actions/capture" % authorized["id"]) == {}
    assert api.connection._last_response.status_code == 201
    assert api.Orders.get(authorized["id"])["payment_status"] == "captured"
    after = v3(api, "GET", "orders/%d/transactions" % authorized["id"])
    check_response(after, "orders.v3.yml", "/orders/{order_id}/transactions")
    assert after["data"][-1]["event"] == "capture"
    with pytest.raises(ClientRequestException) as twice:
        v3(api, "POST", "orders/%d/payment_actions/capture" % authorized["id"])
    assert twice.value.status_code == 422

    # bank deposit received: the order moves from Awaiting Payment to Awaiting Fulfillment
    waiting = api.Orders.all(status_id=7, limit=1)[0]
    assert waiting["payment_status"] == "pending" and waiting["payment_method"] in (
        "Bank Deposit",
        "Cash on Delivery",
    )
    assert not v3(api, "GET", "orders/%d/transactions" % waiting.id)  # 204: no transaction yet
    paid = waiting.update(status_id=11)
    check_response(last_json(api), ORDERS_V2, "/orders/{order_id}")
    assert (paid["status"], paid["payment_status"]) == ("Awaiting Fulfillment", "paid")
    assert v3(api, "GET", "orders/%d/transactions" % waiting.id)["data"][-1]["event"] == "purchase"

    state = sim_state(simulator)
    assert state["paid_orders"] == {str(authorized["id"]): "captured", str(waiting.id): "paid"}
    assert [p["via"] for p in state["payments"]] == ["capture", "status"]

    with pytest.raises(ClientRequestException) as bad_status:
        waiting.update(status_id=99)
    assert bad_status.value.status_code == 400


def test_order_statuses_and_payment_methods(api):
    statuses = api.OrderStatuses.all()
    check_response(last_json(api), ORDERS_V2, "/order_statuses")
    names = {s["id"]: s["name"] for s in statuses}
    assert names[11] == "Awaiting Fulfillment" and names[3] == "Partially Shipped" and len(names) == 15
    methods = api.PaymentMethods.all()
    check_response(last_json(api), "methods_payments.v2.yml", "/payments/methods")
    assert "bankdeposit" in {m["code"] for m in methods}


def test_injected_faults_answer_in_the_api_shape(simulator, api):
    def fault(**spec):
        simulator.http.post(
            simulator.base_url + "/_sim/faults", json=dict(marketplace="bigcommerce", **spec)
        ).raise_for_status()

    # a revoked token (BigCommerce tokens do not expire): one 401, then the token works again
    fault(operation="getOrder", kind="expired_token")
    with pytest.raises(ClientRequestException) as revoked:
        api.Orders.get(100)
    assert revoked.value.status_code == 401
    assert api.Orders.get(100)["id"] == 100

    fault(operation="getOrders", kind="5xx")
    with pytest.raises(ServerException) as server_error:
        api.Orders.all(limit=1)
    assert server_error.value.response.json()[0]["status"] == 500

    fault(operation="getProducts", kind="429", retry_after=2)
    with pytest.raises(ClientRequestException) as throttled:
        v3(api, "GET", "catalog/products")
    assert throttled.value.status_code == 429
    assert throttled.value.response.headers["X-Rate-Limit-Time-Reset-Ms"] == "2000"
    assert v3(api, "GET", "catalog/products", params={"limit": 1})["meta"]["pagination"]["per_page"] == 1


# =============================================================================================
# what the connector needs besides (issue 10)
# =============================================================================================


def test_orders_list_with_consignments_and_line_items(simulator, api):
    """include=consignments.line_items&consignment_structure=object: each order with its shipping
    consignments (address, costs) and their order products, in the list call."""
    control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "id": 777001,
                    "status": "Awaiting Fulfillment",
                    "addresses": 2,
                    "lines": 3,
                    "shipping_cost": 4.95,
                }
            ]
        },
    )
    orders = api.connection.make_request(
        "GET",
        api.connection.full_path("orders"),
        params={
            "include": "consignments.line_items",
            "consignment_structure": "object",
            "min_id": 777001,
            "limit": 5,
        },
    )
    check_response(orders, ORDERS_V2, "/orders")
    [order] = orders
    consignments = order["consignments"]
    check_schema(consignments, ORDERS_V2, "orderConsignment_Get")
    assert len(consignments["shipping"]) == 2
    items = [item for c in consignments["shipping"] for item in c["line_items"]]
    assert sorted(i["id"] for i in items) == sorted(p["id"] for p in v2_products(api, 777001))
    assert all(isinstance(c["cost_inc_tax"], float) for c in consignments["shipping"])
    assert all(i["order_address_id"] == c["id"] for c in consignments["shipping"] for i in c["line_items"])
    # without the object structure: the resource link only
    plain = api.connection.make_request("GET", api.connection.full_path("orders/777001"))
    assert set(plain["consignments"]) == {"url", "resource"}


def v2_products(api, order_id):
    return api.connection.make_request("GET", api.connection.full_path("orders/%s/products" % order_id))


def test_taxes_per_line_shipping_and_wrapping(simulator, api):
    control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "id": 777002,
                    "status": "Awaiting Fulfillment",
                    "country": "DE",
                    "b2b": False,
                    "gift": True,
                    "shipping_cost": 4.95,
                    "lines": [{"sku": "BC-0002", "quantity": 2}],
                }
            ]
        },
    )
    plain = api.connection.make_request("GET", api.connection.full_path("orders/777002/taxes"))
    for row in plain:
        check_schema(row, ORDERS_V2, "orderTaxes_Base")
    assert not any("line_item_type" in t or "order_product_id" in t for t in plain), "only with details=true"
    taxes = api.connection.make_request("GET", api.connection.full_path("orders/777002/taxes?details=true"))
    kinds = sorted(t["line_item_type"] for t in taxes)
    assert kinds == ["gift-wrapping", "item", "shipping"]
    item = next(t for t in taxes if t["line_item_type"] == "item")
    assert item["order_product_id"] == str(v2_products(api, 777002)[0]["id"])
    assert item["rate"] == "19.0000"


def test_an_order_of_two_tax_classes_has_two_rates(simulator, api):
    """A product of the reduced tax class is taxed at 7 % next to one at 19 %, the coupon's
    discount shared between them at their own rates: the totals still add up."""
    control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "id": 777009,
                    "status": "Awaiting Fulfillment",
                    "country": "DE",
                    "b2b": False,
                    "tax_inclusive": False,
                    "shipping_cost": 4.95,
                    "coupon": "SOMMER10",
                    "lines": [
                        {"sku": "BC-0002", "quantity": 2, "price": 10.00},
                        {"sku": "BC-0003", "price": 20.00, "tax_class": 3},
                    ],
                }
            ]
        },
    )
    taxes = api.connection.make_request("GET", api.connection.full_path("orders/777009/taxes?details=true"))
    products = v2_products(api, 777009)
    rate_of = {t["order_product_id"]: t["rate"] for t in taxes if t["line_item_type"] == "item"}
    assert [rate_of[str(p["id"])] for p in products] == ["19.0000", "7.0000"]
    assert [t["class"] for t in taxes if t["line_item_type"] == "item"] == [
        "Default Tax Class",
        "Ermäßigt 7 %",
    ]
    assert [p["total_tax"] for p in products] == ["3.8000", "1.4000"]
    order = api.connection.make_request("GET", api.connection.full_path("orders/777009"))
    discounts = [float(d["amount"]) for p in products for d in p["applied_discounts"]]
    assert sum(discounts) == float(order["discount_amount"]) == 4.0
    # 40.00 - 4.00 + 4.95 net; tax: 19 % of (20 - 2 + 4.95), 7 % of (20 - 2)
    assert order["total_ex_tax"] == "40.9500" and order["total_tax"] == "5.6200"
    assert order["total_inc_tax"] == "46.5700"


def test_an_order_in_another_currency(simulator, api):
    control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "id": 777003,
                    "status": "Awaiting Fulfillment",
                    "currency": "USD",
                    "exchange_rate": 1.08,
                    "lines": 1,
                }
            ]
        },
    )
    order = api.connection.make_request("GET", api.connection.full_path("orders/777003"))
    assert (order["default_currency_code"], order["store_default_currency_code"]) == ("USD", "EUR")
    assert order["store_default_to_transactional_exchange_rate"].startswith("1.08")


def test_store_settings_channels_tax_classes_categories_brands(simulator, api):
    control(simulator, "store", {"weight_units": "Ounces"})
    assert api.Store.all()["weight_units"] == "Ounces"
    tax_classes = api.connection.make_request("GET", api.connection.full_path("tax_classes"))
    assert [t["name"] for t in tax_classes][0] == "Default Tax Class"
    channels = v3(api, "GET", "channels")
    assert channels["data"][0]["type"] == "storefront"
    categories = v3(api, "GET", "catalog/categories")["data"]
    assert {c["parent_id"] for c in categories} >= {0, 17}
    assert len(v3(api, "GET", "catalog/brands")["data"]) == 5


def test_product_images_are_served_by_the_cdn_without_a_token(simulator, api):
    products = v3(api, "GET", "catalog/products", params={"include": "images", "limit": 2})["data"]
    image = products[0]["images"][0]
    assert image["is_thumbnail"]
    answer = requests.get(image["url_standard"], timeout=10)
    assert answer.headers["Content-Type"] == "image/png" and answer.content[:4] == b"\x89PNG"
    assert "X-Rate-Limit-Requests-Left" not in answer.headers, "the CDN is not the API"


def test_missing_oauth_scope_is_a_403(simulator, api):
    control(simulator, "scopes", {"scopes": ["store_v2_orders_read_only", "store_v2_information"]})
    assert api.Store.all()["id"] == "simstore"
    assert api.connection.make_request("GET", api.connection.full_path("orders"), params={"limit": 1})
    with pytest.raises(ClientRequestException) as denied:
        v3(api, "GET", "catalog/products")
    assert denied.value.status_code == 403
    assert "scope" in denied.value.response.json()["title"]
    with pytest.raises(ClientRequestException) as read_only:
        api.connection.make_request(
            "PUT", api.connection.full_path("orders/%d" % all_orders(api)[0][0]["id"]), data={"status_id": 11}
        )
    assert read_only.value.status_code == 403


def test_a_smaller_quota_window_for_tests(simulator, api):
    simulator.http.post(
        simulator.base_url + "/_sim/reset",
        json={
            "seed": 11,
            "rate_limits": True,
            "sizes": {"bigcommerce": {"orders": 5, "products": 3, "rate_quota": 2, "rate_window_ms": 400}},
        },
    ).raise_for_status()
    api.Store.all()
    api.Store.all()
    with pytest.raises(RateLimitingException):
        api.Store.all()
    time.sleep(0.45)
    assert api.Store.all()["id"] == "simstore"


def test_order_fees_are_listed_with_include_fees_and_in_the_totals(simulator, api):
    control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "id": 777010,
                    "status": "Awaiting Fulfillment",
                    "country": "DE",
                    "b2b": False,
                    "tax_inclusive": False,
                    "shipping_cost": 0,
                    "coupon": 0,
                    "lines": [{"sku": "BC-0002", "price": 10.00}],
                    "fees": [
                        {"name": "Versandversicherung", "amount": 2.00},
                        {"name": "Spende", "amount": 1.00, "tax_class": 1},
                    ],
                }
            ]
        },
    )
    plain = api.connection.make_request("GET", api.connection.full_path("orders/777010"))
    assert set(plain["fees"]) == {"url", "resource"}, "a resource link without include=fees"
    order = api.connection.make_request("GET", api.connection.full_path("orders/777010?include=fees"))
    for fee in order["fees"]:
        check_schema(fee, ORDERS_V2, "orderFees_Resp")
    assert [(f["cost_ex_tax"], f["cost_tax"]) for f in order["fees"]] == [
        ("2.0000", "0.3800"),
        ("1.0000", "0.0000"),
    ]
    assert (
        order["total_ex_tax"] == "13.0000"
        and order["total_tax"] == "2.2800"
        and order["total_inc_tax"] == "15.2800"
    )
    listed = api.connection.make_request("GET", api.connection.full_path("orders/777010/fees"))
    assert listed["fees"] == order["fees"]
