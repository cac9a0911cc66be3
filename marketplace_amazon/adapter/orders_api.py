"""The order calls of AmazonClient. Imports nothing from Odoo.

Two versions of the Orders API read the same orders:

* Orders 2026-01-01: searchOrders answers up to 100 orders *with their items* (and the datasets
  asked for in includedData) in one call; its usage plan is 0.0056 requests per second, burst 20.
* Orders v0: getOrders answers 100 orders without items (0.0167/s, burst 20), then getOrderItems
  is one call per order at 0.5/s: a backlog of 1,000 orders takes half an hour.

Every read is made with a Restricted Data Token (restricted.py) so that Amazon shows the buyer;
confirmShipment and the reads that need no buyer use the access token.
"""

from datetime import datetime, timezone

from sp_api.api import Orders

from .errors import AmazonError, _datetime, _iso, path_segment
from .restricted import BUYER, ITEMS

V0 = "v0"
V2026 = "2026-01-01"
VERSIONS = (V2026, V0)
MAX_MARKETPLACES_PER_CALL = 50  # getOrders MarketplaceIds, searchOrders marketplaceIds
# The datasets a 2026-01-01 order is read with (mapping.py reads them).
INCLUDED_DATA = ["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "TAX", "PAYMENT", "PROMOTION"]
FULFILLMENT_STATUSES = {
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
    "PendingAvailability": "PENDING_AVAILABILITY",
}


def _orders_path(version, order_id=None, items=False):
    path = "/orders/%s/orders" % version
    if order_id:
        path += "/" + path_segment(order_id)
    return path + "/orderItems" if items else path


def _check_marketplaces(operation, ids):
    if not ids or len(ids) > MAX_MARKETPLACES_PER_CALL:
        raise AmazonError(
            "%s takes 1 to %d marketplace ids (%d given)." % (operation, MAX_MARKETPLACES_PER_CALL, len(ids))
        )


FALLBACK = (
    "Amazon refused Orders API 2026-01-01 to this app (%s): the orders were read with Orders API v0, "
    "one more call per order."
)


class OrdersApiMixin:
    """Part of AmazonClient: the orders, their items and shipment confirmations."""

    orders_version = None  # the version an import run reads (see import_page)

    def _orders_api(self, version=V0, marketplace_id=None, restricted=True):
        return self._api(Orders, marketplace_id or "ATVPDKIKX0DER", restricted=restricted, version=version)

    def orders_page(
        self,
        marketplace_ids,
        last_updated_after,
        next_token=None,
        order_statuses=None,
        *,
        fulfillment_channels=None,
        last_updated_before=None,
        version=V0,
    ):
        """ONE call listing orders: {"orders": [raw orders], "next_token": str | None,
        "safe_until": datetime (UTC, aware)}; getOrders (v0: orders without items) or
        searchOrders (2026-01-01: orders with their items, in that version's shape).

        `safe_until` is Amazon's own LastUpdatedBefore of the answer: the orders updated up to
        then (matching the filters) are all in this listing's pages; it is the next cursor. When
        Amazon gives none, the request's upper bound: `last_updated_before`, else
        `last_updated_after` (a cursor that stays is safe; one moved by the local clock is not).
        At most 50 marketplace ids per call; grouping them is the caller's business."""
        if version == V2026:
            return self._search_orders_page(
                marketplace_ids,
                last_updated_after,
                next_token,
                order_statuses,
                fulfillment_channels,
                last_updated_before,
            )
        ids = list(marketplace_ids)
        _check_marketplaces("getOrders", ids)
        query = {"MarketplaceIds": ",".join(ids)}
        if next_token:
            query["NextToken"] = next_token
        else:
            query.update(LastUpdatedAfter=_iso(last_updated_after), MaxResultsPerPage=100)
            if last_updated_before:
                query["LastUpdatedBefore"] = _iso(last_updated_before)
            if order_statuses:
                query["OrderStatuses"] = ",".join(order_statuses)
            if fulfillment_channels:
                query["FulfillmentChannels"] = ",".join(fulfillment_channels)
        payload = self._request(
            "getOrders",
            self._orders_api(),
            "get_orders",
            restricted=lambda: self.restricted_token(_orders_path(V0), BUYER),
            **query,
        ).payload
        if not isinstance(payload.get("Orders"), list):
            raise AmazonError("getOrders: Amazon's answer holds no order list.")
        # the orders whose items are read next share one RDT (see order_items)
        self._pending_item_orders = [o.get("AmazonOrderId") for o in payload["Orders"]]
        safe_until = (
            _datetime(payload.get("LastUpdatedBefore"))
            or _datetime(last_updated_before)
            or _datetime(last_updated_after)
        )
        return {
            "orders": payload["Orders"],
            "next_token": payload.get("NextToken") or None,
            "safe_until": safe_until,
        }

    def _search_orders_page(
        self, marketplace_ids, last_updated_after, next_token, order_statuses, channels, before
    ):
        """searchOrders: the filters go with every page (Amazon checks that a page token comes
        back with the filters that made it)."""
        ids = list(marketplace_ids)
        _check_marketplaces("searchOrders", ids)
        query = {
            "marketplaceIds": ids,
            "lastUpdatedAfter": _iso(last_updated_after),
            "includedData": INCLUDED_DATA,
            "maxResultsPerPage": 100,
        }
        if before:
            query["lastUpdatedBefore"] = _iso(before)
        if order_statuses:
            query["fulfillmentStatuses"] = [FULFILLMENT_STATUSES[s] for s in order_statuses]
        if channels:
            query["fulfilledBy"] = ["AMAZON" if c == "AFN" else "MERCHANT" for c in channels]
        if next_token:
            query["paginationToken"] = next_token
        response = self._request(
            "searchOrders",
            self._orders_api(V2026),
            "search_orders",
            restricted=lambda: self.restricted_token(_orders_path(V2026), BUYER),
            **query,
        )
        payload = response.payload or {}
        if not isinstance(payload.get("orders"), list):
            raise AmazonError("searchOrders: Amazon's answer holds no order list.")
        safe_until = (
            _datetime(payload.get("lastUpdatedBefore")) or _datetime(before) or _datetime(last_updated_after)
        )
        return {
            "orders": payload["orders"],
            "next_token": response.next_token or None,
            "safe_until": safe_until,
        }

    def import_page(self, marketplace_ids, since, token=None, order_statuses=None, preferred=V2026):
        """orders_page for an import run: in the account's preferred version, or in v0 for the
        rest of the run when Amazon refuses 2026-01-01 to the app or region (403, 404), which
        `notices` says once. `orders_version` tells which version answered (and the shape of the
        orders: 2026-01-01 ones come with their items)."""
        version = self.orders_version or preferred
        try:
            page = self.orders_page(marketplace_ids, since, token, order_statuses, version=version)
        except AmazonError as refused:
            if version == V0 or token or refused.status not in (403, 404):
                raise
            self.orders_version = V0
            self.notices.append(("warning", FALLBACK % refused))
            return self.import_page(marketplace_ids, since, token, order_statuses)
        self.orders_version = version
        return page

    def iter_orders(
        self, marketplace_ids, last_updated_after, fulfillment_channels=None, order_statuses=None, version=V0
    ):
        """Every order changed since `last_updated_after` (datetime, UTC when naive, or an ISO
        string), one call per page of 100, marketplaces 50 at a time. A throttled page is
        waited out and asked again with the same token, so nothing is yielded twice."""
        marketplace_ids = list(marketplace_ids)
        for start in range(0, len(marketplace_ids), MAX_MARKETPLACES_PER_CALL):
            group = marketplace_ids[start : start + MAX_MARKETPLACES_PER_CALL]
            token = None
            while True:
                page = self.orders_page(
                    group,
                    last_updated_after,
                    token,
                    order_statuses,
                    fulfillment_channels=fulfillment_channels,
                    version=version,
                )
                yield from page["orders"]
                token = page["next_token"]
                if not token:
                    break

    def order(self, order_id, version=V0):
        """getOrder: the raw Order (with its items in version 2026-01-01)."""
        if version == V2026:
            path = _orders_path(V2026, order_id)
            payload = self._request(
                "getOrder2026",
                self._orders_api(V2026),
                "get_order",
                path_segment(order_id),
                includedData=INCLUDED_DATA,
                restricted=lambda: self.restricted_token(path, BUYER),
            ).payload
            if not isinstance(payload.get("order"), dict):
                raise AmazonError("getOrder: Amazon's answer holds no order for %s." % order_id)
            return payload["order"]
        path, items = _orders_path(V0, order_id), _orders_path(V0, order_id, items=True)
        return self._request(
            "getOrder",
            self._orders_api(),
            "get_order",
            path_segment(order_id),
            restricted=lambda: self.restricted_token(path, BUYER, also=[items]),
        ).payload

    def order_items(self, order_id, restricted=True):
        """Every item of an order (getOrderItems v0, all pages): raw OrderItems. With
        `restricted`, read with an RDT (gift messages) covering this order and the next ones of
        the last getOrders page, so that a page's items cost at most two RDTs."""
        api = self._orders_api(restricted=restricted)
        path = _orders_path(V0, order_id, items=True)
        pending = self._pending_item_orders
        after = pending[pending.index(order_id) + 1 :] if order_id in pending else []

        def token():
            return self.restricted_token(
                path, ITEMS, also=[_orders_path(V0, o, items=True) for o in after if o]
            )

        items, next_token = [], None
        while True:
            kwargs = {"NextToken": next_token} if next_token else {}
            payload = self._request(
                "getOrderItems",
                api,
                "get_order_items",
                path_segment(order_id),
                restricted=token if restricted else None,
                **kwargs,
            ).payload
            if not isinstance(payload.get("OrderItems"), list):
                raise AmazonError("getOrderItems: Amazon's answer holds no item list for %s." % order_id)
            items.extend(payload["OrderItems"])
            next_token = payload.get("NextToken")
            if not next_token:
                return items

    def shipped_quantities(self, order_id):
        """{OrderItemId: QuantityShipped} of an order, as Amazon knows them now: what to read
        after an ambiguous confirmation before sending it again (no buyer data needed)."""
        return {
            item["OrderItemId"]: int(item.get("QuantityShipped") or 0)
            for item in self.order_items(order_id, restricted=False)
        }

    def confirm_shipment(self, order_id, marketplace_id, package):
        """Tell Amazon that these items of an FBM order shipped (confirmShipment). Not
        idempotent: a lost answer raises AmazonAmbiguous; read shipped_quantities() then.

        package: package_reference_id, carrier_code, carrier_name, shipping_method,
        tracking_number (required), ship_date (datetime; now when empty),
        items [{order_item_id, quantity}]. Checked before anything is sent."""
        detail = self._package_detail(order_id, package)
        self._request(
            "confirmShipment",
            self._orders_api(V0, marketplace_id, restricted=False),
            "confirm_shipment",
            path_segment(order_id),
            idempotent=False,
            marketplaceId=marketplace_id,
            packageDetail=detail,
        )

    @staticmethod
    def _package_detail(order_id, package):
        tracking = str(package.get("tracking_number") or "").strip()
        if not tracking:
            raise AmazonError(
                "Amazon requires a tracking number to confirm the shipment of order %s; "
                "none was given, nothing was sent." % order_id
            )
        if not package.get("carrier_code"):
            raise AmazonError(
                "Amazon requires a carrier code to confirm the shipment of order %s." % order_id
            )
        items = [
            {"orderItemId": str(i["order_item_id"]), "quantity": int(i["quantity"])}
            for i in package.get("items") or []
            if int(i.get("quantity") or 0) > 0
        ]
        if not items:
            raise AmazonError("The shipment of order %s holds no item to confirm." % order_id)
        detail = {
            "packageReferenceId": str(package.get("package_reference_id") or "1"),
            "carrierCode": package["carrier_code"],
            "carrierName": package.get("carrier_name") or package["carrier_code"],
            "trackingNumber": tracking,
            "shipDate": _iso(package.get("ship_date") or datetime.now(timezone.utc)),
            "orderItems": items,
        }
        if package.get("shipping_method"):
            detail["shippingMethod"] = package["shipping_method"]
        return detail
