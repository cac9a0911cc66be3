"""The marketplace-neutral order (marketplace_base/schemas/order.py) refuses amounts no order can
hold, and carries what the engine needs to order versions and to recognise shipped orders."""

import json
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from marketplace_base.schemas.order import Order


def _order(**values):
    order = {
        "external_id": "ORD-1",
        "date_order": "2026-11-20T10:00:00Z",
        "currency": "eur",
        "lines": [{"sku": "WID-1", "quantity": 2, "unit_price": 10.0, "taxes": [{"amount": 4.2}]}],
    }
    order.update(values)
    return order


def _line(**values):
    return dict({"sku": "WID-1", "quantity": 1, "unit_price": 10.0}, **values)


def _error_locations(payload):
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(payload)
    return {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}


def test_a_plain_order_is_accepted():
    order = Order.model_validate(_order())
    assert order.currency == "EUR"
    assert order.updated_at is None
    assert order.shipped is False


def test_last_update_time_and_shipped_flag_are_read():
    order = Order.model_validate(_order(updated_at="2026-11-21T08:30:00+01:00", shipped=True))
    assert order.updated_at == datetime(2026, 11, 21, 7, 30, tzinfo=timezone.utc)
    assert order.shipped is True


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinities_are_refused_wherever_they_hide(value):
    # json.dumps writes NaN/Infinity and json.loads reads them back: a queue payload can hold them
    payload = json.loads(
        json.dumps(
            _order(
                total=value,
                lines=[
                    _line(
                        unit_price=value,
                        quantity=value,
                        discount=value,
                        taxes=[{"amount": value, "rate": value}],
                    )
                ],
                shipping={"amount": value, "discount": value},
            )
        )
    )
    assert _error_locations(payload) >= {
        "total",
        "lines.0.unit_price",
        "lines.0.quantity",
        "lines.0.discount",
        "lines.0.taxes.0.amount",
        "lines.0.taxes.0.rate",
        "shipping.amount",
        "shipping.discount",
    }


def test_negative_prices_quantities_and_charges_are_refused():
    payload = _order(
        total=-1,
        lines=[
            _line(
                unit_price=-10.0, quantity=-1, discount=-2, taxes=[{"amount": -2.1}], gift_wrap={"amount": -3}
            )
        ],
        shipping={"amount": -5, "discount": -1},
        gift_wrap={"amount": -1},
        gift_certificates=[{"code": "G", "amount": -10}],
    )
    assert _error_locations(payload) >= {
        "total",
        "lines.0.unit_price",
        "lines.0.quantity",
        "lines.0.discount",
        "lines.0.taxes.0.amount",
        "lines.0.gift_wrap.amount",
        "shipping.amount",
        "shipping.discount",
        "gift_wrap.amount",
        "gift_certificates.0.amount",
    }


def test_zero_prices_and_charges_stay_allowed():
    order = Order.model_validate(_order(lines=[_line(unit_price=0)], shipping={"amount": 0}, total=0))
    assert order.lines[0].unit_price == 0
    assert order.total == 0


def test_the_error_names_the_field():
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(_order(lines=[_line(unit_price=float("nan"))]))
    message = str(caught.value)
    assert "lines.0.unit_price" in message
    assert "finite number" in message
