"""Returns (list, detail, handling by RMA id, creation) and the FBB inventory."""

import re
import time

from .data import HANDLING_RESULTS, PAGE_SIZE, RETURN_REASONS, iso


class ReturnsMixin:
    """The return and inventory handlers of BolAPI."""

    def _render_return(self, ret, full=False):
        items = []
        for ri in ret["items"]:
            it, order = ri["it"], ri["order"]
            main, detailed, comment = RETURN_REASONS[ri["reason"]]
            entry = {"rmaId": ri["rma"], "orderId": order["id"], "ean": it["o"]["ean"]}
            if full:
                entry["title"] = it["o"]["title"]
            entry["expectedQuantity"] = ri["qty"]
            entry["returnReason"] = {
                "mainReason": main,
                "detailedReason": detailed,
                "customerComments": comment,
            }
            if full and ri["track"]:
                entry["trackAndTrace"] = ri["track"]
                entry["transporterName"] = "PostNL" if ri["track"].startswith("3S") else "DHL"
            entry["handled"] = ri["handled"]
            entry["processingResults"] = list(ri["results"])
            if full:
                sd = self._customer(order)[0]
                entry["customerDetails"] = {
                    k: sd[k]
                    for k in (
                        "salutation",
                        "firstName",
                        "surname",
                        "streetName",
                        "houseNumber",
                        "houseNumberExtension",
                        "extraAddressInformation",
                        "zipCode",
                        "city",
                        "countryCode",
                        "email",
                        "deliveryPhoneNumber",
                        "company",
                    )
                    if k in sd
                }
            items.append(entry)
        return {
            "returnId": ret["id"],
            "registrationDateTime": iso(ret["t"]),
            "fulfilmentMethod": ret["m"],
            "returnItems": items,
        }

    def _get_returns(self, req):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        handled = self._q_bool(req, "handled", False, v)
        method = self._q_enum(req, "fulfilment-method", ("FBR", "FBB"), "FBR", v)
        if v:
            return self.bad_request(v)
        self._settle()
        matched = [
            r for r in self.returns if r["m"] == method and any(i["handled"] == handled for i in r["items"])
        ]
        matched.sort(key=lambda r: r["t"], reverse=handled)  # handled newest first, unhandled oldest first
        chunk = matched[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        return self._ok(200, {"returns": [self._render_return(r) for r in chunk]})

    def _get_return(self, req, return_id):
        self._settle()
        ret = self.returns_by_id.get(return_id)
        if ret is None:
            return self.problem(404, "Not Found", "Return with id %s does not exist." % return_id)
        return self._ok(200, self._render_return(ret, full=True))

    def _handle_return(self, req, rma_id):
        body = req.json()
        v = []
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        if body.get("handlingResult") not in HANDLING_RESULTS:
            v.append(
                {
                    "name": "handlingResult",
                    "reason": "Request contains invalid value(s): '%s', allowed values: %s."
                    % (body.get("handlingResult"), ", ".join(HANDLING_RESULTS)),
                }
            )
        qty = body.get("quantityReturned")
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= 9999:
            v.append({"name": "quantityReturned", "reason": "must be between 1 and 9999"})
        if v:
            return self.bad_request(v)

        def apply():
            hit = self.rma.get(rma_id)
            if hit is None:
                return "Return item with rmaId %s does not exist." % rma_id
            _ret, ri = hit
            if ri["handled"]:
                return "Return item with rmaId %s has already been handled." % rma_id
            ri["handled"] = True
            ri["results"].append(
                {
                    "quantity": qty,
                    "processingResult": "ACCEPTED",
                    "handlingResult": body["handlingResult"],
                    "processingDateTime": iso(time.time()),
                }
            )
            return None

        ps = self._new_process(
            req, "HANDLE_RETURN_ITEM", rma_id, "Handle return item with rmaId %s." % rma_id, apply
        )
        return self._ok(202, self._ps_public(ps))

    def _create_return(self, req):
        body = req.json()
        v = []
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        item_id = body.get("orderItemId")
        if not isinstance(item_id, str) or not item_id:
            v.append({"name": "orderItemId", "reason": "must not be blank"})
        qty = body.get("quantityReturned")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            v.append({"name": "quantityReturned", "reason": "must be greater than or equal to 1"})
        if body.get("handlingResult") not in HANDLING_RESULTS:
            v.append(
                {
                    "name": "handlingResult",
                    "reason": "Request contains invalid value(s), allowed values: %s."
                    % ", ".join(HANDLING_RESULTS),
                }
            )
        if v:
            return self.bad_request(v)

        def apply():
            hit = self.items.get(item_id)
            if hit is None:
                return "Order item %s does not exist." % item_id
            order, it = hit
            if qty > it["s"]:
                return "Quantity %d exceeds the shipped quantity %d of order item %s." % (
                    qty,
                    it["s"],
                    item_id,
                )
            ret = self._add_return(order, it, qty, time.time(), 0, True)
            ret["items"][0]["results"] = [
                {
                    "quantity": qty,
                    "processingResult": "ACCEPTED",
                    "handlingResult": body["handlingResult"],
                    "processingDateTime": iso(time.time()),
                }
            ]
            return ("entity", ret["id"])

        ps = self._new_process(
            req, "CREATE_RETURN_ITEM", item_id, "Create return for order item %s." % item_id, apply
        )
        return self._ok(202, self._ps_public(ps))

    def _get_inventory(self, req):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        stock = self._q_enum(req, "stock", ("SUFFICIENT", "INSUFFICIENT"), None, v)
        state = self._q_enum(req, "state", ("REGULAR", "GRADED"), None, v)
        query = (req.arg("query") or "").strip()
        ranges = []
        for part in req.args("quantity"):
            m = re.match(r"^(\d+)-(\d+)$", part.strip())
            if not m or int(m.group(1)) > int(m.group(2)):
                v.append(
                    {
                        "name": "quantity",
                        "reason": "Request contains invalid value(s): '%s'; expected a range "
                        "(min-range)-(max-range)." % part,
                    }
                )
            else:
                ranges.append((int(m.group(1)), int(m.group(2))))
        if v:
            return self.bad_request(v)
        key = "graded" if state == "GRADED" else "regular"
        q_lower = query.lower()
        out = []
        for o in self.offer_list:
            if o["m"] != "FBB" or o["deleted"]:
                continue
            if state and not o[key]:
                continue
            if ranges and not any(lo <= o[key] <= hi for lo, hi in ranges):
                continue
            # bol calls stock sufficient when it covers the expected sales; the simulator says 10 units
            if stock == "SUFFICIENT" and o["regular"] < 10 or stock == "INSUFFICIENT" and o["regular"] >= 10:
                continue
            if query and query != o["ean"] and q_lower not in o["title"].lower():
                continue
            out.append(o)
        chunk = out[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        return self._ok(
            200,
            {
                "inventory": [
                    {
                        "ean": o["ean"],
                        "bsku": o["bsku"],
                        "gradedStock": o["graded"],
                        "regularStock": o["regular"],
                        "title": o["title"],
                    }
                    for o in chunk
                ]
            },
        )
