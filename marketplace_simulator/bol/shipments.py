"""Shipments: creation (asynchronous, a process status), lists and details."""

import hashlib
import time

from .data import PAGE_SIZE, TRANSPORTER_CODES, _money, iso


class ShipmentsMixin:
    """The shipment handlers of BolAPI."""

    def _create_shipment(self, req):
        body = req.json()
        v = []
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        lines = body.get("orderItems")
        if not isinstance(lines, list) or not lines:
            v.append({"name": "orderItems", "reason": "size must be between 1 and 100"})
            lines = []
        elif len(lines) > 100:
            v.append({"name": "orderItems", "reason": "size must be between 1 and 100"})
        for i, line in enumerate(lines):
            if (
                not isinstance(line, dict)
                or not isinstance(line.get("orderItemId"), str)
                or not line["orderItemId"].strip()
            ):
                v.append({"name": "orderItems[%d].orderItemId" % i, "reason": "must not be blank"})
                continue
            q = line.get("quantity")
            if q is not None and (not isinstance(q, int) or isinstance(q, bool) or q < 1):
                v.append(
                    {"name": "orderItems[%d].quantity" % i, "reason": "must be greater than or equal to 1"}
                )
        ref = body.get("shipmentReference")
        if ref is not None and (not isinstance(ref, str) or not ref or len(ref) > 90):
            v.append({"name": "shipmentReference", "reason": "size must be between 1 and 90"})
        transport = body.get("transport")
        label = body.get("shippingLabelId")
        if transport is not None:
            if not isinstance(transport, dict):
                v.append({"name": "transport", "reason": "must be an object"})
            else:
                code = transport.get("transporterCode")
                if not isinstance(code, str) or not code:
                    v.append({"name": "transport.transporterCode", "reason": "must not be blank"})
                elif code not in TRANSPORTER_CODES:
                    v.append(
                        {
                            "name": "transport.transporterCode",
                            "reason": "Request contains invalid value(s): '%s', "
                            "allowed values: %s." % (code, ", ".join(TRANSPORTER_CODES)),
                        }
                    )
                tt = transport.get("trackAndTrace")
                if tt is not None and not isinstance(tt, str):
                    v.append({"name": "transport.trackAndTrace", "reason": "must be a string"})
            if label:
                v.append(
                    {
                        "name": "shippingLabelId",
                        "reason": "Provide either a shippingLabelId or a transport, not both.",
                    }
                )
        if label is not None and not isinstance(label, str):
            v.append({"name": "shippingLabelId", "reason": "must be a string"})
        if v:
            return self.bad_request(v)
        wanted = [(line["orderItemId"].strip(), line.get("quantity")) for line in lines]
        transport = dict(transport or {})
        first = wanted[0][0]

        def apply():
            found = []
            for item_id, q in wanted:
                hit = self.items.get(item_id)
                if hit is None:
                    return "Order item %s does not exist." % item_id
                found.append((hit, q))
            if len({id(o) for (o, _), _ in found}) > 1:
                return "All order items of a shipment must belong to the same order."
            plan = []
            for (order, it), q in found:
                open_ = it["q"] - it["s"] - it["c"]
                if it["m"] == "FBB":
                    return (
                        "Order item %s is fulfilled by bol.com (FBB) and cannot be shipped by the retailer."
                        % it["id"]
                    )
                if open_ <= 0:
                    return (
                        "Order item %s has no open quantity left to ship (quantity %d, shipped %d, cancelled %d)."
                        % (it["id"], it["q"], it["s"], it["c"])
                    )
                q = open_ if q is None else q
                if q > open_:
                    return "Quantity %d for order item %s exceeds the open quantity %d." % (
                        q,
                        it["id"],
                        open_,
                    )
                plan.append((it, q))
            now = int(time.time())
            for it, q in plan:
                self._set_item(it, it["s"] + q, it["c"], now)
            if label:
                transport.update(
                    {
                        "shippingLabelId": label,
                        "transporterCode": "TNT",
                        "trackAndTrace": "3SBOL%010d"
                        % (int(hashlib.md5(label.encode()).hexdigest(), 16) % 10**10),
                    }
                )
            self._record_shipment(found[0][0][0], plan, ref, transport, label, "api")
            self._touch()
            return None

        ps = self._new_process(
            req, "CREATE_SHIPMENT", first, "Create shipment for order item %s." % first, apply
        )
        return self._ok(202, self._ps_public(ps))

    def _record_shipment(self, order, plan, ref, transport, label, source):
        self._ship_seq += 1
        sid = str(900000000 + (self._salt + self._ship_seq * 7907) % 99999999)
        tid = str(300000000 + (self._salt * 3 + self._ship_seq * 6421) % 99999999)
        tr = {"transportId": tid}
        for key in ("transporterCode", "trackAndTrace", "shippingLabelId"):
            if transport.get(key):
                tr[key] = transport[key]
        shipment = {
            "id": sid,
            "order": order,
            "items": list(plan),
            "ref": ref,
            "transport": tr,
            "t": int(time.time()),
            "source": source,
            "m": plan[0][0]["m"],
        }
        self.shipments.append(shipment)
        self.shipments_by_id[sid] = shipment
        return shipment

    def _get_shipments(self, req):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        method = self._q_enum(req, "fulfilment-method", ("FBR", "FBB"), "FBR", v)
        order_id = req.arg("order-id")
        if v:
            return self.bad_request(v)
        self._settle()
        if order_id:
            matched = [s for s in self.shipments if s["order"]["id"] == order_id]
        else:
            matched = [s for s in self.shipments if s["m"] == method]
        matched.sort(key=lambda s: (s["t"], s["id"]), reverse=True)
        chunk = matched[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        out = []
        for s in chunk:
            entry = {"shipmentId": s["id"], "shipmentDateTime": iso(s["t"])}
            if s["ref"]:
                entry["shipmentReference"] = s["ref"]
            entry["order"] = {"orderId": s["order"]["id"], "orderPlacedDateTime": iso(s["order"]["p"])}
            entry["shipmentItems"] = [
                {"orderItemId": it["id"], "ean": it["o"]["ean"]} for it, _ in s["items"]
            ]
            entry["transport"] = {"transportId": s["transport"]["transportId"]}
            out.append(entry)
        return self._ok(200, {"shipments": out})

    def _get_shipment(self, req, shipment_id):
        self._settle()
        s = self.shipments_by_id.get(shipment_id)
        if s is None:
            return self.problem(404, "Not Found", "Shipment with id %s does not exist." % shipment_id)
        order = s["order"]
        sd, billing, pickup = self._customer(order)
        out = {"shipmentId": s["id"], "shipmentDateTime": iso(s["t"])}
        if s["ref"]:
            out["shipmentReference"] = s["ref"]
        out.update(
            {
                "pickupPoint": pickup,
                "order": {"orderId": order["id"], "orderPlacedDateTime": iso(order["p"])},
                "shipmentDetails": sd,
            }
        )
        if billing is not None:
            out["billingDetails"] = billing
        items = []
        for it, q in s["items"]:
            ful = self._fulfilment(order, it)
            items.append(
                {
                    "orderItemId": it["id"],
                    "fulfilment": {
                        "method": ful["method"],
                        "distributionParty": ful["distributionParty"],
                        "latestDeliveryDate": ful["latestDeliveryDate"],
                    },
                    "offer": self._offer_ref(it["o"]),
                    "product": {"ean": it["o"]["ean"], "title": it["o"]["title"]},
                    "quantity": q,
                    "quantityShipped": q,
                    "unitPrice": _money(it["up"]),
                    "commission": _money(self._commission(it) * q // max(1, it["q"])),
                }
            )
        out["shipmentItems"] = items
        out["transport"] = dict(s["transport"])
        return self._ok(200, out)
