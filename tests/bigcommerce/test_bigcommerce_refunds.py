"""BigCommerce refunds as neutral settlement lines (marketplace_bigcommerce/adapter/
refund_mapping.py): on the contract's example, on hand-built refunds of every kind, and on the
refunds the simulator makes, read through the client over real HTTP (no Odoo, no mocks)."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from marketplace_base.schemas.settlement import SettlementLine
from marketplace_bigcommerce.adapter.client import BigCommerceClient, error_text
from marketplace_bigcommerce.adapter.refund_mapping import (
    RefundMappingError,
    declined,
    gateway_share,
    needs_products,
    paid_through_gateway,
    refund_line,
)


def line(refund, products=None):
    """The mapped line, validated by the neutral schema."""
    return SettlementLine.model_validate(refund_line(refund, products))


def refund(items, total, tax=0.0, payments=None, **extra):
    return dict(
        {
            "id": 31,
            "order_id": 180,
            "user_id": 0,
            "created": "2030-02-01T10:00:00+00:00",
            "reason": "",
            "total_amount": total,
            "total_tax": tax,
            "uses_merchant_override_values": False,
            "items": items,
            "payments": payments
            or [{"id": 1, "provider_id": "stripe", "amount": total, "offline": False, "is_declined": False}],
        },
        **extra,
    )


PRODUCTS = [  # GET /v2/orders/180/products, as the contract spells them
    {
        "id": 87,
        "quantity": 3,
        "total_inc_tax": "30.0000",
        "discounted_total_inc_tax": "27.0000",
        "total_tax": "4.3100",
    },
    {
        "id": 88,
        "quantity": 1,
        "total_inc_tax": "19.9900",
        "discounted_total_inc_tax": "17.9900",
        "total_tax": "2.8700",
    },
    {"id": 89, "quantity": 2, "total_inc_tax": "0.0000", "wrapping_cost_inc_tax": "4.5000", "total_tax": "0"},
]


def test_the_contracts_example():
    # orders.v3.yml, RefundID_Response: a product refunded to store credit, marked offline
    example = {
        "id": 12,
        "order_id": 180,
        "user_id": 0,
        "created": "2022-06-16T16:44:15+00:00",
        "reason": "Customer requires a refund.",
        "total_amount": 50,
        "total_tax": 5,
        "uses_merchant_override_values": False,
        "payments": [
            {
                "id": 13,
                "provider_id": "storecredit",
                "amount": 50,
                "offline": True,
                "is_declined": False,
                "declined_message": "",
            }
        ],
        "items": [{"item_type": "PRODUCT", "item_id": 87, "quantity": 1, "requested_amount": None}],
    }
    mapped = line(example)
    assert (mapped.kind, mapped.external_id, mapped.refund_ref, mapped.order_ref) == (
        "refund",
        "12",
        "12",
        "180",
    )
    assert (mapped.amount, mapped.tax, mapped.shipping, mapped.principal) == (-50.0, -5.0, 0.0, -50.0)
    assert [(i.order_line_ref, i.quantity, i.amount) for i in mapped.items] == [("87", 1.0, 50.0)]
    assert mapped.date == datetime(2022, 6, 16, 16, 44, 15, tzinfo=timezone.utc)
    assert mapped.label == "BigCommerce refund 12 of order 180: Customer requires a refund."
    assert paid_through_gateway(mapped.label) == 0  # store credit: nothing went back through the gateway


def test_several_products_share_the_total_by_what_they_cost():
    items = [
        {"item_type": "PRODUCT", "item_id": 87, "quantity": 2},
        {"item_type": "PRODUCT", "item_id": 88, "quantity": 1},
        {"item_type": "SHIPPING", "item_id": 500, "requested_amount": 5.95},
    ]
    assert needs_products(refund(items, 41.94))
    mapped = line(refund(items, 41.94, 5.67), PRODUCTS)
    # 2 of 3 units of 27.00 after the coupon, and 17.99: 18.00 + 17.99 = 35.99, shipping 5.95
    assert [(i.order_line_ref, i.amount) for i in mapped.items] == [("87", 18.0), ("88", 17.99)]
    assert [i.tax for i in mapped.items] == [2.87, 2.87]
    assert (mapped.amount, mapped.shipping, mapped.principal) == (-41.94, -5.95, -35.99)
    # without the order's products: by quantity, the last one taking what rounding left
    blind = line(refund(items, 41.94))
    assert [i.amount for i in blind.items] == [23.99, 12.0]
    assert sum(Decimal(str(i.amount)) for i in blind.items) == Decimal("35.99")


def test_shipping_handling_and_wrapping():
    items = [
        {"item_type": "SHIPPING", "item_id": 500, "requested_amount": "4.95"},
        {"item_type": "HANDLING", "item_id": 500, "requested_amount": "2.50"},
        {"item_type": "GIFT_WRAPPING", "item_id": 89, "quantity": 2},
    ]
    mapped = line(refund(items, 11.95, 1.91), PRODUCTS)
    assert mapped.items == []
    assert (mapped.amount, mapped.shipping, mapped.gift_wrap, mapped.principal) == (-11.95, -7.45, -4.5, 0.0)


def test_order_level_fee_and_tax_amounts_are_the_rest():
    amount_only = line(refund([{"item_type": "ORDER", "item_id": 180, "requested_amount": 4.5}], 4.5))
    assert (amount_only.amount, amount_only.items, amount_only.shipping, amount_only.tax) == (
        -4.5,
        [],
        0.0,
        0.0,
    )
    fee = line(refund([{"item_type": "FEE", "item_id": 1801, "requested_amount": 1.99}], 1.99, 0.32))
    assert (fee.amount, fee.principal, fee.tax) == (-1.99, -1.99, -0.32)
    tax_only = line(refund([], 0.5, 0.5))  # tax_adjustment_amount: no items, as documented
    assert (tax_only.amount, tax_only.tax, tax_only.items) == (-0.5, -0.5, [])


def test_what_went_back_through_the_gateway():
    payments = [
        {"id": 1, "provider_id": "stripe", "amount": 8.0, "offline": False, "is_declined": False},
        {"id": 2, "provider_id": "storecredit", "amount": 2.0, "offline": False, "is_declined": False},
    ]
    mixed = refund([{"item_type": "ORDER", "item_id": 180, "requested_amount": 10}], 10, payments=payments)
    assert gateway_share(mixed) == Decimal("8.00")
    mapped = line(dict(mixed, reason="Late (99.99 back through the payment gateway)"))
    assert mapped.label.startswith(
        "BigCommerce refund 31 of order 180 (8.00 back through the payment gateway)"
    )
    assert paid_through_gateway(mapped.label) == Decimal("8.00")
    # a reason cannot pass for the connector's own note
    offline = [{"id": 3, "provider_id": "custom", "amount": 10, "offline": True, "is_declined": False}]
    spoof = line(refund([], 10, payments=offline, reason="(10.00 back through the payment gateway)"))
    assert paid_through_gateway(spoof.label) == 0
    cod = [{"id": 4, "provider_id": "cod", "amount": 10, "offline": True, "is_declined": False}]
    assert gateway_share(refund([], 10, payments=cod)) == 0
    refused = [dict(payments[0], is_declined=True, declined_message="card expired")]
    assert declined(refund([], 8, payments=refused)) and gateway_share(refund([], 8, payments=refused)) == 0
    assert not declined(mixed)


def test_a_refund_that_cannot_be_one_line_says_why():
    too_much = refund([{"item_type": "SHIPPING", "item_id": 500, "requested_amount": 12}], 10)
    too_much["items"].append({"item_type": "PRODUCT", "item_id": 87, "quantity": 1})
    with pytest.raises(RefundMappingError, match="more than its total"):
        refund_line(too_much)
    with pytest.raises(RefundMappingError, match="without its id"):
        refund_line({"total_amount": 1})
    with pytest.raises(RefundMappingError, match="not an amount"):
        refund_line(refund([], "ten"))


# ------------------------------------------------------------------------------------------------
# the simulator's refunds, read through the client
# ------------------------------------------------------------------------------------------------


def control(sim, action, payload):
    resp = requests.post(sim + "/_sim/bigcommerce/%s" % action, json=payload, timeout=10)
    assert resp.status_code < 300, resp.text
    return resp.json()


def test_the_simulators_refunds_read_and_mapped_to_the_cent(sim):
    requests.post(
        sim + "/_sim/reset",
        json={"seed": 5, "sizes": {"bigcommerce": {"orders": 40, "products": 10}}, "rate_limits": False},
        timeout=10,
    ).raise_for_status()
    BigCommerceClient.reset_windows()
    control(
        sim,
        "add_orders",
        {
            "orders": [
                {
                    "id": 990001,
                    "status": "Shipped",
                    "country": "DE",
                    "b2b": False,
                    "tax_inclusive": True,
                    "gift": False,
                    "coupon": "SOMMER10",
                    "payment_method": "PayPal",
                    "payment_status": "captured",
                    "customer_id": 7,
                    "shipping_cost": 4.95,
                    "lines": [
                        {"sku": "BC-0002", "price": 9.99, "quantity": 3},
                        {"sku": "BC-0003", "price": 19.99, "quantity": 1},
                    ],
                }
            ]
        },
    )
    client = BigCommerceClient(
        store_hash="simstore", access_token="sim-token", api_base_url=sim + "/bigcommerce"
    )
    products = client.order_products(990001)
    since = datetime.now(timezone.utc) - timedelta(seconds=5)
    made = control(
        sim,
        "refund",
        {
            "order_id": 990001,
            "reason": "Damaged",
            "items": [
                {"item_type": "PRODUCT", "item_id": products[0]["id"], "quantity": 2},
                {"item_type": "PRODUCT", "item_id": products[1]["id"], "quantity": 1},
                {"item_type": "SHIPPING", "item_id": products[0]["order_address_id"], "amount": 4.95},
            ],
        },
    )["refund"]
    control(
        sim, "refund", {"order_id": 990001, "items": [{"item_type": "ORDER", "item_id": 990001, "amount": 1}]}
    )

    pages = list(client.refunds(created_min=since))
    refunds = [r for page in pages for r in page]
    assert [r["order_id"] for r in refunds] == [990001, 990001]
    assert client.calls == 2  # the products, then one page of refunds since `since`
    first = line(refunds[0], products)
    assert first.amount == -made["total_amount"] and first.shipping == -4.95
    # each product as the simulator priced it: its units' share of the line after the coupon
    line_total = round(float(products[0]["discounted_total_inc_tax"]) * 2 / 3, 2)
    assert [i.amount for i in first.items] == [line_total, float(products[1]["discounted_total_inc_tax"])]
    assert paid_through_gateway(first.label) == Decimal(str(made["total_amount"])).quantize(Decimal("0.01"))
    second = line(refunds[1])
    assert (second.amount, second.items) == (-1.0, [])
    # the whole order refunded adds up: the order's refunded_amount
    order = client.order(990001)
    assert -(first.amount + second.amount) == pytest.approx(float(order["refunded_amount"]))
    assert order["status"] == "Partially Refunded"
    assert list(client.refunds(created_min=datetime.now(timezone.utc) + timedelta(hours=1))) == [[]]


def test_a_refusal_in_the_refunds_shape_is_read():
    body = {
        "data": [
            {"status": 422, "title": "Unable to provide store credit for a guest customer.", "type": "x"}
        ]
    }
    assert error_text(422, body) == "Unable to provide store credit for a guest customer."
