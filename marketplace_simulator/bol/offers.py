"""Offers: details, creation, updates of the offer, its stock and its price (each a process
status), deletion, and the asynchronous CSV export of every offer."""

import time
import uuid

from ..core import Response
from .data import CONDITIONS, CSV_COLUMNS, CSV_TYPE, DELIVERY_CODES, _money, ean13, ean_valid


class OffersMixin:
    """The offer handlers of BolAPI."""

    def _get_offer(self, req, offer_id):
        self._settle()
        offer = self.offers.get(offer_id)
        if offer is None or offer["deleted"]:
            return self.problem(404, "Not Found", "Offer with id %s does not exist." % offer_id)
        return self._ok(200, self._render_offer(offer))

    def _offer_touched(self, offer):
        offer["mut"] = time.time()
        if offer["id"] not in self.offers_touched:
            self.offers_touched.append(offer["id"])

    def _offer_for_update(self, offer_id):
        offer = self.offers.get(offer_id)
        if offer is None or offer["deleted"]:
            return None, "Offer with id %s does not exist." % offer_id
        return offer, None

    def _offer_write(self, req, event, offer_id, description, change):
        """An asynchronous offer write: accepted at once (202 and its process status); when Bol
        processes it, `change(offer)` applies, or the process fails when the offer is gone."""

        def apply():
            offer, error = self._offer_for_update(offer_id)
            if error:
                return error
            change(offer)
            self._offer_touched(offer)
            return None

        ps = self._new_process(req, event, offer_id, description % offer_id, apply)
        return self._ok(202, self._ps_public(ps))

    @staticmethod
    def _check_stock(stock, v, prefix=""):
        if not isinstance(stock, dict):
            v.append({"name": prefix.rstrip(".") or "body", "reason": "must be an object"})
            return
        amount = stock.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool):
            v.append({"name": prefix + "amount", "reason": "must not be null"})
        elif not 0 <= amount <= 999:
            v.append({"name": prefix + "amount", "reason": "must be between 0 and 999"})
        if not isinstance(stock.get("managedByRetailer"), bool):
            v.append({"name": prefix + "managedByRetailer", "reason": "must not be null"})

    @staticmethod
    def _check_pricing(pricing, v, prefix="pricing"):
        bundles = pricing.get("bundlePrices") if isinstance(pricing, dict) else None
        if not isinstance(bundles, list) or not 1 <= len(bundles) <= 4:
            v.append({"name": prefix + ".bundlePrices", "reason": "size must be between 1 and 4"})
            return None
        out = []
        for i, b in enumerate(bundles):
            name = "%s.bundlePrices[%d]" % (prefix, i)
            if not isinstance(b, dict):
                v.append({"name": name, "reason": "must be an object"})
                return None
            q, p = b.get("quantity"), b.get("unitPrice")
            if not isinstance(q, int) or isinstance(q, bool) or not 1 <= q <= 24:
                v.append({"name": name + ".quantity", "reason": "must be between 1 and 24"})
            if not isinstance(p, (int, float)) or isinstance(p, bool) or not 1 <= p <= 9999:
                v.append({"name": name + ".unitPrice", "reason": "must be between 1 and 9999"})
            elif abs(round(p * 100) - p * 100) > 1e-6:
                v.append({"name": name + ".unitPrice", "reason": "must have at most 2 decimals"})
            else:
                out.append([q, int(round(p * 100))])
        if v:
            return None
        if out[0][0] != 1:
            v.append(
                {
                    "name": prefix + ".bundlePrices",
                    "reason": "The element with quantity 1 must be present first.",
                }
            )
        for a, b in zip(out, out[1:]):
            if b[0] <= a[0] or b[1] >= a[1]:
                v.append(
                    {
                        "name": prefix + ".bundlePrices",
                        "reason": "Quantities must increase and prices decrease.",
                    }
                )
                break
        return None if v else out

    def _put_stock(self, req, offer_id):
        body = req.json()
        v = []
        self._check_stock(body, v)
        if v:
            return self.bad_request(v)
        amount, managed = body["amount"], body["managedByRetailer"]
        return self._offer_write(
            req,
            "UPDATE_OFFER_STOCK",
            offer_id,
            "Update stock for offer with id %s.",
            lambda offer: offer.update(stock=amount, mbr=managed),
        )

    def _put_price(self, req, offer_id):
        body = req.json()
        v = []
        bundles = self._check_pricing(body.get("pricing") if isinstance(body, dict) else None, v)
        if v:
            return self.bad_request(v)
        return self._offer_write(
            req,
            "UPDATE_OFFER_PRICE",
            offer_id,
            "Update price for offer with id %s.",
            lambda offer: offer.update(bundle=bundles),
        )

    def _put_offer(self, req, offer_id):
        body = req.json()
        v = []
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        ful = body.get("fulfilment")
        if not isinstance(ful, dict) or ful.get("method") not in ("FBR", "FBB"):
            v.append(
                {
                    "name": "fulfilment.method",
                    "reason": "Request contains invalid value(s), allowed values: FBR, FBB.",
                }
            )
        elif ful.get("deliveryCode") is not None and ful["deliveryCode"] not in DELIVERY_CODES:
            v.append(
                {
                    "name": "fulfilment.deliveryCode",
                    "reason": "Request contains invalid value(s): '%s'." % ful["deliveryCode"],
                }
            )
        ref = body.get("reference")
        if ref is not None and (not isinstance(ref, str) or len(ref) > 20):
            v.append({"name": "reference", "reason": "size must be between 0 and 20"})
        if v:
            return self.bad_request(v)

        def change(offer):
            if "reference" in body:
                offer["ref"] = body["reference"] or None
                if offer["ref"]:
                    self.offers_by_ref[offer["ref"]] = offer
            if "onHoldByRetailer" in body:
                offer["hold"] = bool(body["onHoldByRetailer"])
            offer["m"] = ful["method"]
            offer["dc"] = ful.get("deliveryCode") if ful["method"] == "FBR" else None

        return self._offer_write(req, "UPDATE_OFFER", offer_id, "Update offer with id %s.", change)

    def _delete_offer(self, req, offer_id):
        return self._offer_write(
            req,
            "DELETE_OFFER",
            offer_id,
            "Delete offer with id %s.",
            lambda offer: offer.update(deleted=True),
        )

    def _create_offer(self, req):
        body = req.json()
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        v = []
        ean = body.get("ean")
        if not ean_valid(ean):
            v.append(
                {
                    "name": "ean",
                    "reason": "Request contains invalid value(s): '%s'; not a valid EAN." % (ean,),
                }
            )
        cond = body.get("condition")
        if not isinstance(cond, dict) or cond.get("name") not in CONDITIONS:
            v.append(
                {
                    "name": "condition.name",
                    "reason": "Request contains invalid value(s), allowed values: %s."
                    % ", ".join(CONDITIONS),
                }
            )
        bundles = self._check_pricing(body.get("pricing"), v)
        self._check_stock(body.get("stock"), v, "stock.")
        ful = body.get("fulfilment")
        if not isinstance(ful, dict) or ful.get("method") not in ("FBR", "FBB"):
            v.append(
                {
                    "name": "fulfilment.method",
                    "reason": "Request contains invalid value(s), allowed values: FBR, FBB.",
                }
            )
        ref = body.get("reference")
        if ref is not None and (not isinstance(ref, str) or len(ref) > 20):
            v.append({"name": "reference", "reason": "size must be between 0 and 20"})
        if v:
            return self.bad_request(v)

        def apply():
            for o in self.offer_list:
                if o["ean"] == ean.zfill(13) and o["cond"] == cond["name"] and not o["deleted"]:
                    return "An offer for EAN %s with condition %s already exists (offer id %s)." % (
                        ean,
                        cond["name"],
                        o["id"],
                    )
            offer = {
                "id": str(uuid.uuid4()),
                "ean": ean.zfill(13),
                "ref": ref or None,
                "sku": ref or ean,
                "title": body.get("unknownProductTitle") or "Product %s" % ean,
                "bundle": bundles,
                "stock": body["stock"]["amount"],
                "mbr": body["stock"]["managedByRetailer"],
                "m": ful["method"],
                "dc": ful.get("deliveryCode") if ful["method"] == "FBR" else None,
                "cond": cond["name"],
                "hold": bool(body.get("onHoldByRetailer", False)),
                "reserved": 0,
                "mut": time.time(),
                "deleted": False,
            }
            if offer["m"] == "FBB":
                offer.update(bsku=ean13("29500%07d" % (len(self.offer_list) % 10**7)), regular=0, graded=0)
            self.offer_list.append(offer)
            self._index_offers()
            self._offer_touched(offer)
            return ("entity", offer["id"])

        ps = self._new_process(req, "CREATE_OFFER", None, "Create offer for EAN %s." % ean, apply)
        return self._ok(202, self._ps_public(ps))

    def _create_export(self, req):
        body = req.json()
        if not isinstance(body, dict) or body.get("format") != "CSV":
            return self.bad_request(
                [
                    {
                        "name": "format",
                        "reason": "Request contains invalid value(s): '%s', allowed values: CSV."
                        % (body.get("format") if isinstance(body, dict) else body),
                    }
                ]
            )

        def apply():
            self._report_seq += 1
            report_id = str(uuid.UUID(int=(self._salt << 64) + self._report_seq, version=4))
            self.reports[report_id] = self._export_csv()
            return ("entity", report_id)

        ps = self._new_process(req, "CREATE_OFFER_EXPORT", None, "Create an offer export.", apply)
        return self._ok(202, self._ps_public(ps))

    def _export_csv(self):
        lines = [",".join(CSV_COLUMNS)]
        for o in self.offer_list:
            if o["deleted"]:
                continue
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(o["mut"])) + ".%03d UTC" % int(
                (o["mut"] % 1) * 1000
            )
            row = (
                o["id"],
                o["ean"],
                o["cond"],
                "NEW" if o["cond"] == "NEW" else "SECONDHAND",
                "",
                "%.2f" % _money(o["bundle"][0][1]),
                o["dc"] or "",
                str(o["stock"]),
                "true" if o["hold"] else "false",
                o["m"],
                stamp,
                o["ref"] or "",
                str(max(0, o["stock"] - o["reserved"])),
            )
            lines.append(
                ",".join('"%s"' % f.replace('"', '""') if ("," in f or '"' in f) else f for f in row)
            )
        return "\n".join(lines) + "\n"

    def _get_export(self, req, report_id):
        self._settle()
        text = self.reports.get(report_id)
        if text is None:
            return self.problem(404, "Not Found", "Offer export with id %s does not exist." % report_id)
        return Response(200, text.encode("utf-8"), {"Content-Type": CSV_TYPE + ";charset=UTF-8"})
