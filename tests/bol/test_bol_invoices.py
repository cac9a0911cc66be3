"""Bol.com invoices -> neutral settlements (marketplace_bol/adapter/invoice_mapping.py), and the
client's invoice calls against the simulator over real HTTP (no Odoo, no mocks).

The mapping is checked on what the simulator serves and on the other shapes bol's JSON takes
(the specification is UBL serialised to JSON: the documented example's `<order>#<n>#TYPE` IDs
without properties, unnamed properties, `<order>#<EAN>#TYPE` IDs, string amounts, epoch dates)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from marketplace_base.schemas.settlement import LINE_KINDS, Settlement
from marketplace_bol.adapter import client as client_module
from marketplace_bol.adapter.client import BolClient, BolError
from marketplace_bol.adapter.invoice_mapping import (
    FEE_TYPES,
    difference_line,
    period_windows,
    settlement_header,
    settlement_lines,
    to_neutral_settlement,
)

from conftest import post

CLIENT_ID, SECRET = "sim-bol-client", "sim-bol-secret"


@pytest.fixture(autouse=True)
def fresh(sim):
    post(
        sim, "/_sim/reset", {"seed": 3, "sizes": {"bol": {"orders": 0, "products": 12}}, "rate_limits": False}
    )
    post(sim, "/_sim/bol/process_timing", {"polls": 1, "seconds": 0})
    client_module.reset_rate_limits()
    client_module.forget_tokens()
    yield


def client(sim):
    return BolClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        endpoint=sim + "/bol",
        rate_scale=1000,
        sleep=lambda s: None,
    )


def cents(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def total(lines):
    return sum(cents(line["amount"]) for line in lines)


def a_period(sim):
    """An order of two items shipped, one unit returned and refunded, a correction; the period
    is then invoiced. Answers (order id, its item ids)."""
    offers = [o for o in post(sim, "/_sim/bol/offers", {})["offers"] if o["fulfilmentMethod"] == "FBR"]
    created = post(
        sim,
        "/_sim/bol/add_orders",
        {
            "lines": [
                {"ean": offers[0]["ean"], "quantity": 2, "unit_price": 24.95},
                {"ean": offers[1]["ean"], "quantity": 1, "unit_price": 12.0},
            ]
        },
    )
    order_id = created["orders"][0]
    items = created["order_items"][order_id]
    post(sim, "/_sim/bol/set_order_status", {"order_id": order_id, "status": "SHIPPED"})
    post(sim, "/_sim/bol/add_return", {"order_item_id": items[0], "quantity": 1, "handled": True})
    post(sim, "/_sim/bol/add_invoice_correction", {"amount": -3.0, "type": "COMPENSATION_LOST_GOODS"})
    post(sim, "/_sim/bol/issue_invoice", {})
    return order_id, items


def read_all(bol, invoice_id):
    rows, page = [], 1
    while True:
        chunk = bol.invoice_specification(invoice_id, page)
        if not chunk:
            return rows
        rows += chunk
        page += 1


def test_an_invoice_of_the_simulator_becomes_a_closed_settlement_that_adds_up(sim):
    order_id, items = a_period(sim)
    bol = client(sim)
    today = date.today()
    [invoice] = bol.invoices(today - timedelta(days=30), today)
    rows = read_all(bol, invoice["invoiceId"])
    settlement = Settlement(**to_neutral_settlement(invoice, rows))
    payable = cents(invoice["legalMonetaryTotal"]["payableAmount"]["amount"])
    assert (
        settlement.closed and settlement.external_id == invoice["invoiceId"] and settlement.currency == "EUR"
    )
    assert cents(settlement.payout_amount) == -payable > 0, "what bol pays is -payableAmount"
    assert sum(cents(line.amount) for line in settlement.lines) == cents(settlement.payout_amount)
    assert not [line for line in settlement.lines if line.fee_type == "INVOICE_DIFFERENCE"]
    kinds = {}
    for line in settlement.lines:
        kinds.setdefault(line.kind, []).append(line)
    # TURNOVER: one order line per item, what the buyer paid, positive to the seller
    assert sorted(cents(line.amount) for line in kinds["order"]) == [Decimal("12.00"), Decimal("49.90")]
    assert {line.order_ref for line in kinds["order"]} == {order_id}
    # the return: a refund of the returned unit, its reference the specification line's ID
    [refund] = kinds["refund"]
    assert cents(refund.amount) == Decimal("-24.95") and refund.order_ref == order_id
    assert refund.refund_ref == refund.external_id and refund.refund_ref.endswith("#CORRECTION_TURNOVER")
    assert [(i.order_line_ref, i.quantity, cents(i.amount)) for i in refund.items] == [
        (items[0], 1, Decimal("24.95"))
    ]
    # commissions and their correction: fees by type, VAT included, with the order
    fees = {line.fee_type: line for line in kinds["fee"] if line.fee_type == "CORRECTION_COMMISSION"}
    assert cents(fees["CORRECTION_COMMISSION"].amount) > 0, "commission given back on the return"
    commissions = [line for line in kinds["fee"] if line.fee_type == "COMMISSION"]
    assert len(commissions) == 2 and all(cents(c.amount) < 0 and c.order_ref == order_id for c in commissions)
    for c in commissions:
        assert cents(c.tax) == (cents(c.amount) / Decimal("1.21") * Decimal("0.21")).quantize(Decimal("0.01"))
    [lost] = kinds["reimbursement"]
    assert lost.fee_type == "COMPENSATION_LOST_GOODS" and cents(lost.amount) == Decimal("3.00")
    # every line's key is unique and stable: reading again gives the same settlement
    assert len({line.external_id for line in settlement.lines}) == len(settlement.lines)
    assert Settlement(**to_neutral_settlement(invoice, read_all(bol, invoice["invoiceId"]))) == settlement


def test_the_client_walks_31_day_windows_and_bol_refuses_longer_ones(sim):
    bol = client(sim)
    windows = period_windows(date(2025, 1, 1), date(2025, 4, 15))
    assert windows[0] == (date(2025, 1, 1), date(2025, 1, 31))
    assert all((end - start).days + 1 <= 31 for start, end in windows)
    assert all(b[0] == a[1] + timedelta(days=1) for a, b in zip(windows, windows[1:])), "no gap, no overlap"
    assert windows[-1][1] == date(2025, 4, 15)
    for start, end in windows:
        assert bol.invoices(start, end) == []
    with pytest.raises(BolError, match="31 days"):
        bol.invoices(date(2025, 1, 1), date(2025, 2, 1))


def test_the_specification_is_read_page_by_page(sim):
    a_period(sim)
    post(sim, "/_sim/bol/invoice_page_size", {"lines": 2})
    bol = client(sim)
    [invoice] = bol.invoices(date.today() - timedelta(days=3), date.today())
    seen, lines, page = set(), [], 1
    while True:
        rows = bol.invoice_specification(invoice["invoiceId"], page)
        if not rows:
            break
        assert len(rows) <= 2
        lines += settlement_lines(rows, seen=seen)
        page += 1
    assert page > 3 and cents(total(lines)) == -cents(
        invoice["legalMonetaryTotal"]["payableAmount"]["amount"]
    )


# --------------------------------------------------------------------------------------------
# other shapes of bol's JSON
# --------------------------------------------------------------------------------------------


def documented_row(line_id, name, amount, tax="0.00", quantity="1.00", properties=None):
    """A line as bol's documented example, in JSON: capitalised keys, amounts as text."""
    item = {"Description": "Verkoopprijs", "Name": name}
    if properties is not None:
        item["AdditionalItemProperty"] = properties
    return {
        "ID": line_id,
        "InvoiceLineRef": "9891954#%s" % name,
        "InvoicedQuantity": {"unitCode": "ZZ", "value": quantity},
        "LineExtensionAmount": {"currencyID": "EUR", "value": amount},
        "TaxTotal": [{"TaxAmount": {"currencyID": "EUR", "value": tax}}],
        "Item": item,
    }


def test_the_documented_example_shape_maps_by_the_line_id():
    rows = [
        documented_row("514884517#1#TURNOVER", "TURNOVER", "-23.99"),
        documented_row("514884517#1#COMMISSION", "COMMISSION", "3.50", "0.74"),
        documented_row("514884517#2#CORRECTION_TURNOVER", "CORRECTION_TURNOVER", "23.99"),
    ]
    sale, commission, refund = settlement_lines(rows)
    assert (sale["kind"], sale["order_ref"], sale["amount"]) == ("order", "514884517", 23.99)
    assert (commission["kind"], commission["fee_type"], commission["amount"]) == ("fee", "COMMISSION", -4.24)
    assert commission["tax"] == -0.74
    assert (refund["kind"], refund["refund_ref"], refund["amount"]) == (
        "refund",
        "514884517#2#CORRECTION_TURNOVER",
        -23.99,
    )
    assert refund["items"] == [{"order_line_ref": None, "quantity": 1.0, "amount": 23.99, "tax": 0.0}]


def test_unnamed_properties_and_ean_in_the_id():
    unnamed = [{"Value": {"value": "A00075J48J"}}, {"Value": {"value": "7445931066009"}}]
    rows = [
        {
            "id": "A00075J48J#7445931066009#TURNOVER",
            "lineExtensionAmount": {"value": -15.0},
            "taxTotal": {"TaxAmount": {"value": 0}},
            "item": {"Name": {"value": "TURNOVER"}, "AdditionalItemProperty": unnamed},
        },
        {
            "id": "B00011ZZ9K#8712345678906#PICK_PACK",
            "lineExtensionAmount": {"value": 1.45},
            "taxTotal": {"TaxAmount": {"value": 0.3}},
            "item": {"AdditionalItemProperty": []},
        },
    ]
    sale, pick = settlement_lines(rows, order_refs={("B00011ZZ9K", "8712345678906"): "B00011ZZ9K-FBB"})
    assert sale["order_ref"] == "A00075J48J" and "EAN 7445931066009" in sale["label"]
    assert (pick["fee_type"], pick["order_ref"], pick["amount"]) == ("PICK_PACK", "B00011ZZ9K-FBB", -1.75)


def test_unknown_types_corrections_and_lines_without_order_are_never_an_error():
    rows = [
        {"id": "1187290#7#SOMETHING_NEW", "lineExtensionAmount": {"value": 10}, "taxTotal": {}, "item": {}},
        {
            "id": "1187290#8#CORRECTION_CORRECTION",
            "lineExtensionAmount": {"value": -2},
            "item": {"Name": "CORRECTION_CORRECTION"},
        },
        {
            "id": "1187290#9#COMPENSATION",
            "lineExtensionAmount": {"value": -5},
            "item": {"Name": "COMPENSATION"},
        },
        {"lineExtensionAmount": {"amount": "-7.5"}, "item": {"Name": {"value": "TURNOVER"}}},
        "not a line",
    ]
    unknown, correction, compensation, orphan = settlement_lines(rows)
    assert (unknown["kind"], unknown["fee_type"], unknown["amount"]) == ("fee", "SOMETHING_NEW", -10.0)
    assert (correction["kind"], correction["amount"]) == ("adjustment", 2.0)
    assert (compensation["kind"], compensation["amount"], compensation["order_ref"]) == (
        "reimbursement",
        5.0,
        None,
    )
    assert (orphan["kind"], orphan["fee_type"], orphan["amount"]) == ("adjustment", "TURNOVER", 7.5)
    assert orphan["external_id"] == "TURNOVER"


def test_a_repeated_line_id_does_not_hide_a_line():
    row = documented_row("514884517#1#CORRECTION_TURNOVER", "CORRECTION_TURNOVER", "10.00")
    seen = set()
    first = settlement_lines([row], seen=seen)
    second = settlement_lines([row], seen=seen)  # the next page repeats the ID
    assert first[0]["external_id"] != second[0]["external_id"]
    assert second[0]["refund_ref"] == second[0]["external_id"] == "514884517#1#CORRECTION_TURNOVER#2"


def test_header_dates_and_amounts_in_their_several_forms():
    invoice = {
        "invoiceId": 4500022543921,
        "issueDate": 1556661600000,  # epoch milliseconds
        "invoicePeriod": {"startDate": "2019-04-01+02:00", "endDate": "2019-04-30"},
        "legalMonetaryTotal": {"payableAmount": {"amount": -1336.3, "currencyID": "EUR"}},
    }
    header = settlement_header(invoice)
    assert header["external_id"] == "4500022543921" and header["payout_amount"] == 1336.3 and header["closed"]
    assert header["start"] == datetime(2019, 4, 1) and header["end"] == datetime(2019, 4, 30)
    assert header["payout_date"] == datetime(2019, 4, 30, 22, 0)
    assert settlement_header({"invoiceId": "x", "issueDate": "2019-05-01T02:00:00+02:00"})["payout_date"] == (
        datetime(2019, 5, 1, 0, 0)
    )
    without_amounts = settlement_header({"invoiceId": "x", "legalMonetaryTotal": {}})
    assert not without_amounts["closed"] and without_amounts["payout_amount"] is None
    Settlement(**without_amounts)


def test_a_specification_that_does_not_add_up_gets_its_difference_line():
    invoice = {
        "invoiceId": "9",
        "legalMonetaryTotal": {"payableAmount": {"amount": "-100.00", "currencyID": "EUR"}},
    }
    rows = [documented_row("1#1#TURNOVER", "TURNOVER", "-100.01")]
    settlement = Settlement(**to_neutral_settlement(invoice, rows))
    assert sum(cents(line.amount) for line in settlement.lines) == Decimal("100.00")
    diff = settlement.lines[-1]
    assert (diff.kind, diff.fee_type, cents(diff.amount)) == (
        "adjustment",
        "INVOICE_DIFFERENCE",
        Decimal("-0.01"),
    )
    assert difference_line({"external_id": "9", "payout_amount": 1.0}, Decimal("1.00")) is None


def test_the_fee_types_are_bols_documented_line_types():
    codes = [code for code, _label, _kind in FEE_TYPES]
    assert len(codes) == len(set(codes))
    assert {kind for _c, _l, kind in FEE_TYPES} <= {"fee", "reimbursement", "adjustment"} < set(LINE_KINDS)
    for documented in (
        "COMMISSION",
        "CORRECTION_COMMISSION",
        "SHIPMENT_LABEL",
        "PICK_PACK",
        "STOCK",
        "CORRECTION_CORRECTION",
    ):
        assert documented in codes
    assert "TURNOVER" not in codes and "CORRECTION_TURNOVER" not in codes, "sales and refunds are no fees"
