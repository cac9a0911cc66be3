"""Control actions of the Finances simulation (documented in control.py): finances_close,
finances_refund, finances_correct."""

from decimal import Decimal, InvalidOperation

from ..core import json_response
from .data import MARKETPLACES, iso_ms
from .finance_events import amount_text

REFUND_LISTS = {
    "refund": "RefundEventList",
    "chargeback": "ChargebackEventList",
    "guarantee_claim": "GuaranteeClaimEventList",
}
ADJUSTMENT_TYPES = (
    "FBAInventoryReimbursement",
    "ReserveEvent",
    "PostageBilling",
    "PostageRefund",
    "LostOrDamagedReimbursement",
    "CanceledButPickedUpReimbursement",
    "ReimbursementClawback",
    "SellerRewards",
)


class BadControl(ValueError):
    """A control payload that cannot be applied; its text is the answer's error."""


def cents_of(value, name, positive=True):
    """Cents of an amount given as a number or a decimal string, exact to the cent."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BadControl("%s must be an amount: %r" % (name, value)) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise BadControl("%s must be an amount in cents (2 decimals at most): %r" % (name, value))
    if positive and amount <= 0:
        raise BadControl("%s must be more than 0: %r" % (name, value))
    return int(amount * 100)


class FinancesControlMixin:
    def _fin_control(self, handler, payload):
        try:
            return handler(payload if isinstance(payload, dict) else {})
        except BadControl as err:
            return json_response(400, {"error": str(err)})

    def _control_finances_close(self, payload):
        return self._fin_control(self._finances_close, payload)

    def _control_finances_refund(self, payload):
        return self._fin_control(self._finances_refund, payload)

    def _control_finances_correct(self, payload):
        return self._fin_control(self._finances_correct, payload)

    # -- finances_close ------------------------------------------------------------------------------
    def _finances_close(self, payload):
        currencies = self._fin_currencies(payload)
        reserve = cents_of(payload["reserve"], "reserve") if payload.get("reserve") else 0
        closed = [self._fin_close(currency, reserve) for currency in currencies]
        views = [self._fin_group_view(g) for g in closed]
        first = views[0]
        return json_response(
            200,
            {
                "group_id": first["id"],
                "total": first["total"],
                "currency": first["currency"],
                "events": first["events"],
                "opened": self.fin_open[first["currency"]]["id"],
                "closed": views,
            },
        )

    def _fin_currencies(self, payload):
        """The currencies a close applies to: `currency`, the one of `marketplace_id`, every open
        one with `all`, else the currency of the seller's first marketplace."""
        if payload.get("all"):
            return sorted(self.fin_open)
        if payload.get("marketplace_id"):
            if payload["marketplace_id"] not in MARKETPLACES:
                raise BadControl("unknown marketplace_id %s" % payload["marketplace_id"])
            return [MARKETPLACES[payload["marketplace_id"]][2]]
        currency = payload.get("currency") or MARKETPLACES[self.participations[0]][2]
        known = {m[2] for m in MARKETPLACES.values()}
        if currency not in known:
            raise BadControl("currency must be one of %s" % ", ".join(sorted(known)))
        return [currency]

    # -- finances_refund -------------------------------------------------------------------------------
    def _finances_refund(self, payload):
        order = self.orders.get(payload.get("order_id") or payload.get("amazon_order_id") or "")
        if order is None:
            return json_response(404, {"error": "unknown order %s" % payload.get("order_id")})
        kind = payload.get("kind") or "refund"
        if kind not in REFUND_LISTS:
            raise BadControl("kind must be one of %s" % ", ".join(REFUND_LISTS))
        lines = self._fin_refund_lines(order, payload.get("items") or [])
        goodwill = cents_of(payload["amount"], "amount") if payload.get("amount") is not None else 0
        if not lines and not goodwill:
            raise BadControl("nothing to refund: give items (shipped, not refunded yet) or an amount")
        if not any(it.get("fin_q") for it in order["items"]):
            raise BadControl("order %s has not shipped: Amazon refunds only what it charged" % order["id"])
        event = self._fin_refund(order, lines, bool(payload.get("shipping")), goodwill, REFUND_LISTS[kind])
        return json_response(
            200,
            {
                "event": event["body"],
                "list": event["list"],
                "posted": iso_ms(event["posted"]),
                "group_id": event["group"],
                "total": amount_text(event["cents"]),
            },
        )

    def _fin_refund_lines(self, order, specs):
        """[(item, quantity)] of a refund's items, each within its units shipped and not refunded."""
        if not isinstance(specs, list):
            raise BadControl("items must be a list of {order_item_id or sku, quantity}")
        wanted = {}
        for spec in specs:
            if not isinstance(spec, dict):
                raise BadControl("each item must be an object: %r" % (spec,))
            key = spec.get("order_item_id") or spec.get("sku")
            it = next((it for it in order["items"] if key in (it["id"], it["sku"])), None)
            if it is None:
                raise BadControl("order %s has no item %s" % (order["id"], key))
            left = it.get("fin_q", 0) - it.get("fin_r", 0) - wanted.get(it["id"], (it, 0))[1]
            qty = spec.get("quantity", left)
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1 or qty > left:
                raise BadControl(
                    "quantity of item %s must be 1 to %d (units shipped and not refunded): %r"
                    % (key, left, qty)
                )
            wanted[it["id"]] = (it, wanted.get(it["id"], (it, 0))[1] + qty)
        return list(wanted.values())

    # -- finances_correct ------------------------------------------------------------------------------
    def _finances_correct(self, payload):
        group = self.fin_groups.get(payload.get("group_id") or "")
        if group is None:
            return json_response(404, {"error": "unknown group_id %s" % payload.get("group_id")})
        specs = payload.get("add")
        if specs is None and payload.get("adjustment") is not None:
            specs = [{"amount": payload["adjustment"], "type": payload.get("type")}]
        if not isinstance(specs, list) or not specs:
            raise BadControl('give "add": [{"type", "amount", "sku", "quantity"}] or "adjustment": amount')
        planned = [self._fin_adjustment_spec(spec) for spec in specs]
        added = [self._fin_adjust(group, *spec) for spec in planned]
        view = self._fin_group_view(group)
        view.update(group_id=group["id"], added=[e["body"] for e in added])
        return json_response(200, view)

    def _fin_adjustment_spec(self, spec):
        if not isinstance(spec, dict):
            raise BadControl("each added event must be an object: %r" % (spec,))
        cents = cents_of(spec.get("amount"), "amount", positive=False)
        if not cents:
            raise BadControl("amount must not be 0")
        kind = spec.get("type") or ("FBAInventoryReimbursement" if cents > 0 else "ReimbursementClawback")
        if kind not in ADJUSTMENT_TYPES:
            raise BadControl("type must be one of %s" % ", ".join(ADJUSTMENT_TYPES))
        sku = spec.get("sku")
        if sku is not None and sku not in self.products:
            raise BadControl("unknown sku %s" % sku)
        quantity = spec.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise BadControl("quantity must be a whole number of 1 or more")
        return kind, cents, sku, quantity
