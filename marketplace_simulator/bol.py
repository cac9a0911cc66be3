"""The Bol.com Retailer API v10 part of the marketplace simulator, mounted under `/bol`.

Contracts: ../shared/apispecs/bol (retailer.json, shared.json, fixtures_http/). What it serves:

- `POST /bol/token` (login.bol.com/token in production): client-credentials grant with Basic auth,
  `grant_type` in the query or the form body; answers a JWT-shaped bearer token living
  `token_lifetime` seconds (`expires_in` one less, as Bol's 299). An expired token gets the exact
  401 "Expired JWT" problem of fixtures_http/401-jwt-expired (1 s clock skew allowed, as Bol).
- `/bol/retailer/...` and `/bol/shared/...`: orders (pages of 50, the `{ }` empty page), order
  detail, shipments, cancellations, offers (get, create, update, stock, price, delete, CSV export),
  returns (list, detail, handle, create), FBB inventory, process statuses (single, by entity,
  bulk). Every write answers 202 with a process status that turns PENDING -> SUCCESS or FAILURE
  (with an errorMessage) on a later poll or after `process_seconds`; the change is applied to the
  state only then.
- `Accept: application/vnd.retailer.v10+json` is required (406 otherwise; the export file needs
  `application/vnd.retailer.v10+csv`), request bodies need that Content-Type (415 otherwise).
  Errors are Bol problems: {type, title, status, detail, host, instance[, violations]}.
- Rate limits per path and method as transcribed in ratelimits_thirdparty_transcription.json, with
  X-RateLimit-Limit / -Remaining / -Reset; a 429 is {title, status, detail} with Retry-After
  (fault `429_no_retry_after` leaves it out, as Bol sometimes does).

Defaults where the contract is silent (kept as Bol behaves in practice): GET /retailer/orders
defaults to fulfilment-method FBR and status OPEN; GET /retailer/returns to handled=false and FBR;
GET /retailer/shipments to FBR. Every empty list page is `{ }` (Bol leaves empty arrays out).
"""
import base64
import bisect
import calendar
import hashlib
import json
import math
import random
import re
import threading
import time
import logging
import uuid
from urllib.parse import parse_qs

from .core import Marketplace, Response, RouteTable

JSON_TYPE = "application/vnd.retailer.v10+json"
CSV_TYPE = "application/vnd.retailer.v10+csv"
ADVERTISER_TYPE = "application/vnd.advertiser.v10+json"
OK_CONTENT_TYPE = JSON_TYPE + ";charset=UTF-8"
PAGE_SIZE = 50
PROBLEM_TYPE = "https://api.bol.com/problems"
PUBLIC_HOST = "https://api.bol.com"
VALIDATION_TITLE = "Error validating request. Consult the bol.com API documentation for more information."
CLOCK_SKEW = 1.0  # seconds a JWT is still accepted after its exp, as Bol's "Allowed clock skew: 1000 milliseconds"

# path, methods, max, per (seconds): ratelimits_thirdparty_transcription.json, keyed by operationId
RATE_LIMITS = {
    "get-orders": (25, 60),
    "get-order": (25, 1),
    "cancel-order-item": (25, 1),  # not transcribed; as the other /retailer/orders/* calls
    "get-shipments": (25, 60),
    "create-shipment": (25, 1),
    "get-shipment": (50, 60),
    "get-returns": (20, 60),
    "create-return": (20, 60),
    "get-return": (20, 60),
    "handle-return": (20, 60),
    "post-offer": (50, 1),
    "get-offer": (25, 1),
    "put-offer": (50, 1),
    "delete-offer": (50, 1),
    "update-offer-stock": (50, 1),
    "update-offer-price": (50, 1),
    "post-offer-export": (9, 3600),
    "get-offer-export": (9, 3600),
    "get-inventory": (20, 60),
}

TRANSPORTER_CODES = (
    "BRIEFPOST", "UPS", "TNT", "TNT-EXTRA", "TNT_BRIEF", "TNT-EXPRESS", "DYL", "DPD-NL", "DPD-BE", "BPOST_BE",
    "BPOST_BRIEF", "DHLFORYOU", "GLS", "FEDEX_NL", "FEDEX_BE", "OTHER", "DHL", "DHL_DE", "DHL-GLOBAL-MAIL", "TSN",
    "FIEGE", "TRANSMISSION", "PARCEL-NL", "LOGOIX", "PACKS", "COURIER", "TRUNKRS", "PES", "BUDBEE",
    "DYNALOGIC", "BIRDIE", "CYCLOON",
)
CANCEL_REASONS = (
    "OUT_OF_STOCK", "REQUESTED_BY_CUSTOMER", "BAD_CONDITION", "HIGHER_SHIPCOST", "INCORRECT_PRICE",
    "NOT_AVAIL_IN_TIME", "NO_BOL_GUARANTEE", "ORDERED_TWICE", "RETAIN_ITEM", "TECH_ISSUE", "UNFINDABLE_ITEM", "OTHER",
)
HANDLING_RESULTS = (
    "RETURN_RECEIVED", "EXCHANGE_PRODUCT", "RETURN_DOES_NOT_MEET_CONDITIONS", "REPAIR_PRODUCT",
    "CUSTOMER_KEEPS_PRODUCT_PAID", "STILL_APPROVED",
)
CONDITIONS = ("NEW", "AS_NEW", "GOOD", "REASONABLE", "MODERATE")
DELIVERY_CODES = (
    "24uurs-23", "24uurs-22", "24uurs-21", "24uurs-20", "24uurs-19", "24uurs-18", "24uurs-17", "24uurs-16",
    "24uurs-15", "24uurs-14", "24uurs-13", "24uurs-12", "1-2d", "2-3d", "3-5d", "4-8d", "1-8d", "MijnLeverbelofte", "VVB",
)
ORDER_STATUSES = ("OPEN", "SHIPPED", "PARTIALLY_SHIPPED", "CANCELLED", "CANCELLATION_REQUESTED")
STATUS_ALIASES = {"ship": "SHIPPED", "shipped": "SHIPPED", "cancel": "CANCELLED", "cancelled": "CANCELLED",
                  "canceled": "CANCELLED", "open": "OPEN", "partial": "PARTIALLY_SHIPPED",
                  "partially_shipped": "PARTIALLY_SHIPPED", "request_cancellation": "CANCELLATION_REQUESTED",
                  "cancellation_requested": "CANCELLATION_REQUESTED"}
CSV_COLUMNS = (
    "offerId", "ean", "conditionName", "conditionCategory", "conditionComment", "bundlePricesPrice",
    "fulfilmentDeliveryCode", "stockAmount", "onHoldByRetailer", "fulfilmentType", "mutationDateTime",
    "referenceCode", "correctedStock",
)

# -- generated data ---------------------------------------------------------------------------
PRODUCT_WORDS = (
    "Draadloze oordopjes", "Koffiebonen Arabica 1 kg", "Yogamat antislip", "Fietslamp set LED",
    "Theepot glas 1,2 l", "Hardloopschoenen", "Spijkerbroek slim fit", "Bouwset ruimteschip",
    "Kinderboek Het Grote Voorleesboek", "Rugzak 25 l", "Powerbank 10.000 mAh", "Crème brûlée set",
    "Wandklok Scandinavisch", "Dekbedovertrek katoen", "Gereedschapskist 94-delig", "Puzzel 1000 stukjes",
)
COLOURS = (("Zwart", "ZWA"), ("Wit", "WIT"), ("Blauw", "BLA"), ("Rood", "ROO"), ("Groen", "GRO"), ("Beige", "BEI"))
SIZES = ("S", "M", "L", "XL")
NL_FIRST = (("Zoë", "FEMALE"), ("Daan", "MALE"), ("Sanne", "FEMALE"), ("Joëlle", "FEMALE"), ("Bram", "MALE"),
            ("Fleur", "FEMALE"), ("Sem", "MALE"), ("Anouk", "FEMALE"), ("Thijs", "MALE"), ("Loïs", "FEMALE"),
            ("Ruben", "MALE"), ("Chloë", "FEMALE"), ("Kees", "MALE"), ("Alex", "UNKNOWN"))
NL_SURNAMES = ("Müller", "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "de Jong", "van 't Hof",
               "Meijer", "Çelik", "Wójcik", "El Amrani", "Nguyễn", "IJzerman")
BE_FIRST = (("Émilie", "FEMALE"), ("Lucas", "MALE"), ("Noémie", "FEMALE"), ("Louis", "MALE"), ("Maëlle", "FEMALE"),
            ("Arthur", "MALE"), ("Lotte", "FEMALE"), ("Wout", "MALE"), ("Anaïs", "FEMALE"), ("Jef", "MALE"),
            ("Zoë", "FEMALE"))
BE_SURNAMES = ("Peeters", "Janssens", "Maes", "Dubois", "Lefèvre", "Van Damme", "Claes", "Goossens", "Desmet",
               "Mertens", "Müller", "D'Hondt")
NL_ADDRESSES = (("Oudegracht", "Utrecht", "3511"), ("Kerkstraat", "Amsterdam", "1017"),
                ("Laan van Nieuw Oost-Indië", "Den Haag", "2593"), ("Vughterstraat", "'s-Hertogenbosch", "5211"),
                ("Herestraat", "Groningen", "9711"), ("Tuinstraat", "Leeuwarden", "8911"), ("Markt", "Maastricht", "6211"),
                ("Coolsingel", "Rotterdam", "3012"), ("Brinkstraat", "Enschede", "7512"), ("Dorpsstraat", "Ærdenhout", "2111"))
BE_ADDRESSES = (("Meir", "Antwerpen", "2000", "nl-BE"), ("Rue de la Régence", "Bruxelles", "1000", "fr-BE"),
                ("Veldstraat", "Gent", "9000", "nl-BE"), ("Boulevard de la Sauvenière", "Liège", "4000", "fr-BE"),
                ("Steenstraat", "Brugge", "8000", "nl-BE"), ("Chaussée de Louvain", "Namur", "5000", "fr"),
                ("Bondgenotenlaan", "Leuven", "3000", "nl"))
NL_EXTENSIONS = ("A", "B", "bis", "2hoog", "III", "-1")
COMPANIES_NL = ("Bakkerij De Zoete Inval B.V.", "Müller & Zonen V.O.F.", "Van den Berg ICT B.V.", "Stichting Ŝtudio Noord",
                "Kinderopvang 't Kabouterhuis")
COMPANIES_BE = ("Brasserie L'Étoile SRL", "Atelier Noël BV", "Peeters & Co NV", "Boekhandel De Reyghere")
RETURN_REASONS = (("Niet naar verwachting", "Niet naar verwachting", "Kleur wijkt af van de foto."),
                  ("Defect", "Product werkt niet", "Doet het niet meer na één dag."),
                  ("Verkeerd artikel ontvangen", "Verkeerd artikel ontvangen", ""),
                  ("Past niet", "Te klein", "Maat valt klein uit."),
                  ("Beschadigd", "Verpakking beschadigd", "Doos was ingedeukt bij ontvangst."))
TIME_FRAMES = ("REGULAR",) * 17 + ("EVENING", "SUNDAY", "APPOINTMENT")
LETTERS = "ABCDEFGHJKLMNPRTVWXZ"
EMAIL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"

_DST = {}
_logger = logging.getLogger("marketplace_simulator")


def ean13(body12):
    digits = [int(c) for c in body12]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return body12 + str((10 - total % 10) % 10)


def ean_valid(value):
    return isinstance(value, str) and value.isdigit() and len(value) in (8, 12, 13, 14) and \
        ean13(value.zfill(13)[:12]) == value.zfill(13)


def _ams_offset(ts):
    """UTC offset of Europe/Amsterdam (seconds) at epoch `ts`: CEST from the last Sunday of March
    01:00 UTC to the last Sunday of October 01:00 UTC."""
    year = time.gmtime(ts).tm_year
    bounds = _DST.get(year)
    if bounds is None:
        def last_sunday(month):
            last = calendar.monthrange(year, month)[1]
            return last - (calendar.weekday(year, month, last) + 1) % 7
        bounds = _DST[year] = (calendar.timegm((year, 3, last_sunday(3), 1, 0, 0)),
                               calendar.timegm((year, 10, last_sunday(10), 1, 0, 0)))
    return 7200 if bounds[0] <= ts < bounds[1] else 3600


def iso(ts):
    """'2019-04-30T16:47:32+02:00' as Bol writes date-times (Amsterdam local time)."""
    ts = int(ts)
    off = _ams_offset(ts)
    t = time.gmtime(ts + off)
    return "%04d-%02d-%02dT%02d:%02d:%02d%s" % (
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, "+02:00" if off == 7200 else "+01:00")


def iso_date(ts):
    ts = int(ts)
    t = time.gmtime(ts + _ams_offset(ts))
    return "%04d-%02d-%02d" % (t.tm_year, t.tm_mon, t.tm_mday)


def _utc_z(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _money(cents):
    return round(cents / 100.0, 2)


def _b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class BolAPI(Marketplace):
    name = "bol"

    # default credentials (flags may set others)
    client_id = "sim-bol-client"
    client_secret = "sim-bol-secret"

    token_lifetime = 300  # seconds an access token lives; `expires_in` says one less (299), as Bol
    process_polls = 2  # a process status is PENDING on the POST and the first poll, decided on the 2nd
    process_seconds = 3.0  # ... or once this old, polled or not
    default_sizes = {"orders": 250, "products": 40}

    def __init__(self, sim):
        super().__init__(sim)
        self.tokens = {}  # access token -> exp (epoch seconds); kept across resets
        self._local = threading.local()
        self._routes = self._build_routes()

    # ========================================================================================
    # state
    # ========================================================================================
    def reset(self, seed, sizes):
        sizes = dict(sizes or {})
        n_orders = int(sizes.get("orders", self.default_sizes["orders"]))
        n_products = max(2, int(sizes.get("products", self.default_sizes["products"])))
        self.seed = seed
        self.rng = random.Random("bol-%s" % seed)
        self.now = float(sizes.get("now") or time.time())
        self._salt = self.rng.randrange(10 ** 7)
        self._order_seq = 0
        self._item_seq = 0
        self._ps_seq = 0
        self._ship_seq = 0
        self._return_seq = 0
        self._report_seq = 0
        self.orders = {}  # order id -> order
        self.order_list = []
        self.items = {}  # order item id -> (order, item)
        self.shipments = []
        self.shipments_by_id = {}
        self.processes = {}  # id -> process status (with private _keys)
        self.process_list = []
        self.pending = []
        self.reports = {}  # offer export id -> csv text
        self.returns = []
        self.returns_by_id = {}
        self.rma = {}  # rma id -> (return, return item)
        self.offers_touched = []
        self._returned = set()  # order item ids with a return
        self._cache = {}
        self._build_catalogue(n_products)
        self._generate_orders(n_orders, self.now - 60 * 86400, self.now - 120)
        self._generate_returns(int(sizes.get("returns", max(3, n_orders // 25))))

    def _uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _build_catalogue(self, n_products):
        rng = self.rng
        self.offer_list = []
        for base in range(1, n_products + 1):
            word = PRODUCT_WORDS[(base - 1) % len(PRODUCT_WORDS)]
            base_price = rng.randrange(499, 14999)
            kind = rng.random()
            if kind < 0.6:
                variants = [(None, None)]
            elif kind < 0.85:
                variants = [(c, None) for c in rng.sample(COLOURS, 3)]
            else:
                colour = rng.choice(COLOURS)
                variants = [(colour, s) for s in SIZES]
            fbb = rng.random() < 0.3 or base == n_products == 2 or (base == n_products and not self._fbb_any())
            if base == 1:
                fbb = False
            for colour, size in variants:
                n = len(self.offer_list) + 1
                sku = "SIM-%04d" % base
                title = word
                if colour:
                    sku += "-" + colour[1]
                    title += " - " + colour[0]
                if size:
                    sku += "-" + size
                    title += ", maat " + size
                price = max(199, (base_price + rng.randrange(-100, 300)) // 100 * 100 + 99)
                offer = {
                    "id": self._uuid(),
                    "ean": ean13("87%010d" % ((self._salt * 1000 + n) % 10 ** 10)),
                    "ref": sku if rng.random() >= 0.04 else None,  # the reference is optional at Bol
                    "sku": sku,
                    "title": title,
                    "bundle": [[1, price]] + ([[3, price * 95 // 100]] if rng.random() < 0.1 else []),
                    "stock": 0 if fbb else rng.randrange(0, 120),
                    "mbr": rng.random() < 0.3,
                    "m": "FBB" if fbb else "FBR",
                    "dc": None if fbb else rng.choice(("24uurs-21", "24uurs-16", "1-2d", "2-3d", "1-8d", "VVB")),
                    "cond": "NEW",
                    "hold": rng.random() < 0.03,
                    "reserved": 0,
                    "mut": self.now - rng.randrange(2, 200) * 86400,
                    "deleted": False,
                }
                if fbb:
                    offer["bsku"] = ean13("29500%07d" % ((self._salt + n * 13) % 10 ** 7))
                    offer["regular"] = rng.randrange(0, 300)
                    offer["graded"] = rng.choice((0, 0, 0, 1, 2, 5))
                self.offer_list.append(offer)
        self._index_offers()

    def _fbb_any(self):
        return any(o["m"] == "FBB" for o in self.offer_list)

    def _index_offers(self):
        self.offers = {o["id"]: o for o in self.offer_list}
        self.offers_by_ean = {}
        self.offers_by_ref = {}
        for o in self.offer_list:
            self.offers_by_ean.setdefault(o["ean"], o)
            self.offers_by_ref.setdefault(o["sku"], o)
            if o["ref"]:
                self.offers_by_ref.setdefault(o["ref"], o)
        self.fbr_offers = [o for o in self.offer_list if o["m"] == "FBR" and not o["deleted"]] or self.offer_list[:1]
        self.fbb_offers = [o for o in self.offer_list if o["m"] == "FBB" and not o["deleted"]] or self.offer_list[-1:]

    # -- ids -----------------------------------------------------------------------------------
    def _new_order_id(self, alnum=False):
        self._order_seq += 1
        n = 1000000000 + (self._salt * 31 + self._order_seq * 7919) % 8999999999
        if not alnum:
            return str(n)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        out = ""
        while n:
            n, r = divmod(n, 36)
            out = digits[r] + out
        return "A" + out

    def _new_item_id(self):
        self._item_seq += 1
        return str(2000000000 + (self._salt * 17 + self._item_seq * 104729) % 7999999999)

    # -- orders ----------------------------------------------------------------------------------
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
                items.append({
                    "id": new_item_id(), "o": offer, "m": offer["m"], "q": q, "s": 0, "c": 0, "cr": False,
                    "up": price, "disc": (price * q) // 10 if rnd() < 0.08 else 0, "u": placed,
                    "tf": frames[int(rnd() * n_frames)] if offer["m"] == "FBR" else "REGULAR",
                })
            order = {"id": self._new_order_id(alnum=rnd() < 0.05), "p": placed, "k": bits(48), "items": items}
            age = (now - placed) / 86400.0
            s = rnd()
            if fbb:
                status = ("OPEN" if s < 0.7 else "SHIPPED") if age < 1 else ("SHIPPED" if s < 0.95 else "CANCELLED")
            elif age < 1:
                status = "OPEN" if s < 0.8 else "CANCELLATION_REQUESTED" if s < 0.83 else "SHIPPED" if s < 0.95 else "CANCELLED"
            elif age < 4:
                status = "OPEN" if s < 0.25 else "PARTIALLY_SHIPPED" if s < 0.35 else "SHIPPED" if s < 0.93 else "CANCELLED"
            else:
                status = "SHIPPED" if s < 0.86 else "PARTIALLY_SHIPPED" if s < 0.9 else "CANCELLED" if s < 0.99 else "OPEN"
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
        newest = sorted((o for o in generated if all(it["m"] == "FBR" for it in o["items"])),
                        key=lambda o: o["p"], reverse=True)
        for status, pool in (("OPEN", newest[:5]), ("CANCELLATION_REQUESTED", newest[:10]),
                             ("PARTIALLY_SHIPPED", newest[3:]), ("CANCELLED", newest[3:])):
            if counts.get(status):
                continue
            for order in pool:
                current = self._order_status(order)
                if counts.get(current, 0) < 2 or \
                        status == "PARTIALLY_SHIPPED" and len(order["items"]) == 1 and order["items"][0]["q"] < 2:
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
        setter = (lambda it, s, c: it.update(s=s, c=c, u=when)) if fresh else \
            (lambda it, s, c: self._set_item(it, s, c, when))
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
            self._add_return(order, it, rng.randint(1, it["s"]), registered, rng.randrange(len(RETURN_REASONS)),
                             handled, track=rng.random() < 0.6)

    def _add_return(self, order, it, qty, registered, reason, handled, track=False):
        self._return_seq += 1
        rid = str(self._salt % 1000 * 100000 + 10000000 + self._return_seq)
        rma = str(60000000 + (self._salt * 7 + self._return_seq * 101) % 39999999)
        ret = {"id": rid, "t": registered, "m": it["m"], "items": []}
        ritem = {"rma": rma, "order": order, "it": it, "qty": qty, "reason": reason, "handled": handled,
                 "results": [], "track": ("3SBOL%010d" % (int(rma) * 7 % 10 ** 10)) if track else None}
        if handled:
            ritem["results"].append({"quantity": qty, "processingResult": "ACCEPTED", "handlingResult": "RETURN_RECEIVED",
                                     "processingDateTime": iso(min(self.now - 60, registered + 3 * 86400))})
        ret["items"].append(ritem)
        self.returns.append(ret)
        self.returns_by_id[rid] = ret
        self.rma[rma] = (ret, ritem)
        self._returned.add(it["id"])
        return ret

    # ========================================================================================
    # rendering
    # ========================================================================================
    def _customer(self, order):
        k = order["k"]
        flags = order.get("f") or {}
        country = flags.get("country") or ("BE" if k & 3 == 0 else "NL")
        if country == "BE":
            street, city, zip_code, lang = BE_ADDRESSES[(k >> 2) % len(BE_ADDRESSES)]
            first, salutation = BE_FIRST[(k >> 5) % len(BE_FIRST)]
            surname = BE_SURNAMES[(k >> 9) % len(BE_SURNAMES)]
            ext = "bus %d" % (1 + (k >> 20) % 9) if (k >> 17) % 5 == 0 else None
            phone = "04%08d" % ((k >> 11) % 10 ** 8)
            companies = COMPANIES_BE
            vat = "BE0%09d" % ((k >> 7) % 10 ** 9)
        else:
            street, city, zip_code = NL_ADDRESSES[(k >> 2) % len(NL_ADDRESSES)]
            lang = "nl"
            zip_code += LETTERS[(k >> 14) % 20] + LETTERS[(k >> 19) % 20]
            first, salutation = NL_FIRST[(k >> 5) % len(NL_FIRST)]
            surname = NL_SURNAMES[(k >> 9) % len(NL_SURNAMES)]
            ext = NL_EXTENSIONS[(k >> 20) % len(NL_EXTENSIONS)] if (k >> 17) % 5 == 0 else None
            phone = "06%08d" % ((k >> 11) % 10 ** 8)
            companies = COMPANIES_NL
            vat = "NL%09dB01" % ((k >> 7) % 10 ** 9)
        b2b = flags["b2b"] if "b2b" in flags else (k >> 33) % 9 == 0
        pickup = flags["pickup_point"] if "pickup_point" in flags else (k >> 37) % 17 == 0
        x = k
        email = []
        for _ in range(30):
            x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
            email.append(EMAIL_CHARS[(x >> 33) % 36])
        sd = {"salutation": salutation, "firstName": first, "surname": surname, "streetName": street,
              "houseNumber": str(1 + (k >> 23) % 180)}
        if ext:
            sd["houseNumberExtension"] = ext
        if (k >> 27) % 11 == 0:
            sd["extraAddressInformation"] = "Achterom, bel 2x" if lang.startswith("nl") else "Sonnez deux fois"
        sd["zipCode"] = zip_code
        sd["city"] = city
        sd["countryCode"] = country
        sd["email"] = "".join(email) + "@verkopen.bol.com"
        company = companies[(k >> 30) % len(companies)] if b2b else None
        if company:
            sd["company"] = company
        if (k >> 31) % 4 == 0:
            sd["deliveryPhoneNumber"] = phone
        sd["language"] = lang
        if pickup:
            sd = dict({"pickupPointName": ("Albert Heijn: " if country == "NL" else "bpost: ") + city.upper()}, **sd)
        billing = None
        if b2b or (k >> 45) % 23 != 0:  # a few consumer orders come without billing details
            billing = {k2: sd[k2] for k2 in ("salutation", "firstName", "surname", "streetName", "houseNumber",
                                              "houseNumberExtension", "extraAddressInformation", "zipCode", "city",
                                              "countryCode") if k2 in sd}
            if (k >> 41) % 7 == 0:  # billed to someone else at the same address
                firsts = BE_FIRST if country == "BE" else NL_FIRST
                billing["firstName"], billing["salutation"] = firsts[(k >> 3) % len(firsts)]
            billing["email"] = sd["email"]
            if company:
                billing["company"] = company
                billing["vatNumber"] = vat
                if country == "NL":
                    billing["kvkNumber"] = "%08d" % ((k >> 13) % 10 ** 8)
                if (k >> 39) % 2 == 0:
                    billing["orderReference"] = "PO-%05d" % ((k >> 21) % 10 ** 5)
        if order.get("sd"):
            sd.update(order["sd"])
        if "bd" in order:
            billing = None if order["bd"] is None else dict(billing or {}, **order["bd"])
        return sd, billing, pickup

    @staticmethod
    def _commission(it):
        total = it["up"] * it["q"] - it["disc"]
        return (total * 125 + 500) // 1000 + 21 * it["q"]

    def _fulfilment(self, order, it):
        placed = order["p"]
        offer = it["o"]
        if it["m"] == "FBB":
            out = {"method": "FBB", "distributionParty": "BOL", "latestDeliveryDate": iso_date(placed + 86400)}
        else:
            out = {"method": "FBR", "distributionParty": "BOL" if offer.get("dc") == "VVB" else "RETAILER",
                   "latestDeliveryDate": iso_date(placed + 2 * 86400)}
        if it["tf"] != "REGULAR":
            out["exactDeliveryDate"] = iso_date(placed + 86400)
        if it["m"] == "FBR":
            out["expiryDate"] = iso_date(placed + 5 * 86400)
        out["timeFrameType"] = it["tf"]
        return out

    @staticmethod
    def _offer_ref(offer):
        out = {"offerId": offer["id"]}
        if offer["ref"]:
            out["reference"] = offer["ref"]
        return out

    def _render_item(self, order, it):
        out = {
            "orderItemId": it["id"],
            "cancellationRequest": it["cr"],
            "fulfilment": self._fulfilment(order, it),
            "offer": self._offer_ref(it["o"]),
            "product": {"ean": it["o"]["ean"], "title": it["o"]["title"]},
            "quantity": it["q"],
            "quantityShipped": it["s"],
            "quantityCancelled": it["c"],
            "unitPrice": _money(it["up"]),
            "totalPrice": _money(it["up"] * it["q"] - it["disc"]),
            "discounts": [{"title": "Actie: 10% korting", "amount": _money(it["disc"])}] if it["disc"] else [],
            "commission": _money(self._commission(it)),
        }
        if it["tf"] == "APPOINTMENT":
            out["additionalServices"] = [{"serviceType": "PLACEMENT_AND_INSTALLATION"}]
        out["latestChangedDateTime"] = iso(it["u"])
        return out

    def _render_order(self, order):
        sd, billing, pickup = self._customer(order)
        out = {"orderId": order["id"], "pickupPoint": pickup, "orderPlacedDateTime": iso(order["p"]),
               "shipmentDetails": sd}
        if billing is not None:
            out["billingDetails"] = billing
        out["orderItems"] = [self._render_item(order, it) for it in order["items"]]
        return out

    @staticmethod
    def _reduced_item(it):
        open_ = it["q"] - it["s"] - it["c"]
        return {"orderItemId": it["id"], "ean": it["o"]["ean"], "fulfilmentMethod": it["m"],
                "fulfilmentStatus": "OPEN" if open_ else "HANDLED", "quantity": it["q"],
                "quantityShipped": it["s"], "quantityCancelled": it["c"], "cancellationRequest": it["cr"],
                "latestChangedDateTime": iso(it["u"])}

    def _render_offer(self, offer):
        out = {"offerId": offer["id"], "ean": offer["ean"]}
        if offer["ref"]:
            out["reference"] = offer["ref"]
        out["onHoldByRetailer"] = offer["hold"]
        out["pricing"] = {"bundlePrices": [{"quantity": q, "unitPrice": _money(p)} for q, p in offer["bundle"]]}
        out["stock"] = {"amount": offer["stock"], "correctedStock": max(0, offer["stock"] - offer["reserved"]),
                        "managedByRetailer": offer["mbr"]}
        out["fulfilment"] = {"method": offer["m"]}
        if offer["dc"]:
            out["fulfilment"]["deliveryCode"] = offer["dc"]
        visible = [] if offer["hold"] else [{"countryCode": "NL"}, {"countryCode": "BE"}]
        out["store"] = {"productTitle": offer["title"], "visible": visible}
        out["condition"] = {"name": offer["cond"], "category": "NEW" if offer["cond"] == "NEW" else "SECONDHAND"}
        out["notPublishableReasons"] = [{"code": "4003", "description": "The offer is on hold by the retailer."}] \
            if offer["hold"] else []
        return out

    # ========================================================================================
    # state and control
    # ========================================================================================
    def state(self):
        self._settle()
        by_status, by_method = {}, {}
        for o in self.order_list:
            st = self._order_status(o)
            by_status[st] = by_status.get(st, 0) + 1
            methods = {it["m"] for it in o["items"]}
            m = methods.pop() if len(methods) == 1 else "MIXED"
            by_method[m] = by_method.get(m, 0) + 1
        offers = self.offer_list if len(self.offer_list) <= 2000 else [self.offers[i] for i in self.offers_touched]
        return {
            "client_id": self.client_id,
            "orders": len(self.order_list),
            "orders_by_status": by_status,
            "orders_by_fulfilment_method": by_method,
            "shipments": [self._shipment_state(s) for s in self.shipments],
            "offers": {o["id"]: self._offer_state(o) for o in offers},
            "offers_updated": list(self.offers_touched),
            "process_statuses": [self._ps_public(p) for p in self.process_list[-500:]],
            "returns": len(self.returns),
            "returns_unhandled": sum(1 for r in self.returns for i in r["items"] if not i["handled"]),
            "fbb_inventory": sum(1 for o in self.offer_list if o["m"] == "FBB"),
            "tokens_issued": len(self.tokens),
            "token_lifetime": self.token_lifetime,
        }

    @staticmethod
    def _offer_state(o):
        return {"ean": o["ean"], "reference": o["ref"], "sku": o["sku"], "fulfilmentMethod": o["m"],
                "stock": o["stock"], "managedByRetailer": o["mbr"], "reservedByOpenOrders": o["reserved"],
                "price": _money(o["bundle"][0][1]),
                "bundlePrices": [{"quantity": q, "unitPrice": _money(p)} for q, p in o["bundle"]],
                "onHoldByRetailer": o["hold"], "deleted": o["deleted"],
                **({"fbbRegularStock": o["regular"], "fbbGradedStock": o["graded"]} if o["m"] == "FBB" else {})}

    @staticmethod
    def _shipment_state(s):
        return {"shipmentId": s["id"], "orderId": s["order"]["id"], "shipmentReference": s["ref"],
                "shipmentDateTime": iso(s["t"]), "orderItems": [{"orderItemId": it["id"], "quantity": q} for it, q in s["items"]],
                "transport": dict(s["transport"]), "source": s["source"]}

    def _json(self, status, obj):
        return Response(status, json.dumps(obj).encode(), {"Content-Type": "application/json"})

    def control(self, action, payload):
        if action == "add_orders":
            return self._control_add_orders(payload)
        if action == "set_order_status":
            order = self.orders.get(str(payload.get("order_id") or ""))
            if order is None:
                return self._json(404, {"error": "unknown order %s" % payload.get("order_id")})
            raw = str(payload.get("status") or "")
            status = STATUS_ALIASES.get(raw.lower(), raw.upper())
            if status not in ORDER_STATUSES:
                return self._json(400, {"error": "status must be one of %s" % ", ".join(ORDER_STATUSES)})
            ids = payload.get("order_item_ids")
            before = {it["id"]: it["s"] for it in order["items"]}
            error = self._apply_status(order, status, int(time.time()), set(map(str, ids)) if ids else None,
                                       customer=payload.get("customer", True))
            if error:
                return self._json(400, {"error": error})
            shipped = [(it, it["s"] - before[it["id"]]) for it in order["items"] if it["s"] > before[it["id"]]]
            if shipped:  # shipped outside the API (by bol for FBB, or by hand): Bol lists a shipment too
                self._record_shipment(order, shipped, payload.get("shipment_reference"), {
                    "transporterCode": payload.get("transporter_code", "TNT"),
                    "trackAndTrace": payload.get("track_and_trace", "3SSIM%09d" % (self._ship_seq + 1))}, None, "control")
            self._touch()
            return self._json(200, {"order": self._render_order(order), "status": self._order_status(order)})
        if action == "get_order":
            order = self.orders.get(str(payload.get("order_id") or ""))
            if order is None:
                return self._json(404, {"error": "unknown order"})
            return self._json(200, {"order": self._render_order(order), "status": self._order_status(order),
                                    "shipments": [self._shipment_state(s) for s in self.shipments if s["order"] is order]})
        if action in ("token_lifetime", "set_token_lifetime"):
            self.token_lifetime = int(payload.get("seconds", payload.get("lifetime", BolAPI.token_lifetime)))
            return self._json(200, {"seconds": self.token_lifetime})
        if action == "expire_tokens":
            self.expire_tokens()
            return self._json(200, {"expired": len(self.tokens)})
        if action == "process_timing":
            self.process_polls = int(payload.get("polls", self.process_polls))
            self.process_seconds = float(payload.get("seconds", self.process_seconds))
            return self._json(200, {"polls": self.process_polls, "seconds": self.process_seconds})
        if action == "credentials":
            self.client_id = payload.get("client_id", self.client_id)
            self.client_secret = payload.get("client_secret", self.client_secret)
            return self._json(200, {"client_id": self.client_id})
        if action == "set_fbb_stock":
            offer = self._find_offer(payload)
            if offer is None or offer["m"] != "FBB":
                return self._json(404, {"error": "no FBB offer for %s" % payload})
            offer["regular"] = int(payload.get("regularStock", offer["regular"]))
            offer["graded"] = int(payload.get("gradedStock", offer["graded"]))
            return self._json(200, self._offer_state(offer))
        if action == "add_return":
            found = self.items.get(str(payload.get("order_item_id") or ""))
            if found is None:
                return self._json(404, {"error": "unknown order item"})
            order, it = found
            reason = int(payload.get("reason", 0)) % len(RETURN_REASONS)
            ret = self._add_return(order, it, int(payload.get("quantity", 1)), time.time(), reason,
                                   bool(payload.get("handled", False)), track=True)
            return self._json(201, self._render_return(ret))
        if action == "offers":
            return self._json(200, {"offers": [self._offer_state(o) | {"offerId": o["id"]} for o in self.offer_list]})
        return self._json(404, {"error": "unknown action %s" % action})

    def _find_offer(self, spec):
        if spec.get("offer_id"):
            return self.offers.get(str(spec["offer_id"]))
        if spec.get("ean"):
            return self.offers_by_ean.get(str(spec["ean"]))
        ref = spec.get("reference") or spec.get("sku")
        return self.offers_by_ref.get(str(ref)) if ref else None

    def _control_add_orders(self, payload):
        specs = list(payload.get("orders") or [])
        count = int(payload.get("count", 0 if specs else 1))
        shared = {k: v for k, v in payload.items() if k not in ("orders", "count")}
        specs.extend({} for _ in range(count))
        now = int(time.time())
        rng = self.rng
        created = []
        for spec in specs:
            spec = dict(shared, **spec)
            method = str(spec.get("fulfilment_method") or spec.get("fulfilment-method") or "FBR").upper()
            if method not in ("FBR", "FBB", "MIXED"):
                return self._json(400, {"error": "fulfilment_method must be FBR, FBB or MIXED"})
            raw = str(spec.get("status") or "OPEN")
            status = STATUS_ALIASES.get(raw.lower(), raw.upper())
            if status not in ORDER_STATUSES:
                return self._json(400, {"error": "status must be one of %s" % ", ".join(ORDER_STATUSES)})
            lines = spec.get("lines", 1)
            if isinstance(lines, int):
                lines = [{} for _ in range(lines)]
            placed = now - int(spec.get("minutes_ago", 1)) * 60
            order_id = str(spec.get("order_id") or self._new_order_id())
            if order_id in self.orders:
                return self._json(409, {"error": "order %s exists" % order_id})
            items = []
            for j, line in enumerate(lines):
                offer = self._find_offer(line)
                if offer is None and any(line.get(k) for k in ("offer_id", "ean", "reference", "sku")):
                    return self._json(400, {"error": "no offer for %s" % line})
                if offer is None:
                    fbb = method == "FBB" or (method == "MIXED" and j % 2)
                    pool = self.fbb_offers if fbb else self.fbr_offers
                    offer = pool[(len(self.order_list) + j) % len(pool)]
                up = int(round(float(line["unit_price"]) * 100)) if line.get("unit_price") is not None else offer["bundle"][0][1]
                q = int(line.get("quantity", 1))
                disc = int(round(float(line.get("discount", 0)) * 100))
                items.append({"id": str(line.get("order_item_id") or self._new_item_id()), "o": offer, "m": offer["m"],
                              "q": q, "s": 0, "c": 0, "cr": False, "up": up, "disc": disc, "u": placed,
                              "tf": line.get("time_frame", "REGULAR")})
            order = {"id": order_id, "p": placed, "k": rng.getrandbits(48), "items": items}
            flags = {k: spec[k] for k in ("country", "b2b", "pickup_point") if k in spec}
            if flags:
                order["f"] = flags
            if spec.get("shipment_details"):
                order["sd"] = dict(spec["shipment_details"])
            if "billing_details" in spec:
                order["bd"] = None if spec["billing_details"] is None else dict(spec["billing_details"])
            for it in items:
                if it["m"] == "FBR":
                    it["o"]["reserved"] += it["q"]
                self.items[it["id"]] = (order, it)
            if status != "OPEN":
                error = self._apply_status(order, status, now, customer=spec.get("customer", True))
                if error:
                    return self._json(400, {"error": error})
            self.orders[order_id] = order
            self.order_list.append(order)
            created.append(order)
        self._touch()
        return self._json(201, {"orders": [o["id"] for o in created],
                                "order_items": {o["id"]: [it["id"] for it in o["items"]] for o in created}})

    # ========================================================================================
    # HTTP plumbing
    # ========================================================================================
    def _build_routes(self):
        seg = r"([^/]+)"
        j, a, c = frozenset([JSON_TYPE]), frozenset([JSON_TYPE, ADVERTISER_TYPE]), frozenset([CSV_TYPE])
        table = [
            # method, path, operation, handler, accepted Accept types, accepted body Content-Types
            ("POST", "/token", "token", self._token, None, None),
            ("GET", "/retailer/orders", "get-orders", self._get_orders, j, None),
            ("PUT", "/retailer/orders/cancellation", "cancel-order-item", self._cancel_items, j, j),
            ("GET", "/retailer/orders/%s" % seg, "get-order", self._get_order, j, None),
            ("GET", "/retailer/shipments", "get-shipments", self._get_shipments, j, None),
            ("POST", "/retailer/shipments", "create-shipment", self._create_shipment, j, j),
            ("GET", "/retailer/shipments/%s" % seg, "get-shipment", self._get_shipment, j, None),
            ("POST", "/retailer/offers", "post-offer", self._create_offer, j, j),
            ("POST", "/retailer/offers/export", "post-offer-export", self._create_export, j, j),
            ("GET", "/retailer/offers/export/%s" % seg, "get-offer-export", self._get_export, c, None),
            ("GET", "/retailer/offers/%s" % seg, "get-offer", self._get_offer, j, None),
            ("PUT", "/retailer/offers/%s" % seg, "put-offer", self._put_offer, j, j),
            ("DELETE", "/retailer/offers/%s" % seg, "delete-offer", self._delete_offer, j, None),
            ("PUT", "/retailer/offers/%s/stock" % seg, "update-offer-stock", self._put_stock, j, j),
            ("PUT", "/retailer/offers/%s/price" % seg, "update-offer-price", self._put_price, j, j),
            ("GET", "/retailer/returns", "get-returns", self._get_returns, j, None),
            ("POST", "/retailer/returns", "create-return", self._create_return, j,
             frozenset(["application/json", JSON_TYPE])),  # the contract says application/json here
            ("GET", "/retailer/returns/%s" % seg, "get-return", self._get_return, j, None),
            ("PUT", "/retailer/returns/%s" % seg, "handle-return", self._handle_return, j, j),
            ("GET", "/retailer/inventory", "get-inventory", self._get_inventory, j, None),
            ("GET", "/shared/process-status", "get-process-status-entity-id", self._get_ps_by_entity, a, None),
            ("POST", "/shared/process-status", "get-process-status-bulk", self._get_ps_bulk, a, a),
            ("GET", "/shared/process-status/%s" % seg, "get-process-status", self._get_ps, a, None),
        ]
        self._media = {op: (accept, body) for _method, _pattern, op, _handler, accept, body in table}
        return RouteTable([row[:4] for row in table])

    def route(self, req):
        self._local.path = req.path
        return self._routes.match(req.method, req.path.rstrip("/") or "/")

    # -- auth and media types --------------------------------------------------------------------
    def authenticate(self, req, operation):
        if operation == "token":
            return None
        auth = (req.header("authorization") or "").strip()
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return self._auth_problem("Unauthorized", "Full authentication is required to access this resource.")
        exp = self.tokens.get(token)
        if exp is None:
            if token.count(".") != 2:
                return self._auth_problem(
                    "Invalid JWT", "JWT strings must contain exactly 2 period characters. Found: %d" % token.count("."))
            return self._auth_problem(
                "Invalid JWT", "JWT signature does not match locally computed signature. JWT validity cannot be "
                "asserted and should not be trusted.")
        now = time.time()
        if now - CLOCK_SKEW > exp:
            return self._auth_problem("Expired JWT", "JWT expired at %s. Current time: %s, a difference of %d milliseconds."
                                      "  Allowed clock skew: %d milliseconds." % (
                                          _utc_z(exp), _utc_z(now), int((now - CLOCK_SKEW - exp) * 1000), CLOCK_SKEW * 1000))
        accept, body_types = self._media.get(operation, (None, None))
        if accept and not self._accepts(req, accept):
            wanted = sorted(accept)[-1] if len(accept) == 1 else JSON_TYPE
            return self.problem(406, "Not Acceptable", "The requested media type in the Accept header is not supported. "
                                "Supported media type: %s." % wanted)
        if body_types and req.method in ("POST", "PUT"):
            ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
            if ctype not in body_types:
                supported = JSON_TYPE if JSON_TYPE in body_types else sorted(body_types)[0]
                return self.problem(415, "Unsupported Media Type", "Content type '%s' not supported. Supported media "
                                    "type: %s." % (req.header("content-type") or "", supported))
        return None

    @staticmethod
    def _accepts(req, wanted):
        for part in (req.header("accept") or "").split(","):
            if part.split(";")[0].strip().lower() in wanted:
                return True
        return False

    def _auth_problem(self, title, detail):
        # as fixtures_http/401-jwt-expired: title, status and detail only
        return Response(401, json.dumps({"title": title, "status": 401, "detail": detail}).encode(),
                        {"Content-Type": JSON_TYPE})

    def expire_tokens(self):
        past = time.time() - CLOCK_SKEW - 1
        for token in self.tokens:
            self.tokens[token] = min(self.tokens[token], int(past))

    # -- answers ---------------------------------------------------------------------------------
    def _ok(self, status, obj):
        return Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                        {"Content-Type": OK_CONTENT_TYPE, "X-Request-ID": str(uuid.uuid4())})

    def _empty_list(self):
        return Response(200, b"{ }", {"Content-Type": OK_CONTENT_TYPE, "X-Request-ID": str(uuid.uuid4())})

    def problem(self, status, title, detail, violations=None):
        body = {"type": PROBLEM_TYPE, "title": title, "status": status, "detail": detail,
                "host": "Instance-%03d" % (1 + getattr(self, "seed", 0) % 120),
                "instance": PUBLIC_HOST + (getattr(self._local, "path", None) or "/retailer")}
        if violations is not None:
            body["violations"] = violations
        return Response(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), {"Content-Type": JSON_TYPE})

    def bad_request(self, violations):
        return self.problem(400, VALIDATION_TITLE, "Bad request", violations)

    def error_response(self, status, message, code=None):
        if status >= 500:  # as fixtures_http/500-internal-server-error: nginx's text/html page
            text = "Internal Server Error" if status == 500 else "Service Temporarily Unavailable"
            return Response(status, text.encode(), {"Content-Type": "text/html; charset=UTF-8"})
        if status == 400:
            return self.bad_request([{"name": "body", "reason": message}])
        titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                  406: "Not Acceptable", 409: "Conflict", 415: "Unsupported Media Type"}
        return self.problem(status, titles.get(status, "Error"), message)

    def not_found(self, req):
        self._local.path = req.path
        return self.problem(404, "Not Found", "No endpoint %s %s exists." % (req.method, req.path))

    # -- rate limits -----------------------------------------------------------------------------
    def rate_limit(self, operation):
        limit = RATE_LIMITS.get(operation)
        return (limit[0] / float(limit[1]), limit[0]) if limit else None

    def rate_limit_headers(self, operation, bucket):
        limit = RATE_LIMITS.get(operation)
        if not limit or bucket is None:
            return {}
        missing = bucket.burst - bucket.tokens
        reset = max(1, int(math.ceil(missing / bucket.rate))) if bucket.rate else limit[1]
        return {"X-RateLimit-Limit": str(limit[0]), "X-RateLimit-Remaining": str(max(0, int(bucket.tokens))),
                "X-RateLimit-Reset": str(reset)}

    def throttled_response(self, operation, retry_after):
        """As fixtures_http/429-too-many-requests[-without-retry-after]."""
        if retry_after is None:
            limit = RATE_LIMITS.get(operation)
            seconds = max(1, int(math.ceil(limit[1] / float(limit[0])))) if limit else 4
        else:
            seconds = int(retry_after)
        headers = {"Content-Type": JSON_TYPE}
        if retry_after is not None:
            headers["Retry-After"] = str(seconds)
        body = {"title": "Too Many Requests", "status": 429, "detail": "Too many requests, retry in %d seconds." % seconds}
        return Response(429, json.dumps(body).encode(), headers)

    # -- query parameters ------------------------------------------------------------------------
    @staticmethod
    def _q_int(req, name, default, violations, minimum=None, maximum=None):
        raw = req.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            violations.append({"name": name, "reason": "Request contains invalid value(s): '%s'." % raw})
            return default
        if minimum is not None and value < minimum:
            violations.append({"name": name, "reason": "Must be greater than or equal to %d." % minimum})
        if maximum is not None and value > maximum:
            violations.append({"name": name, "reason": "Must be less than or equal to %d." % maximum})
        return value

    @staticmethod
    def _q_enum(req, name, allowed, default, violations):
        raw = req.arg(name)
        if raw is None or raw == "":
            return default
        if raw.upper() not in allowed:
            violations.append({"name": name, "reason": "Request contains invalid value(s): '%s', allowed values: %s."
                               % (raw, ", ".join(allowed))})
            return default
        return raw.upper()

    @staticmethod
    def _q_bool(req, name, default, violations):
        raw = req.arg(name)
        if raw is None or raw == "":
            return default
        if raw.lower() not in ("true", "false"):
            violations.append({"name": name,
                               "reason": "Request contains invalid value(s): '%s', allowed values: true, false." % raw})
            return default
        return raw.lower() == "true"

    def _base_url(self, req):
        host = req.header("host") or ""
        if host and "/" not in host:
            return "http://%s/bol" % host
        return "%s/bol" % (getattr(self.sim, "public_url", None) or "http://127.0.0.1")

    # ========================================================================================
    # token
    # ========================================================================================
    def _token(self, req):
        form = {k: v[0] for k, v in req.query.items()}
        ctype = (req.header("content-type") or "").lower()
        if req.body and "json" not in ctype:
            try:
                form.update({k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()})
            except UnicodeDecodeError:
                return self._oauth_error(400, "invalid_request", "Malformed request body")
        auth = (req.header("authorization") or "").strip()
        scheme, _, value = auth.partition(" ")
        client_id = secret = None
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                client_id = None
        if client_id != self.client_id or secret != self.client_secret:
            # fixtures_http/401-unauthorized
            return Response(401, json.dumps({"error": "invalid_client", "error_description": "Bad client credentials"}).encode(),
                            {"Content-Type": JSON_TYPE})
        grant = form.get("grant_type")
        if not grant:
            return self._oauth_error(400, "invalid_request", "Missing grant type")
        if grant != "client_credentials":
            return self._oauth_error(400, "unsupported_grant_type", "Unsupported grant type: %s" % grant)
        now = int(time.time())
        exp = now + int(self.token_lifetime)
        header = _b64url(b'{"alg":"RS256","typ":"JWT"}')
        claims = _b64url(json.dumps({"sub": client_id, "aud": "retailer", "scope": "RETAILER", "iat": now, "exp": exp,
                                     "jti": str(uuid.uuid4())}, separators=(",", ":")).encode())
        signature = _b64url(hashlib.sha256(("%s.%s.%s" % (header, claims, self.client_secret)).encode()).digest())
        token = "%s.%s.%s" % (header, claims, signature)
        self.tokens[token] = exp
        body = {"access_token": token, "token_type": "Bearer", "expires_in": max(0, int(self.token_lifetime) - 1),
                "scope": "RETAILER"}
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=UTF-8"})

    @staticmethod
    def _oauth_error(status, error, description):
        return Response(status, json.dumps({"error": error, "error_description": description}).encode(),
                        {"Content-Type": "application/json;charset=UTF-8"})

    # ========================================================================================
    # orders
    # ========================================================================================
    @staticmethod
    def _item_ok(it, method, status, vvb):
        if method != "ALL" and it["m"] != method:
            return False
        if status == "OPEN" and it["q"] - it["s"] - it["c"] <= 0:
            return False
        if status == "SHIPPED" and not it["s"]:
            return False
        if vvb and it["o"].get("dc") != "VVB":
            return False
        return True

    def _matching(self, method, status, vvb):
        key = (method, status, vvb)
        hit = self._cache.get(key)
        if hit is None:
            ok = self._item_ok
            hit = [o for o in self.order_list if any(ok(it, method, status, vvb) for it in o["items"])]
            hit.sort(key=lambda o: o["p"], reverse=True)
            self._cache[key] = hit
        return hit

    def _changed_since(self, since):
        """The orders with an item changed at or after `since`, from an index of orders by their
        latest change (built once per state version, then a bisection)."""
        index = self._cache.get("by_change")
        if index is None:
            pairs = sorted(((-max(it["u"] for it in o["items"]), o) for o in self.order_list), key=lambda p: p[0])
            index = self._cache["by_change"] = ([p[0] for p in pairs], [p[1] for p in pairs])
        keys, orders = index
        return orders[:bisect.bisect_right(keys, -since)]

    def _get_orders(self, req):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        method = self._q_enum(req, "fulfilment-method", ("FBR", "FBB", "ALL"), "FBR", v)
        status = self._q_enum(req, "status", ("OPEN", "SHIPPED", "ALL"), "OPEN", v)
        interval = self._q_int(req, "change-interval-minute", None, v, minimum=1, maximum=60)
        vvb = self._q_bool(req, "vvb-only", False, v)
        day = req.arg("latest-change-date")
        if day:
            try:
                day_start = calendar.timegm(time.strptime(day, "%Y-%m-%d"))
                day_start -= _ams_offset(day_start)
            except ValueError:
                v.append({"name": "latest-change-date", "reason": "Request contains invalid value(s): '%s'; "
                          "expected a date as yyyy-MM-dd." % day})
            else:
                if day_start < time.time() - 92 * 86400:
                    v.append({"name": "latest-change-date", "reason": "Up to 3 months of history is supported."})
        if v:
            return self.bad_request(v)
        self._settle()
        ok = self._item_ok
        if interval or day:
            lo = time.time() - interval * 60 if interval else None
            if day:
                day_end = day_start + 86400

            def changed(it):
                return (lo is None or it["u"] >= lo) and (not day or day_start <= it["u"] < day_end)
            candidates = self._changed_since(max(lo or 0, day_start if day else 0))
            orders = [o for o in candidates if any(ok(it, method, status, vvb) and changed(it) for it in o["items"])]
            orders.sort(key=lambda o: o["p"], reverse=True)
        else:
            orders = self._matching(method, status, vvb)
            changed = None
        start = (page - 1) * PAGE_SIZE
        chunk = orders[start:start + PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        out = []
        for o in chunk:
            items = [self._reduced_item(it) for it in o["items"]
                     if ok(it, method, status, vvb) and (changed is None or changed(it))]
            out.append({"orderId": o["id"], "orderPlacedDateTime": iso(o["p"]), "orderItems": items})
        return self._ok(200, {"orders": out})

    def _get_order(self, req, order_id):
        self._settle()
        order = self.orders.get(order_id)
        if order is None:
            return self.problem(404, "Not Found", "Order with id %s does not exist." % order_id)
        return self._ok(200, self._render_order(order))

    def _cancel_items(self, req):
        body = req.json()
        v = []
        lines = body.get("orderItems") if isinstance(body, dict) else None
        if not isinstance(lines, list) or not lines:
            v.append({"name": "orderItems", "reason": "must not be empty"})
            lines = []
        for i, line in enumerate(lines):
            if not isinstance(line, dict) or not isinstance(line.get("orderItemId"), str) or not line.get("orderItemId"):
                v.append({"name": "orderItems[%d].orderItemId" % i, "reason": "must not be blank"})
            elif line.get("reasonCode") not in CANCEL_REASONS:
                v.append({"name": "orderItems[%d].reasonCode" % i, "reason": "Request contains invalid value(s): '%s', "
                          "allowed values: %s." % (line.get("reasonCode"), ", ".join(CANCEL_REASONS))})
        if v:
            return self.bad_request(v)
        wanted = [(line["orderItemId"], line["reasonCode"]) for line in lines]

        def apply():
            found = []
            for item_id, _reason in wanted:
                hit = self.items.get(item_id)
                if hit is None:
                    return "Order item %s does not exist." % item_id
                found.append(hit)
            if len({id(o) for o, _ in found}) > 1:
                return "Order item id's must belong to the same order."
            for order, it in found:
                if it["m"] == "FBB":
                    return "Order item %s is fulfilled by bol.com and cannot be cancelled by the retailer." % it["id"]
                if it["q"] - it["s"] - it["c"] <= 0:
                    return "Order item %s has no open quantity to cancel." % it["id"]
            now = int(time.time())
            for order, it in found:
                self._set_item(it, it["s"], it["q"] - it["s"], now)
            self._touch()
            return None
        ps = self._new_process(req, "CANCEL_ORDER", wanted[0][0], "Cancel order item %s." % wanted[0][0], apply)
        return self._ok(202, self._ps_public(ps))

    # ========================================================================================
    # shipments
    # ========================================================================================
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
            if not isinstance(line, dict) or not isinstance(line.get("orderItemId"), str) or not line["orderItemId"].strip():
                v.append({"name": "orderItems[%d].orderItemId" % i, "reason": "must not be blank"})
                continue
            q = line.get("quantity")
            if q is not None and (not isinstance(q, int) or isinstance(q, bool) or q < 1):
                v.append({"name": "orderItems[%d].quantity" % i, "reason": "must be greater than or equal to 1"})
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
                    v.append({"name": "transport.transporterCode", "reason": "Request contains invalid value(s): '%s', "
                              "allowed values: %s." % (code, ", ".join(TRANSPORTER_CODES))})
                tt = transport.get("trackAndTrace")
                if tt is not None and not isinstance(tt, str):
                    v.append({"name": "transport.trackAndTrace", "reason": "must be a string"})
            if label:
                v.append({"name": "shippingLabelId", "reason": "Provide either a shippingLabelId or a transport, not both."})
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
                    return "Order item %s is fulfilled by bol.com (FBB) and cannot be shipped by the retailer." % it["id"]
                if open_ <= 0:
                    return "Order item %s has no open quantity left to ship (quantity %d, shipped %d, cancelled %d)." % (
                        it["id"], it["q"], it["s"], it["c"])
                q = open_ if q is None else q
                if q > open_:
                    return "Quantity %d for order item %s exceeds the open quantity %d." % (q, it["id"], open_)
                plan.append((it, q))
            now = int(time.time())
            for it, q in plan:
                self._set_item(it, it["s"] + q, it["c"], now)
            if label:
                transport.update({"shippingLabelId": label, "transporterCode": "TNT",
                                  "trackAndTrace": "3SBOL%010d" % (int(hashlib.md5(label.encode()).hexdigest(), 16) % 10 ** 10)})
            self._record_shipment(found[0][0][0], plan, ref, transport, label, "api")
            self._touch()
            return None
        ps = self._new_process(req, "CREATE_SHIPMENT", first, "Create shipment for order item %s." % first, apply)
        return self._ok(202, self._ps_public(ps))

    def _record_shipment(self, order, plan, ref, transport, label, source):
        self._ship_seq += 1
        sid = str(900000000 + (self._salt + self._ship_seq * 7907) % 99999999)
        tid = str(300000000 + (self._salt * 3 + self._ship_seq * 6421) % 99999999)
        tr = {"transportId": tid}
        for key in ("transporterCode", "trackAndTrace", "shippingLabelId"):
            if transport.get(key):
                tr[key] = transport[key]
        shipment = {"id": sid, "order": order, "items": list(plan), "ref": ref, "transport": tr, "t": int(time.time()),
                    "source": source, "m": plan[0][0]["m"]}
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
        chunk = matched[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        out = []
        for s in chunk:
            entry = {"shipmentId": s["id"], "shipmentDateTime": iso(s["t"])}
            if s["ref"]:
                entry["shipmentReference"] = s["ref"]
            entry["order"] = {"orderId": s["order"]["id"], "orderPlacedDateTime": iso(s["order"]["p"])}
            entry["shipmentItems"] = [{"orderItemId": it["id"], "ean": it["o"]["ean"]} for it, _ in s["items"]]
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
        out.update({"pickupPoint": pickup, "order": {"orderId": order["id"], "orderPlacedDateTime": iso(order["p"])},
                    "shipmentDetails": sd})
        if billing is not None:
            out["billingDetails"] = billing
        items = []
        for it, q in s["items"]:
            ful = self._fulfilment(order, it)
            items.append({"orderItemId": it["id"],
                          "fulfilment": {"method": ful["method"], "distributionParty": ful["distributionParty"],
                                         "latestDeliveryDate": ful["latestDeliveryDate"]},
                          "offer": self._offer_ref(it["o"]), "product": {"ean": it["o"]["ean"], "title": it["o"]["title"]},
                          "quantity": q, "quantityShipped": q, "unitPrice": _money(it["up"]),
                          "commission": _money(self._commission(it) * q // max(1, it["q"]))})
        out["shipmentItems"] = items
        out["transport"] = dict(s["transport"])
        return self._ok(200, out)

    # ========================================================================================
    # offers
    # ========================================================================================
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
            v.append({"name": prefix + ".bundlePrices", "reason": "The element with quantity 1 must be present first."})
        for a, b in zip(out, out[1:]):
            if b[0] <= a[0] or b[1] >= a[1]:
                v.append({"name": prefix + ".bundlePrices", "reason": "Quantities must increase and prices decrease."})
                break
        return None if v else out

    def _put_stock(self, req, offer_id):
        body = req.json()
        v = []
        self._check_stock(body, v)
        if v:
            return self.bad_request(v)
        amount, managed = body["amount"], body["managedByRetailer"]

        def apply():
            offer, error = self._offer_for_update(offer_id)
            if error:
                return error
            offer["stock"], offer["mbr"] = amount, managed
            self._offer_touched(offer)
            return None
        ps = self._new_process(req, "UPDATE_OFFER_STOCK", offer_id, "Update stock for offer with id %s." % offer_id, apply)
        return self._ok(202, self._ps_public(ps))

    def _put_price(self, req, offer_id):
        body = req.json()
        v = []
        bundles = self._check_pricing(body.get("pricing") if isinstance(body, dict) else None, v)
        if v:
            return self.bad_request(v)

        def apply():
            offer, error = self._offer_for_update(offer_id)
            if error:
                return error
            offer["bundle"] = bundles
            self._offer_touched(offer)
            return None
        ps = self._new_process(req, "UPDATE_OFFER_PRICE", offer_id, "Update price for offer with id %s." % offer_id, apply)
        return self._ok(202, self._ps_public(ps))

    def _put_offer(self, req, offer_id):
        body = req.json()
        v = []
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        ful = body.get("fulfilment")
        if not isinstance(ful, dict) or ful.get("method") not in ("FBR", "FBB"):
            v.append({"name": "fulfilment.method", "reason": "Request contains invalid value(s), allowed values: FBR, FBB."})
        elif ful.get("deliveryCode") is not None and ful["deliveryCode"] not in DELIVERY_CODES:
            v.append({"name": "fulfilment.deliveryCode",
                      "reason": "Request contains invalid value(s): '%s'." % ful["deliveryCode"]})
        ref = body.get("reference")
        if ref is not None and (not isinstance(ref, str) or len(ref) > 20):
            v.append({"name": "reference", "reason": "size must be between 0 and 20"})
        if v:
            return self.bad_request(v)

        def apply():
            offer, error = self._offer_for_update(offer_id)
            if error:
                return error
            if "reference" in body:
                offer["ref"] = body["reference"] or None
                if offer["ref"]:
                    self.offers_by_ref[offer["ref"]] = offer
            if "onHoldByRetailer" in body:
                offer["hold"] = bool(body["onHoldByRetailer"])
            offer["m"] = ful["method"]
            offer["dc"] = ful.get("deliveryCode") if ful["method"] == "FBR" else None
            self._offer_touched(offer)
            return None
        ps = self._new_process(req, "UPDATE_OFFER", offer_id, "Update offer with id %s." % offer_id, apply)
        return self._ok(202, self._ps_public(ps))

    def _delete_offer(self, req, offer_id):
        def apply():
            offer, error = self._offer_for_update(offer_id)
            if error:
                return error
            offer["deleted"] = True
            self._offer_touched(offer)
            return None
        ps = self._new_process(req, "DELETE_OFFER", offer_id, "Delete offer with id %s." % offer_id, apply)
        return self._ok(202, self._ps_public(ps))

    def _create_offer(self, req):
        body = req.json()
        if not isinstance(body, dict):
            return self.bad_request([{"name": "body", "reason": "must be an object"}])
        v = []
        ean = body.get("ean")
        if not ean_valid(ean):
            v.append({"name": "ean", "reason": "Request contains invalid value(s): '%s'; not a valid EAN." % (ean,)})
        cond = body.get("condition")
        if not isinstance(cond, dict) or cond.get("name") not in CONDITIONS:
            v.append({"name": "condition.name",
                      "reason": "Request contains invalid value(s), allowed values: %s." % ", ".join(CONDITIONS)})
        bundles = self._check_pricing(body.get("pricing"), v)
        self._check_stock(body.get("stock"), v, "stock.")
        ful = body.get("fulfilment")
        if not isinstance(ful, dict) or ful.get("method") not in ("FBR", "FBB"):
            v.append({"name": "fulfilment.method", "reason": "Request contains invalid value(s), allowed values: FBR, FBB."})
        ref = body.get("reference")
        if ref is not None and (not isinstance(ref, str) or len(ref) > 20):
            v.append({"name": "reference", "reason": "size must be between 0 and 20"})
        if v:
            return self.bad_request(v)

        def apply():
            for o in self.offer_list:
                if o["ean"] == ean.zfill(13) and o["cond"] == cond["name"] and not o["deleted"]:
                    return "An offer for EAN %s with condition %s already exists (offer id %s)." % (ean, cond["name"], o["id"])
            offer = {
                "id": str(uuid.uuid4()), "ean": ean.zfill(13), "ref": ref or None, "sku": ref or ean,
                "title": body.get("unknownProductTitle") or "Product %s" % ean, "bundle": bundles,
                "stock": body["stock"]["amount"], "mbr": body["stock"]["managedByRetailer"], "m": ful["method"],
                "dc": ful.get("deliveryCode") if ful["method"] == "FBR" else None, "cond": cond["name"],
                "hold": bool(body.get("onHoldByRetailer", False)), "reserved": 0, "mut": time.time(), "deleted": False,
            }
            if offer["m"] == "FBB":
                offer.update(bsku=ean13("29500%07d" % (len(self.offer_list) % 10 ** 7)), regular=0, graded=0)
            self.offer_list.append(offer)
            self._index_offers()
            self._offer_touched(offer)
            return ("entity", offer["id"])
        ps = self._new_process(req, "CREATE_OFFER", None, "Create offer for EAN %s." % ean, apply)
        return self._ok(202, self._ps_public(ps))

    def _create_export(self, req):
        body = req.json()
        if not isinstance(body, dict) or body.get("format") != "CSV":
            return self.bad_request([{"name": "format", "reason": "Request contains invalid value(s): '%s', allowed values: CSV."
                                      % (body.get("format") if isinstance(body, dict) else body)}])

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
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(o["mut"])) + ".%03d UTC" % int((o["mut"] % 1) * 1000)
            row = (o["id"], o["ean"], o["cond"], "NEW" if o["cond"] == "NEW" else "SECONDHAND", "",
                   "%.2f" % _money(o["bundle"][0][1]), o["dc"] or "", str(o["stock"]), "true" if o["hold"] else "false",
                   o["m"], stamp, o["ref"] or "", str(max(0, o["stock"] - o["reserved"])))
            lines.append(",".join('"%s"' % f.replace('"', '""') if ("," in f or '"' in f) else f for f in row))
        return "\n".join(lines) + "\n"

    def _get_export(self, req, report_id):
        self._settle()
        text = self.reports.get(report_id)
        if text is None:
            return self.problem(404, "Not Found", "Offer export with id %s does not exist." % report_id)
        return Response(200, text.encode("utf-8"), {"Content-Type": CSV_TYPE + ";charset=UTF-8"})

    # ========================================================================================
    # returns and inventory
    # ========================================================================================
    def _render_return(self, ret, full=False):
        items = []
        for ri in ret["items"]:
            it, order = ri["it"], ri["order"]
            main, detailed, comment = RETURN_REASONS[ri["reason"]]
            entry = {"rmaId": ri["rma"], "orderId": order["id"], "ean": it["o"]["ean"]}
            if full:
                entry["title"] = it["o"]["title"]
            entry["expectedQuantity"] = ri["qty"]
            entry["returnReason"] = {"mainReason": main, "detailedReason": detailed, "customerComments": comment}
            if full and ri["track"]:
                entry["trackAndTrace"] = ri["track"]
                entry["transporterName"] = "PostNL" if ri["track"].startswith("3S") else "DHL"
            entry["handled"] = ri["handled"]
            entry["processingResults"] = list(ri["results"])
            if full:
                sd = self._customer(order)[0]
                entry["customerDetails"] = {k: sd[k] for k in (
                    "salutation", "firstName", "surname", "streetName", "houseNumber", "houseNumberExtension",
                    "extraAddressInformation", "zipCode", "city", "countryCode", "email", "deliveryPhoneNumber",
                    "company") if k in sd}
            items.append(entry)
        return {"returnId": ret["id"], "registrationDateTime": iso(ret["t"]), "fulfilmentMethod": ret["m"],
                "returnItems": items}

    def _get_returns(self, req):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        handled = self._q_bool(req, "handled", False, v)
        method = self._q_enum(req, "fulfilment-method", ("FBR", "FBB"), "FBR", v)
        if v:
            return self.bad_request(v)
        self._settle()
        matched = [r for r in self.returns if r["m"] == method and any(i["handled"] == handled for i in r["items"])]
        matched.sort(key=lambda r: r["t"], reverse=handled)  # handled newest first, unhandled oldest first
        chunk = matched[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
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
            v.append({"name": "handlingResult", "reason": "Request contains invalid value(s): '%s', allowed values: %s."
                      % (body.get("handlingResult"), ", ".join(HANDLING_RESULTS))})
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
            ri["results"].append({"quantity": qty, "processingResult": "ACCEPTED", "handlingResult": body["handlingResult"],
                                  "processingDateTime": iso(time.time())})
            return None
        ps = self._new_process(req, "HANDLE_RETURN_ITEM", rma_id, "Handle return item with rmaId %s." % rma_id, apply)
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
            v.append({"name": "handlingResult", "reason": "Request contains invalid value(s), allowed values: %s."
                      % ", ".join(HANDLING_RESULTS)})
        if v:
            return self.bad_request(v)

        def apply():
            hit = self.items.get(item_id)
            if hit is None:
                return "Order item %s does not exist." % item_id
            order, it = hit
            if qty > it["s"]:
                return "Quantity %d exceeds the shipped quantity %d of order item %s." % (qty, it["s"], item_id)
            ret = self._add_return(order, it, qty, time.time(), 0, True)
            ret["items"][0]["results"] = [{"quantity": qty, "processingResult": "ACCEPTED",
                                           "handlingResult": body["handlingResult"], "processingDateTime": iso(time.time())}]
            return ("entity", ret["id"])
        ps = self._new_process(req, "CREATE_RETURN_ITEM", item_id, "Create return for order item %s." % item_id, apply)
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
                v.append({"name": "quantity", "reason": "Request contains invalid value(s): '%s'; expected a range "
                          "(min-range)-(max-range)." % part})
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
        chunk = out[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        return self._ok(200, {"inventory": [{"ean": o["ean"], "bsku": o["bsku"], "gradedStock": o["graded"],
                                             "regularStock": o["regular"], "title": o["title"]} for o in chunk]})

    # ========================================================================================
    # process statuses
    # ========================================================================================
    def _new_process(self, req, event_type, entity_id, description, action):
        self._ps_seq += 1
        pid = str(1000000000 + self._salt % 100000 * 1000 + self._ps_seq)
        now = time.time()
        ps = {"processStatusId": pid}
        if entity_id is not None:
            ps["entityId"] = str(entity_id)
        ps.update({"eventType": event_type, "description": description, "status": "PENDING",
                   "createTimestamp": iso(now),
                   "links": [{"rel": "self", "href": "%s/shared/process-status/%s" % (self._base_url(req), pid),
                              "method": "GET"}],
                   "_t": now, "_polls": 0, "_action": action})
        self.processes[pid] = ps
        self.process_list.append(ps)
        self.pending.append(ps)
        return ps

    @staticmethod
    def _ps_public(ps):
        return {k: v for k, v in ps.items() if not k.startswith("_")}

    def _decide(self, ps):
        """Run the deferred change of a process status. The action answers None (SUCCESS),
        ("entity", id) (SUCCESS; the id of what was created becomes the entityId) or an error text
        (FAILURE with that errorMessage)."""
        try:
            result = ps["_action"]()
        except Exception as err:  # a bug must not leave the status PENDING forever
            _logger.exception("bol process %s failed", ps["processStatusId"])
            result = "Internal error while processing the request: %s" % err
        if isinstance(result, str):
            ps["status"] = "FAILURE"
            ps["errorMessage"] = result
        else:
            ps["status"] = "SUCCESS"
            if isinstance(result, tuple):
                ps["entityId"] = result[1]
        ps.pop("_action", None)
        if ps in self.pending:
            self.pending.remove(ps)

    def _settle(self):
        """Decide every pending process older than `process_seconds` (in creation order)."""
        if not self.pending:
            return
        limit = time.time() - self.process_seconds
        for ps in [p for p in self.pending if p["_t"] <= limit]:
            self._decide(ps)

    def _poll(self, ps):
        if ps["status"] == "PENDING":
            ps["_polls"] += 1
            self._settle()
            # decide earlier pending processes first so that their order is kept
            if ps["status"] == "PENDING" and ps["_polls"] >= self.process_polls:
                for earlier in [p for p in self.pending if p["_t"] < ps["_t"] and p["_polls"] >= self.process_polls]:
                    self._decide(earlier)
                self._decide(ps)
        return self._ps_public(ps)

    def _get_ps(self, req, pid):
        ps = self.processes.get(pid)
        if ps is None:
            return self.problem(404, "Not Found", "Process status with id %s does not exist." % pid)
        return self._ok(200, self._poll(ps))

    def _get_ps_by_entity(self, req):
        v = []
        entity = req.arg("entity-id")
        event = req.arg("event-type")
        page = self._q_int(req, "page", 1, v, minimum=1)
        if not entity:
            v.append({"name": "entity-id", "reason": "must not be null"})
        if not event:
            v.append({"name": "event-type", "reason": "must not be null"})
        if v:
            return self.bad_request(v)
        matched = [p for p in reversed(self.process_list) if p.get("entityId") == entity and p["eventType"] == event]
        chunk = matched[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        return self._ok(200, {"processStatuses": [self._poll(p) for p in chunk]})

    def _get_ps_bulk(self, req):
        body = req.json()
        queries = body.get("processStatusQueries") if isinstance(body, dict) else None
        if not isinstance(queries, list) or not 1 <= len(queries) <= 1000 or \
                not all(isinstance(q, dict) and isinstance(q.get("processStatusId"), str) for q in queries):
            return self.bad_request([{"name": "processStatusQueries", "reason": "size must be between 1 and 1000"}])
        out = [self._poll(self.processes[q["processStatusId"]]) for q in queries if q["processStatusId"] in self.processes]
        if not out:
            return self._empty_list()
        return self._ok(200, {"processStatuses": out})
