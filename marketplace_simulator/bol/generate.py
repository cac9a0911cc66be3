"""Generated orders and returns, and the status changes of order items (the simulated account's history)."""

from .data import RETURN_REASONS, TIME_FRAMES, iso


class GenerateMixin:
    """How BolAPI generates its orders and returns and moves order items between statuses."""

    def _generate_orders(self, count, start, end):
        """Bulk-generate `count` orders placed between start and end; the older an order, the
        likelier it is shipped. Plain dicts, no per-order copies; customers come from one integer."""
        if count <= 0:
            return
        rng = self.rng
        rnd = rng.random
        bits = rng.getrandbits
        now = self.now
        step = (end - start) / count
        fbr_pool, fbb_pool = self.fbr_offers, self.fbb_offers
        n_fbr, n_fbb = len(fbr_pool), len(fbb_pool)
        frames = TIME_FRAMES
        n_frames = len(frames)
        orders, order_list, items_index = self.orders, self.order_list, self.items
        new_item_id = self._new_item_id
        for i in range(count):
            placed = int(start + step * i + rnd() * step)
            r = rnd()
            mixed = r < 0.04
            fbb = not mixed and r < 0.3
            x = rnd()
            n_lines = 1 if x < 0.68 else 2 if x < 0.88 else 3 if x < 0.96 else 4
            items = []
            for j in range(n_lines):
                if fbb or (mixed and j % 2):
                    offer = fbb_pool[int(rnd() * n_fbb)]
                else:
                    offer = fbr_pool[int(rnd() * n_fbr)]
                y = rnd()
                q = 1 if y < 0.82 else 2 if y < 0.95 else 3 + int(rnd() * 3)
                price = offer["bundle"][0][1]
                for bq, bp in offer["bundle"]:
                    if q >= bq:
                        price = bp
                items.append(
                    {
                        "id": new_item_id(),
                        "o": offer,
                        "m": offer["m"],
                        "q": q,
                        "s": 0,
                        "c": 0,
                        "cr": False,
                        "up": price,
                        "disc": (price * q) // 10 if rnd() < 0.08 else 0,
                        "u": placed,
                        "tf": frames[int(rnd() * n_frames)] if offer["m"] == "FBR" else "REGULAR",
                    }
                )
            order = {"id": self._new_order_id(alnum=rnd() < 0.05), "p": placed, "k": bits(48), "items": items}
            age = (now - placed) / 86400.0
            s = rnd()
            if fbb:
                status = (
                    ("OPEN" if s < 0.7 else "SHIPPED")
                    if age < 1
                    else ("SHIPPED" if s < 0.95 else "CANCELLED")
                )
            elif age < 1:
                status = (
                    "OPEN"
                    if s < 0.8
                    else "CANCELLATION_REQUESTED"
                    if s < 0.83
                    else "SHIPPED"
                    if s < 0.95
                    else "CANCELLED"
                )
            elif age < 4:
                status = (
                    "OPEN"
                    if s < 0.25
                    else "PARTIALLY_SHIPPED"
                    if s < 0.35
                    else "SHIPPED"
                    if s < 0.93
                    else "CANCELLED"
                )
            else:
                status = (
                    "SHIPPED"
                    if s < 0.86
                    else "PARTIALLY_SHIPPED"
                    if s < 0.9
                    else "CANCELLED"
                    if s < 0.99
                    else "OPEN"
                )
            when = min(now - 60, placed + 3600 + int(rnd() * 2 * 86400))
            if status != "OPEN":
                self._apply_status(order, status, when, customer=rnd() < 0.4, fresh=True)
            for it in items:
                if it["m"] == "FBR":
                    it["o"]["reserved"] += it["q"] - it["s"] - it["c"]
                items_index[it["id"]] = (order, it)
            orders[order["id"]] = order
            order_list.append(order)
        if count >= 20:
            self._ensure_mix(order_list[-count:])
        self._cache.clear()

    def _ensure_mix(self, generated):
        """Small data sets still get every kind of order: open, partially shipped, cancelled and
        with a cancellation request (recent FBR orders for the open kinds, older ones for the rest),
        never taking the last order of a kind to make another."""
        counts = {}
        for o in generated:
            st = self._order_status(o)
            counts[st] = counts.get(st, 0) + 1
        newest = sorted(
            (o for o in generated if all(it["m"] == "FBR" for it in o["items"])),
            key=lambda o: o["p"],
            reverse=True,
        )
        for status, pool in (
            ("OPEN", newest[:5]),
            ("CANCELLATION_REQUESTED", newest[:10]),
            ("PARTIALLY_SHIPPED", newest[3:]),
            ("CANCELLED", newest[3:]),
        ):
            if counts.get(status):
                continue
            for order in pool:
                current = self._order_status(order)
                if (
                    counts.get(current, 0) < 2
                    or status == "PARTIALLY_SHIPPED"
                    and len(order["items"]) == 1
                    and order["items"][0]["q"] < 2
                ):
                    continue
                if status in ("CANCELLATION_REQUESTED", "CANCELLED"):
                    self._apply_status(order, "OPEN", order["p"])
                if self._apply_status(order, status, min(self.now - 60, order["p"] + 7200)) is None:
                    counts[current] -= 1
                    counts[status] = 1
                    break

    def _set_item(self, it, shipped, cancelled, when):
        old_open = it["q"] - it["s"] - it["c"]
        if shipped == it["s"] and cancelled == it["c"]:
            return False
        it["s"], it["c"], it["u"] = shipped, cancelled, when
        if it["m"] == "FBR":
            it["o"]["reserved"] += (it["q"] - shipped - cancelled) - old_open
        return True

    def _apply_status(self, order, status, when, item_ids=None, customer=True, fresh=False):
        """Move the items of `order` (or those in `item_ids`) to `status`; return an error text or None.
        `fresh`: a generated order whose reserved stock is counted afterwards by the caller."""
        items = [it for it in order["items"] if item_ids is None or it["id"] in item_ids]
        if not items:
            return "no such order items"
        setter = (
            (lambda it, s, c: it.update(s=s, c=c, u=when))
            if fresh
            else (lambda it, s, c: self._set_item(it, s, c, when))
        )
        if status == "OPEN":
            for it in items:
                setter(it, 0, 0)
                it["cr"] = False
        elif status == "SHIPPED":
            for it in items:
                setter(it, it["q"] - it["c"], it["c"])
        elif status == "CANCELLED":
            for it in items:
                setter(it, it["s"], it["q"] - it["s"])
                if it["q"] - it["s"] > 0:
                    it["cr"] = bool(customer)
        elif status == "CANCELLATION_REQUESTED":
            for it in items:
                if it["q"] - it["s"] - it["c"] > 0:
                    it["cr"] = True
                    it["u"] = when
        elif status == "PARTIALLY_SHIPPED":
            if len(items) == 1 and items[0]["q"] < 2:
                return "a single item of quantity 1 cannot be partially shipped"
            for it in items:
                setter(it, 0, 0)
            if len(items) > 1:
                setter(items[0], items[0]["q"], 0)
            else:
                setter(items[0], 1, 0)
        else:
            return "unknown status %s" % status
        return None

    @staticmethod
    def _order_status(order):
        shipped = cancelled = open_ = 0
        for it in order["items"]:
            open_ += it["q"] - it["s"] - it["c"]
            shipped += it["s"]
            cancelled += it["c"]
        if open_:
            if shipped:
                return "PARTIALLY_SHIPPED"
            if any(it["cr"] and it["q"] - it["s"] - it["c"] for it in order["items"]):
                return "CANCELLATION_REQUESTED"
            return "OPEN"
        return "SHIPPED" if shipped else "CANCELLED"

    def _touch(self):
        self._cache.clear()

    def _generate_returns(self, count):
        rng = self.rng
        candidates = [o for o in self.order_list if any(it["s"] for it in o["items"])]
        if not candidates or count <= 0:
            return
        for _ in range(count):
            order = candidates[rng.randrange(len(candidates))]
            shipped = [it for it in order["items"] if it["s"]]
            it = shipped[rng.randrange(len(shipped))]
            if it["id"] in self._returned:
                continue
            registered = min(self.now - 600, it["u"] + rng.randrange(1, 12) * 86400 + rng.randrange(86400))
            handled = (self.now - registered) > 5 * 86400 and rng.random() < 0.85
            self._add_return(
                order,
                it,
                rng.randint(1, it["s"]),
                registered,
                rng.randrange(len(RETURN_REASONS)),
                handled,
                track=rng.random() < 0.6,
            )

    def _add_return(self, order, it, qty, registered, reason, handled, track=False):
        self._return_seq += 1
        rid = str(self._salt % 1000 * 100000 + 10000000 + self._return_seq)
        rma = str(60000000 + (self._salt * 7 + self._return_seq * 101) % 39999999)
        ret = {"id": rid, "t": registered, "m": it["m"], "items": []}
        ritem = {
            "rma": rma,
            "order": order,
            "it": it,
            "qty": qty,
            "reason": reason,
            "handled": handled,
            "results": [],
            "track": ("3SBOL%010d" % (int(rma) * 7 % 10**10)) if track else None,
        }
        if handled:
            ritem["results"].append(
                {
                    "quantity": qty,
                    "processingResult": "ACCEPTED",
                    "handlingResult": "RETURN_RECEIVED",
                    "processingDateTime": iso(min(self.now - 60, registered + 3 * 86400)),
                }
            )
        ret["items"].append(ritem)
        self.returns.append(ret)
        self.returns_by_id[rid] = ret
        self.rma[rma] = (ret, ritem)
        self._returned.add(it["id"])
        return ret
