"""The neutral settlement (marketplace_base/schemas/settlement.py): what a connector may hand the
engine, and what it refuses before anything is booked."""

import json
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from marketplace_base.schemas.settlement import LINE_KINDS, Settlement, SettlementLine


def _line(**values):
    return dict({"external_id": "L1", "kind": "fee", "amount": -1.5, "fee_type": "Commission"}, **values)


def _settlement(**values):
    settlement = {
        "external_id": "G-1",
        "currency": "EUR",
        "start": "2026-11-01T00:00:00Z",
        "end": "2026-11-15T00:00:00Z",
        "closed": True,
        "payout_amount": 18.5,
        "payout_date": "2026-11-17T00:00:00Z",
        "lines": [
            _line(external_id="O1", kind="order", amount=20.0, order_ref="ORD-1", principal=20.0),
            _line(),
        ],
    }
    settlement.update(values)
    return settlement


def _error_locations(model, payload):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}


def test_a_closed_settlement_with_its_lines():
    settlement = Settlement.model_validate(_settlement())
    assert settlement.closed and settlement.payout_amount == 18.5
    assert settlement.start == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert [line.kind for line in settlement.lines] == ["order", "fee"]
    assert sum(line.amount for line in settlement.lines) == settlement.payout_amount
    order = settlement.lines[0]
    assert (order.order_ref, order.principal, order.items) == ("ORD-1", 20.0, [])


def test_an_open_settlement_needs_no_payout_nor_lines():
    settlement = Settlement.model_validate({"external_id": "G-2", "currency": "GBP"})
    assert settlement.closed is False
    assert settlement.payout_amount is None
    assert settlement.lines == []


def test_a_closed_settlement_without_payout_is_refused():
    assert _error_locations(Settlement, _settlement(payout_amount=None)) == {""}


@pytest.mark.parametrize("currency", ["EU", "EURO", ""])
def test_the_currency_is_an_iso_code(currency):
    assert "currency" in _error_locations(Settlement, _settlement(currency=currency))


def test_the_id_is_required_and_not_blank():
    assert "external_id" in _error_locations(Settlement, _settlement(external_id="  "))
    payload = _settlement()
    del payload["external_id"]
    assert "external_id" in _error_locations(Settlement, payload)


def test_every_documented_kind_is_accepted_and_no_other():
    for kind in LINE_KINDS:
        extra = {"order_ref": "O-1"} if kind in ("order", "refund") else {}
        if kind == "refund":
            extra["refund_ref"] = "R-1"
        assert SettlementLine.model_validate(_line(kind=kind, **extra)).kind == kind
    assert "kind" in _error_locations(SettlementLine, _line(kind="bonus"))


def test_order_and_refund_lines_name_their_order_and_a_refund_its_id():
    with pytest.raises(ValidationError, match="order_ref"):
        SettlementLine.model_validate(_line(kind="order", amount=10.0))
    with pytest.raises(ValidationError, match="order_ref"):
        SettlementLine.model_validate(_line(kind="refund", refund_ref="R-1"))
    with pytest.raises(ValidationError, match="refund_ref"):
        SettlementLine.model_validate(_line(kind="refund", order_ref="O-1"))


def test_a_refund_carries_its_items():
    line = SettlementLine.model_validate(
        _line(
            kind="refund",
            amount=-12.1,
            order_ref="O-1",
            refund_ref="R-1",
            items=[{"order_line_ref": "OI-1", "sku": "WID-1", "quantity": 1, "amount": 12.1, "tax": 2.1}],
        )
    )
    item = line.items[0]
    assert (item.order_line_ref, item.quantity, item.amount, item.tax) == ("OI-1", 1, 12.1, 2.1)
    assert "items.0.quantity" in _error_locations(
        SettlementLine, _line(kind="refund", order_ref="O", refund_ref="R", items=[{"quantity": -1}])
    )


def test_a_line_key_is_required_and_amounts_are_finite():
    assert "external_id" in _error_locations(SettlementLine, _line(external_id=""))
    assert "amount" in _error_locations(SettlementLine, _line(amount=float("nan")))
    assert "amount" in _error_locations(SettlementLine, _line(amount=None))
    # what the queue and the log keep is JSON: NaN never gets that far
    assert "amount" in _error_locations(
        SettlementLine, json.loads('{"external_id": "x", "kind": "fee", "amount": NaN}')
    )


def test_unknown_keys_are_ignored_and_text_is_stripped():
    line = SettlementLine.model_validate(_line(fee_type="  FBAFee  ", marketplace_extra={"x": 1}))
    assert line.fee_type == "FBAFee"
    assert not hasattr(line, "marketplace_extra")
