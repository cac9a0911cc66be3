"""confirmShipment (Orders v0): FBM shipments, validated as Amazon does."""

import uuid

from ..core import Response
from .data import parse_iso


class ShipmentsMixin:
    def _confirm_shipment(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        body = req.json()

        def bad(message):
            return self.error_response(400, message, "InvalidInput")

        if not isinstance(body, dict):
            return bad("Request body must be a JSON object")
        mp_id = body.get("marketplaceId")
        if not mp_id:
            return bad("Missing required field: marketplaceId")
        if mp_id != order["mp"]:
            return bad("marketplaceId %s does not match the marketplace of order %s" % (mp_id, order["id"]))
        pkg = body.get("packageDetail")
        if not isinstance(pkg, dict):
            return bad("Missing required field: packageDetail")
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
            if pkg.get(key) in (None, "", []):
                return bad("Missing required field: packageDetail.%s" % key)
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
            if not isinstance(pkg[key], str):
                return bad("packageDetail.%s must be a string" % key)
        ship_ts = parse_iso(pkg["shipDate"]) if "T" in pkg["shipDate"] else None
        if ship_ts is None:
            return bad("packageDetail.shipDate is not a valid ISO 8601 date-time: %s" % pkg["shipDate"])
        if order["ch"] == "AFN":
            return bad("Order %s is fulfilled by Amazon; shipment confirmation is not allowed" % order["id"])
        if order["st"] not in ("Unshipped", "PartiallyShipped"):
            return bad(
                "Order %s has status %s; only Unshipped or PartiallyShipped orders can be confirmed"
                % (order["id"], order["st"])
            )
        if not isinstance(pkg["orderItems"], list):
            return bad("packageDetail.orderItems must be a list")
        by_id = {it["id"]: it for it in order["items"]}
        wanted = {}
        for line in pkg["orderItems"]:
            if not isinstance(line, dict) or not line.get("orderItemId"):
                return bad("Each order item needs orderItemId and quantity")
            it = by_id.get(str(line["orderItemId"]))
            if it is None:
                return bad("Invalid orderItemId %s for order %s" % (line["orderItemId"], order["id"]))
            qty = line.get("quantity")
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                return bad("Invalid quantity for orderItemId %s" % it["id"])
            wanted[it["id"]] = wanted.get(it["id"], 0) + qty
            if wanted[it["id"]] > it["qty"] - it["shipped"]:
                return bad(
                    "Quantity %d for orderItemId %s exceeds the unshipped quantity %d"
                    % (wanted[it["id"]], it["id"], it["qty"] - it["shipped"])
                )
        for item_id, qty in wanted.items():
            by_id[item_id]["shipped"] += qty
        order["st"] = (
            "Shipped" if all(it["shipped"] >= it["qty"] for it in order["items"]) else "PartiallyShipped"
        )
        self._touch(order)
        self._fin_ship(order)  # the units confirmed are charged: a ShipmentEvent (finances.py)
        self.shipments.append(
            {
                "amazonOrderId": order["id"],
                "marketplaceId": mp_id,
                "packageReferenceId": pkg["packageReferenceId"],
                "carrierCode": pkg["carrierCode"],
                "carrierName": pkg.get("carrierName"),
                "shippingMethod": pkg.get("shippingMethod"),
                "trackingNumber": pkg["trackingNumber"],
                "shipDate": pkg["shipDate"],
                "orderItems": [{"orderItemId": k, "quantity": v} for k, v in wanted.items()],
                "orderStatus": order["st"],
            }
        )
        return Response(204, b"", {"x-amzn-RequestId": str(uuid.uuid4())})
