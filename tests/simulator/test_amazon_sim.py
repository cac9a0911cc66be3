"""The Amazon part of the marketplace simulator, driven by the real python-amazon-sp-api client.

No Odoo, no HTTP mocks: a simulator runs in a thread, `sp_api` talks to it over HTTP, and each
response body the client reads is checked against the Swagger / JSON schemas in
../shared/apispecs/amazon.
"""

import io
import json
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import httpx
import pytest

from sp_api.api import Feeds, Inventories, Orders, Sellers, Tokens
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import (
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiNotFoundException,
    SellingApiRequestThrottledException,
)

from marketplace_simulator import serve_in_thread
from apispec_check import check, load_spec

# How to point python-amazon-sp-api at the simulator: the connector's own helpers.
from marketplace_amazon.adapter.client import (
    forget_access_token,
    forget_restricted_tokens,
    sp_api_client,
    sp_api_credentials,
)

DE = "A1PA6795UKMFR9"
UK = "A1F83G8C2ARO7P"
US = "ATVPDKIKX0DER"


# =============================================================================================
# Schema checks against ../shared/apispecs (a compact walker: type, required, properties,
# items, enum, const, $ref; enough to catch a wrong shape)
# =============================================================================================


def spec(name):
    return load_spec("amazon", name)


def check_def(instance, spec_name, definition):
    root = spec(spec_name)
    return check(instance, root["definitions"][definition], root, definition)


def check_errors(exc, spec_name="ordersV0.json"):
    assert exc.error, "an SP-API error answer carries a non-empty errors list"
    for err in exc.error:
        check_def(err, spec_name, "Error")
    return exc.error[0]


# =============================================================================================
# fixtures
# =============================================================================================

SIZES = {"amazon": {"orders": 250, "products": 40}}


@pytest.fixture(scope="module")
def simulator():
    server, base_url = serve_in_thread(port=0, seed=7)
    yield SimpleNamespace(server=server, base_url=base_url, http=httpx.Client(base_url=base_url, timeout=10))
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh(simulator):
    """Every test starts from the same seeded state, fresh rate-limit buckets, no faults."""
    simulator.http.post(
        "/_sim/reset", json={"seed": 7, "sizes": SIZES, "rate_limits": True}
    ).raise_for_status()
    simulator.http.post("/_sim/rate_limits", json={"enabled": True, "scale": 1.0}).raise_for_status()
    forget_access_token()
    forget_restricted_tokens()
    yield


def control(sim, action, payload=None):
    resp = sim.http.post("/_sim/amazon/%s" % action, json=payload or {})
    assert resp.status_code < 300, resp.text
    return resp.json()


def sim_state(sim):
    return sim.http.get("/_sim/state", params={"marketplace": "amazon"}).json()["amazon"]


def creds(**override):
    values = {
        "client_id": "sim-lwa-client",
        "client_secret": "sim-lwa-secret",
        "refresh_token": "sim-refresh-token",
    }
    values.update(override)
    return sp_api_credentials(**values)


def client(sim, cls, marketplace_id=DE, credentials=None):
    return sp_api_client(
        cls,
        sim.base_url + "/amazon",
        sim.base_url + "/amazon/auth/o2/token",
        credentials or creds(),
        marketplace_id,
    )


def days_ago(n):
    return (datetime.now(timezone.utc) - timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def amount(money):
    return round(float(money["Amount"]) * 100) if money else 0


# =============================================================================================
# tests
# =============================================================================================


def test_wrong_credentials_are_refused_like_lwa(simulator):
    with pytest.raises(AuthorizationError) as bad_secret:
        client(simulator, Orders, credentials=creds(client_secret="wrong")).get_orders(
            CreatedAfter=days_ago(3)
        )
    assert (bad_secret.value.status_code, bad_secret.value.error_code) == (401, "invalid_client")

    with pytest.raises(AuthorizationError) as bad_grant:
        client(simulator, Orders, credentials=creds(refresh_token="revoked")).get_orders(
            CreatedAfter=days_ago(3)
        )
    assert (bad_grant.value.status_code, bad_grant.value.error_code) == (400, "invalid_grant")
    assert "refresh_token" in bad_grant.value.message

    # an access token LWA never issued
    orders = client(simulator, Orders)
    orders.restricted_data_token = "Atza|forged"
    with pytest.raises(SellingApiForbiddenException) as forged:
        orders.get_orders(CreatedAfter=days_ago(3))
    err = check_errors(forged.value)
    assert err["code"] == "Unauthorized" and "invalid" in err["details"]


def test_marketplace_participations_list_the_seller_marketplaces(simulator):
    resp = client(simulator, Sellers).get_marketplace_participation()
    by_id = {p["marketplace"]["id"]: p for p in resp.payload}
    assert {DE, UK, US} <= set(by_id)
    assert by_id[DE]["marketplace"]["defaultCurrencyCode"] == "EUR"
    assert by_id[UK]["marketplace"]["domainName"] == "www.amazon.co.uk"
    assert by_id[US]["participation"] == {"isParticipating": True, "hasSuspendedListings": False}
    assert resp.headers["x-amzn-RateLimit-Limit"] == "0.016"


def test_get_orders_pages_with_next_token_and_honours_filters(simulator):
    expected = sim_state(simulator)["orders_by_marketplace"][DE]
    orders = client(simulator, Orders)
    seen, pages, token = [], 0, None
    while True:
        kwargs = {"NextToken": token} if token else {"CreatedAfter": days_ago(90), "MaxResultsPerPage": 25}
        resp = orders.get_orders(MarketplaceIds=[DE], **kwargs)
        check_def(resp.payload, "ordersV0.json", "OrdersList")
        assert resp.headers["x-amzn-RateLimit-Limit"] == "0.0167"
        assert len(resp.payload["Orders"]) <= 25
        seen.extend(o["AmazonOrderId"] for o in resp.payload["Orders"])
        pages += 1
        token = resp.next_token
        if not token:
            break
    assert "CreatedBefore" in resp.payload
    assert len(seen) == len(set(seen)) == expected
    assert pages == -(-expected // 25)

    resp = orders.get_orders(
        MarketplaceIds=[DE, UK],
        LastUpdatedAfter=days_ago(90),
        OrderStatuses=["Unshipped", "PartiallyShipped"],
        FulfillmentChannels=["MFN"],
    )
    check_def(resp.payload, "ordersV0.json", "OrdersList")
    assert resp.payload["Orders"], "the seeded data has open MFN orders"
    assert "LastUpdatedBefore" in resp.payload
    for order in resp.payload["Orders"]:
        assert order["OrderStatus"] in ("Unshipped", "PartiallyShipped")
        assert order["FulfillmentChannel"] == "MFN" and order["MarketplaceId"] in (DE, UK)
    assert {o["MarketplaceId"] for o in resp.payload["Orders"]} == {DE, UK}

    with pytest.raises(SellingApiBadRequestException) as missing_date:
        orders.get_orders(MarketplaceIds=[DE])
    assert check_errors(missing_date.value)["code"] == "InvalidInput"


def test_incremental_sync_by_last_updated_sees_each_change_once(simulator):
    orders = client(simulator, Orders)
    first = orders.get_orders(MarketplaceIds=[DE], LastUpdatedAfter=days_ago(90), OrderStatuses=["Pending"])
    watermark = first.payload["LastUpdatedBefore"]
    pending = first.payload["Orders"][0]["AmazonOrderId"]
    time.sleep(1.0)  # dates have one-second precision
    control(simulator, "set_order_status", {"amazon_order_id": pending, "status": "Unshipped"})
    control(simulator, "set_order_status", {"amazon_order_id": pending, "status": "Canceled"})
    new = control(simulator, "add_orders", {"count": 2, "marketplace_id": DE})["orders"]
    control(simulator, "add_orders", {"count": 1, "marketplace_id": UK})

    changed = orders.get_orders(MarketplaceIds=[DE], LastUpdatedAfter=watermark).payload
    check_def(changed, "ordersV0.json", "OrdersList")
    ids = [o["AmazonOrderId"] for o in changed["Orders"]]
    assert sorted(ids) == sorted([pending] + new)
    assert {o["AmazonOrderId"]: o["OrderStatus"] for o in changed["Orders"]}[pending] == "Canceled"
    assert changed["LastUpdatedBefore"] >= watermark


def test_order_items_amounts_add_up_and_page(simulator):
    orders = client(simulator, Orders)
    listed = orders.get_orders(
        MarketplaceIds=[DE], CreatedAfter=days_ago(90), OrderStatuses=["Shipped", "Unshipped"]
    ).payload
    order = next(o for o in listed["Orders"] if o["FulfillmentChannel"] == "MFN" and "OrderTotal" in o)
    resp = orders.get_order_items(order["AmazonOrderId"])
    check_def(resp.payload, "ordersV0.json", "OrderItemsList")
    total = 0
    for item in resp.payload["OrderItems"]:
        assert item["SellerSKU"].startswith("SIM-") and item["ItemPrice"]["CurrencyCode"] == "EUR"
        total += (
            amount(item["ItemPrice"])
            + amount(item["ShippingPrice"])
            - amount(item["PromotionDiscount"])
            - amount(item["ShippingDiscount"])
            + amount((item.get("BuyerInfo") or {}).get("GiftWrapPrice"))
        )
    assert total == amount(order["OrderTotal"]), "EU prices include VAT: the lines add up to OrderTotal"

    # an order of 130 lines answers in two pages
    big = control(simulator, "add_orders", {"orders": [{"marketplace_id": DE, "lines": 130}]})["orders"][0]
    first = orders.get_order_items(big)
    assert len(first.payload["OrderItems"]) == 100 and first.next_token
    second = orders.get_order_items(big, NextToken=first.next_token)
    check_def(second.payload, "ordersV0.json", "OrderItemsList")
    ids = [i["OrderItemId"] for i in first.payload["OrderItems"] + second.payload["OrderItems"]]
    assert len(ids) == len(set(ids)) == 130 and not second.next_token

    with pytest.raises(SellingApiNotFoundException):
        orders.get_order_items("999-0000000-0000000")


BUYER_DATA = ["buyerInfo", "shippingAddress"]


def test_restricted_data_needs_a_restricted_data_token(simulator):
    """ShippingAddress, BuyerInfo and gift messages are restricted data (ordersV0.json): with the
    access token Amazon answers the destination alone; with an RDT for the path, everything."""
    order_id = control(
        simulator,
        "add_orders",
        {
            "orders": [
                {"marketplace_id": DE, "business": True, "gift": True, "lines": 2, "vat": "DE811569869"}
            ]
        },
    )["orders"][0]
    orders = client(simulator, Orders)
    plain = orders.get_order(order_id).payload
    check_def(plain, "ordersV0.json", "Order")
    assert plain["IsBusinessOrder"] is True and plain["OrderStatus"] == "Unshipped"
    assert set(plain["ShippingAddress"]) == {"City", "StateOrRegion", "PostalCode", "CountryCode"}
    assert "BuyerInfo" not in plain
    plain_items = orders.get_order_items(order_id).payload["OrderItems"]
    assert all(i["IsGift"] == "true" and i["BuyerInfo"]["GiftWrapPrice"]["Amount"] for i in plain_items)
    assert not any("GiftMessageText" in i["BuyerInfo"] for i in plain_items)

    # python-amazon-sp-api asks for an RDT of the call's own path with RestrictedResources
    full = orders.get_order(order_id, RestrictedResources=BUYER_DATA).payload
    check_def(full, "ordersV0.json", "Order")
    tax = full["BuyerInfo"]["BuyerTaxInfo"]
    assert tax["CompanyLegalName"] and tax["TaxClassifications"] == [
        {"Name": "VATNumber", "Value": "DE811569869"}
    ]
    assert full["ShippingAddress"]["Name"] and full["ShippingAddress"]["AddressLine1"]
    assert full["ShippingAddress"]["CompanyName"] == tax["CompanyLegalName"]
    assert full["BuyerInfo"]["BuyerEmail"].endswith("amazon.de") and full["BuyerInfo"]["PurchaseOrderNumber"]
    items = orders.get_order_items(order_id, RestrictedResources=["buyerInfo"]).payload
    check_def(items, "ordersV0.json", "OrderItemsList")
    assert [i["BuyerInfo"].get("GiftMessageText") for i in items["OrderItems"]] == [
        i["BuyerInfo"].get("GiftMessageText")
        for i in control(simulator, "get_order", {"order_id": order_id})["items"]
    ]
    assert sim_state(simulator)["rdts_issued"] >= 2


def test_an_rdt_is_valid_for_its_resources_only(simulator):
    order_id = control(simulator, "add_orders", {"count": 1, "marketplace_id": DE})["orders"][0]
    tokens = client(simulator, Tokens)
    answer = tokens.create_restricted_data_token(
        restrictedResources=[{"method": "GET", "path": "/orders/v0/orders", "dataElements": BUYER_DATA}]
    ).payload
    check_def(answer, "tokens_2021-03-01.json", "CreateRestrictedDataTokenResponse")
    assert answer["expiresIn"] == 3600 and answer["restrictedDataToken"].startswith("Atz.sprdt|")
    orders = client(simulator, Orders)
    orders.restricted_data_token = answer["restrictedDataToken"]
    listed = orders.get_orders(MarketplaceIds=[DE], CreatedAfter=days_ago(1)).payload["Orders"]
    assert any(o.get("BuyerInfo", {}).get("BuyerEmail") for o in listed if o["AmazonOrderId"] == order_id)
    with pytest.raises(SellingApiForbiddenException) as elsewhere:  # not one of the token's paths
        orders.get_order_items(order_id)
    assert "does not grant" in check_errors(elsewhere.value)["details"]
    with pytest.raises(SellingApiBadRequestException) as generic:  # orders paths name the order
        tokens.create_restricted_data_token(
            restrictedResources=[
                {"method": "GET", "path": "/orders/v0/orders/{orderId}", "dataElements": BUYER_DATA}
            ]
        )
    check_errors(generic.value, "tokens_2021-03-01.json")


def test_an_app_without_the_pii_role_is_refused_its_rdts(simulator):
    control(simulator, "pii_role", {"granted": False})
    with pytest.raises(SellingApiBadRequestException) as refused:
        client(simulator, Tokens).create_restricted_data_token(
            restrictedResources=[{"method": "GET", "path": "/orders/v0/orders", "dataElements": BUYER_DATA}]
        )
    err = check_errors(refused.value, "tokens_2021-03-01.json")
    assert err["code"] == "InvalidInput"
    assert err["message"] == (
        "Application does not have access to one or more requested data elements: "
        "[buyerInfo, shippingAddress]"
    )
    order_id = control(simulator, "add_orders", {"count": 1, "marketplace_id": UK})["orders"][0]
    plain = client(simulator, Orders, UK).get_order(order_id).payload
    assert "BuyerInfo" not in plain and "Name" not in plain["ShippingAddress"]
    assert plain["OrderTotal"]["CurrencyCode"] == "GBP"


INCLUDED = ["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "TAX", "PAYMENT", "PROMOTION", "PACKAGES"]


def test_search_orders_2026_answers_orders_with_their_items(simulator):
    orders = client(simulator, Orders)
    orders_2026 = sp_api_client(
        Orders,
        simulator.base_url + "/amazon",
        simulator.base_url + "/amazon/auth/o2/token",
        creds(),
        DE,
        version="2026-01-01",
    )
    filters = {
        "lastUpdatedAfter": days_ago(90),
        "marketplaceIds": [DE, UK],
        "includedData": INCLUDED,
        "fulfillmentStatuses": ["UNSHIPPED", "SHIPPED"],
    }
    first = orders_2026.search_orders(maxResultsPerPage=40, **filters)
    check_def(first.payload, "orders_2026-01-01.json", "SearchOrdersResponse")
    assert first.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    assert first.payload["lastUpdatedBefore"] and first.next_token and len(first.payload["orders"]) == 40
    order = first.payload["orders"][0]
    assert order["orderItems"] and order["fulfillment"]["fulfillmentStatus"] in ("UNSHIPPED", "SHIPPED")
    assert "buyer" not in order and set(order.get("recipient", {}).get("deliveryAddress", {})) <= {
        "city",
        "stateOrRegion",
        "postalCode",
        "countryCode",
    }, "no RDT: no buyer"
    # a page token comes back with the filters that made it (includedData and the page size may change)
    with pytest.raises(SellingApiBadRequestException):
        orders_2026.search_orders(paginationToken=first.next_token, lastUpdatedAfter=days_ago(90))
    second = orders_2026.search_orders(paginationToken=first.next_token, maxResultsPerPage=100, **filters)
    check_def(second.payload, "orders_2026-01-01.json", "SearchOrdersResponse")
    ids = [o["orderId"] for o in first.payload["orders"] + second.payload["orders"]]
    v0_ids = [
        o["AmazonOrderId"]
        for o in orders.get_orders(
            MarketplaceIds=[DE, UK],
            LastUpdatedAfter=filters["lastUpdatedAfter"],
            OrderStatuses=["Unshipped", "Shipped"],
            MaxResultsPerPage=100,
        ).payload["Orders"]
    ]
    assert sorted(ids) == sorted(v0_ids), "the same orders as getOrders"
    # with an RDT, the buyer and the address in full; money adds up to the v0 total
    orders_2026.restricted_data_token = (
        client(simulator, Tokens)
        .create_restricted_data_token(
            restrictedResources=[
                {"method": "GET", "path": "/orders/2026-01-01/orders", "dataElements": BUYER_DATA}
            ]
        )
        .payload["restrictedDataToken"]
    )
    full = orders_2026.search_orders(maxResultsPerPage=100, **filters).payload["orders"]
    mfn = next(o for o in full if o["fulfillment"]["fulfilledBy"] == "MERCHANT")
    assert mfn["buyer"]["buyerEmail"] and mfn["recipient"]["deliveryAddress"]["addressLine1"]
    v0 = orders.get_order(mfn["orderId"]).payload
    assert mfn["proceeds"]["grandTotal"]["amount"] == v0["OrderTotal"]["Amount"]


def test_get_order_2026_and_its_datasets(simulator):
    added = control(
        simulator,
        "add_orders",
        {
            "orders": [
                {"marketplace_id": DE, "business": True, "gift": True, "lines": 2, "payment_method": "COD"},
                {"marketplace_id": US, "lines": 1},
                {"marketplace_id": UK, "lines": 1, "facilitator": True},
            ]
        },
    )["orders"]
    orders_2026 = sp_api_client(
        Orders,
        simulator.base_url + "/amazon",
        simulator.base_url + "/amazon/auth/o2/token",
        creds(),
        DE,
        version="2026-01-01",
    )
    orders_2026.restricted_data_token = (
        client(simulator, Tokens)
        .create_restricted_data_token(
            restrictedResources=[
                {
                    "method": "GET",
                    "path": "/orders/2026-01-01/orders/%s" % order_id,
                    "dataElements": BUYER_DATA,
                }
                for order_id in added
            ]
        )
        .payload["restrictedDataToken"]
    )
    b2b, us, uk = [orders_2026.get_order(order_id, includedData=INCLUDED).payload for order_id in added]
    for answer in (b2b, us, uk):
        check_def(answer, "orders_2026-01-01.json", "GetOrderResponse")
    b2b = b2b["order"]
    assert "AMAZON_BUSINESS" in b2b["programs"] and b2b["buyer"]["buyerCompanyName"]
    registration = b2b["tax"]["taxRegistrations"][0]
    assert (
        registration["entityType"] == "BUYER"
        and registration["legalName"] == b2b["buyer"]["buyerCompanyName"]
    )
    assert b2b["payment"]["paymentExecutions"][0]["paymentMethod"] == "CashOnDelivery"
    assert all(i["fulfillment"]["packing"]["giftOption"]["giftWrapLevel"] for i in b2b["orderItems"])
    for answer, party in ((us, "Amazon Services, Inc."), (uk, "Amazon Services Europe S.a.r.L.")):
        collection = answer["order"]["orderItems"][0]["tax"]["taxCollections"][0]
        assert collection == {"model": "MARKETPLACE_FACILITATOR", "responsibleParty": party}
    assert "tax" not in b2b["orderItems"][0], "the seller's own tax on Amazon.de"
    v0 = client(simulator, Orders, US).get_order_items(added[1]).payload["OrderItems"][0]
    assert v0["TaxCollection"]["Model"] == "MarketplaceFacilitator"
    assert client(simulator, Orders).get_order(added[0]).payload["PaymentMethod"] == "COD"
    control(simulator, "orders_api", {"2026-01-01": False})
    with pytest.raises(SellingApiForbiddenException):
        orders_2026.get_order(added[0], includedData=INCLUDED)


def test_participations_follow_the_control_switch(simulator):
    control(simulator, "set_participations", {"marketplaces": [DE, US]})
    ids = {p["marketplace"]["id"] for p in client(simulator, Sellers).get_marketplace_participation().payload}
    assert ids == {DE, US}
    with pytest.raises(SellingApiBadRequestException):  # a marketplace the seller does not sell on
        client(simulator, Orders).get_orders(MarketplaceIds=[UK], CreatedAfter=days_ago(3))


def test_a_429_surfaces_as_throttling_then_the_retry_succeeds(simulator):
    simulator.http.post(
        "/_sim/faults", json={"marketplace": "amazon", "operation": "getOrders", "kind": "429"}
    )
    orders = client(simulator, Orders)
    with pytest.raises(SellingApiRequestThrottledException) as throttled:
        orders.get_orders(CreatedAfter=days_ago(2))
    err = check_errors(throttled.value)
    assert err == {
        "code": "QuotaExceeded",
        "message": "You exceeded your quota for the requested resource.",
        "details": "",
    }
    assert "Retry-After" not in throttled.value.headers
    check_def(orders.get_orders(CreatedAfter=days_ago(2)).payload, "ordersV0.json", "OrdersList")

    # the documented usage plan itself: getInventorySummaries allows 2 per second, burst 2
    inventory = client(simulator, Inventories)
    inventory.get_inventory_summary_marketplace(marketplaceIds=[DE])
    inventory.get_inventory_summary_marketplace(marketplaceIds=[DE])
    with pytest.raises(SellingApiRequestThrottledException) as burst:
        inventory.get_inventory_summary_marketplace(marketplaceIds=[DE])
    assert burst.value.headers["x-amzn-RateLimit-Limit"] == "2"
    time.sleep(0.6)
    assert inventory.get_inventory_summary_marketplace(marketplaceIds=[DE]).payload["inventorySummaries"]


def is_expired_token_error(exc):
    """A 403 of sp_api saying the access token expired."""
    return isinstance(exc, SellingApiForbiddenException) and any(
        "expired" in ((e.get("details") or "") + (e.get("message") or "")).lower() for e in (exc.error or [])
    )


def call_with_token_refresh(call, refresh_token):
    """Run `call()`; when the access token turns out expired (403), forget it and retry once."""
    try:
        return call()
    except SellingApiForbiddenException as exc:
        if not is_expired_token_error(exc):
            raise
        forget_access_token(refresh_token)
        return call()


def test_an_expired_token_is_replaced_by_a_new_one(simulator):
    orders = client(simulator, Orders)
    orders.get_orders(CreatedAfter=days_ago(2))
    issued = sim_state(simulator)["tokens_issued"]
    simulator.http.post(
        "/_sim/faults", json={"marketplace": "amazon", "operation": "getOrders", "kind": "expired_token"}
    )
    with pytest.raises(SellingApiForbiddenException) as expired:
        orders.get_orders(CreatedAfter=days_ago(2))
    assert check_errors(expired.value)["details"] == "The access token you provided has expired."
    assert is_expired_token_error(expired.value)

    simulator.http.post(
        "/_sim/faults", json={"marketplace": "amazon", "operation": "getOrders", "kind": "expired_token"}
    )
    resp = call_with_token_refresh(lambda: orders.get_orders(CreatedAfter=days_ago(2)), "sim-refresh-token")
    check_def(resp.payload, "ordersV0.json", "OrdersList")
    assert sim_state(simulator)["tokens_issued"] == issued + 1


def test_confirm_shipment_is_validated_and_recorded(simulator):
    order_id = control(
        simulator,
        "add_orders",
        {
            "orders": [
                {
                    "marketplace_id": DE,
                    "fulfillment_channel": "MFN",
                    "status": "Unshipped",
                    "lines": [{"sku": "SIM-0002", "quantity": 2}, {"sku": "SIM-0003", "quantity": 1}],
                }
            ]
        },
    )["orders"][0]
    orders = client(simulator, Orders)
    items = orders.get_order_items(order_id).payload["OrderItems"]
    first, second = items[0]["OrderItemId"], items[1]["OrderItemId"]

    def package(ref, lines, **extra):
        detail = {
            "packageReferenceId": ref,
            "carrierCode": "DHL",
            "carrierName": "DHL",
            "shippingMethod": "Paket",
            "trackingNumber": "00340434161234567890",
            "shipDate": "2024-05-02T10:00:00Z",
            "orderItems": [{"orderItemId": i, "quantity": q} for i, q in lines],
        }
        detail.update(extra)
        return {"marketplaceId": DE, "packageDetail": detail}

    for bad in (
        package("1", [("00000000000000", 1)]),
        package("1", [(first, 3)]),
        package("1", [(first, 1)], shipDate="02/21/2022"),
    ):
        with pytest.raises(SellingApiBadRequestException) as refused:
            orders.confirm_shipment(order_id, **bad)
        check_errors(refused.value)
    assert sim_state(simulator)["shipments_confirmed"] == 0

    resp = orders.confirm_shipment(order_id, **package("1", [(first, 1)]))
    assert resp.payload == {"status_code": 204}
    assert orders.get_order(order_id).payload["OrderStatus"] == "PartiallyShipped"
    orders.confirm_shipment(
        order_id, **package("2", [(first, 1), (second, 1)], trackingNumber="00340434169999999999")
    )
    order = orders.get_order(order_id).payload
    assert (order["OrderStatus"], order["NumberOfItemsShipped"], order["NumberOfItemsUnshipped"]) == (
        "Shipped",
        3,
        0,
    )

    state = sim_state(simulator)
    assert state["shipments_confirmed"] == 2
    assert [s["trackingNumber"] for s in state["shipments"]] == [
        "00340434161234567890",
        "00340434169999999999",
    ]
    assert state["shipments"][1]["orderItems"] == [
        {"orderItemId": first, "quantity": 1},
        {"orderItemId": second, "quantity": 1},
    ]

    with pytest.raises(SellingApiBadRequestException):  # nothing left to ship
        orders.confirm_shipment(order_id, **package("3", [(first, 1)]))
    afn = control(
        simulator, "add_orders", {"orders": [{"marketplace_id": DE, "fulfillment_channel": "AFN"}]}
    )["orders"][0]
    afn_item = orders.get_order_items(afn).payload["OrderItems"][0]["OrderItemId"]
    with pytest.raises(SellingApiBadRequestException) as fba:
        orders.confirm_shipment(afn, **package("1", [(afn_item, 1)]))
    assert "fulfilled by Amazon" in check_errors(fba.value)["message"]


def test_listings_feed_round_trip_with_a_rejected_sku(simulator):
    before = sim_state(simulator)["offers"]
    skus = sorted(before)[:3]
    feed_doc = {
        "header": {"sellerId": "SIMSELLER1", "version": "2.0", "issueLocale": "de_DE"},
        "messages": [
            {
                "messageId": 1,
                "sku": skus[0],
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
                    }
                ],
            },
            {
                "messageId": 2,
                "sku": skus[1],
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/purchasable_offer",
                        "value": [
                            {
                                "marketplace_id": DE,
                                "currency": "EUR",
                                "our_price": [{"schedule": [{"value_with_tax": 24.99}]}],
                            }
                        ],
                    }
                ],
            },
            {
                "messageId": 3,
                "sku": "NO-SUCH-SKU",
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}],
                    }
                ],
            },
            {
                "messageId": 4,
                "sku": skus[2],
                "operationType": "PARTIAL_UPDATE",
                "productType": "PRODUCT",
                "attributes": {
                    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": -5}]
                },
            },
        ],
    }
    body = json.dumps(feed_doc).encode("utf-8")
    feeds = client(simulator, Feeds)
    doc = feeds.create_feed_document(io.BytesIO(body), "application/json; charset=UTF-8")
    check_def(doc.payload, "feeds_2021-06-30.json", "CreateFeedDocumentResponse")
    assert doc.payload["url"].startswith(simulator.base_url + "/amazon/")
    created = feeds.create_feed("JSON_LISTINGS_FEED", doc.payload["feedDocumentId"], marketplaceIds=[DE])
    check_def(created.payload, "feeds_2021-06-30.json", "CreateFeedResponse")

    statuses = []
    for _ in range(6):
        feed = feeds.get_feed(created.payload["feedId"]).payload
        check_def(feed, "feeds_2021-06-30.json", "Feed")
        statuses.append(feed["processingStatus"])
        if feed["processingStatus"] == "DONE":
            break
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]

    report = json.loads(feeds.get_feed_result_document(feed["resultFeedDocumentId"]))
    schema = spec("listings-feed-processing-report-schema-v2.json")
    check(report, schema, schema, "report")
    assert report["summary"]["messagesProcessed"] == 4
    assert (report["summary"]["messagesAccepted"], report["summary"]["messagesInvalid"]) == (2, 2)
    rejected = {(i["messageId"], i["sku"]) for i in report["issues"] if i["severity"] == "ERROR"}
    assert rejected == {(3, "NO-SUCH-SKU"), (4, skus[2])}

    after = sim_state(simulator)["offers"]
    assert after[skus[0]][DE]["quantity"] == 7
    assert after[skus[1]][DE]["price"] == "24.99" and after[skus[1]][UK] == before[skus[1]][UK]
    assert after[skus[2]] == before[skus[2]], "an invalid message changes nothing"

    # a feed still IN_QUEUE can be cancelled
    doc2 = feeds.create_feed_document(io.BytesIO(body), "application/json; charset=UTF-8")
    second = feeds.create_feed(
        "JSON_LISTINGS_FEED", doc2.payload["feedDocumentId"], marketplaceIds=[DE]
    ).payload["feedId"]
    feeds.cancel_feed(second)
    assert feeds.get_feed(second).payload["processingStatus"] == "CANCELLED"


def test_get_feeds_filters_and_pages_as_documented(simulator):
    feeds = client(simulator, Feeds)
    body = json.dumps(
        {
            "header": {"sellerId": "SIMSELLER1", "version": "2.0"},
            "messages": [
                {
                    "messageId": 1,
                    "sku": "SIM-0001",
                    "operationType": "PATCH",
                    "productType": "PRODUCT",
                    "patches": [
                        {
                            "op": "replace",
                            "path": "/attributes/fulfillment_availability",
                            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}],
                        }
                    ],
                }
            ],
        }
    ).encode()
    since = days_ago(0)
    ids = []
    for _ in range(3):
        doc = feeds.create_feed_document(io.BytesIO(body), "application/json; charset=UTF-8")
        ids.append(
            feeds.create_feed(
                "JSON_LISTINGS_FEED", doc.payload["feedDocumentId"], marketplaceIds=[DE]
            ).payload["feedId"]
        )
    feeds.cancel_feed(ids[0])

    def get_feeds(**params):  # as sp_api sends them, without its default marketplace
        return feeds._request("/feeds/2021-06-30/feeds", params=params, add_marketplace=False)

    first = get_feeds(feedTypes="JSON_LISTINGS_FEED", createdSince=since, pageSize=2)
    check_def(first.payload, "feeds_2021-06-30.json", "GetFeedsResponse")
    assert [f["feedId"] for f in first.payload["feeds"]] == [ids[2], ids[1]] and first.next_token, (
        "newest first"
    )
    second = get_feeds(nextToken=first.next_token)  # the token alone carries the filters
    assert [f["feedId"] for f in second.payload["feeds"]] == [ids[0]] and not second.next_token
    for wrong in ({"nextToken": first.next_token, "pageSize": 2}, {"pageSize": 2}):
        with pytest.raises(SellingApiBadRequestException):  # token with other parameters; no feedTypes
            get_feeds(**wrong)
    cancelled = get_feeds(feedTypes="JSON_LISTINGS_FEED,POST_PRODUCT_DATA", processingStatuses="CANCELLED")
    assert [f["feedId"] for f in cancelled.payload["feeds"]] == [ids[0]]
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        get_feeds(feedTypes="JSON_LISTINGS_FEED", createdSince=tomorrow, createdUntil=tomorrow).payload[
            "feeds"
        ]
        == []
    )
    assert get_feeds(feedTypes="JSON_LISTINGS_FEED", marketplaceIds=UK).payload["feeds"] == []
    assert get_feeds(feedTypes="POST_PRODUCT_DATA").payload["feeds"] == []


def test_fba_inventory_summaries_page_and_filter(simulator):
    simulator.http.post(
        "/_sim/reset", json={"seed": 7, "sizes": {"amazon": {"orders": 10, "products": 120}}}
    ).raise_for_status()
    fba = sim_state(simulator)["fba_inventory"]
    assert len(fba) > 50, "enough FBA SKUs for two pages"
    inventory = client(simulator, Inventories)
    first = inventory.get_inventory_summary_marketplace(marketplaceIds=[DE], details=True)
    check_def(first.payload, "fbaInventory.json", "GetInventorySummariesResult")
    assert first.payload["granularity"] == {"granularityType": "Marketplace", "granularityId": DE}
    assert len(first.payload["inventorySummaries"]) == 50 and first.next_token
    time.sleep(0.5)  # 2 requests per second
    second = inventory.get_inventory_summary_marketplace(
        marketplaceIds=[DE], details=True, nextToken=first.next_token
    )
    check_def(second.payload, "fbaInventory.json", "GetInventorySummariesResult")
    summaries = first.payload["inventorySummaries"] + second.payload["inventorySummaries"]
    assert sorted(s["sellerSku"] for s in summaries) == sorted(fba)
    for s in summaries:
        q = fba[s["sellerSku"]]
        assert s["inventoryDetails"]["fulfillableQuantity"] == q["fulfillable"]
        details = s["inventoryDetails"]
        assert s["totalQuantity"] == (
            details["fulfillableQuantity"]
            + details["inboundWorkingQuantity"]
            + details["inboundShippedQuantity"]
            + details["inboundReceivingQuantity"]
            + details["reservedQuantity"]["totalReservedQuantity"]
            + details["researchingQuantity"]["totalResearchingQuantity"]
            + details["unfulfillableQuantity"]["totalUnfulfillableQuantity"]
        )
    time.sleep(0.5)
    wanted = sorted(fba)[:2]
    only = inventory.get_inventory_summary_marketplace(marketplaceIds=[DE], sellerSkus=wanted)
    assert [s["sellerSku"] for s in only.payload["inventorySummaries"]] == wanted
    assert "inventoryDetails" not in only.payload["inventorySummaries"][0]


def test_bad_requests_get_the_sp_api_error_shape(simulator):
    token = httpx.post(
        simulator.base_url + "/amazon/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "sim-refresh-token",
            "client_id": "sim-lwa-client",
            "client_secret": "sim-lwa-secret",
        },
    ).json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600
    headers = {"x-amz-access-token": token["access_token"], "content-type": "application/json"}
    some_order = (
        sim_state(simulator)["orders"]
        and client(simulator, Orders)
        .get_orders(CreatedAfter=days_ago(90))
        .payload["Orders"][0]["AmazonOrderId"]
    )
    answers = [
        httpx.post(
            simulator.base_url + "/amazon/orders/v0/orders/%s/shipmentConfirmation" % some_order,
            content=b"{not json",
            headers=headers,
        ),
        httpx.get(
            simulator.base_url + "/amazon/orders/v0/orders",
            params={"MarketplaceIds": DE, "CreatedAfter": "yesterday"},
            headers=headers,
        ),
        httpx.get(simulator.base_url + "/amazon/orders/v0/nowhere", headers=headers),
        httpx.get(simulator.base_url + "/amazon/orders/v0/orders", params={"CreatedAfter": days_ago(1)}),
    ]
    assert [a.status_code for a in answers] == [400, 400, 404, 403]
    for answer in answers:
        for err in answer.json()["errors"]:
            check_def(err, "ordersV0.json", "Error")


def test_fba_returns_report_round_trip(simulator):
    from sp_api.api import Reports

    reports = client(simulator, Reports)
    created = reports.create_report(
        reportType="GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        marketplaceIds=[DE],
        dataStartTime=days_ago(120),
    )
    check_def(created.payload, "reports_2021-06-30.json", "CreateReportResponse")
    statuses = []
    for _ in range(4):
        report = reports.get_report(created.payload["reportId"]).payload
        check_def(report, "reports_2021-06-30.json", "Report")
        statuses.append(report["processingStatus"])
        if report["processingStatus"] == "DONE":
            break
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    document = reports.get_report_document(report["reportDocumentId"], download=True).payload
    check_def(document, "reports_2021-06-30.json", "ReportDocument")
    header, *rows = [line.split("\t") for line in document["document"].splitlines()]
    assert header[:3] == ["return-date", "order-id", "sku"]
    expected = sorted(
        (r["amazon_order_id"], r["sku"])
        for r in sim_state(simulator)["returns"]
        if r["channel"] == "AFN" and r["marketplace_id"] == DE
    )
    assert expected, "the seeded data has FBA returns on Amazon.de"
    assert sorted((row[1], row[2]) for row in rows) == expected
