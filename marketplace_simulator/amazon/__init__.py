"""Amazon Selling Partner API, as the simulator serves it under ``/amazon``.

Operations (contracts in ``../shared/apispecs/amazon``), one file per role:

* tokens.py -- LWA: ``POST /auth/o2/token`` (refresh_token and client_credentials grants), LWA
  error shape; Tokens 2021-03-01: createRestrictedDataToken; the check of every request.
* buyers.py -- restricted data: ShippingAddress, BuyerInfo (name, email, BuyerTaxInfo, purchase
  order number) and gift messages show only to a request made with a Restricted Data Token for
  that path and data element; any other request gets the destination alone (city, region,
  postal code, country). FBA orders never show the buyer's name, street or email. An app
  without the PII role is refused its RDTs (control ``pii_role``), as Amazon does.
* orders_v0.py -- Orders v0: getOrders, getOrder, getOrderItems, getOrderItemsBuyerInfo,
  getOrderAddress, getOrderBuyerInfo; shipments.py -- confirmShipment.
* orders_2026.py -- Orders 2026-01-01: searchOrders (100 orders with their items per call,
  0.0056 requests per second, burst 20) and getOrder, with includedData; control
  ``orders_api`` refuses it to the app.
* orders.py -- the orders themselves and their money: EU and UK prices include VAT (ItemTax is
  the VAT part of ItemPrice, at the destination's rate); US prices exclude sales tax (ItemTax
  comes on top); an item without tax has ItemTax 0.00 and no other tax amount. Amazon collects
  and remits the tax itself (TaxCollection MarketplaceFacilitator) on every US order and on some
  UK ones (deemed reseller); business orders (IsBusinessOrder) carry the buyer's company and VAT
  number; orders paid on delivery (PaymentMethod COD) are not paid when they ship.
* sellers.py -- Sellers v1: getMarketplaceParticipations (control ``set_participations``).
* feeds.py, feed_processing.py -- Feeds 2021-06-30: createFeedDocument (+ PUT to the returned
  upload URL), createFeed, getFeed, getFeeds, cancelFeed, getFeedDocument (+ GET of the returned
  document URL). JSON_LISTINGS_FEED messages are processed when the feed reaches DONE: accepted
  stock (``fulfillment_availability``) and prices (``purchasable_offer``) are applied to the
  offers, rejected messages appear in the processing report (listings-feed-processing-report v2).
* inventory.py -- FBA inventory v1: getInventorySummaries.
* reports.py -- Reports 2021-06-30 (minimal): createReport, getReport, getReportDocument.
* listings.py -- Listings items 2021-08-01: getListingsItem, searchListingsItems.
* finances.py, finance_events.py, finances_api.py, finances_control.py -- Finances v0:
  listFinancialEventGroups, listFinancialEventsByGroupId, listFinancialEventsByOrderId,
  listFinancialEvents; settlement periods per currency whose events follow the orders sold
  (shipments, refunds, fees, subscription, adjustments), controls finances_close,
  finances_refund, finances_correct.
* routes.py (the route table, error and throttling answers), control.py (``/_sim/amazon/<action>``
  and ``/_sim/state``), catalogue.py, data.py (reference data), api.py (the roles put together).

Every call but the token endpoint and the document URLs needs ``x-amz-access-token`` holding an
unexpired token from the token endpoint, or an RDT; otherwise 403 ``{"errors": [{"code":
"Unauthorized"...}]}`` as the real service answers. Rate limits are the documented usage plans;
each answer of a rate-limited operation carries ``x-amzn-RateLimit-Limit``; a 429 is
``{"errors": [{"code": "QuotaExceeded", ...}]}`` without Retry-After (SP-API sends none).

Simplifications, on purpose: CreatedBefore/LastUpdatedBefore default to *now* (the real service
holds back the last two minutes), so a test sees an order it has just added or moved; listings
cannot be created through feeds (a message for an unknown SKU is rejected).
"""

from ..core import BadBody
from .api import AmazonAPI
from .data import MARKETPLACES, RATE_LIMITS

__all__ = ["AmazonAPI", "MARKETPLACES", "RATE_LIMITS", "BadBody"]
