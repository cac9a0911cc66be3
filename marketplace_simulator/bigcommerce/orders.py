"""Orders: generation, amounts, status changes and the order control actions."""

import time

from .data import (
    COMPANIES,
    COUNTRIES,
    COUNTRY_POOL,
    COUPONS,
    CUSTOM_ITEMS,
    GIFT_MESSAGES,
    iso8601,
    RANDOM_CUSTOM_ITEMS,
    L_A,
    L_Q,
    L_S,
    L_U,
    L_W,
    MESSAGES,
    NAMES,
    parse_date,
    PAYMENT_METHODS,
    PM_BANK,
    PM_CARD,
    PM_COD,
    PM_GC,
    PM_KLARNA,
    PM_PAYPAL,
    PM_TEST,
    split_tax,
    STATUS_BY_NAME,
    STATUS_NAME,
    STORE_COUNTRY,
    WRAPPINGS,
    _ID,
    _int_arg,
    L_R,
    NON_TAXABLE_CLASS,
    REDUCED_CLASS,
    REDUCED_RATES,
    TAX_CLASS_NAME,
)


class OrdersMixin:
    """Order state and the order control actions of BigCommerceAPI."""

    # -- orders --------------------------------------------------------------------------------
    def _generate_orders(self, count, start, end):
        if count <= 0:
            return
        rnd = self.rng.random
        step = (end - start) / count
        self._units = [self._unit_price(v) for v in self.variant_list]  # prices at generation time
        for i in range(count):
            r = rnd()
            status = (
                11
                if r < 0.30
                else 9
                if r < 0.38
                else 7
                if r < 0.44
                else 1
                if r < 0.48
                else 3
                if r < 0.54
                else 2
                if r < 0.78
                else 10
                if r < 0.86
                else 5
                if r < 0.91
                else 4
                if r < 0.93
                else 14
                if r < 0.94
                else 6
                if r < 0.95
                else 12
                if r < 0.96
                else 8
                if r < 0.97
                else 13
                if r < 0.98
                else 0
            )
            created = int(start + step * i + rnd() * step)
            # now and then a fee (no draw: a seed keeps its orders); the order's id is the next one
            fee = {"fees": [("Versandversicherung", 199, 0)]} if self._next_order % 17 == 0 else None
            self._make_order(status, created, None, fee)
        self._units = None

    def _make_order(self, status, created, lines, spec=None):
        """Create one order. `lines`: None (random) or [(variant or None, qty, custom index)]."""
        spec = spec or {}
        rng = self.rng
        rnd = rng.random
        variants = self.variant_list
        country = spec.get("country") or COUNTRY_POOL[int(rnd() * len(COUNTRY_POOL))]
        cinfo = COUNTRIES[country]
        b2b = spec.get("b2b")
        if b2b is None:
            b2b = rnd() < 0.12
        vat = None
        if b2b and cinfo[2] and rnd() < 0.9:
            vat = "%s%09d" % (country, int(rnd() * 10**9))
        if not cinfo[2]:
            rate = 0  # export outside the EU
        elif vat and country != STORE_COUNTRY:
            rate = 0  # intra-EU B2B: reverse charge
        else:
            rate = cinfo[1]
        inclusive = spec.get("tax_inclusive")
        if inclusive is None:
            inclusive = bool(cinfo[2] and not b2b and rnd() < 0.9)
        gift = spec.get("gift")
        if gift is None:
            gift = rnd() < 0.07
        order_lines = []
        if lines is None:
            n_lines = 1 if rnd() < 0.5 else 2 if rnd() < 0.6 else 3 + int(rnd() * 3)
            units = self._units
            for _ in range(n_lines):
                if rnd() < 0.04:
                    lines_v, custom, price = None, int(rnd() * RANDOM_CUSTOM_ITEMS), None
                else:
                    j = int(rnd() * len(variants))
                    lines_v, custom, price = variants[j], -1, units[j] if units else None
                qty = 1 if rnd() < 0.75 else 2 + int(rnd() * 3)
                order_lines.append(self._line(lines_v, qty, custom, gift, price))
        else:
            for variant, qty, custom, price, tax_class in lines:
                order_lines.append(self._line(variant, qty, custom, gift, price, tax_class))
        total_units = sum(ln[L_Q] for ln in order_lines)
        if status == 3 and total_units < 2:
            order_lines[0][L_Q] = 2
            total_units = 2
        n_addr = 2 if (len(order_lines) >= 2 and rnd() < 0.03 and not spec.get("single_address")) else 1
        if spec.get("addresses") in (1, 2) and len(order_lines) >= spec["addresses"]:
            n_addr = spec["addresses"]
        for k, ln in enumerate(order_lines):
            ln[L_A] = k % n_addr
        ship0 = []
        if status in (2, 10, 4):
            for k, ln in enumerate(order_lines):
                ln[L_S] = ln[L_Q]
                ship0.append((k, ln[L_Q]))
        elif status in (3, 14) and total_units >= 2:
            remaining = max(1, total_units // 2)
            for k, ln in enumerate(order_lines):
                take = min(ln[L_Q], remaining)
                if take:
                    ln[L_S] = take
                    ship0.append((k, take))
                remaining -= take
                if remaining <= 0:
                    break
        # payment
        pm = spec.get("payment_method_index")
        if pm is None:
            r = rnd()
            pm = (
                PM_CARD
                if r < 0.45
                else PM_PAYPAL
                if r < 0.70
                else PM_KLARNA
                if r < 0.80
                else PM_BANK
                if r < 0.90
                else PM_COD
                if r < 0.96
                else PM_TEST
            )
            if status == 7 and pm not in (PM_BANK, PM_COD):
                pm = PM_BANK
        coupon = spec.get("coupon")
        if coupon is None:
            coupon = (1 if rnd() < 0.5 else 2) if rnd() < 0.12 else 0
        ship_cost = spec.get("shipping_cost")
        if ship_cost is None:
            ship_cost = 0 if rnd() < 0.3 else (495 if country == STORE_COUNTRY else 690 if cinfo[2] else 1290)
        handling = spec.get("handling_cost")
        if handling is None:
            handling = 250 if rnd() < 0.05 else 0
        gc = spec.get("gift_certificate")
        if gc is None:
            gc = 2500 if rnd() < 0.04 else 0
        if gc == "all":
            pm = PM_GC
        oid = spec.get("id") or self._next_order
        self._next_order = max(self._next_order, oid) + 1
        customer = 0 if rnd() < 0.2 else 1 + int(rnd() * 4999)
        if spec.get("customer_id") is not None:  # 0: a guest
            customer = int(spec["customer_id"])
        src = rnd()
        ps = spec.get("payment_status") or self._payment_status(status, pm, rnd)
        order = {
            "id": oid,
            "c": created,
            "m": created + (int(rnd() * 86400 * 2) if status not in (1, 7, 11, 0) else int(rnd() * 600)),
            "st": status,
            "cust": customer,
            "bn": int(rnd() * len(NAMES)),
            "sn": -1 if rnd() < 0.8 else int(rnd() * len(NAMES)),
            "cc": country,
            "ai": int(rnd() * len(cinfo[3])),
            "co": int(rnd() * len(COMPANIES)) if b2b else -1,
            "vat": vat,
            "inc": inclusive,
            "rate": rate,
            "lines": order_lines,
            "ship": ship_cost,
            "hand": handling,
            "coupon": coupon,
            "gc": gc,
            "sc": 1000 if rnd() < 0.02 else 0,
            "pm": pm,
            "ps0": ps,
            "ps": ps,
            "pid": self._pid,
            "aid": self._aid,
            "na": n_addr,
            "msg": int(rnd() * len(MESSAGES)) if rnd() < 0.1 else -1,
            "src": "www" if src < 0.85 else "manual" if src < 0.95 else "external",
            "ship0": ship0,
            "shp": [],
            "tx": [],
            "ds": 0,
            "fees": list(spec.get("fees") or []),  # (name, cents as entered, tax class)
        }
        if spec.get("currency") and spec["currency"] != self.store_currency:
            # a multi-currency order: every amount in the shopper's (transactional) currency
            order.update(
                cur=str(spec["currency"]).upper(), cur_id=2, fx=float(spec.get("exchange_rate") or 1.0)
            )
        if order["m"] > self.now:
            order["m"] = max(created, int(self.now) - 1)
        if status in (2, 10, 4):
            order["ds"] = min(order["m"], created + 86400)
        self._pid += len(order_lines)
        self._aid += n_addr
        self.orders[oid] = order
        if self.order_list and oid < self.order_list[-1]["id"]:
            self.order_list.append(order)
            self.order_list.sort(key=_ID)
        else:
            self.order_list.append(order)
        self._visible = None
        self._by_status = None
        if self._by_m is not None or self._by_c is not None:
            self._index(order)
        if status in (4, 14):  # the refund that made it so (see refunds.py)
            self._generated_refund(order, full=status == 4)
        return order

    def _line(self, variant, qty, custom, gift, price, tax_class=None):
        """One order line; its tax class is its product's (custom items: the default class)
        unless `tax_class` says otherwise."""
        if tax_class is None:
            tax_class = self.products[variant["product_id"]]["tax_class"] if variant is not None else 0
        if variant is None:
            unit = CUSTOM_ITEMS[custom][2] if price is None else price
            vidx = -1
        else:
            unit = self._unit_price(variant) if price is None else price
            vidx = variant["id"]
            self.products[variant["product_id"]]["sold"] += qty
        wrap = 0
        wrap_msg = -1
        if gift:
            wrap = 1 if self.rng.random() < 0.6 else 2
            wrap_msg = int(self.rng.random() * len(GIFT_MESSAGES)) if self.rng.random() < 0.8 else -1
        return [vidx, qty, unit, wrap, wrap_msg, 0, 0, custom, tax_class]

    @staticmethod
    def _payment_status(status, pm, rnd):
        offline = PAYMENT_METHODS[pm][3]
        if status in (0, 1):
            return ""
        if status == 7:
            return "pending"
        if status == 6:
            return "declined"
        if status == 5:
            return "" if offline else "void"
        if status == 4:
            return "refunded"
        if status == 14:
            return "partially refunded"
        if status == 12:
            return "held for review"
        if offline:
            return "pending" if pm == PM_COD and status in (11, 9, 8) else "paid"
        if status in (11, 9) and pm == PM_CARD and rnd() < 0.25:
            return "authorized"
        return "captured"

    def _index(self, order):
        """Keep the date indexes in step after order["m"] or a new order."""
        for attr, key in (("_by_m", "m"), ("_by_c", "c")):
            idx = getattr(self, attr)
            if idx is None:
                continue
            if not idx or order[key] >= idx[-1][0]:
                idx.append((order[key], order))
            else:
                setattr(self, attr, None)

    def _touch(self, order):
        order["m"] = max(int(time.time()), order["m"])
        self._index(order)

    def _set_status(self, order, status, source):
        old = order["st"]
        if old == status:
            return
        order["st"] = status
        self._visible = None
        self._by_status = None
        if status == 2 and not order["ds"]:
            order["ds"] = int(time.time())
        self.status_changes.append(
            {
                "order_id": order["id"],
                "from": STATUS_NAME[old],
                "to": STATUS_NAME[status],
                "source": source,
                "at": iso8601(time.time()),
            }
        )

    # -- amounts -------------------------------------------------------------------------------
    def _line_rate(self, o, ln):
        """The tax rate (basis points) of a line: none on a tax-free order (exports, reverse
        charge) or for a non-taxable product; the destination's reduced rate for the reduced
        tax class; the order's standard rate otherwise."""
        if not o["rate"] or ln[L_R] == NON_TAXABLE_CLASS:
            return 0
        if ln[L_R] == REDUCED_CLASS:
            return REDUCED_RATES.get(o["cc"], o["rate"])
        return o["rate"]

    def _amounts(self, o):
        """Every amount of an order, in cents. Each line is taxed at its own rate (_line_rate),
        so is its share of an order discount (the shares add up to the discount: the last line
        takes what rounding left); shipping, handling and gift wrapping at the standard rate."""
        rate, inc = o["rate"], o["inc"]
        lines, rates = [], []
        entered = 0
        sub_ex = sub_inc = 0
        wrap_ex = wrap_inc = wrap_entered = 0
        for ln in o["lines"]:
            qty, unit = ln[L_Q], ln[L_U]
            line_rate = self._line_rate(o, ln)
            rates.append(line_rate)
            p_ex, p_inc, p_tax = split_tax(unit, line_rate, inc)
            t_ex, t_inc, t_tax = split_tax(unit * qty, line_rate, inc)
            w = WRAPPINGS[ln[L_W]][2]
            w_ex, w_inc, _ = split_tax(w, rate, inc)
            lines.append((p_ex, p_inc, p_tax, t_ex, t_inc, t_tax, w, w_ex, w_inc))
            entered += unit * qty
            sub_ex += t_ex
            sub_inc += t_inc
            wrap_ex += w_ex
            wrap_inc += w_inc
            wrap_entered += w
        discount = 0
        if o["coupon"]:
            kind, amount = COUPONS[o["coupon"] - 1][1:]
            discount = entered * amount // 100 if kind == 1 else min(amount * 100, entered)
        shares = [discount * ln[L_Q] * ln[L_U] // max(1, entered) for ln in o["lines"]]
        if shares:
            shares[-1] += discount - sum(shares)
        d_ex = d_inc = d_tax = 0
        for share, line_rate in zip(shares, rates):
            ex, inc_, tax = split_tax(share, line_rate, inc)
            d_ex, d_inc, d_tax = d_ex + ex, d_inc + inc_, d_tax + tax
        s_ex, s_inc, s_tax = split_tax(o["ship"], rate, inc)
        h_ex, h_inc, h_tax = split_tax(o["hand"], rate, inc)
        fees = []
        for name, cents, tax_class in o.get("fees") or ():
            fee_rate = (
                0
                if tax_class == NON_TAXABLE_CLASS
                else (REDUCED_RATES.get(o["cc"], rate) if tax_class == REDUCED_CLASS and rate else rate)
            )
            fees.append((name, cents, tax_class) + split_tax(cents, fee_rate, inc))
        total_ex = sub_ex + s_ex + h_ex + wrap_ex - d_ex + sum(f[3] for f in fees)
        total_tax = (
            (sub_inc - sub_ex) + s_tax + h_tax + (wrap_inc - wrap_ex) - d_tax + sum(f[5] for f in fees)
        )
        total_inc = total_ex + total_tax
        gc = min(o["gc"], total_inc) if o["gc"] != "all" else total_inc
        sc = min(o["sc"], total_inc - gc)
        refund = sum(r["total"] for r in self.refunds_by_order.get(o["id"], ()))
        return {
            "lines": lines,
            "rates": rates,
            "shares": shares,
            "entered": entered,
            "sub_ex": sub_ex,
            "sub_inc": sub_inc,
            "ship": (o["ship"], s_ex, s_inc, s_tax),
            "hand": (o["hand"], h_ex, h_inc, h_tax),
            "wrap": (wrap_entered, wrap_ex, wrap_inc, wrap_inc - wrap_ex),
            "discount": discount,
            "d_inc": d_inc,
            "fees": fees,  # (name, cents, tax class, ex tax, inc tax, tax)
            "total_ex": total_ex,
            "total_inc": total_inc,
            "total_tax": total_tax,
            "gc": gc,
            "sc": sc,
            "paid": total_inc - gc - sc,
            "refund": refund,
        }

    @staticmethod
    def _status_arg(value):
        if isinstance(value, str) and not value.strip().isdigit():
            return STATUS_BY_NAME.get(value.strip().lower())
        sid = _int_arg(value)
        return sid if sid in STATUS_NAME else None

    def _control_set_status(self, order, status, payment_status=None):
        self._set_status(order, status, "control")
        if status in (2, 10, 3):
            # ship what the status says is shipped, as a shipment of the store (not the connector's)
            lines = order["lines"]
            if status == 3:
                want = max(1, sum(ln[L_Q] for ln in lines) // 2) - sum(ln[L_S] for ln in lines)
            else:
                want = sum(ln[L_Q] - ln[L_S] for ln in lines)
            shipped = []
            for k, ln in enumerate(lines):
                take = min(ln[L_Q] - ln[L_S], want)
                if take > 0 and (status != 3 or ln[L_A] == 0):
                    ln[L_S] += take
                    want -= take
                    shipped.append((k, take))
            by_address = {}
            for k, q in shipped:
                by_address.setdefault(lines[k][L_A], []).append((k, q))
            for address, items in sorted(by_address.items()):
                self._shipment_seq += 1
                order["shp"].append(
                    {
                        "id": self._shipment_seq,
                        "address": address,
                        "date": time.time(),
                        "tracking_number": "00340434%010d" % (self._shipment_seq * 7919 % 10**10),
                        "provider": "",
                        "carrier": "dhl",
                        "link": "",
                        "comments": "",
                        "method": "DHL Paket",
                        "items": items,
                    }
                )
        elif status in (4, 14):
            # the store's own refund: everything left, or one unit (once)
            if status == 4 or not self.refunds_by_order.get(order["id"]):
                self._generated_refund(order, full=status == 4, generated=False)
            order["ps"] = "refunded" if status == 4 else "partially refunded"
        elif status == 5 and order["ps"] == "authorized":
            order["ps"] = "void"
        if payment_status is not None:
            order["ps"] = str(payment_status)
        self._touch(order)

    def _control_add_orders(self, payload):
        specs = list(payload.get("orders") or [])
        count = int(payload.get("count", 0 if specs else 1))
        defaults = {k: v for k, v in payload.items() if k not in ("orders", "count")}
        specs.extend({} for _ in range(count))
        created = []
        now = int(time.time())
        for spec in specs:
            spec = dict(defaults, **spec)
            status = self._status_arg(spec.get("status", 11))
            if status is None:
                return self._json(400, {"error": "unknown status %r" % spec.get("status")})
            lines = None
            if spec.get("lines") is not None:
                lines = []
                raw = spec["lines"]
                if isinstance(raw, int):
                    raw = [
                        {
                            "sku": self.variant_list[(len(self.order_list) * 3 + k) % len(self.variant_list)][
                                "sku"
                            ]
                        }
                        for k in range(raw)
                    ]
                for line in raw:
                    price = line.get("price")
                    price = int(round(float(price) * 100)) if price is not None else None
                    tax_class = line.get("tax_class")
                    if tax_class is not None and tax_class not in TAX_CLASS_NAME:
                        return self._json(
                            400,
                            {
                                "error": "tax_class must be one of %s"
                                % ", ".join(str(c) for c in TAX_CLASS_NAME)
                            },
                        )
                    if line.get("custom"):
                        lines.append(
                            (
                                None,
                                int(line.get("quantity", 1)),
                                int(line.get("custom_index", 0)),
                                price,
                                tax_class,
                            )
                        )
                        continue
                    hit = self.sku_index.get(line.get("sku"))
                    if hit is None:
                        return self._json(400, {"error": "unknown sku %r" % line.get("sku")})
                    variant = hit[1] if hit[0] == "v" else hit[1]["variants"][0]
                    lines.append((variant, int(line.get("quantity", 1)), -1, price, tax_class))
            created_at = parse_date(spec["date_created"]) if spec.get("date_created") else now - 60
            if created_at is None:
                return self._json(400, {"error": "date_created is neither RFC 2822 nor ISO 8601"})
            if spec.get("id") is not None and int(spec["id"]) in self.orders:
                return self._json(409, {"error": "order %s exists" % spec["id"]})
            if spec.get("country") and spec["country"] not in COUNTRIES:
                return self._json(400, {"error": "country must be one of %s" % ", ".join(COUNTRIES)})
            pm = spec.get("payment_method")
            if pm is not None:
                names = [p[0].lower() for p in PAYMENT_METHODS]
                if str(pm).lower() not in names:
                    return self._json(
                        400,
                        {
                            "error": "payment_method must be one of %s"
                            % ", ".join(p[0] for p in PAYMENT_METHODS)
                        },
                    )
                spec["payment_method_index"] = names.index(str(pm).lower())
            if spec.get("coupon") is not None and not isinstance(spec["coupon"], int):
                codes = [c[0] for c in COUPONS]
                spec["coupon"] = codes.index(spec["coupon"]) + 1 if spec["coupon"] in codes else 0
            for key in ("shipping_cost", "handling_cost"):
                if spec.get(key) is not None:
                    spec[key] = int(round(float(spec[key]) * 100))
            fees = []
            for fee in spec.get("fees") or []:
                if (
                    not isinstance(fee, dict)
                    or fee.get("amount") is None
                    or fee.get("tax_class", 0) not in TAX_CLASS_NAME
                ):
                    return self._json(
                        400,
                        {
                            "error": "a fee is {name, amount, tax_class (one of %s)}"
                            % ", ".join(str(c) for c in TAX_CLASS_NAME)
                        },
                    )
                fees.append(
                    (
                        str(fee.get("name") or "Fee"),
                        int(round(float(fee["amount"]) * 100)),
                        int(fee.get("tax_class", 0)),
                    )
                )
            spec["fees"] = fees
            if spec.get("gift_certificate") not in (None, "all"):
                spec["gift_certificate"] = int(round(float(spec["gift_certificate"]) * 100))
            spec["id"] = int(spec["id"]) if spec.get("id") is not None else None
            order = self._make_order(status, int(created_at), lines, spec)
            order["m"] = max(order["c"], now if not spec.get("date_created") else order["c"])
            self._by_m = None
            created.append(order["id"])
        return self._json(201, {"orders": created})
