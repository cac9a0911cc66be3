"""BigCommerce REST API, as the simulator serves it under ``/bigcommerce``.

Paths are the real ones below the prefix: ``/bigcommerce/stores/{store_hash}/v2/...`` and
``/bigcommerce/stores/{store_hash}/v3/...`` (contracts in ``../shared/apispecs/bigcommerce``).

v2 (what the ``bigcommerce`` package speaks):

* ``GET /v2/store``; ``GET /v2/order_statuses`` (and ``/{id}``); ``GET /v2/payments/methods``.
* ``GET /v2/orders`` (page, limit <= 250, min/max_id, min/max_date_created, min/max_date_modified,
  status_id, customer_id, email, payment_method, sort=field[:asc|:desc]). Incomplete orders
  (status 0) are listed only when asked for with ``status_id=0``. An empty page -- nothing matches,
  or past the last page -- is ``204 No Content`` with no body, as the real service answers.
* ``GET /v2/orders/count``, ``GET|PUT /v2/orders/{id}``, ``GET /v2/orders/{id}/products``,
  ``/shipping_addresses``, ``/coupons``, ``/taxes`` (empty sub-collections answer 204),
  ``GET|POST /v2/orders/{id}/shipments``, ``GET /v2/orders/{id}/shipments/{shipment_id}``.
  A shipment moves the order to Shipped or Partially Shipped.
* ``include=consignments.line_items&consignment_structure=object`` on ``GET /v2/orders`` and
  ``/v2/orders/{id}`` (and ``GET /v2/orders/{id}/consignments``): the shipping consignments, each
  with its address, costs (numbers) and order products, in the same answer.
* ``/taxes``: one row per taxed item, gift wrapping, shipping and handling, each with its rate (items
  of the reduced tax class, "Ermäßigt 7 %", at the destination's reduced rate: an order may have
  several); which item or charge a row taxes (``order_product_id``, ``line_item_type``) only with
  ``details=true``, as documented; paged (50 rows by default).
* Order fees (``add_orders`` ``fees: [{name, amount, tax_class}]``; every 17th generated order has one):
  in the order's totals, listed by ``include=fees`` and ``GET /v2/orders/{id}/fees``, a resource link
  otherwise.
* An order may be in another currency than the store's (``add_orders`` ``currency``,
  ``exchange_rate``): every amount in that currency, ``store_default_currency_code`` the store's.
* ``GET /v2/time``, ``GET /v2/tax_classes``; the store's ``weight_units`` (LBS, KGS, Ounces, Grams,
  Tonnes; KGS by default) and currency through the control action ``store``.
* v2 errors are ``[{"status": 404, "message": "..."}]``.

v3:

* Catalog: ``GET|PUT /v3/catalog/products`` (batch of <= 10), ``GET|PUT /v3/catalog/products/{id}``,
  ``GET /v3/catalog/products/{id}/variants``, ``GET|PUT .../variants/{variant_id}``,
  ``GET|PUT /v3/catalog/variants`` (batch of <= 50); ``meta.pagination`` as documented.
* Inventory: ``PUT /v3/inventory/adjustments/absolute``, ``POST /v3/inventory/adjustments/relative``
  (<= 2000 items, else 422), ``GET /v3/inventory/items``, ``GET /v3/inventory/locations``,
  ``GET /v3/inventory/locations/{id}/items``. Adjustments answer ``{"transaction_id": ...}`` and are
  applied asynchronously: after ``inventory_delay`` seconds (0 by default; control action
  ``timing``). A relative adjustment needs an absolute one first at a location where the item has
  never been stocked, and may not take stock below the safety stock, as documented.
* Orders: ``GET /v3/orders/{id}/transactions`` (204 when none), ``POST
  /v3/orders/{id}/payment_actions/capture`` and ``.../void`` (201 ``{}``; the payment goes
  ``capture pending`` -> ``captured`` after ``capture_delay`` seconds).
* Refunds: ``POST /v3/orders/{id}/payment_actions/refund_quotes`` and ``.../refunds`` (items of
  type PRODUCT and GIFT_WRAPPING by quantity, SHIPPING, HANDLING, FEE, ORDER and TAX by amount,
  or ``tax_adjustment_amount``; each part refunds at most what is left of it, the refund at most
  what is left of the order: 422 otherwise; payments must add up to the amount through a method
  the quote offers), ``GET /v3/orders/{id}/payment_actions/refunds``, ``GET
  /v3/orders/payment_actions/refunds`` (``order_id:in``, ``id:in``, ``created:min``/``max`` in
  RFC 3339, ``transaction_id``, page and limit <= 250) and ``.../refunds/{id}``. The order moves
  to Partially Refunded or Refunded with its payment status, ``refunded_amount`` and products'
  ``quantity_refunded``; orders generated as (Partially) Refunded carry their refund; the control
  action ``refund`` ({order_id, items | "all", reason, created}) is a refund made in the control
  panel.
* ``GET /v3/channels``, ``GET /v3/catalog/categories`` (a tree by parent_id), ``GET
  /v3/catalog/brands``, ``include=images`` (one image per product, on the simulated CDN
  ``/bigcommerce/cdn/...``: no token, no quota), ``id:in`` on ``GET /v3/catalog/variants``.
* v3 errors are ``{"status": ..., "title": ..., "type": ..., "errors": {...}}``.

"Mark as paid": there is no such endpoint in v2. The simulator records an order as paid when the
connector (a) captures an authorized payment through v3, or (b) moves an unpaid order (Pending,
Awaiting Payment, ...) of an offline payment method to a paid status through ``PUT /v2/orders/{id}``;
then ``payment_status`` becomes ``paid`` and a purchase transaction appears. Both are in ``state()``.

Auth: ``X-Auth-Token`` must be the store's access token (``sim-token``; ``X-Auth-Client`` is
accepted and ignored, as the real service does). Unknown store hash: 404; missing or wrong token:
401 in the API version's error shape. Tokens do not expire on BigCommerce; the simulator's
``expired_token`` fault makes the next request fail with 401 once (a revoked token). OAuth scopes:
the token holds every scope the connector needs unless the control action ``scopes`` says
otherwise (``store_v2_orders``, ``*_read_only`` for GET only, ...); a request outside them answers
403 "You don't have a required scope to access the endpoint".

Rate limits: one quota per store shared by all operations (``rate_quota`` requests per
``rate_window_ms``: 150 per 30 s, the Plus & Standard plan; both may be set by ``reset`` sizes for
tests), a fixed window refreshed when it ends.
Every authorised answer carries the four ``X-Rate-Limit-*`` headers; a 429 carries them too (with
``X-Rate-Limit-Time-Reset-Ms`` telling the wait, and ``X-Retry-After`` in seconds). The fault
``429_no_retry_after`` gives the other documented 429: no rate-limit headers at all (platform under
high load).

Files by role: ``data`` (reference data, helpers), ``catalogue``, ``orders`` (generation, amounts,
control actions), ``orders_api`` (v2 order handlers), ``shipments``, ``inventory``, ``payments``,
``refunds``,
``store`` (store settings), ``routes`` (routing, auth, quota, error shapes), ``api`` (the class,
state and control).
"""

from .api import BigCommerceAPI

__all__ = ["BigCommerceAPI"]
