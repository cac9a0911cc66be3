"""Orders of the seller account: generated from the seed or added by tests, their indexes
(purchase and last update dates), status changes and money.

An order is a plain dict (id, mp, ch, st, p, u, items, buyer, country, addr, b2b, company, vat,
prime, level, gift, payment, facilitator, seller_order_id); each API version renders it
(orders_v0.py, orders_2026.py) and shows its buyer as the request's token allows (buyers.py)."""

import random
import time
from bisect import bisect_left, bisect_right

from .data import (
    _FIRST,
    _P,
    ADDRESSES,
    COMPANIES,
    GIFT_MESSAGES,
    MARKETPLACES,
    NAMES,
    SHIP_TO,
    SITES,
    TAX_BY_COUNTRY,
    iso,
)

# Marketplaces where Amazon, as marketplace facilitator, collects and remits the sales tax of
# every order (US states); elsewhere only some orders (deemed reseller: imports into the UK up
# to GBP 135, EU imports up to EUR 150 under IOSS).
FACILITATOR_MARKETPLACES = ("ATVPDKIKX0DER",)
RESPONSIBLE_PARTY = {"ATVPDKIKX0DER": "Amazon Services, Inc."}
PAYMENT_METHODS = ("Other", "COD", "CVS")


def _basis_points(percent):
    """A tax rate in percent (add_orders tax_rate) in basis points; None when not given."""
    return None if percent is None else int(round(float(percent) * 100))


class OrdersMixin:
    def _new_order_id(self, mp_id):
        self._order_seq += 1
        prefix = MARKETPLACES[mp_id][6][self._order_seq % 3]
        mid = (self._order_seq * 7919 + self._salt) % 10**7
        return "%s-%07d-%07d" % (prefix, mid, self.rng.randrange(10**7))

    def _new_item_id(self):
        self._item_seq += 1
        return "%014d" % (30000000000000 + self._item_seq * 7 + self._salt % 7)

    def _generate_orders(self, count, start, end):
        """Bulk-generate `count` orders with purchase dates spread between start and end."""
        if count <= 0:
            return
        rng = self.rng
        rnd = rng.random
        step = (end - start) / count
        weights_mp = (0, 0, 0, 0, 1, 1, 2, 3, 3, 3)  # DE, UK, FR, US
        skus = self.sku_list
        fba_skus = self.fba_skus
        for i in range(count):
            mp_id = SITES[weights_mp[int(rnd() * 10)]]
            afn = rnd() < 0.35
            r = rnd()
            if afn:
                status = (
                    "Shipped"
                    if r < 0.7
                    else "Pending"
                    if r < 0.8
                    else "Unshipped"
                    if r < 0.87
                    else "Canceled"
                )
            else:
                status = (
                    "Unshipped"
                    if r < 0.32
                    else "Shipped"
                    if r < 0.67
                    else "PartiallyShipped"
                    if r < 0.75
                    else "Pending"
                    if r < 0.87
                    else "Canceled"
                )
            purchase = int(start + step * i + rnd() * step)
            self._make_order(mp_id, afn, status, purchase, None, fba_skus if afn else skus)

    def _make_items(self, mp_id, afn, lines, pool, gift):
        rng = self.rng
        rnd = rng.random
        if lines is None:
            n_lines = 1 if rnd() < 0.55 else 2 if rnd() < 0.7 else rng.randrange(3, 6)
            lines = [
                {"sku": pool[int(rnd() * len(pool))], "quantity": 1 if rnd() < 0.75 else rng.randrange(2, 5)}
                for _ in range(n_lines)
            ]
        items = []
        for line in lines:
            sku = line["sku"]
            qty = int(line.get("quantity", 1))
            offer = self.offers.get(sku, {}).get(mp_id)
            unit = (
                int(round(float(line["price"]) * 100))
                if line.get("price") is not None
                else (offer["price"] if offer else 1999)
            )
            ship = 0 if (afn or rnd() < 0.5) else rng.choice((299, 399, 499))
            if line.get("shipping") is not None:
                ship = int(round(float(line["shipping"]) * 100))
            promo, promo_id = 0, None
            r = rnd()
            if r < 0.12:
                promo, promo_id = unit * qty // 10, "SIM-PROMO-10"
            items.append(
                {
                    "id": self._new_item_id(),
                    "sku": sku,
                    "qty": qty,
                    "shipped": 0,
                    "unit": unit,
                    "rate": _basis_points(line.get("tax_rate")),
                    "ship": ship,
                    "ship_disc": ship if (ship and r > 0.9) else 0,
                    "promo": promo,
                    "promo_id": promo_id,
                    "wrap": rng.choice((299, 399)) if gift else 0,
                    "msg": GIFT_MESSAGES[int(rnd() * len(GIFT_MESSAGES))] if gift and rnd() < 0.8 else None,
                }
            )
        return items

    @staticmethod
    def _ship_items(items, status):
        """QuantityShipped of each item as the status says."""
        total_units = sum(it["qty"] for it in items)
        if status == "PartiallyShipped" and total_units < 2:
            items[0]["qty"] = total_units = 2
        if status in ("Shipped", "InvoiceUnconfirmed"):
            for it in items:
                it["shipped"] = it["qty"]
        elif status == "PartiallyShipped":
            remaining = max(1, total_units // 2)
            for it in items:
                take = min(it["qty"], remaining)
                it["shipped"] = take
                remaining -= take
                if remaining <= 0:
                    break
            if all(it["shipped"] == it["qty"] for it in items):  # keep it partial
                items[-1]["shipped"] = items[-1]["qty"] - 1

    def _make_order(self, mp_id, afn, status, purchase, lines, pool, **spec):
        """One order; `spec` (add_orders): b2b, gift, order_id, updated, ship_to, payment,
        facilitator, seller_order_id, tax_rate (None: drawn from the seed or the marketplace's default)."""
        rng = self.rng
        rnd = rng.random
        gift = rnd() < 0.08 if spec.get("gift") is None else bool(spec["gift"])
        b2b = rnd() < 0.1 if spec.get("b2b") is None else bool(spec["b2b"])
        items = self._make_items(mp_id, afn, lines, pool, gift)
        self._ship_items(items, status)
        country_pool = SHIP_TO[mp_id]
        country = spec.get("ship_to") or country_pool[int(rnd() * len(country_pool))]
        order_rate = _basis_points(spec.get("tax_rate"))
        for it in items:  # the tax of the destination, unless the line or the order says otherwise
            if it["rate"] is None:
                it["rate"] = (
                    order_rate
                    if order_rate is not None
                    else TAX_BY_COUNTRY.get(country, MARKETPLACES[mp_id][5])
                )
        order = {
            "id": spec.get("order_id") or self._new_order_id(mp_id),
            "mp": mp_id,
            "ch": "AFN" if afn else "MFN",
            "st": status,
            "p": purchase,
            "u": purchase
            + (int(rnd() * 86400 * 2) if status not in ("Pending", "Unshipped") else int(rnd() * 600)),
            "items": items,
            "buyer": int(rnd() * len(NAMES)),
            "country": country,
            "addr": int(rnd() * len(ADDRESSES[country])),
            "b2b": b2b,
            "company": COMPANIES[int(rnd() * len(COMPANIES))] if b2b else None,
            "vat": ("%s%09d" % (country, rng.randrange(10**9))) if b2b and rnd() < 0.85 else None,
            "prime": afn and rnd() < 0.6,
            "level": "Standard" if rnd() < 0.8 else "Expedited",
            "gift": gift,
            "payment": spec.get("payment") or "Other",
            # deemed reseller: every 20th UK order (no draw, so that a seed keeps its orders)
            "facilitator": bool(spec["facilitator"])
            if spec.get("facilitator") is not None
            else (
                mp_id in FACILITATOR_MARKETPLACES or (mp_id == "A1F83G8C2ARO7P" and self._order_seq % 20 == 0)
            ),
            "seller_order_id": spec.get("seller_order_id"),
        }
        if spec.get("vat") is not None and b2b:
            order["vat"] = spec["vat"] or None
        updated = spec.get("updated")
        if updated is not None:
            order["u"] = max(purchase, int(updated))
        elif order["u"] > self.now:
            order["u"] = max(purchase, int(self.now) - 1)
        self.orders[order["id"]] = order
        if self.order_list and purchase < self.order_list[-1]["p"]:
            self._p_sorted = False
        self.order_list.append(order)
        self._index_u(order)
        self._fin_ship(order)  # what shipped is charged (finances.py)
        return order

    def _index_u(self, order):
        """Keep the LastUpdateDate index in step after order["u"] was set."""
        by_u = self._by_u
        if by_u is None:
            return
        if not by_u or order["u"] >= by_u[-1][0]:
            by_u.append((order["u"], order))
            self._u_dups = True
        else:
            self._by_u = None

    def _touch(self, order):
        order["u"] = int(time.time())
        self._index_u(order)

    def _candidates(self, key, lo, hi):
        """Orders with `key` ("p" purchase, "u" last update) between lo and hi, ascending."""
        if key == "p":
            if not self._p_sorted:
                self.order_list.sort(key=_P)
                self._p_sorted = True
            lst = self.order_list
            return lst[bisect_left(lst, lo, key=_P) : bisect_right(lst, hi, key=_P)]
        if self._by_u is None:
            self._by_u = sorted(((o["u"], o) for o in self.order_list), key=_FIRST)
            self._u_dups = False
        by_u = self._by_u
        window = by_u[bisect_left(by_u, lo, key=_FIRST) : bisect_right(by_u, hi, key=_FIRST)]
        out = [o for u, o in window if o["u"] == u]
        if self._u_dups:
            seen = set()
            out = [o for o in out if not (o["id"] in seen or seen.add(o["id"]))]
        return out

    def _generate_returns(self):
        """A few customer returns of shipped orders (FBA returns report and state)."""
        rng = random.Random("amazon-returns-%s" % self.seed)
        reasons = ("UNWANTED_ITEM", "DEFECTIVE", "NOT_AS_DESCRIBED", "SWITCHEROO", "APPAREL_TOO_SMALL")
        for order in self.order_list:
            if order["st"] == "Shipped" and rng.random() < (0.12 if order["ch"] == "AFN" else 0.04):
                it = order["items"][0]
                self.returns.append(
                    {
                        "amazon_order_id": order["id"],
                        "sku": it["sku"],
                        "asin": self.products.get(it["sku"], {}).get("asin", ""),
                        "fnsku": self.products.get(it["sku"], {}).get("fnsku", ""),
                        "quantity": 1,
                        "channel": order["ch"],
                        "marketplace_id": order["mp"],
                        "reason": rng.choice(reasons),
                        "status": rng.choice(("Unit returned to inventory", "Reimbursed", "Pending")),
                        "return_date": iso(min(self.now - 3600, order["u"] + rng.randrange(3, 20) * 86400)),
                        "detailed_disposition": rng.choice(("SELLABLE", "CUSTOMER_DAMAGED", "DEFECTIVE")),
                    }
                )

    # -- money ---------------------------------------------------------------------------------
    @staticmethod
    def _item_amounts(order, it):
        """Cents of one item as both API versions show them: price, shipping, gift wrap and the
        discounts as the buyer sees them (VAT included on the marketplaces whose prices include
        it), and the tax of each (the included VAT there; the sales tax on top elsewhere)."""
        included = MARKETPLACES[order["mp"]][8]
        rate = it["rate"]

        def tax_of(cents):
            if included:
                return cents - (cents * 10000 + (10000 + rate) // 2) // (10000 + rate)
            return (cents * rate + 5000) // 10000

        out = {
            "item": it["unit"] * it["qty"],
            "ship": it["ship"],
            "ship_disc": it["ship_disc"],
            "promo": it["promo"],
            "wrap": it["wrap"],
        }
        for key in list(out):
            out[key + "_tax"] = tax_of(out[key])
        return out

    def _order_amounts(self, order):
        """OrderTotal in cents: the sum of what the buyer pays for each item, with the sales tax
        on top where prices exclude it (Amazon adds the items' own tax amounts)."""
        included = MARKETPLACES[order["mp"]][8]
        total = 0
        for it in order["items"]:
            a = self._item_amounts(order, it)
            total += a["item"] + a["ship"] + a["wrap"] - a["promo"] - a["ship_disc"]
            if not included:
                total += a["item_tax"] + a["ship_tax"] + a["wrap_tax"] - a["promo_tax"] - a["ship_disc_tax"]
        return total

    @staticmethod
    def _priced(order):
        """Pending orders carry no prices."""
        return order["st"] not in ("Pending", "PendingAvailability")

    def _set_status(self, order, status):
        order["st"] = status
        if status in ("Shipped", "InvoiceUnconfirmed"):
            for it in order["items"]:
                it["shipped"] = it["qty"]
        elif status in ("Unshipped", "Pending"):
            for it in order["items"]:
                it["shipped"] = 0
        self._touch(order)
        self._fin_ship(order)
