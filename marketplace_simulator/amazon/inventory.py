"""FBA Inventory v1: getInventorySummaries."""

import base64

from .data import _error, iso, parse_iso


class InventoryMixin:
    def _inventory_summaries(self, req):
        if req.arg("granularityType") != "Marketplace":
            return self._errors(400, [_error("InvalidInput", "granularityType must be Marketplace", "")])
        ids, err = self._marketplace_ids(req, "marketplaceIds")
        if err:
            return err
        if len(ids) > 1:
            return self._errors(
                400, [_error("InvalidInput", "marketplaceIds accepts only one marketplace", "")]
            )
        gid = req.arg("granularityId")
        if gid != ids[0]:
            return self._errors(
                400,
                [_error("InvalidInput", "granularityId must be the marketplace id in marketplaceIds", "")],
            )
        skus = list(self.fba)
        start = req.arg("startDateTime")
        wanted = req.args("sellerSkus")
        if len(wanted) > 50:
            return self._errors(400, [_error("InvalidInput", "sellerSkus accepts at most 50 SKUs", "")])
        if start:
            ts = parse_iso(start)
            if ts is None:
                return self._errors(
                    400, [_error("InvalidInput", "startDateTime is not a valid ISO 8601 date", "")]
                )
            skus = [s for s in skus if self.fba[s]["updated"] >= ts]
        elif wanted:
            skus = [s for s in wanted if s in self.fba]
        elif req.arg("sellerSku"):
            skus = [s for s in (req.arg("sellerSku"),) if s in self.fba]
        details = (req.arg("details") or "").lower() == "true"
        token = req.arg("nextToken")
        offset = 0
        if token:
            try:
                offset = int(base64.b64decode(token).decode().rpartition(":")[2])
            except ValueError:
                return self._errors(400, [_error("InvalidInput", "Invalid nextToken", "")])
        page = skus[offset : offset + self.INVENTORY_PAGE]
        summaries = []
        for sku in page:
            q = self.fba[sku]
            product = self.products[sku]
            reserved = q["reserved_customer"] + q["reserved_fc"]
            unfulfillable = q["unfulfillable_customer"] + q["unfulfillable_warehouse"]
            inbound = q["inboundWorking"] + q["inboundShipped"] + q["inboundReceiving"]
            summary = {
                "asin": product["asin"],
                "fnSku": product["fnsku"],
                "sellerSku": sku,
                "condition": "NewItem",
                "lastUpdatedTime": iso(q["updated"]),
                "productName": product["title"],
                "totalQuantity": q["fulfillable"] + reserved + unfulfillable + q["researching"] + inbound,
                "stores": [],
            }
            if details:
                summary["inventoryDetails"] = {
                    "fulfillableQuantity": q["fulfillable"],
                    "inboundWorkingQuantity": q["inboundWorking"],
                    "inboundShippedQuantity": q["inboundShipped"],
                    "inboundReceivingQuantity": q["inboundReceiving"],
                    "reservedQuantity": {
                        "totalReservedQuantity": reserved,
                        "pendingCustomerOrderQuantity": q["reserved_customer"],
                        "pendingTransshipmentQuantity": 0,
                        "fcProcessingQuantity": q["reserved_fc"],
                    },
                    "researchingQuantity": {
                        "totalResearchingQuantity": q["researching"],
                        "researchingQuantityBreakdown": [
                            {"name": "researchingQuantityInShortTerm", "quantity": q["researching"]},
                            {"name": "researchingQuantityInMidTerm", "quantity": 0},
                            {"name": "researchingQuantityInLongTerm", "quantity": 0},
                        ],
                    },
                    "unfulfillableQuantity": {
                        "totalUnfulfillableQuantity": unfulfillable,
                        "customerDamagedQuantity": q["unfulfillable_customer"],
                        "warehouseDamagedQuantity": q["unfulfillable_warehouse"],
                        "distributorDamagedQuantity": 0,
                        "carrierDamagedQuantity": 0,
                        "defectiveQuantity": 0,
                        "expiredQuantity": 0,
                    },
                }
            summaries.append(summary)
        out = {
            "payload": {
                "granularity": {"granularityType": "Marketplace", "granularityId": gid},
                "inventorySummaries": summaries,
            }
        }
        if offset + self.INVENTORY_PAGE < len(skus):
            out["pagination"] = {
                "nextToken": base64.b64encode(
                    ("%s:%d" % (gid, offset + self.INVENTORY_PAGE)).encode()
                ).decode()
            }
        return self._ok(200, out)
