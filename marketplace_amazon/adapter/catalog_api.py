"""The catalogue calls of AmazonClient: FBA inventory summaries (FBA Inventory v1) and the
seller's listings (Listings Items 2021-08-01, searchListingsItems). Imports nothing from Odoo."""

from sp_api.api import Inventories, ListingsItems

from .errors import AmazonError

MAX_SKUS_PER_CALL = 50  # getInventorySummaries sellerSkus
LISTINGS_PAGE = 20  # searchListingsItems pageSize, at most 20
# What a listing is read with: its name and ASIN (summaries), its EAN (attributes), price
# (offers), and who fulfils it (fulfillmentAvailability: DEFAULT is the seller, AMAZON_* FBA).
LISTINGS_DATA = ["summaries", "attributes", "offers", "fulfillmentAvailability"]


class CatalogApiMixin:
    """Part of AmazonClient: FBA stock and listings."""

    def inventory_summaries(self, marketplace_id, skus=None):
        """FBA inventory summaries (with details) of a marketplace, every page; `skus` limits
        them to these SKUs (asked 50 at a time)."""
        api = self._api(Inventories, marketplace_id)
        skus = list(skus or [])
        groups = (
            [None]
            if not skus
            else [skus[i : i + MAX_SKUS_PER_CALL] for i in range(0, len(skus), MAX_SKUS_PER_CALL)]
        )
        for group in groups:
            token = None
            while True:
                kwargs = {
                    "granularityType": "Marketplace",
                    "granularityId": marketplace_id,
                    "marketplaceIds": [marketplace_id],
                    "details": "true",
                }
                if group:
                    kwargs["sellerSkus"] = group
                if token:
                    kwargs["nextToken"] = token
                response = self._request(
                    "getInventorySummaries", api, "get_inventory_summary_marketplace", **kwargs
                )
                payload = response.payload or {}
                if not isinstance(payload.get("inventorySummaries"), list):
                    raise AmazonError("getInventorySummaries: Amazon's answer holds no summary list.")
                yield from payload["inventorySummaries"]
                token = (response.pagination or {}).get("nextToken")
                if not token:
                    break

    def listings_page(self, seller_id, marketplace_ids, page_token=None):
        """ONE searchListingsItems call (20 items, the most a page holds): {"items": [raw
        listings items], "next_token": str | None}, every item of the seller in these
        marketplaces."""
        if not seller_id:
            raise AmazonError("searchListingsItems needs the seller id (merchant token) of the account.")
        kwargs = {
            "marketplaceIds": list(marketplace_ids),
            "includedData": LISTINGS_DATA,
            "pageSize": LISTINGS_PAGE,
        }
        if page_token:
            kwargs["pageToken"] = page_token
        response = self._request(
            "searchListingsItems",
            self._api(ListingsItems, marketplace_ids[0], version="2021-08-01"),
            "search_listings_items",
            seller_id,
            **kwargs,
        )
        payload = response.payload or {}
        if not isinstance(payload.get("items"), list):
            raise AmazonError("searchListingsItems: Amazon's answer holds no item list.")
        token = (response.pagination or payload.get("pagination") or {}).get("nextToken")
        return {"items": payload["items"], "next_token": token or None}

    def iter_listings(self, seller_id, marketplace_ids):
        """Pages (lists) of the seller's listings items, page after page."""
        token = None
        while True:
            page = self.listings_page(seller_id, marketplace_ids, token)
            yield page["items"]
            token = page["next_token"]
            if not token:
                return
