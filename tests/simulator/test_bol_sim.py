"""The Bol.com part of the marketplace simulator, driven over HTTP with `requests` (a
requests.Session, as the connector uses).

No Odoo, no HTTP mocks: a simulator runs in a thread; each response body the client reads is
checked against the OpenAPI schemas in ../shared/apispecs/bol (retailer.json, shared.json) and the
raw exchanges in fixtures_http/.
"""

import base64
import csv
import io
import json
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from marketplace_simulator import serve_in_thread
from apispec_check import check, load_spec

MEDIA_TYPE = "application/vnd.retailer.v10+json"
CSV_MEDIA_TYPE = "application/vnd.retailer.v10+csv"
CLIENT_ID, CLIENT_SECRET = "sim-bol-client", "sim-bol-secret"


# =============================================================================================
# A minimal Bol client on requests.Session: how a connector talks to Bol (or the simulator).
# Production: token at https://login.bol.com/token, API at https://api.bol.com; the simulator
# serves both under <base>/bol (token at <base>/bol/token).
# =============================================================================================


class BolClient:
    def __init__(self, api_base_url, client_id, client_secret, token_url=None):
        self.api = api_base_url.rstrip("/")
        self.token_url = token_url or self.api + "/token"
        self.auth = (client_id, client_secret)
        self.http = requests.Session()
        self.token = None

    def fetch_token(self):
        resp = self.http.post(
            self.token_url,
            params={"grant_type": "client_credentials"},
            auth=self.auth,
            headers={"Accept": "application/json"},
            timeout=10,
        )
        resp.raise_for_status()
        self.token = resp.json()["access_token"]
        return resp

    def headers(self, accept=MEDIA_TYPE, body=False):
        hdrs = {"Authorization": "Bearer %s" % self.token, "Accept": accept}
        if body:
            hdrs["Content-Type"] = MEDIA_TYPE
        return hdrs

    def call(self, method, path, json_body=None, accept=MEDIA_TYPE, retry_expired=True, **kwargs):
        """One API call; a 401 "Expired JWT" fetches a new token and retries once."""
        if self.token is None:
            self.fetch_token()
        data = None if json_body is None else json.dumps(json_body)
        resp = self.http.request(
            method,
            self.api + path,
            data=data,
            headers=self.headers(accept, body=data is not None),
            timeout=10,
            **kwargs,
        )
        if resp.status_code == 401 and retry_expired and resp.json().get("title") == "Expired JWT":
            self.fetch_token()
            return self.call(method, path, json_body, accept, retry_expired=False, **kwargs)
        return resp

    def poll(self, process_status, attempts=10):
        """Follow a process status until it is no longer PENDING; return every status seen."""
        seen = [process_status]
        pid = process_status["processStatusId"]
        for _ in range(attempts):
            resp = self.call("GET", "/shared/process-status/%s" % pid)
            assert resp.status_code == 200, resp.text
            seen.append(check_schema(resp.json(), "ProcessStatus", "shared.json"))
            if seen[-1]["status"] != "PENDING":
                break
        return seen


# =============================================================================================
# Schema checks against ../shared/apispecs/bol (compact OpenAPI walker: type, required,
# properties, items, enum, $ref, date-time format)
# =============================================================================================

SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "apispecs" / "bol"


def spec(name):
    return load_spec("bol", name)


def fixture(name):
    """(status, headers, body text) of a raw exchange in fixtures_http/."""
    path = SPECS / "fixtures_http" / name
    if not path.is_file():
        pytest.skip("fixture %s not found" % path)
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    lines = head.splitlines()
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body.strip()


def check_schema(instance, name, spec_name="retailer.json"):
    root = spec(spec_name)
    return check(instance, root["components"]["schemas"][name], root, name, date_time=True)


def check_problem(resp, status):
    """A Bol problem+json answer: the Problem schema's keys and types (violations only on 400)."""
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith(MEDIA_TYPE)
    body = resp.json()
    schema = dict(spec("retailer.json")["components"]["schemas"]["Problem"])
    if status != 400:  # as fixtures_http/404-not-found: no violations outside validation errors
        schema["required"] = [k for k in schema["required"] if k != "violations"]
    check(body, schema, spec("retailer.json"), "Problem", date_time=True)
    assert body["status"] == status and body["type"] == "https://api.bol.com/problems"
    return body


# =============================================================================================
# fixtures
# =============================================================================================

SIZES = {"bol": {"orders": 130, "products": 30}}


@pytest.fixture(scope="module")
def sim():
    server, base_url = serve_in_thread(port=0, seed=11)
    ns = SimpleNamespace(server=server, base_url=base_url, ctl=requests.Session())
    yield ns
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh(sim):
    """Every test starts from the same seeded state, fresh rate-limit buckets, no faults."""
    sim.ctl.post(
        sim.base_url + "/_sim/reset", json={"seed": 11, "sizes": SIZES, "rate_limits": True}
    ).raise_for_status()
    sim.ctl.post(sim.base_url + "/_sim/rate_limits", json={"enabled": True, "scale": 1.0}).raise_for_status()
    sim.ctl.post(sim.base_url + "/_sim/bol/token_lifetime", json={"seconds": 300}).raise_for_status()
    yield


@pytest.fixture
def bol(sim):
    return BolClient(sim.base_url + "/bol", CLIENT_ID, CLIENT_SECRET)


def control(sim, action, payload=None):
    resp = sim.ctl.post(sim.base_url + "/_sim/bol/%s" % action, json=payload or {})
    assert resp.status_code < 300, resp.text
    return resp.json()


def sim_state(sim):
    return sim.ctl.get(sim.base_url + "/_sim/state", params={"marketplace": "bol"}).json()["bol"]


def no_rate_limits(sim):
    sim.ctl.post(sim.base_url + "/_sim/rate_limits", json={"enabled": False}).raise_for_status()


def open_fbr_order(sim, lines=2, quantity=2):
    created = control(
        sim,
        "add_orders",
        {
            "fulfilment_method": "FBR",
            "status": "OPEN",
            "lines": [{"quantity": quantity} for _ in range(lines)],
        },
    )
    order_id = created["orders"][0]
    return order_id, created["order_items"][order_id]


# =============================================================================================
# token
# =============================================================================================


def test_token_with_wrong_credentials_gets_bols_401(sim):
    status, headers, body = fixture("401-unauthorized")
    resp = requests.post(
        sim.base_url + "/bol/token",
        params={"grant_type": "client_credentials"},
        auth=(CLIENT_ID, "wrong-secret"),
    )
    assert resp.status_code == status
    assert resp.json() == json.loads(body)
    assert resp.headers["Content-Type"] == headers["content-type"]
    # no Basic auth at all: the same answer
    resp = requests.post(sim.base_url + "/bol/token", data={"grant_type": "client_credentials"})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"


def test_token_grant_in_query_or_form_body(sim):
    _, _, body = fixture("200-token")
    expected = json.loads(body)
    for kwargs in (
        {"params": {"grant_type": "client_credentials"}},
        {"data": {"grant_type": "client_credentials"}},
    ):
        resp = requests.post(sim.base_url + "/bol/token", auth=(CLIENT_ID, CLIENT_SECRET), **kwargs)
        assert resp.status_code == 200, resp.text
        token = resp.json()
        assert set(token) == set(expected)
        assert token["token_type"] == "Bearer" and token["expires_in"] == 299 and token["scope"] == "RETAILER"
        claims = token["access_token"].split(".")[1]
        assert (
            json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"] > time.time() + 290
        )
    resp = requests.post(sim.base_url + "/bol/token", auth=(CLIENT_ID, CLIENT_SECRET))
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"
    resp = requests.post(
        sim.base_url + "/bol/token", params={"grant_type": "password"}, auth=(CLIENT_ID, CLIENT_SECRET)
    )
    assert resp.status_code == 400 and resp.json()["error"] == "unsupported_grant_type"


def test_expired_token_gets_the_exact_401_then_a_new_token_works(sim, bol):
    status, headers, body = fixture("401-jwt-expired")
    expected = json.loads(body)
    detail_pattern = re.compile(
        r"^JWT expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\. Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, "
        r"a difference of \d+ milliseconds\.  Allowed clock skew: 1000 milliseconds\.$"
    )
    assert detail_pattern.match(expected["detail"])  # the pattern describes the real answer

    control(sim, "token_lifetime", {"seconds": 1})
    token = bol.fetch_token().json()
    assert token["expires_in"] == 0
    assert bol.call("GET", "/retailer/orders", retry_expired=False).status_code == 200
    time.sleep(2.1)  # 1 s lifetime + 1 s allowed clock skew
    resp = bol.call("GET", "/retailer/orders", retry_expired=False)
    assert resp.status_code == status
    assert resp.headers["Content-Type"] == headers["content-type"]
    answer = resp.json()
    assert set(answer) == set(expected)
    assert answer["title"] == "Expired JWT" and answer["status"] == 401
    assert detail_pattern.match(answer["detail"]), answer["detail"]

    control(sim, "token_lifetime", {"seconds": 300})
    bol.fetch_token()
    resp = bol.call("GET", "/retailer/orders", retry_expired=False)
    assert resp.status_code == 200
    check_schema(resp.json(), "ReducedOrders")


def test_expired_token_fault_and_transparent_refresh(sim, bol):
    bol.fetch_token()
    old = bol.token
    sim.ctl.post(
        sim.base_url + "/_sim/faults",
        json={"marketplace": "bol", "operation": "get-orders", "kind": "expired_token"},
    ).raise_for_status()
    resp = bol.call("GET", "/retailer/orders", retry_expired=False)
    assert resp.status_code == 401 and resp.json()["title"] == "Expired JWT"
    resp = bol.call("GET", "/retailer/orders")  # the client fetches a new token and retries
    assert resp.status_code == 200 and bol.token != old
    # an unknown token and a missing one are refused too
    bol.token = "not-a-jwt"
    assert bol.call("GET", "/retailer/orders", retry_expired=False).status_code == 401
    resp = requests.get(sim.base_url + "/bol/retailer/orders", headers={"Accept": MEDIA_TYPE})
    assert resp.status_code == 401 and resp.json()["title"] == "Unauthorized"


# =============================================================================================
# orders
# =============================================================================================


def test_orders_pages_of_50_and_the_empty_page(sim, bol):
    seen, page = [], 1
    while True:
        resp = bol.call(
            "GET", "/retailer/orders", params={"page": page, "fulfilment-method": "ALL", "status": "ALL"}
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"] == "application/vnd.retailer.v10+json;charset=UTF-8"
        assert int(resp.headers["X-RateLimit-Limit"]) == 25
        body = resp.json()
        if "orders" not in body:
            _, _, fixture_body = fixture("200-reduced-orders-empty")
            assert resp.text == fixture_body == "{ }"
            break
        check_schema(body, "ReducedOrders")
        assert len(body["orders"]) == (50 if page < 3 else 30)
        seen.extend((o["orderId"], datetime.fromisoformat(o["orderPlacedDateTime"])) for o in body["orders"])
        page += 1
    assert page == 4
    ids = [order_id for order_id, _ in seen]
    assert len(ids) == len(set(ids)) == sim_state(sim)["orders"] == 130
    placed = [when for _, when in seen]
    assert placed == sorted(placed, reverse=True)  # newest first, across pages
    assert int(resp.headers["X-RateLimit-Remaining"]) == 25 - 4


def test_orders_filters_and_defaults(sim, bol):
    fbb = bol.call("GET", "/retailer/orders", params={"fulfilment-method": "FBB", "status": "ALL"}).json()
    check_schema(fbb, "ReducedOrders")
    assert {i["fulfilmentMethod"] for o in fbb["orders"] for i in o["orderItems"]} == {"FBB"}
    shipped = bol.call(
        "GET", "/retailer/orders", params={"fulfilment-method": "ALL", "status": "SHIPPED"}
    ).json()
    assert all(i["quantityShipped"] > 0 for o in shipped["orders"] for i in o["orderItems"])
    # without parameters Bol answers open FBR order items
    default = bol.call("GET", "/retailer/orders").json()
    check_schema(default, "ReducedOrders")
    items = [i for o in default["orders"] for i in o["orderItems"]]
    assert items and {i["fulfilmentMethod"] for i in items} == {"FBR"}
    assert {i["fulfilmentStatus"] for i in items} == {"OPEN"}
    assert all(i["quantity"] > i["quantityShipped"] + i["quantityCancelled"] for i in items)
    # a new order shows up within change-interval-minute; older ones do not
    order_id, _ = open_fbr_order(sim, lines=1, quantity=1)
    recent = bol.call("GET", "/retailer/orders", params={"change-interval-minute": 5, "status": "ALL"}).json()
    assert order_id in [o["orderId"] for o in recent["orders"]]
    limit = datetime.now(timezone.utc) - timedelta(minutes=5, seconds=2)
    assert all(
        datetime.fromisoformat(i["latestChangedDateTime"]) >= limit
        for o in recent["orders"]
        for i in o["orderItems"]
    )
    assert len(recent["orders"]) < len(default["orders"])
    # malformed parameters get the validation problem with violations
    resp = bol.call(
        "GET",
        "/retailer/orders",
        params={"page": 0, "fulfilment-method": "XYZ", "change-interval-minute": 61},
    )
    body = check_problem(resp, 400)
    assert {v["name"] for v in body["violations"]} == {"page", "fulfilment-method", "change-interval-minute"}


def test_order_detail_and_realistic_mix(sim, bol):
    no_rate_limits(sim)
    ids = []
    for page in (1, 2, 3):
        body = bol.call(
            "GET", "/retailer/orders", params={"page": page, "fulfilment-method": "ALL", "status": "ALL"}
        ).json()
        ids.extend(o["orderId"] for o in body["orders"])
    details = []
    for order_id in ids:
        resp = bol.call("GET", "/retailer/orders/%s" % order_id)
        assert resp.status_code == 200
        details.append(check_schema(resp.json(), "Order"))
    items = [i for d in details for i in d["orderItems"]]
    assert {i["fulfilment"]["method"] for i in items} == {"FBR", "FBB"}
    assert any(len(d["orderItems"]) > 1 for d in details)
    assert any(i["quantityCancelled"] for i in items)
    assert any(
        0 < i["quantityShipped"] < i["quantity"]
        or (
            i["quantityShipped"]
            and any(j["quantity"] > j["quantityShipped"] + j["quantityCancelled"] for j in d["orderItems"])
        )
        for d in details
        for i in d["orderItems"]
    )
    assert any(i["discounts"] for i in items)
    assert any(
        "vatNumber" in d.get("billingDetails", {}) and "company" in d["billingDetails"] for d in details
    )
    assert any("billingDetails" not in d for d in details)  # optional fields are sometimes missing
    assert any("houseNumberExtension" in d["shipmentDetails"] for d in details)
    assert any("houseNumberExtension" not in d["shipmentDetails"] for d in details)
    assert {d["shipmentDetails"]["countryCode"] for d in details} == {"NL", "BE"}
    assert any(
        re.search(
            r"[^\x00-\x7f]",
            d["shipmentDetails"]["firstName"]
            + d["shipmentDetails"]["surname"]
            + d["shipmentDetails"]["streetName"],
        )
        for d in details
    )
    for i in items:
        assert i["product"]["ean"].isdigit() and len(i["product"]["ean"]) == 13
        digits = [int(c) for c in i["product"]["ean"]]
        assert sum(d * (3 if k % 2 else 1) for k, d in enumerate(digits)) % 10 == 0  # valid check digit
        assert (
            abs(i["totalPrice"] - (i["unitPrice"] * i["quantity"] - sum(x["amount"] for x in i["discounts"])))
            < 0.011
        )
    assert any("reference" in i["offer"] for i in items)

    # a B2B order with a unicode name, added through the control API
    created = control(
        sim,
        "add_orders",
        {
            "country": "BE",
            "b2b": True,
            "lines": 2,
            "shipment_details": {"firstName": "Zoë", "surname": "Müller"},
        },
    )
    detail = check_schema(bol.call("GET", "/retailer/orders/%s" % created["orders"][0]).json(), "Order")
    assert (detail["shipmentDetails"]["firstName"], detail["shipmentDetails"]["surname"]) == ("Zoë", "Müller")
    assert detail["billingDetails"]["vatNumber"].startswith("BE") and detail["billingDetails"]["company"]
    assert detail["shipmentDetails"]["zipCode"].isdigit() and len(detail["shipmentDetails"]["zipCode"]) == 4

    check_problem(bol.call("GET", "/retailer/orders/9999999999"), 404)


def test_wrong_media_type_is_refused(sim, bol):
    bol.fetch_token()
    resp = bol.http.get(
        bol.api + "/retailer/orders",
        headers={"Authorization": "Bearer " + bol.token, "Accept": "application/json"},
    )
    check_problem(resp, 406)
    resp = bol.http.get(bol.api + "/retailer/orders", headers={"Authorization": "Bearer " + bol.token})  # */*
    check_problem(resp, 406)
    order_id, item_ids = open_fbr_order(sim)
    resp = bol.http.post(
        bol.api + "/retailer/shipments",
        json={"orderItems": [{"orderItemId": item_ids[0]}]},
        headers={"Authorization": "Bearer " + bol.token, "Accept": MEDIA_TYPE},
    )
    check_problem(resp, 415)
    assert sim_state(sim)["process_statuses"] == []  # nothing was scheduled
    # an unparsable body is a 400 problem, not a crash
    resp = bol.http.post(bol.api + "/retailer/shipments", data="{not json", headers=bol.headers(body=True))
    check_problem(resp, 400)
    check_problem(bol.call("GET", "/retailer/no-such-thing"), 404)


# =============================================================================================
# shipments and process statuses
# =============================================================================================


def test_shipment_process_status_pending_then_success_with_tracking(sim, bol):
    order_id, item_ids = open_fbr_order(sim, lines=2, quantity=2)
    resp = bol.call(
        "POST",
        "/retailer/shipments",
        json_body={
            "orderItems": [{"orderItemId": item_ids[0], "quantity": 1}],
            "shipmentReference": "ODOO-WH-OUT-0042",
            "transport": {"transporterCode": "TNT", "trackAndTrace": "3SABCD1234567"},
        },
    )
    assert resp.status_code == 202, resp.text
    ps = check_schema(resp.json(), "ProcessStatus", "shared.json")
    assert (ps["status"], ps["eventType"], ps["entityId"]) == ("PENDING", "CREATE_SHIPMENT", item_ids[0])
    assert ps["links"][0]["href"].endswith("/bol/shared/process-status/%s" % ps["processStatusId"])
    assert sim_state(sim)["shipments"] == []  # nothing applied while PENDING

    seen = bol.poll(ps)
    assert [p["status"] for p in seen] == ["PENDING", "PENDING", "SUCCESS"]
    assert "errorMessage" not in seen[-1]

    state = sim_state(sim)
    assert len(state["shipments"]) == 1
    shipment = state["shipments"][0]
    assert shipment["orderId"] == order_id and shipment["shipmentReference"] == "ODOO-WH-OUT-0042"
    assert shipment["transport"]["trackAndTrace"] == "3SABCD1234567"
    assert shipment["transport"]["transporterCode"] == "TNT"
    assert shipment["orderItems"] == [{"orderItemId": item_ids[0], "quantity": 1}]

    detail = check_schema(bol.call("GET", "/retailer/orders/%s" % order_id).json(), "Order")
    by_id = {i["orderItemId"]: i for i in detail["orderItems"]}
    assert by_id[item_ids[0]]["quantityShipped"] == 1 and by_id[item_ids[1]]["quantityShipped"] == 0
    listed = check_schema(
        bol.call("GET", "/retailer/shipments", params={"order-id": order_id}).json(), "ShipmentsResponse"
    )
    assert [s["shipmentId"] for s in listed["shipments"]] == [shipment["shipmentId"]]
    full = check_schema(bol.call("GET", "/retailer/shipments/%s" % shipment["shipmentId"]).json(), "Shipment")
    assert full["transport"]["trackAndTrace"] == "3SABCD1234567"
    assert full["shipmentItems"][0]["orderItemId"] == item_ids[0]
    # the process can also be found by entity id and event type
    by_entity = bol.call(
        "GET", "/shared/process-status", params={"entity-id": item_ids[0], "event-type": "CREATE_SHIPMENT"}
    )
    statuses = check_schema(by_entity.json(), "ProcessStatusResponse", "shared.json")["processStatuses"]
    assert [p["status"] for p in statuses] == ["SUCCESS"]


def test_shipment_failures_end_with_an_error_message(sim, bol):
    order_id, item_ids = open_fbr_order(sim, lines=1, quantity=2)
    unknown = bol.call(
        "POST",
        "/retailer/shipments",
        json_body={
            "orderItems": [{"orderItemId": "1234567890"}],
            "shipmentReference": "X1",
            "transport": {"transporterCode": "DHL", "trackAndTrace": "JVGL0000001"},
        },
    ).json()
    too_many = bol.call(
        "POST",
        "/retailer/shipments",
        json_body={
            "orderItems": [{"orderItemId": item_ids[0], "quantity": 3}],
            "shipmentReference": "X2",
            "transport": {"transporterCode": "TNT", "trackAndTrace": "3S0000002"},
        },
    ).json()
    for ps, needle in ((unknown, "1234567890"), (too_many, "exceeds the open quantity 2")):
        final = bol.poll(ps)[-1]
        assert final["status"] == "FAILURE"
        assert needle in final["errorMessage"]
    assert sim_state(sim)["shipments"] == []
    detail = bol.call("GET", "/retailer/orders/%s" % order_id).json()
    assert detail["orderItems"][0]["quantityShipped"] == 0
    # an unknown transporter code is refused at once
    resp = bol.call(
        "POST",
        "/retailer/shipments",
        json_body={"orderItems": [{"orderItemId": item_ids[0]}], "transport": {"transporterCode": "PIGEON"}},
    )
    assert check_problem(resp, 400)["violations"][0]["name"] == "transport.transporterCode"


def test_cancellation_and_control_status_changes(sim, bol):
    order_id, item_ids = open_fbr_order(sim, lines=2, quantity=1)
    resp = bol.call(
        "PUT",
        "/retailer/orders/cancellation",
        json_body={"orderItems": [{"orderItemId": item_ids[1], "reasonCode": "OUT_OF_STOCK"}]},
    )
    assert resp.status_code == 202
    assert bol.poll(resp.json())[-1]["status"] == "SUCCESS"
    detail = bol.call("GET", "/retailer/orders/%s" % order_id).json()
    assert [i["quantityCancelled"] for i in detail["orderItems"]] == [0, 1]
    # the control API ships the rest (as if by hand) and records it with tracking
    control(
        sim, "set_order_status", {"order_id": order_id, "status": "ship", "track_and_trace": "3SCTRL0001"}
    )
    detail = bol.call("GET", "/retailer/orders/%s" % order_id).json()
    assert [(i["quantityShipped"], i["quantityCancelled"]) for i in detail["orderItems"]] == [(1, 0), (0, 1)]
    assert sim_state(sim)["shipments"][-1]["transport"]["trackAndTrace"] == "3SCTRL0001"
    open_ids = {o["orderId"] for o in bol.call("GET", "/retailer/orders").json().get("orders", [])}
    assert order_id not in open_ids


# =============================================================================================
# offers
# =============================================================================================


def _offer_export(bol):
    resp = bol.call("POST", "/retailer/offers/export", json_body={"format": "CSV"})
    assert resp.status_code == 202
    final = bol.poll(check_schema(resp.json(), "ProcessStatus", "shared.json"))[-1]
    assert final["status"] == "SUCCESS" and final["eventType"] == "CREATE_OFFER_EXPORT"
    assert check_problem(bol.call("GET", "/retailer/offers/export/%s" % final["entityId"]), 406)
    resp = bol.call("GET", "/retailer/offers/export/%s" % final["entityId"], accept=CSV_MEDIA_TYPE)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(CSV_MEDIA_TYPE)
    return list(csv.DictReader(io.StringIO(resp.text)))


def test_offer_export_stock_and_price_updates_are_applied(sim, bol):
    rows = _offer_export(bol)
    assert {"offerId", "ean", "referenceCode", "stockAmount", "bundlePricesPrice", "fulfilmentType"} <= set(
        rows[0]
    )
    row = next(r for r in rows if r["referenceCode"] and r["fulfilmentType"] == "FBR")
    offer_id = row["offerId"]
    offer = check_schema(bol.call("GET", "/retailer/offers/%s" % offer_id).json(), "RetailerOffer")
    assert offer["ean"] == row["ean"] and offer["reference"] == row["referenceCode"]
    assert offer["stock"]["amount"] == int(row["stockAmount"])

    stock = bol.call(
        "PUT", "/retailer/offers/%s/stock" % offer_id, json_body={"amount": 42, "managedByRetailer": True}
    )
    price = bol.call(
        "PUT",
        "/retailer/offers/%s/price" % offer_id,
        json_body={
            "pricing": {
                "bundlePrices": [{"quantity": 1, "unitPrice": 24.95}, {"quantity": 3, "unitPrice": 22.5}]
            }
        },
    )
    assert stock.status_code == price.status_code == 202
    assert (
        stock.json()["eventType"] == "UPDATE_OFFER_STOCK"
        and price.json()["eventType"] == "UPDATE_OFFER_PRICE"
    )
    before = sim_state(sim)["offers"][offer_id]
    assert before["stock"] != 42  # not applied while PENDING
    assert bol.poll(stock.json())[-1]["status"] == "SUCCESS"
    assert bol.poll(price.json())[-1]["status"] == "SUCCESS"

    offer = check_schema(bol.call("GET", "/retailer/offers/%s" % offer_id).json(), "RetailerOffer")
    assert offer["stock"]["amount"] == 42 and offer["stock"]["managedByRetailer"] is True
    assert offer["pricing"]["bundlePrices"] == [
        {"quantity": 1, "unitPrice": 24.95},
        {"quantity": 3, "unitPrice": 22.5},
    ]
    after = sim_state(sim)
    assert after["offers"][offer_id]["stock"] == 42 and after["offers"][offer_id]["price"] == 24.95
    assert offer_id in after["offers_updated"]

    # out-of-range values are refused at once; an unknown offer fails asynchronously
    body = check_problem(
        bol.call(
            "PUT",
            "/retailer/offers/%s/stock" % offer_id,
            json_body={"amount": 1000, "managedByRetailer": False},
        ),
        400,
    )
    assert body["violations"][0]["name"] == "amount"
    resp = bol.call(
        "PUT", "/retailer/offers/no-such-offer/stock", json_body={"amount": 1, "managedByRetailer": False}
    )
    final = bol.poll(resp.json())[-1]
    assert final["status"] == "FAILURE" and "no-such-offer" in final["errorMessage"]


# =============================================================================================
# returns and FBB inventory
# =============================================================================================


def test_returns_and_handling_one(sim, bol):
    unhandled = bol.call("GET", "/retailer/returns", params={"handled": "false", "fulfilment-method": "FBR"})
    assert unhandled.status_code == 200
    returns = check_schema(unhandled.json(), "ReturnsResponse")["returns"]
    assert returns and all(not i["handled"] for r in returns for i in r["returnItems"])
    handled = check_schema(
        bol.call("GET", "/retailer/returns", params={"handled": "true"}).json(), "ReturnsResponse"
    )
    assert all(i["handled"] and i["processingResults"] for r in handled["returns"] for i in r["returnItems"])
    target = returns[0]
    detail = check_schema(bol.call("GET", "/retailer/returns/%s" % target["returnId"]).json(), "Return")
    rma = detail["returnItems"][0]["rmaId"]
    resp = bol.call(
        "PUT",
        "/retailer/returns/%s" % rma,
        json_body={"handlingResult": "RETURN_RECEIVED", "quantityReturned": 1},
    )
    assert resp.status_code == 202 and resp.json()["eventType"] == "HANDLE_RETURN_ITEM"
    assert bol.poll(resp.json())[-1]["status"] == "SUCCESS"
    after = bol.call("GET", "/retailer/returns", params={"handled": "false"}).json()
    assert target["returnId"] not in {r["returnId"] for r in after.get("returns", [])}


def test_fbb_inventory(sim, bol):
    inventory = check_schema(bol.call("GET", "/retailer/inventory").json(), "InventoryResponse")["inventory"]
    assert inventory
    ean = inventory[0]["ean"]
    one = check_schema(
        bol.call("GET", "/retailer/inventory", params={"query": ean}).json(), "InventoryResponse"
    )
    assert [i["ean"] for i in one["inventory"]] == [ean]
    ranged = bol.call("GET", "/retailer/inventory", params={"quantity": "0-10"}).json()
    assert all(i["regularStock"] <= 10 for i in ranged.get("inventory", []))
    check_problem(bol.call("GET", "/retailer/inventory", params={"quantity": "ten"}), 400)


# =============================================================================================
# rate limits and faults
# =============================================================================================


def test_rate_limit_429_with_and_without_retry_after(sim, bol):
    status, headers, body = fixture("429-too-many-requests")
    expected = json.loads(body)
    answers = [bol.call("GET", "/retailer/orders") for _ in range(26)]
    assert [r.status_code for r in answers[:25]] == [200] * 25
    throttled = answers[25]
    assert throttled.status_code == status
    assert throttled.headers["Content-Type"] == headers["content-type"]
    assert set(throttled.json()) == set(expected)
    seconds = int(throttled.headers["Retry-After"])
    assert 1 <= seconds <= 3
    assert throttled.json()["detail"] == "Too many requests, retry in %d seconds." % seconds
    assert throttled.headers["X-RateLimit-Remaining"] == "0"

    _, headers_nr, body_nr = fixture("429-too-many-requests-without-retry-after")
    assert "retry-after" not in headers_nr
    sim.ctl.post(
        sim.base_url + "/_sim/faults",
        json={"marketplace": "bol", "operation": "get-order", "kind": "429_no_retry_after"},
    ).raise_for_status()
    resp = bol.call("GET", "/retailer/orders/whatever")
    assert resp.status_code == 429 and "Retry-After" not in resp.headers
    assert set(resp.json()) == set(json.loads(body_nr))
    sim.ctl.post(
        sim.base_url + "/_sim/faults",
        json={"marketplace": "bol", "operation": "get-order", "kind": "429", "retry_after": 4},
    ).raise_for_status()
    resp = bol.call("GET", "/retailer/orders/whatever")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "4"
    assert resp.json() == expected  # word for word the fixture


def test_server_error_fault_is_bols_html_page(sim, bol):
    status, headers, body = fixture("500-internal-server-error")
    sim.ctl.post(
        sim.base_url + "/_sim/faults", json={"marketplace": "bol", "operation": "get-orders", "kind": "5xx"}
    ).raise_for_status()
    resp = bol.call("GET", "/retailer/orders")
    assert resp.status_code == status and resp.headers["Content-Type"].startswith("text/html")
    assert resp.text == body
    assert bol.call("GET", "/retailer/orders").status_code == 200  # one fault, then normal again


def test_same_seed_same_orders(sim, bol):
    first = bol.call("GET", "/retailer/orders", params={"fulfilment-method": "ALL", "status": "ALL"}).json()
    sim.ctl.post(sim.base_url + "/_sim/reset", json={"seed": 11, "sizes": SIZES}).raise_for_status()
    again = bol.call("GET", "/retailer/orders", params={"fulfilment-method": "ALL", "status": "ALL"}).json()
    assert [o["orderId"] for o in first["orders"]] == [o["orderId"] for o in again["orders"]]
    sim.ctl.post(sim.base_url + "/_sim/reset", json={"seed": 12, "sizes": SIZES}).raise_for_status()
    other = bol.call("GET", "/retailer/orders", params={"fulfilment-method": "ALL", "status": "ALL"}).json()
    assert [o["orderId"] for o in first["orders"]] != [o["orderId"] for o in other["orders"]]
