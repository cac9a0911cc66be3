"""Listings Items 2021-08-01: getListingsItem, searchListingsItems."""

import base64

from .data import MARKETPLACES, REGION_OF, _error, iso


class ListingsMixin:
    def _listing_item(self, sku, marketplace_ids, included):
        product = self.products[sku]
        out = {"sku": sku}
        offers = self.offers[sku]
        if "summaries" in included:
            out["summaries"] = [
                {
                    "marketplaceId": m,
                    "asin": product["asin"],
                    "productType": product["productType"],
                    "conditionType": "new_new",
                    "status": []
                    if offers.get(m, {}).get("deleted")
                    else (
                        ["BUYABLE", "DISCOVERABLE"]
                        if offers.get(m, {}).get("quantity") or product["fba"]
                        else ["DISCOVERABLE"]
                    ),
                    "itemName": product["title"],
                    "createdDate": iso(product["created"]),
                    "lastUpdatedDate": iso(offers.get(m, {}).get("updated") or product["created"]),
                }
                for m in marketplace_ids
                if m in offers
            ]
        if "attributes" in included:
            out["attributes"] = {
                "item_name": [
                    {"value": product["title"], "language_tag": MARKETPLACES[m][3], "marketplace_id": m}
                    for m in marketplace_ids
                ],
                "externally_assigned_product_identifier": [{"type": "ean", "value": product["ean"]}],
            }
        if "offers" in included:
            out["offers"] = [
                {
                    "marketplaceId": m,
                    "offerType": "B2C",
                    "price": {
                        "currencyCode": MARKETPLACES[m][2],
                        "amount": "%.2f" % (offers[m]["price"] / 100.0),
                    },
                    "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
                }
                for m in marketplace_ids
                if m in offers and not offers[m].get("deleted")
            ]
        if "fulfillmentAvailability" in included:
            fa = (
                [{"fulfillmentChannelCode": "DEFAULT", "quantity": offers[marketplace_ids[0]]["quantity"]}]
                if marketplace_ids and marketplace_ids[0] in offers
                else []
            )
            if product["fba"]:
                fa.append(
                    {
                        "fulfillmentChannelCode": "AMAZON_EU"
                        if REGION_OF.get(marketplace_ids[0]) == "EU"
                        else "AMAZON_NA"
                    }
                )
            out["fulfillmentAvailability"] = fa
        if "issues" in included:
            out["issues"] = []
        return out

    def _listings_params(self, req, seller_id):
        if seller_id != self.seller_id:
            return None, self._errors(
                403,
                [
                    _error(
                        "Unauthorized",
                        "Access to requested resource is denied.",
                        "The sellerId does not match the selling partner.",
                    )
                ],
            )
        ids, err = self._marketplace_ids(req, "marketplaceIds")
        if err:
            return None, err
        included = req.args("includedData") or ["summaries"]
        return (ids, included), None

    def _get_listings_item(self, req, seller_id, sku):
        params, err = self._listings_params(req, seller_id)
        if err:
            return err
        if sku not in self.products:
            return self._errors(
                404, [_error("NOT_FOUND", "SKU '%s' not found in marketplace %s" % (sku, params[0][0]))]
            )
        return self._ok(200, self._listing_item(sku, params[0], params[1]))

    def _search_listings_items(self, req, seller_id):
        params, err = self._listings_params(req, seller_id)
        if err:
            return err
        wanted = req.args("identifiers")
        id_type = req.arg("identifiersType")
        if wanted and id_type not in ("SKU", "ASIN", "EAN"):
            return self._errors(400, [_error("InvalidInput", "identifiersType is required with identifiers")])
        if wanted:
            if id_type == "SKU":
                skus = [s for s in wanted if s in self.products]
            else:
                key = "asin" if id_type == "ASIN" else "ean"
                skus = [s for s, p in self.products.items() if p[key] in wanted]
        else:
            skus = self.sku_list
        try:
            page_size = int(req.arg("pageSize", "10"))
        except ValueError:
            page_size = 0
        if not 1 <= page_size <= 20:
            return self._errors(400, [_error("InvalidInput", "pageSize must be between 1 and 20")])
        token = req.arg("pageToken")
        try:
            offset = int(base64.b64decode(token).decode()) if token else 0
        except ValueError:
            return self._errors(400, [_error("InvalidInput", "Invalid pageToken")])
        out = {
            "numberOfResults": len(skus),
            "items": [self._listing_item(s, params[0], params[1]) for s in skus[offset : offset + page_size]],
        }
        if offset + page_size < len(skus):
            out["pagination"] = {"nextToken": base64.b64encode(str(offset + page_size).encode()).decode()}
        return self._ok(200, out)
