"""The Bol.com adapter and mapping against the simulator, over real HTTP (no Odoo, no mocks).

The simulator runs in a thread with its rate limits off unless a test turns them on; the client
gets `rate_scale=1000` and a `sleep` that records the pauses it asks for instead of sleeping, so
that throttling, retries and process polling are exercised in milliseconds.
"""

import pytest

from marketplace_base.adapter.transport import MarketplaceError
from marketplace_base.schemas.order import Order
from marketplace_base.schemas.returns import Return
from marketplace_bol.adapter import client as client_module
from marketplace_bol.adapter.client import (
    CSV_TYPE,
    JSON_TYPE,
    TRANSPORTER_CODES,
    BolAmbiguous,
    BolClient,
    BolError,
    BolThrottled,
    problem_text,
)
from marketplace_bol.adapter.mapping import (
    FBB_SUFFIX,
    cancellation_requests,
    latest_change,
    offers_from_csv,
    to_neutral_orders,
    to_neutral_return,
    transporter_code,
)

from conftest import REPO, post, sim_fault, sim_state

CLIENT_ID, SECRET = "sim-bol-client", "sim-bol-secret"


@pytest.fixture(autouse=True)
def fresh(sim):
    post(
        sim,
        "/_sim/reset",
        {"seed": 7, "sizes": {"bol": {"orders": 300, "products": 40}}, "rate_limits": False},
    )
    client_module.reset_rate_limits()
    client_module.forget_tokens()
    yield


def state(sim):
    return sim_state(sim, "bol")


def fault(sim, operation, kind, count=1, **extra):
    sim_fault(sim, "bol", operation, kind, count, **extra)


class Sleeper:
    def __init__(self):
        self.pauses = []

    def __call__(self, seconds):
        self.pauses.append(seconds)


def client(sim, **options):
    options.setdefault("rate_scale", 1000)
    options.setdefault("sleep", Sleeper())
    return BolClient(client_id=CLIENT_ID, client_secret=SECRET, endpoint=sim + "/bol", **options)


def all_orders(bol, method="ALL", status="ALL"):
    orders, page = [], 1
    while True:
        chunk = bol.orders_page(method, status, page)
        orders += chunk
        if len(chunk) < 50:
            return orders
        page += 1


# --------------------------------------------------------------------------------------------
# account: token, hosts, media types
# --------------------------------------------------------------------------------------------


def test_the_base_url_replaces_both_hosts_and_the_token_is_reused_until_it_expires(sim):
    bol = client(sim)
    assert bol.token_url == sim + "/bol/token" and bol.api == sim + "/bol"
    production = BolClient(client_id="a", client_secret="b")
    assert production.token_url == "https://login.bol.com/token" and production.api == "https://api.bol.com"
    before = state(sim)["tokens_issued"]
    bol.orders_page("FBR", "OPEN")
    client(sim).orders_page("FBR", "OPEN")  # another run of the same account: same token
    assert state(sim)["tokens_issued"] == before + 1
    assert bol.calls == 2, "one token request and one API call"
    assert state(sim)["token_grant_in"] == "body", "grant_type in the form body, as the contract says"


def test_an_expired_token_is_renewed_and_the_call_goes_through(sim):
    bol = client(sim)
    bol.orders_page("FBR", "OPEN")
    before = state(sim)["tokens_issued"]
    fault(sim, "get-orders", "expired_token")
    assert isinstance(bol.orders_page("FBR", "OPEN"), list)
    assert state(sim)["tokens_issued"] == before + 1


def test_a_token_about_to_expire_is_not_used(sim):
    post(sim, "/_sim/bol/token_lifetime", {"seconds": 10})  # below the client's safety margin
    before = state(sim)["tokens_issued"]
    bol = client(sim)
    bol.orders_page("FBR", "OPEN")
    bol.orders_page("FBR", "OPEN")
    post(sim, "/_sim/bol/token_lifetime", {"seconds": 300})
    assert state(sim)["tokens_issued"] == before + 2


TOKEN_FIXTURES = REPO.parent / "shared" / "apispecs" / "bol" / "fixtures_http"


def replay(sim, operation, name):
    """The next `operation` call gets the raw answer of a contract fixture (fixtures_http/)."""
    path = TOKEN_FIXTURES / name
    if not path.is_file():
        pytest.skip("fixture %s not found" % path)
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    lines = head.splitlines()
    # the connection's own headers are the server's to set (it answers in one piece)
    hop = {"transfer-encoding", "connection", "content-length"}
    headers = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in lines[1:])
        if k.strip().lower() not in hop
    )
    fault(sim, operation, "answer", status=int(lines[0].split()[1]), headers=headers, body=body)


@pytest.mark.parametrize("name", ["200-token-lowercase-type", "200-token-lowercase-scope", "200-token"])
def test_a_bearer_token_of_the_retailer_scope_is_taken_in_any_case(sim, name):
    replay(sim, "token", name)
    bol = client(sim)
    assert bol._token() == "sometoken"


@pytest.mark.parametrize(
    "name, says",
    [
        ("200-token-empty-access_token", "without an access token"),
        ("200-token-missing-access_token", "without an access token"),
        ("200-token-empty-body", "no token"),
        ("200-token-unexpected-bearer", "of type 'Dummy', not Bearer"),
        ("200-token-unexpected-scope", "scope 'DUMMY', not RETAILER"),
        ("200-token-missing-expires_in", "lifetime"),
        ("200-token-empty-expires_in", "lifetime"),
    ],
)
def test_a_token_answer_bol_would_not_give_is_refused_with_the_reason(sim, name, says):
    replay(sim, "token", name)
    bol = client(sim)
    with pytest.raises(BolError, match=says):
        bol.orders_page("FBR", "OPEN")
    assert not client_module.TOKENS.get(bol._token_key), "nothing kept"
    assert bol.orders_page("FBR", "OPEN") is not None, "the next run asks again and goes on"


def test_a_token_that_expires_at_once_is_used_once_and_asked_again(sim):
    replay(sim, "token", "200-token-expires-immediately")
    bol = client(sim)
    assert bol._token() == "sometoken"
    before = state(sim)["tokens_issued"]
    bol.orders_page("FBR", "OPEN")
    assert state(sim)["tokens_issued"] == before + 1, "not reused: a new token for the next call"


def test_the_contracts_order_fixture_becomes_a_shipped_fbb_order(sim):
    # fixtures_http/200-order: an FBB order of a business buyer, without v10's item counters
    replay(sim, "get-order", "200-order")
    raw = client(sim).order("1042823870")
    [order] = [Order.model_validate(part) for part in to_neutral_orders(raw)]
    assert (order.external_id, order.fulfilment, order.status) == ("1042823870", "marketplace", "Shipped")
    assert [(line.barcode, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("8785056370398", "MijnOffer0021", 1, 19.99),
        ("8717418510749", "MijnOffer1121", 1, 32.98),
    ]
    assert order.total == 52.97
    assert (order.invoice_address.company, order.invoice_address.vat) == ("Pieter Post", "NL123456789B01")
    assert order.customer_reference == "Mijn order ref"
    assert order.delivery_address.street == "Skywalkerstraat 199"
    assert order.invoice_address.street2 == "Extra informatie"


def test_the_contracts_reduced_orders_fixture_is_read_as_a_page(sim):
    replay(sim, "get-orders", "200-reduced-orders")
    page = client(sim).orders_page("FBR", "OPEN")
    assert [order["orderId"] for order in page][:3] == ["1043946570", "1042831430", "A4K8290LP0"]
    replay(sim, "get-orders", "200-reduced-orders-empty")
    assert client(sim).orders_page("FBR", "OPEN") == [], "Bol's empty page is { }"


def test_an_inactive_account_is_told_in_bols_words(sim):
    replay(sim, "get-orders", "403-forbidden-account_is_not_active")
    with pytest.raises(BolError, match="Account is not active"):
        client(sim).orders_page("FBR", "OPEN")


def test_wrong_credentials_give_bols_own_message_without_the_secret(sim):
    bol = BolClient(
        client_id=CLIENT_ID,
        client_secret="wrong-secret-123",
        endpoint=sim + "/bol",
        rate_scale=1000,
        sleep=Sleeper(),
    )
    with pytest.raises(BolError) as err:
        bol.orders_page("FBR", "OPEN")
    assert "Bad client credentials" in str(err.value)
    assert "wrong-secret-123" not in str(err.value)


def test_an_id_put_in_a_path_stays_one_segment(sim):
    """An order reference a person typed is percent-encoded ("/" included): it cannot reach
    another path of the API."""
    with pytest.raises(BolError) as err:
        client(sim).order("1/../../shared/process-status/1")
    # the order endpoint answered, for the whole reference as its id (not the process status)
    assert "Order with id 1/../../shared/process-status/1 does not exist" in str(err.value)


def test_an_answer_the_client_does_not_understand_is_not_echoed(sim, caplog):
    fault(
        sim,
        "get-orders",
        "answer",
        status=502,
        count=10,
        body="<html>upstream 10.1.2.3 SECRET-DETAIL</html>",
        headers={"Content-Type": "text/html"},
    )
    with caplog.at_level("INFO"), pytest.raises(BolError) as err:
        client(sim).orders_page("FBR", "OPEN")
    assert "get-orders: HTTP 502" in str(err.value)
    assert "SECRET-DETAIL" not in str(err.value)
    assert "SECRET-DETAIL" in caplog.text, "the detail is in the server log"


def test_requests_carry_the_v10_media_types(sim):
    bol = client(sim)
    process = bol.wait_process(bol.request_offer_export())
    assert process["status"] == "SUCCESS"
    text = bol.offer_export(process["entityId"])  # the simulator refuses any other Accept (406)
    assert text.startswith("offerId,ean")
    assert JSON_TYPE.endswith("v10+json") and CSV_TYPE.endswith("v10+csv")


# --------------------------------------------------------------------------------------------
# limits and faults
# --------------------------------------------------------------------------------------------


def test_a_429_is_waited_out_as_retry_after_says(sim):
    bol = client(sim)
    fault(sim, "get-orders", "429", retry_after=3)
    bol.orders_page("FBR", "OPEN")
    assert bol.throttled == 1
    assert 3 in bol.sleep.pauses


def test_a_429_without_retry_after_backs_off_from_the_documented_rate(sim):
    bol = client(sim, rate_scale=1)
    fault(sim, "get-inventory", "429_no_retry_after")
    bol.inventory_page()
    assert bol.throttled == 1
    assert max(bol.sleep.pauses) == pytest.approx(1 / (20 / 60.0 * BolClient.PACING), rel=0.01)


def test_still_throttled_after_the_time_budget_stops_with_bols_message(sim):
    bol = client(sim, max_wait=5)
    fault(sim, "get-orders", "429", count=10, retry_after=2)
    with pytest.raises(BolThrottled) as err:
        bol.orders_page("FBR", "OPEN")
    assert "Too many requests" in str(err.value)


def test_each_endpoint_is_paced_on_its_own_at_the_documented_rate(sim):
    bol = client(sim, rate_scale=1)
    for _ in range(25):  # the burst of get-orders
        bol.orders_page("FBR", "OPEN")
    assert not [p for p in bol.sleep.pauses if p > 0.01]
    bol.orders_page("FBR", "OPEN")  # the 26th waits for the bucket (25 per minute)
    assert bol.sleep.pauses[-1] == pytest.approx(60 / 25 / BolClient.PACING, rel=0.05)
    bol.inventory_page()  # another endpoint has its own bucket
    assert bol.sleep.pauses[-1] == pytest.approx(60 / 25 / BolClient.PACING, rel=0.05)


def test_a_read_is_retried_after_a_server_error(sim):
    bol = client(sim)
    fault(sim, "get-orders", "500", count=2)
    assert isinstance(bol.orders_page("FBR", "OPEN"), list)
    assert bol.calls == 4  # token + 2 failures + the answer


def test_a_lost_write_is_ambiguous_and_found_through_its_process_status(sim):
    bol = client(sim)
    order = all_orders(bol, "FBR", "OPEN")[0]
    item = order["orderItems"][0]["orderItemId"]
    fault(sim, "create-shipment", "lost_answer")
    with pytest.raises(BolAmbiguous):
        bol.create_shipment(
            [(item, 1)], reference="WH/OUT/1", transporter_code="TNT", track_and_trace="3S123"
        )
    found = bol.processes_for(item, "CREATE_SHIPMENT")
    assert len(found) == 1, "sent once, never again on a guess"
    assert bol.wait_process(found[0])["status"] == "SUCCESS"


def test_bols_problem_is_the_error_text(sim):
    bol = client(sim)
    with pytest.raises(BolError) as err:
        bol.create_shipment([("123", 1)], transporter_code="NOPE")
    assert "transport.transporterCode" in str(err.value) and "NOPE" in str(err.value)
    with pytest.raises(MarketplaceError) as err:
        bol.order("999999")
    assert "Order with id 999999 does not exist" in str(err.value)
    assert (
        problem_text({"title": "Forbidden", "status": 403, "detail": "Account is not active"}, "x")
        == "Forbidden - Account is not active"
    )


def test_an_empty_list_is_bols_empty_object(sim):
    bol = client(sim)
    assert bol.orders_page("FBR", "OPEN", page=999) == []
    assert bol.returns_page("FBB", True, page=999) == []


def test_process_statuses_are_read_in_bulk(sim):
    bol = client(sim)
    offers = [o for o in post(sim, "/_sim/bol/offers", {})["offers"] if o["fulfilmentMethod"] == "FBR"][:5]
    ids = [bol.update_stock(o["offerId"], 7)["processStatusId"] for o in offers]
    calls = bol.calls
    bol.prefetch_process_statuses(ids)
    bol.prefetch_process_statuses(ids)
    assert bol.calls == calls + 1
    statuses = [bol.process_status(pid) for pid in ids]  # from the run's cache or read again while pending
    assert all(s["processStatusId"] in ids for s in statuses)


# --------------------------------------------------------------------------------------------
# mapping
# --------------------------------------------------------------------------------------------


def test_every_simulator_order_maps_to_valid_neutral_orders(sim):
    bol = client(sim)
    checked = mixed = 0
    for reduced in all_orders(bol):
        order = bol.order(reduced["orderId"])
        parts = to_neutral_orders(order)
        for part in parts:
            neutral = Order.model_validate(part)
            assert neutral.prices_include_tax and neutral.currency == "EUR"
            kept = sum(l.quantity - l.cancelled_quantity for l in neutral.lines)
            assert neutral.cancelled == (kept == 0)
            checked += 1
        mixed += len(parts) == 2
        if len(parts) == 2:
            assert parts[0]["external_id"] == order["orderId"]
            assert parts[1]["external_id"] == order["orderId"] + FBB_SUFFIX
            assert parts[1]["fulfilment"] == "marketplace"
        if reduced["orderItems"]:
            assert latest_change(reduced["orderItems"]) is not None
    assert checked > 250 and mixed


def test_an_fbb_order_is_imported_once_bol_shipped_it(sim):
    created = post(sim, "/_sim/bol/add_orders", {"fulfilment_method": "FBB", "status": "OPEN"})["orders"][0]
    bol = client(sim)
    assert to_neutral_orders(bol.order(created)) == []
    post(sim, "/_sim/bol/set_order_status", {"order_id": created, "status": "SHIPPED"})
    (part,) = to_neutral_orders(bol.order(created))
    assert part["fulfilment"] == "marketplace" and part["status"] == "Shipped"
    assert to_neutral_orders(bol.order(created), methods=("FBR",)) == []


def test_a_company_buyer_brings_its_vat_registry_and_reference(sim):
    created = post(
        sim,
        "/_sim/bol/add_orders",
        {"b2b": True, "country": "NL", "billing_details": {"orderReference": "PO-777"}},
    )["orders"][0]
    (part,) = to_neutral_orders(client(sim).order(created))
    invoice = part["invoice_address"]
    assert invoice["company"] and invoice["vat"].startswith("NL") and invoice["company_registry"]
    assert part["customer_reference"] == "PO-777"
    assert part["delivery_address"]["street"] and part["delivery_address"]["name"]


def test_items_the_customer_asked_to_cancel_are_found_and_mapped_as_cancelled(sim):
    created = post(sim, "/_sim/bol/add_orders", {"lines": 2})["orders"][0]
    order = client(sim).order(created)
    first = order["orderItems"][0]["orderItemId"]
    post(
        sim,
        "/_sim/bol/set_order_status",
        {"order_id": created, "status": "request_cancellation", "order_item_ids": [first]},
    )
    order = client(sim).order(created)
    assert cancellation_requests(order) == [first]
    order["orderItems"][0]["quantityCancelled"] = order["orderItems"][0]["quantity"]
    (part,) = to_neutral_orders(order)
    line = next(l for l in part["lines"] if l["external_id"] == first)
    assert line["cancelled_quantity"] == line["quantity"] and not part["cancelled"]


def test_returns_map_to_neutral_returns(sim):
    bol = client(sim)
    seen = 0
    for handled in (False, True):
        for method in ("FBR", "FBB"):
            for ret in bol.returns_page(method, handled):
                neutral = Return.model_validate(to_neutral_return(ret))
                assert neutral.received == handled
                assert neutral.notify_on_receipt == (not handled and method == "FBR")
                assert all(line.barcode and line.external_id for line in neutral.lines)
                seen += 1
    assert seen


def test_the_offer_export_maps_to_listings(sim):
    bol = client(sim)
    process = bol.wait_process(bol.request_offer_export())
    listings = offers_from_csv(bol.offer_export(process["entityId"]))
    offers = post(sim, "/_sim/bol/offers", {})["offers"]
    assert len(listings) == len(offers)
    by_id = {o["offerId"]: o for o in offers}
    for listing in listings:
        offer = by_id[listing["external_id"]]
        assert listing["barcode"] == offer["ean"]
        assert listing["sku"] == offer["reference"]
        assert listing["fulfilment"] == ("marketplace" if offer["fulfilmentMethod"] == "FBB" else "merchant")


def test_carriers_map_to_bols_transporter_codes():
    assert transporter_code("PostNL Pakket", TRANSPORTER_CODES) == "TNT"
    assert transporter_code("DPD", TRANSPORTER_CODES) == "DPD-NL"
    assert transporter_code("dhl_de", TRANSPORTER_CODES) == "DHL_DE"
    assert transporter_code("UPS Express", TRANSPORTER_CODES) == "UPS"
    assert transporter_code("Own van", TRANSPORTER_CODES) == "OTHER"


def test_the_client_never_shows_its_credentials():
    bol = BolClient(client_id="id-123456", client_secret="secret-abcdef")
    assert "secret-abcdef" not in repr(bol) and "id-123456" not in repr(bol)
    assert bol.scrub("token for secret-abcdef") == "token for ***"
