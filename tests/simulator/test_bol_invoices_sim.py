"""The Bol.com simulator's invoices (GET /retailer/invoices, /{id}, /{id}/specification) over
real HTTP: the 31-day rule, media types, paging, rate limits, and invoices that agree with the
orders, shipments and returns the simulator serves, to the cent.

The contract gives the bodies as bytes (retailer.json); errors are checked against its Problem
schema, the rest against invoices-notes.md and the shapes Bol documents (UBL in JSON)."""

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from marketplace_simulator import serve_in_thread
from test_bol_sim import MEDIA_TYPE, BolClient, check_problem

CLIENT_ID, CLIENT_SECRET = "sim-bol-client", "sim-bol-secret"
PDF = "application/vnd.retailer.v10+pdf"
XML = "application/vnd.retailer.v10+xml"
XLSX = "application/vnd.retailer.v10+openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def sim():
    server, base_url = serve_in_thread(port=0, seed=7)
    yield base_url
    server.shutdown()
    server.server_close()


def control(sim, action, payload=None, status=None):
    resp = requests.post(sim + "/_sim/bol/%s" % action, json=payload or {}, timeout=10)
    assert resp.status_code < 300 if status is None else resp.status_code == status, resp.text
    return resp.json()


@pytest.fixture(autouse=True)
def fresh(sim):
    """An account without history (orders are added by each test), rate limits off."""
    requests.post(
        sim + "/_sim/reset", json={"seed": 7, "sizes": {"bol": {"orders": 0, "products": 12}}}, timeout=10
    ).raise_for_status()
    requests.post(sim + "/_sim/rate_limits", json={"enabled": False}, timeout=10).raise_for_status()
    control(sim, "process_timing", {"polls": 1, "seconds": 0})
    yield


@pytest.fixture
def bol(sim):
    return BolClient(sim + "/bol", CLIENT_ID, CLIENT_SECRET)


def cents(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def listed(bol, **params):
    resp = bol.call("GET", "/retailer/invoices", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json().get("invoiceListItems", [])


def specification(bol, invoice_id):
    """Every line of an invoice's specification, page after page until the empty page."""
    lines, page = [], 1
    while True:
        resp = bol.call("GET", "/retailer/invoices/%s/specification" % invoice_id, params={"page": page})
        assert resp.status_code == 200, resp.text
        rows = resp.json().get("invoiceSpecification")
        if not rows:
            assert resp.content.strip() == b"{ }", "an empty page is Bol's { }"
            return lines
        lines += rows
        page += 1


def a_month_of_business(sim, bol):
    """Two orders shipped (one with a label bol sold), one unit returned and refunded, a
    correction: the transactions of one period."""
    offers = [o for o in control(sim, "offers")["offers"] if o["fulfilmentMethod"] == "FBR"]
    created = control(
        sim,
        "add_orders",
        {
            "orders": [
                {
                    "lines": [
                        {"ean": offers[0]["ean"], "quantity": 2, "unit_price": 20.0},
                        {"ean": offers[1]["ean"], "quantity": 1, "unit_price": 15.5},
                    ]
                },
                {"lines": [{"ean": offers[2]["ean"], "quantity": 1, "unit_price": 9.99}]},
            ]
        },
    )
    first, second = created["orders"]
    control(sim, "set_order_status", {"order_id": first, "status": "SHIPPED"})
    item = created["order_items"][second][0]
    resp = bol.call(
        "POST",
        "/retailer/shipments",
        json_body={"orderItems": [{"orderItemId": item}], "shippingLabelId": "L-1"},
    )
    assert resp.status_code == 202, resp.text
    returned = created["order_items"][first][0]
    control(sim, "add_return", {"order_item_id": returned, "quantity": 1, "handled": True})
    control(sim, "add_invoice_correction", {"amount": 2.5, "description": "Correctie voorraad"})
    return first, second, returned


def test_an_invoice_agrees_with_the_orders_shipments_and_returns_to_the_cent(sim, bol):
    first, second, returned = a_month_of_business(sim, bol)
    details = {o: bol.call("GET", "/retailer/orders/%s" % o).json() for o in (first, second)}
    issued = control(sim, "issue_invoice")
    [item] = listed(bol)
    assert item["invoiceId"] == issued["invoiceId"] and item["invoiceType"] == "ALL_IN_ONE"
    lines = specification(bol, item["invoiceId"])
    by_type = {}
    for line in lines:
        kind = line["item"]["Name"]["value"]
        assert line["id"].endswith("#" + kind) and line["invoiceLineRef"].endswith("#" + kind)
        assert line["lineExtensionAmount"]["currencyID"] == "EUR"
        by_type.setdefault(kind, []).append(line)
    # a TURNOVER line per shipped order item, negative (bol owes it), without VAT of its own
    turnover = {
        next(
            p["Value"]["value"]
            for p in line["item"]["AdditionalItemProperty"]
            if p["Name"]["value"] == "ORDER_ITEM_ID"
        ): line
        for line in by_type["TURNOVER"]
    }
    for order_id, detail in details.items():
        for it in detail["orderItems"]:
            line = turnover[it["orderItemId"]]
            assert cents(line["lineExtensionAmount"]["value"]) == -cents(it["totalPrice"])
            assert cents(line["taxTotal"]["TaxAmount"]["value"]) == 0
            props = {p["Name"]["value"]: p["Value"]["value"] for p in line["item"]["AdditionalItemProperty"]}
            assert props["ORDER_ID"] == order_id and props["EAN"] == it["product"]["ean"]
    # commission per item as the order states it, with 21% VAT
    commission = sorted(cents(line["lineExtensionAmount"]["value"]) for line in by_type["COMMISSION"])
    stated = sorted(cents(it["commission"]) for d in details.values() for it in d["orderItems"])
    assert commission == stated
    for line in by_type["COMMISSION"]:
        net = cents(line["lineExtensionAmount"]["value"])
        assert cents(line["taxTotal"]["TaxAmount"]["value"]) == (net * Decimal("0.21")).quantize(
            Decimal("0.01")
        )
    [label] = by_type["SHIPMENT_LABEL"]
    assert cents(label["lineExtensionAmount"]["value"]) > 0 and second in label["id"]
    # the returned unit: its turnover and commission corrected
    [correction] = by_type["CORRECTION_TURNOVER"]
    assert cents(correction["lineExtensionAmount"]["value"]) == Decimal("20.00")
    assert correction["invoicedQuantity"]["value"] == 1
    [commission_back] = by_type["CORRECTION_COMMISSION"]
    assert cents(commission_back["lineExtensionAmount"]["value"]) < 0
    [other] = by_type["CORRECTION_CORRECTION"]
    assert cents(other["lineExtensionAmount"]["value"]) == Decimal("2.50")
    assert other["item"]["AdditionalItemProperty"] == [] and other["item"]["Description"][0]["value"] == (
        "Correctie voorraad"
    )
    # payableAmount = the specification's sum, taxes included, to the cent; negative: bol pays
    total = sum(
        cents(x["lineExtensionAmount"]["value"]) + cents(x["taxTotal"]["TaxAmount"]["value"]) for x in lines
    )
    net = sum(cents(x["lineExtensionAmount"]["value"]) for x in lines)
    totals = item["legalMonetaryTotal"]
    assert cents(totals["payableAmount"]["amount"]) == total == cents(issued["payableAmount"]) < 0
    assert cents(totals["taxExclusiveAmount"]["amount"]) == net
    assert cents(totals["taxInclusiveAmount"]["amount"]) == total
    # the invoice itself sums each line type
    invoice = bol.call("GET", "/retailer/invoices/%s" % item["invoiceId"]).json()
    summary = {
        line["item"]["Name"]["value"]: cents(line["lineExtensionAmount"]["value"])
        for line in invoice["invoiceLine"]
    }
    assert summary == {
        k: sum(cents(x["lineExtensionAmount"]["value"]) for x in v) for k, v in by_type.items()
    }
    assert cents(invoice["legalMonetaryTotal"]["PayableAmount"]["value"]) == total
    # nothing is invoiced twice: the next period has only what happened since
    again = control(sim, "issue_invoice")
    assert again["invoiceId"] != item["invoiceId"] and again["lines"] == [] and again["payableAmount"] == 0


def test_the_31_day_rule_and_the_default_period(sim, bol):
    a_month_of_business(sim, bol)
    control(sim, "issue_invoice")
    today = date.today()
    assert len(listed(bol)) == 1, "the past 4 weeks by default"
    assert (
        len(
            listed(
                bol, **{"period-start-date": str(today - timedelta(days=30)), "period-end-date": str(today)}
            )
        )
        == 1
    )
    long = bol.call(
        "GET",
        "/retailer/invoices",
        params={"period-start-date": str(today - timedelta(days=31)), "period-end-date": str(today)},
    )
    body = check_problem(long, 400)
    assert "31 days" in body["violations"][0]["reason"]
    alone = bol.call("GET", "/retailer/invoices", params={"period-start-date": str(today)})
    assert "together" in check_problem(alone, 400)["violations"][0]["reason"]
    reversed_ = bol.call(
        "GET",
        "/retailer/invoices",
        params={"period-start-date": str(today), "period-end-date": str(today - timedelta(days=1))},
    )
    check_problem(reversed_, 400)
    bad = bol.call(
        "GET", "/retailer/invoices", params={"period-start-date": "yesterday", "period-end-date": str(today)}
    )
    assert check_problem(bad, 400)["violations"][0]["name"] == "period-start-date"
    past = bol.call(
        "GET",
        "/retailer/invoices",
        params={
            "period-start-date": str(today - timedelta(days=90)),
            "period-end-date": str(today - timedelta(days=60)),
        },
    )
    assert past.status_code == 200 and "invoiceListItems" not in past.json(), "bol leaves empty lists out"


def test_media_types_as_listed_and_in_the_standard_form(sim, bol):
    a_month_of_business(sim, bol)
    invoice_id = control(sim, "issue_invoice")["invoiceId"]
    [item] = listed(bol)
    assert item["invoiceMediaTypes"]["availableMediaTypes"] == [
        "application/json",
        "application/xml",
        "application/pdf",
    ]
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        in (item["specificationMediaTypes"]["availableMediaTypes"])
    )
    path = "/retailer/invoices/%s" % invoice_id
    pdf = bol.call("GET", path, accept=PDF)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == PDF and pdf.content.startswith(b"%PDF-")
    xml = bol.call("GET", path, accept=XML)
    assert xml.status_code == 200 and b"<cbc:ID>%s</cbc:ID>" % invoice_id.encode() in xml.content
    assert bol.call("GET", path).headers["Content-Type"].startswith(MEDIA_TYPE)
    # the listed plain form is not the API's standard form: refused as bol does
    for accept in ("application/pdf", "application/json"):
        assert check_problem(bol.call("GET", path, accept=accept), 406)["title"] == "Not Acceptable"
    check_problem(bol.call("GET", "/retailer/invoices", accept="application/json"), 406)
    check_problem(bol.call("GET", path + "/specification", accept=PDF), 406)
    sheet = bol.call("GET", path + "/specification", accept=XLSX)
    assert sheet.status_code == 200 and sheet.headers["Content-Type"] == XLSX
    with zipfile.ZipFile(io.BytesIO(sheet.content)) as workbook:
        rows = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert rows.count("<row>") == len(specification(bol, invoice_id)) + 1
    check_problem(bol.call("GET", "/retailer/invoices/4599999999999"), 404)


def test_the_specification_is_paged(sim, bol):
    a_month_of_business(sim, bol)
    invoice_id = control(sim, "issue_invoice")["invoiceId"]
    everything = specification(bol, invoice_id)
    control(sim, "invoice_page_size", {"lines": 3})
    pages = []
    for page in range(1, 10):
        resp = bol.call("GET", "/retailer/invoices/%s/specification" % invoice_id, params={"page": page})
        rows = resp.json().get("invoiceSpecification")
        if not rows:
            break
        assert len(rows) <= 3
        pages.append(rows)
    assert [r for rows in pages for r in rows] == everything and len(pages) == -(-len(everything) // 3)
    check_problem(
        bol.call("GET", "/retailer/invoices/%s/specification" % invoice_id, params={"page": 0}), 400
    )


def test_invoices_are_rate_limited_at_24_a_minute(sim, bol):
    requests.post(
        sim + "/_sim/rate_limits", json={"enabled": True, "scale": 1.0}, timeout=10
    ).raise_for_status()
    answers = [bol.call("GET", "/retailer/invoices") for _ in range(25)]
    assert [a.status_code for a in answers[:24]] == [200] * 24
    assert answers[0].headers["X-RateLimit-Limit"] == "24"
    assert answers[24].status_code == 429 and int(answers[24].headers["Retry-After"]) >= 1
    assert json.loads(answers[24].content)["title"] == "Too Many Requests"


def test_the_history_is_invoiced_month_by_month(sim, bol):
    requests.post(
        sim + "/_sim/reset", json={"seed": 7, "sizes": {"bol": {"orders": 120, "products": 12}}}, timeout=10
    ).raise_for_status()
    invoices = control(sim, "invoices")["invoices"]
    assert invoices, "60 days of orders span at least one closed month"
    units, orders = {}, {}
    for invoice in invoices:
        total = sum(cents(x["amount"]) + cents(x["tax"]) for x in invoice["lines"])
        assert total == cents(invoice["payableAmount"])
        for line in invoice["lines"]:
            if line["type"] == "TURNOVER":
                units[line["orderItemId"]] = units.get(line["orderItemId"], 0) + line["quantity"]
                orders[line["orderItemId"]] = line["orderId"]
    for item_id, invoiced in units.items():
        order = control(sim, "get_order", {"order_id": orders[item_id]})["order"]
        [item] = [it for it in order["orderItems"] if it["orderItemId"] == item_id]
        assert 1 <= invoiced <= item["quantityShipped"], "only shipped units are invoiced"
    # what was invoiced is never invoiced again
    again = control(sim, "issue_invoice")
    assert not {x["orderItemId"] for x in again["lines"] if x["type"] == "TURNOVER"} & set(units)
