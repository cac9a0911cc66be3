"""Amazon's Finances v0 -> the neutral settlement (settlement_mapping.py), without Odoo: on the
contract's own examples, on every event list the contract defines (events built from its
schema), and on a hand-built settlement period whose figures are checked to the cent."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from marketplace_amazon.adapter.settlement_mapping import (
    FEE_TYPES,
    HANDLERS,
    SettlementDataError,
    adjustment_kind,
    events_to_lines,
    group_to_settlement,
    refund_lines,
    refund_ref,
    settlement_lines,
)
from marketplace_base.schemas.settlement import LINE_KINDS, Settlement, SettlementLine

SPEC = Path(__file__).resolve().parents[2] / ".." / "shared" / "apispecs" / "amazon" / "financesV0.json"


def spec():
    return json.loads(SPEC.read_text())


def contract_examples(kind):
    """The 200 answers' payloads of the contract's sandbox examples holding `kind`."""
    for operations in spec()["paths"].values():
        for operation in operations.values():
            for example in operation["responses"]["200"]["x-amzn-api-sandbox"]["static"]:
                payload = example["response"]["payload"]
                if kind in payload:
                    yield operation["operationId"], payload


def money(amount, currency="EUR"):
    return {"CurrencyCode": currency, "CurrencyAmount": amount}


def charge(kind, amount):
    return {"ChargeType": kind, "ChargeAmount": money(amount)}


def fee(kind, amount):
    return {"FeeType": kind, "FeeAmount": money(amount)}


def total(lines):
    return sum((Decimal(str(line["amount"])) for line in lines), Decimal(0))


def by_key(lines):
    return {line["external_id"]: line for line in lines}


def valid(lines):
    """Every line valid for the neutral schema, keys unique."""
    for line in lines:
        SettlementLine(**line)
    keys = [line["external_id"] for line in lines]
    assert len(keys) == len(set(keys)), keys
    return lines


# ---------------------------------------------------------------------------------------------
# A settlement period of an EU account, built by hand (Amazon's signs: fees negative)
# ---------------------------------------------------------------------------------------------

ORDER, US_ORDER, OTHER = "302-1111111-1111111", "112-2222222-2222222", "302-3333333-3333333"
POSTED = "2026-03-02T10:15:30.123Z"


def sale():
    """Two items, shipping, gift wrap, a promotion; commission per item, FBA fee, closing fee."""
    return {
        "AmazonOrderId": ORDER,
        "MarketplaceName": "Amazon.de",
        "PostedDate": POSTED,
        "ShipmentFeeList": [fee("FixedClosingFee", -0.81)],
        "ShipmentItemList": [
            {
                "SellerSKU": "SIM-A",
                "OrderItemId": "11111111111111",
                "QuantityShipped": 2,
                "ItemChargeList": [
                    charge("Principal", 33.61),
                    charge("Tax", 6.39),
                    charge("ShippingCharge", 4.11),
                    charge("ShippingTax", 0.78),
                    charge("GiftWrap", 2.52),
                    charge("GiftWrapTax", 0.48),
                ],
                "ItemFeeList": [fee("Commission", -6.00), fee("FBAPerUnitFulfillmentFee", -5.40)],
                "PromotionList": [
                    {"PromotionType": "Item", "PromotionId": "PROMO-1", "PromotionAmount": money(-4.00)}
                ],
            },
            {
                "SellerSKU": "SIM-B",
                "OrderItemId": "22222222222222",
                "QuantityShipped": 1,
                "ItemChargeList": [charge("Principal", 8.40), charge("Tax", 1.60)],
                "ItemFeeList": [fee("Commission", -1.50), fee("FBAPerUnitFulfillmentFee", -2.70)],
            },
        ],
    }


def facilitator_sale():
    """A US order whose sales tax Amazon collects and withholds (MarketplaceFacilitator)."""
    return {
        "AmazonOrderId": US_ORDER,
        "PostedDate": "2026-03-03T08:00:00Z",
        "ShipmentItemList": [
            {
                "SellerSKU": "SIM-US",
                "OrderItemId": "33333333333333",
                "QuantityShipped": 1,
                "ItemChargeList": [
                    charge("Principal", 20.00),
                    charge("Tax", 1.65),
                    charge("ShippingCharge", 5.00),
                    charge("ShippingTax", 0.41),
                ],
                "ItemFeeList": [fee("Commission", -3.00)],
                "ItemTaxWithheldList": [
                    {
                        "TaxCollectionModel": "MarketplaceFacilitator",
                        "TaxesWithheld": [
                            charge("MarketplaceFacilitatorTax-Principal", -1.65),
                            charge("MarketplaceFacilitatorTax-Shipping", -0.41),
                        ],
                    }
                ],
            }
        ],
    }


def refund():
    """One unit of SIM-A and the shipping refunded; the commission given back but the
    refund administration fee kept."""
    return {
        "AmazonOrderId": ORDER,
        "PostedDate": "2026-03-05T12:00:00Z",
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": "SIM-A",
                "OrderAdjustmentItemId": "90001",
                "QuantityShipped": 1,
                "ItemChargeAdjustmentList": [
                    charge("Principal", -16.81),
                    charge("Tax", -3.19),
                    charge("ShippingCharge", -4.11),
                    charge("ShippingTax", -0.78),
                ],
                "ItemFeeAdjustmentList": [fee("Commission", 3.00), fee("RefundCommission", -0.60)],
            }
        ],
    }


def period():
    return {
        "ShipmentEventList": [sale(), facilitator_sale()],
        "RefundEventList": [refund()],
        "GuaranteeClaimEventList": [],
        "ChargebackEventList": [
            {
                "AmazonOrderId": OTHER,
                "PostedDate": "2026-03-06T00:00:00Z",
                "ShipmentItemAdjustmentList": [
                    {
                        "SellerSKU": "SIM-C",
                        "OrderAdjustmentItemId": "90002",
                        "ItemChargeAdjustmentList": [charge("Principal", -12.00)],
                    }
                ],
            }
        ],
        "ServiceFeeEventList": [
            {"FeeReason": "Subscription", "FeeList": [fee("Subscription", -39.00)], "FeeDescription": "Pro"}
        ],
        "AdjustmentEventList": [
            {"AdjustmentType": "ReserveDebit", "PostedDate": POSTED, "AdjustmentAmount": money(-25.00)},
            {
                "AdjustmentType": "WAREHOUSE_DAMAGE",
                "PostedDate": POSTED,
                "AdjustmentAmount": money(7.35),
                "AdjustmentItemList": [{"SellerSKU": "SIM-B", "Quantity": "1", "TotalAmount": money(7.35)}],
            },
        ],
        "RemovalShipmentEventList": [
            {
                "PostedDate": POSTED,
                "OrderId": "R-1",
                "MerchantOrderId": "REMOVAL-1",
                "RemovalShipmentItemList": [
                    {
                        "Quantity": 3,
                        "Revenue": money(9.00),
                        "FeeAmount": money(-1.50),
                        "TaxAmount": money(0.90),
                        "TaxWithheld": money(0.90),
                    }
                ],
            }
        ],
        "FutureThingEventList": [{"PostedDate": POSTED, "TransactionAmount": money(-1.23)}],
    }


# what the seller gets, added up by hand
SALE = Decimal("33.61") + Decimal("6.39") + Decimal("4.89") + Decimal("3.00") - 4 + Decimal("10.00")
SALE_FEES = Decimal("-0.81") - Decimal("7.50") - Decimal("8.10")
US = Decimal("20.00") + Decimal("5.00") - 3
REFUND = -Decimal("24.89") + Decimal("2.40")
PERIOD_TOTAL = (
    SALE
    + SALE_FEES
    + US
    + REFUND
    - 12
    - 39
    - 25
    + Decimal("7.35")
    + Decimal("9.00")
    - Decimal("1.50")
    - Decimal("1.23")
)


def test_a_period_adds_up_to_its_total_to_the_cent():
    lines = valid(events_to_lines(period(), "EUR"))
    assert total(lines) == PERIOD_TOTAL == Decimal("-25.39")
    assert {line["kind"] for line in lines} <= set(LINE_KINDS)
    settlement = Settlement(
        external_id="G1", currency="EUR", closed=True, payout_amount=float(PERIOD_TOTAL), lines=lines
    )
    assert len(settlement.lines) == len(lines)


def test_a_sale_is_an_order_line_made_of_its_parts_and_fee_lines_per_type():
    lines = by_key(valid(events_to_lines({"ShipmentEventList": [sale()]}, "EUR")))
    order = lines["shipment:%s:2026-03-02T10:15:30Z" % ORDER]
    assert order["kind"] == "order" and order["order_ref"] == ORDER
    assert (order["principal"], order["tax"], order["shipping"], order["gift_wrap"], order["promotions"]) == (
        42.01,
        7.99,
        4.89,
        3.00,
        -4.00,
    )
    assert order["amount"] == 53.89 == round(42.01 + 7.99 + 4.89 + 3.00 - 4.00, 2)
    fees = {line["fee_type"]: line for line in lines.values() if line["kind"] == "fee"}
    # summed per type over the order's items
    assert {code: line["amount"] for code, line in fees.items()} == {
        "Commission": -7.50,
        "FBAPerUnitFulfillmentFee": -8.10,
        "FixedClosingFee": -0.81,
    }
    assert all(line["order_ref"] == ORDER for line in fees.values())


def test_tax_amazon_withholds_is_not_the_sellers():
    (order,) = [
        line
        for line in events_to_lines({"ShipmentEventList": [facilitator_sale()]}, "USD")
        if line["kind"] == "order"
    ]
    # what the invoice says (price net of the tax Amazon remits) is what Amazon pays
    assert order["amount"] == 25.00
    assert (order["principal"], order["tax"], order["shipping"]) == (20.00, 0.00, 5.00)


def test_a_refund_names_its_items_and_its_fees():
    lines = valid(events_to_lines({"RefundEventList": [refund()]}, "EUR"))
    (line,) = refund_lines(lines)
    assert line["refund_ref"] == "%s:2026-03-05T12:00:00Z:90001" % ORDER
    assert line["order_ref"] == ORDER and line["amount"] == -24.89
    assert line["shipping"] == -4.89 and line["principal"] == -16.81 and line["tax"] == -3.19
    (item,) = line["items"]
    assert item == {"order_line_ref": None, "sku": "SIM-A", "quantity": 1.0, "amount": 20.00, "tax": 3.19}
    fees = {line["fee_type"]: line["amount"] for line in lines if line["kind"] == "fee"}
    assert fees == {"Commission": 3.00, "RefundCommission": -0.60}


def test_a_refund_keeps_its_id_wherever_it_is_read():
    """The group's listing and the order's give the same refund id (one credit note)."""
    alone = refund_lines(events_to_lines({"RefundEventList": [refund()]}, "EUR"))
    among = refund_lines(events_to_lines(period(), "EUR"))
    assert alone[0]["refund_ref"] == among[0]["refund_ref"] == refund_ref(refund())
    assert alone[0]["external_id"] == among[0]["external_id"]
    bare = refund()
    bare["ShipmentItemAdjustmentList"][0].pop("OrderAdjustmentItemId")
    twice = refund_lines(events_to_lines({"RefundEventList": [bare, copy.deepcopy(bare)]}, "EUR"))
    assert [r["refund_ref"][-3:] for r in twice] == [":#0", ":#1"]


def test_reserves_reimbursements_chargebacks_removals_and_unknown_events():
    lines = valid(events_to_lines(period(), "EUR"))
    kinds = {(line["kind"], line.get("fee_type")): line["amount"] for line in lines}
    assert kinds[("reserve", None)] == -25.00  # booked on the reserve account, no fee type
    assert kinds[("reimbursement", "WAREHOUSE_DAMAGE")] == 7.35
    assert kinds[("adjustment", "Chargeback")] == -12.00
    assert kinds[("fee", "Subscription")] == -39.00
    assert kinds[("adjustment", "RemovalShipmentRevenue")] == 9.00  # tax withheld by Amazon off
    assert kinds[("fee", "RemovalShipmentFee")] == -1.50
    # an event list Amazon adds one day: a fee line of its own code, never an error
    assert kinds[("fee", "FutureThing")] == -1.23
    chargeback = next(line for line in lines if line.get("fee_type") == "Chargeback")
    assert chargeback["order_ref"] == OTHER


def test_keys_are_the_same_at_every_read_however_amazon_pages():
    events = period()
    once = events_to_lines(events, "EUR")
    # the same events over two pages (Amazon pages by count, not by list)
    first = {"ShipmentEventList": events["ShipmentEventList"][:1]}
    second = dict(events, ShipmentEventList=events["ShipmentEventList"][1:])
    paged = [line for page in settlement_lines([first, second], "EUR") for line in page]
    assert {line["external_id"]: line["amount"] for line in once} == {
        line["external_id"]: line["amount"] for line in paged
    }
    # two events alike (same order, same second) are told apart by their order of arrival
    twin = copy.deepcopy(sale())
    twin["PostedDate"] = "2026-03-02T10:15:30Z"
    pages = list(settlement_lines([{"ShipmentEventList": [sale()]}, {"ShipmentEventList": [twin]}], "EUR"))
    keys = [line["external_id"] for page in pages for line in page if line["kind"] == "order"]
    assert keys == ["shipment:%s:2026-03-02T10:15:30Z" % ORDER, "shipment:%s:2026-03-02T10:15:30Z:1" % ORDER]


def test_amounts_are_exact_and_rounded_to_the_currency():
    cents = {"ServiceFeeEventList": [{"FeeList": [fee("Subscription", 0.1), fee("Subscription", 0.2)]}]}
    (line,) = events_to_lines(cents, "EUR")
    assert line["amount"] == 0.3  # not 0.30000000000000004
    yen = {"ServiceFeeEventList": [{"FeeList": [fee("Subscription", -4900.4)]}]}
    assert events_to_lines(yen, "JPY")[0]["amount"] == -4900
    nothing = {"ServiceFeeEventList": [{"FeeList": [fee("Subscription", 0.001)]}]}
    assert events_to_lines(nothing, "EUR") == []  # a line of nothing is not booked


def test_an_unreadable_amount_says_where_it_is():
    broken = {"ServiceFeeEventList": [{"FeeList": [{"FeeType": "Subscription", "FeeAmount": money("abc")}]}]}
    with pytest.raises(SettlementDataError, match="fee amount is not an amount: 'abc'"):
        events_to_lines(broken, "EUR")


# ---------------------------------------------------------------------------------------------
# The contract: its examples, and every event list it defines
# ---------------------------------------------------------------------------------------------


def test_the_contracts_examples():
    groups = [
        g
        for _op, payload in contract_examples("FinancialEventGroupList")
        for g in payload["FinancialEventGroupList"]
    ]
    (group,) = groups
    settlement = Settlement(**group_to_settlement(group))
    # PROCESSED with a transfer date: paid out, so closed; its payout the OriginalTotal
    assert settlement.closed and settlement.payout_amount == 10.34 and settlement.currency == "USD"
    assert settlement.payout_date.isoformat() == "2020-02-07T14:38:42.128000"
    examples = list(contract_examples("FinancialEvents"))
    assert len(examples) == 3
    for operation, payload in examples:
        events = payload["FinancialEvents"]
        valid(events_to_lines(events, "USD"))
        for name, listed in events.items():  # every list of the example gives its lines
            assert events_to_lines({name: listed}, "USD"), (operation, name)


def build(schema, definitions, amount):
    """An instance of a schema of the contract: every field filled, every amount `amount`."""
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name == "Currency":
            return money(amount, "USD")
        if name == "Date":
            return "2026-03-02T10:00:00Z"
        if name == "BigDecimal":
            return amount
        return build(definitions[name], definitions, amount)
    if schema.get("type") == "array":
        return [build(schema["items"], definitions, amount)]
    if schema.get("type") == "object" or "properties" in schema:
        return {k: build(v, definitions, amount) for k, v in schema.get("properties", {}).items()}
    if schema.get("type") == "integer":
        return 1
    if schema.get("type") == "number":
        return amount
    return "X1"


def test_every_event_list_of_the_contract_is_read():
    definitions = spec()["definitions"]
    lists = definitions["FinancialEvents"]["properties"]
    assert set(lists) <= set(HANDLERS), set(lists) - set(HANDLERS)
    for name, schema in lists.items():
        events = {name: build(schema, definitions, -1.25)}
        lines = valid(events_to_lines(events, "USD"))
        assert lines, name
        assert all(line["amount"] for line in lines)


def test_settlement_headers():
    open_group = {
        "FinancialEventGroupId": "G-OPEN",
        "ProcessingStatus": "Open",
        "FundTransferStatus": "Unknown",
        "OriginalTotal": money(120.5),
        "FinancialEventGroupStart": "2026-03-01T00:00:00Z",
    }
    header = Settlement(**group_to_settlement(open_group))
    assert not header.closed and header.payout_amount == 120.5 and header.end is None
    closed = dict(open_group, ProcessingStatus="Closed", FundTransferDate="2026-03-15T02:00:00Z")
    closed["OriginalTotal"] = money(-12.3)  # the seller owes Amazon
    assert Settlement(**group_to_settlement(closed)).payout_amount == -12.3
    # a closed group Amazon lists without its total: open until the total comes
    untotalled = {"FinancialEventGroupId": "G-2", "ProcessingStatus": "Closed"}
    header = Settlement(**group_to_settlement(untotalled, currency="GBP"))
    assert not header.closed and header.currency == "GBP" and header.payout_amount is None
    with pytest.raises(SettlementDataError, match="says no currency"):
        group_to_settlement(untotalled)


def test_fee_types():
    codes = [code for code, _label, _kind in FEE_TYPES]
    assert len(codes) == len(set(codes))
    assert {kind for _code, _label, kind in FEE_TYPES} == {"fee", "reimbursement", "adjustment"}
    assert adjustment_kind("ReserveCredit") == "reserve"
    assert adjustment_kind("FBAInventoryReimbursement") == "reimbursement"
    assert adjustment_kind("WAREHOUSE_LOST_MANUAL") == "reimbursement"  # not listed, still told
    assert adjustment_kind("PostageBilling_Insurance") == "fee"
    assert adjustment_kind("SomethingNew") == "adjustment"
