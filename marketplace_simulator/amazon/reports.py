"""Reports 2021-06-30 (minimal): createReport, getReport, getReportDocument for a few TSV reports."""

import time

from .data import _error, iso, iso_ms, parse_iso


class ReportsMixin:
    REPORT_TYPES = (
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        "GET_MERCHANT_LISTINGS_ALL_DATA",
    )

    def _create_report(self, req):
        body = req.json()
        if not isinstance(body, dict) or not body.get("reportType") or not body.get("marketplaceIds"):
            return self._errors(
                400, [_error("InvalidInput", "reportType and marketplaceIds are required", "")]
            )
        if body["reportType"] not in self.REPORT_TYPES:
            return self._errors(
                400,
                [
                    _error(
                        "InvalidInput",
                        "Report type %s is not supported by the simulator (%s)"
                        % (body["reportType"], ", ".join(self.REPORT_TYPES)),
                        "",
                    )
                ],
            )
        if not isinstance(body["marketplaceIds"], list) or any(
            m not in self.participations for m in body["marketplaceIds"]
        ):
            return self._errors(400, [_error("InvalidInput", "Invalid marketplaceIds", "")])
        report_id = str(60000000000 + len(self.reports) + 1)
        self.reports[report_id] = {
            "reportId": report_id,
            "reportType": body["reportType"],
            "marketplaceIds": body["marketplaceIds"],
            "created": time.time(),
            "status": "IN_QUEUE",
            "polls": 0,
            "start": parse_iso(body.get("dataStartTime")) if body.get("dataStartTime") else None,
        }
        if body.get("dataStartTime") and self.reports[report_id]["start"] is None:
            del self.reports[report_id]
            return self._errors(
                400, [_error("InvalidInput", "dataStartTime is not a valid ISO 8601 date-time", "")]
            )
        return self._ok(202, {"reportId": report_id})

    def _get_report(self, req, report_id):
        rep = self.reports.get(report_id)
        if rep is None:
            return self._errors(404, [_error("NotFound", "Report %s not found" % report_id, "")])
        if rep["status"] in ("IN_QUEUE", "IN_PROGRESS"):
            by_time = (
                int((time.time() - rep["created"]) / self.feed_stage_seconds)
                if self.feed_stage_seconds > 0
                else 2
            )
            stage = min(2, max(rep["polls"], by_time))
            rep["polls"] += 1
            if stage >= 1:
                rep.setdefault("started", time.time())
            if stage >= 2:
                rep["status"] = "DONE"
                rep["ended"] = time.time()
                rep["document"] = self._new_document(
                    "report",
                    "text/tab-separated-values; charset=UTF-8",
                    self._report_content(rep).encode("utf-8"),
                )
            else:
                rep["status"] = self.STAGES[stage]
        out = {
            "reportId": rep["reportId"],
            "reportType": rep["reportType"],
            "marketplaceIds": rep["marketplaceIds"],
            "createdTime": iso_ms(rep["created"]),
            "processingStatus": rep["status"],
        }
        if rep["start"]:
            out["dataStartTime"] = iso(rep["start"])
        if "started" in rep:
            out["processingStartTime"] = iso_ms(rep["started"])
        if "ended" in rep:
            out["processingEndTime"] = iso_ms(rep["ended"])
            out["reportDocumentId"] = rep["document"]
        return self._ok(200, out)

    def _get_report_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["kind"] != "report":
            return self._errors(404, [_error("NotFound", "Report document %s not found" % doc_id, "")])
        return self._ok(
            200,
            {"reportDocumentId": doc_id, "url": "%s/amazon/_documents/%s" % (self._base_url(req), doc_id)},
        )

    def _report_content(self, rep):
        rows = []
        if rep["reportType"] == "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA":
            rows.append(
                (
                    "sku",
                    "fnsku",
                    "asin",
                    "product-name",
                    "condition",
                    "your-price",
                    "mfn-listing-exists",
                    "mfn-fulfillable-quantity",
                    "afn-listing-exists",
                    "afn-warehouse-quantity",
                    "afn-fulfillable-quantity",
                    "afn-unsellable-quantity",
                    "afn-reserved-quantity",
                    "afn-total-quantity",
                    "afn-inbound-working-quantity",
                    "afn-inbound-shipped-quantity",
                    "afn-inbound-receiving-quantity",
                )
            )
            mp = rep["marketplaceIds"][0]
            for sku, q in self.fba.items():
                p = self.products[sku]
                reserved = q["reserved_customer"] + q["reserved_fc"]
                unsellable = q["unfulfillable_customer"] + q["unfulfillable_warehouse"]
                warehouse = q["fulfillable"] + reserved + unsellable
                rows.append(
                    (
                        sku,
                        p["fnsku"],
                        p["asin"],
                        p["title"],
                        "New",
                        "%.2f" % (self.offers[sku][mp]["price"] / 100.0),
                        "Yes",
                        str(self.offers[sku][mp]["quantity"]),
                        "Yes",
                        str(warehouse),
                        str(q["fulfillable"]),
                        str(unsellable),
                        str(reserved),
                        str(warehouse + q["inboundWorking"] + q["inboundShipped"] + q["inboundReceiving"]),
                        str(q["inboundWorking"]),
                        str(q["inboundShipped"]),
                        str(q["inboundReceiving"]),
                    )
                )
        elif rep["reportType"] == "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA":
            rows.append(
                (
                    "return-date",
                    "order-id",
                    "sku",
                    "asin",
                    "fnsku",
                    "product-name",
                    "quantity",
                    "fulfillment-center-id",
                    "detailed-disposition",
                    "reason",
                    "status",
                    "license-plate-number",
                    "customer-comments",
                )
            )
            for r in self.returns:
                if r["channel"] != "AFN" or r["marketplace_id"] not in rep["marketplaceIds"]:
                    continue
                if rep["start"] and parse_iso(r["return_date"]) < rep["start"]:
                    continue
                rows.append(
                    (
                        r["return_date"].replace("Z", "+00:00"),
                        r["amazon_order_id"],
                        r["sku"],
                        r["asin"],
                        r["fnsku"],
                        self.products.get(r["sku"], {}).get("title", ""),
                        str(r["quantity"]),
                        "LEJ1",
                        r["detailed_disposition"],
                        r["reason"],
                        r["status"],
                        "LPN%s" % r["amazon_order_id"][-7:],
                        "",
                    )
                )
        else:  # GET_MERCHANT_LISTINGS_ALL_DATA
            rows.append(
                (
                    "item-name",
                    "listing-id",
                    "seller-sku",
                    "price",
                    "quantity",
                    "open-date",
                    "product-id-type",
                    "fulfillment-channel",
                    "asin1",
                    "status",
                )
            )
            mp = rep["marketplaceIds"][0]
            for sku, p in self.products.items():
                offer = self.offers[sku].get(mp)
                if not offer:
                    continue
                rows.append(
                    (
                        p["title"],
                        "SIM%s" % p["asin"][2:],
                        sku,
                        "%.2f" % (offer["price"] / 100.0),
                        "" if p["fba"] else str(offer["quantity"]),
                        iso(p["created"]),
                        "1",
                        "AMAZON_EU" if p["fba"] else "DEFAULT",
                        p["asin"],
                        "Inactive" if offer.get("deleted") else "Active",
                    )
                )
        return "".join("\t".join(row) + "\n" for row in rows)
