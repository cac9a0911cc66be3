"""Amazon Selling Partner API, as the simulator serves it under ``/amazon``.

Operations (contracts in ``../shared/apispecs/amazon``):

* LWA: ``POST /auth/o2/token`` (refresh_token and client_credentials grants), LWA error shape.
* Orders v0: getOrders, getOrder, getOrderItems, getOrderItemsBuyerInfo, getOrderAddress,
  getOrderBuyerInfo, confirmShipment.
* Sellers v1: getMarketplaceParticipations.
* Feeds 2021-06-30: createFeedDocument (+ PUT to the returned upload URL), createFeed, getFeed,
  getFeeds, cancelFeed, getFeedDocument (+ GET of the returned document URL). JSON_LISTINGS_FEED
  messages are processed when the feed reaches DONE: accepted stock
  (``fulfillment_availability``) and prices (``purchasable_offer``) are applied to the offers,
  rejected messages appear in the processing report (listings-feed-processing-report v2).
* FBA inventory v1: getInventorySummaries.
* Reports 2021-06-30 (minimal): createReport, getReport, getReportDocument for a few TSV reports.
* Listings items 2021-08-01 (minimal): getListingsItem, searchListingsItems by SKU.

Every call but the token endpoint and the document URLs needs ``x-amz-access-token`` holding an
unexpired token from the token endpoint; otherwise 403 ``{"errors": [{"code": "Unauthorized"...}]}``
as the real service answers. Rate limits are the documented usage plans; each answer of a
rate-limited operation carries ``x-amzn-RateLimit-Limit``; a 429 is
``{"errors": [{"code": "QuotaExceeded", ...}]}`` without Retry-After (SP-API sends none).

Simplifications, on purpose: CreatedBefore/LastUpdatedBefore default to *now* (the real service
holds back the last two minutes), so a test sees an order it has just added or moved; listings
cannot be created through feeds (a message for an unknown SKU is rejected).

Money: EU and UK prices include VAT (ItemTax is the VAT part of ItemPrice); US prices exclude
sales tax (ItemTax comes on top and is collected by Amazon as marketplace facilitator).
"""
import base64
import json
import os
import random
import time
import uuid
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from operator import itemgetter
from datetime import datetime, timezone
from urllib.parse import parse_qs

from .core import BadBody, Marketplace, Response, RouteTable, json_response

# --------------------------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------------------------

# id: (countryCode, name, currency, language, domain, VAT/sales-tax rate in basis points,
#      order id prefixes, price factor against EUR, prices include tax)
MARKETPLACES = {
    "A1PA6795UKMFR9": ("DE", "Amazon.de", "EUR", "de_DE", "www.amazon.de", 1900, ("302", "304", "028"), 1.0, True),
    "A1F83G8C2ARO7P": ("GB", "Amazon.co.uk", "GBP", "en_GB", "www.amazon.co.uk", 2000, ("202", "203", "026"), 0.86, True),
    "ATVPDKIKX0DER": ("US", "Amazon.com", "USD", "en_US", "www.amazon.com", 825, ("111", "112", "113"), 1.08, False),
    "A13V1IB3VIYZZH": ("FR", "Amazon.fr", "EUR", "fr_FR", "www.amazon.fr", 2000, ("405", "406", "171"), 1.0, True),
}
REGION_OF = {"A1PA6795UKMFR9": "EU", "A1F83G8C2ARO7P": "EU", "A13V1IB3VIYZZH": "EU", "ATVPDKIKX0DER": "NA"}

ORDER_STATUSES = (
    "PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled",
    "Unfulfillable", "InvoiceUnconfirmed",
)

# operation -> (rate per second, burst) as documented in each operation's usage plan
RATE_LIMITS = {
    "getOrders": ("0.0167", 20),
    "getOrder": ("0.5", 30),
    "getOrderBuyerInfo": ("0.5", 30),
    "getOrderAddress": ("0.5", 30),
    "getOrderItems": ("0.5", 30),
    "getOrderItemsBuyerInfo": ("0.5", 30),
    "confirmShipment": ("2", 10),
    "getMarketplaceParticipations": ("0.016", 15),
    "getFeeds": ("0.0222", 10),
    "createFeed": ("0.0083", 15),
    "cancelFeed": ("2", 15),
    "getFeed": ("2", 15),
    "createFeedDocument": ("0.5", 15),
    "getFeedDocument": ("0.0222", 10),
    "getInventorySummaries": ("2", 2),
    "createReport": ("0.0167", 15),
    "getReport": ("2", 15),
    "getReportDocument": ("0.0167", 15),
    "getListingsItem": ("5", 10),
    "searchListingsItems": ("5", 5),
}

# ship-to addresses: (Name-less parts) country -> list of (AddressLine1, AddressLine2, City,
# StateOrRegion, PostalCode, Phone)
ADDRESSES = {
    "DE": [
        ("Königsallee 12", "", "Düsseldorf", "Nordrhein-Westfalen", "40212", "+49 211 5550101"),
        ("Schloßstraße 7", "Hinterhaus, 3. OG", "Berlin", "Berlin", "12163", "+49 30 5550199"),
        ("Maximilianstraße 44", "", "München", "Bayern", "80539", ""),
        ("Hohe Straße 101", "c/o Büro Groß", "Köln", "Nordrhein-Westfalen", "50667", "+49 221 5550123"),
        ("Äußere Sulzbacher Str. 3", "", "Nürnberg", "Bayern", "90489", "+49 911 5550456"),
    ],
    "AT": [("Mariahilfer Straße 88", "Top 14", "Wien", "Wien", "1070", "+43 1 5550102")],
    "PL": [("ul. Piotrkowska 104", "m. 7", "Łódź", "łódzkie", "90-006", "+48 42 555 01 02")],
    "GB": [
        ("221B Baker Street", "", "London", "Greater London", "NW1 6XE", "+44 20 7946 0018"),
        ("14 Princes Street", "Flat 2/1", "Edinburgh", "Midlothian", "EH2 2AN", ""),
        ("3 Queen's Road", "", "Cardiff", "South Glamorgan", "CF10 1AA", "+44 29 2018 0000"),
        ("77 Deansgate", "Unit 5", "Manchester", "Greater Manchester", "M3 2BW", "+44 161 496 0000"),
    ],
    "US": [
        ("2201 Westlake Ave", "Suite 300", "Seattle", "WA", "98121-2778", "+1 206-555-0100"),
        ("1 Cross St.", "", "Canton", "MI", "48817", "+1 734-555-0199"),
        ("410 Terry Ave N", "", "Seattle", "WA", "98109", ""),
        ("123 Calle Señora", "Apt 4B", "San José", "CA", "95113", "+1 408-555-0142"),
    ],
    "FR": [
        ("12 rue de la Paix", "Bâtiment B", "Paris", "Île-de-France", "75002", "+33 1 55 50 01 02"),
        ("5 quai Saint-Antoine", "", "Lyon", "Auvergne-Rhône-Alpes", "69002", ""),
    ],
    "BR": [("Avenida Paulista 1578", "Conjunto 12", "São Paulo", "SP", "01310-200", "+55 11 5555-0100")],
}
SHIP_TO = {  # marketplace -> ship-to countries (weights by repetition)
    "A1PA6795UKMFR9": ("DE", "DE", "DE", "DE", "DE", "AT", "PL"),
    "A1F83G8C2ARO7P": ("GB",),
    "ATVPDKIKX0DER": ("US", "US", "US", "US", "US", "US", "BR"),
    "A13V1IB3VIYZZH": ("FR", "FR", "FR", "DE"),
}
NAMES = (
    "Zoë Müller", "Jürgen Groß", "Łukasz Wiśniewski", "João Silva", "François Lefèvre",
    "Søren Ødegård", "Siobhán O'Connor", "José Núñez", "Anaïs Dubois", "Ana Şahin",
    "John Smith", "Emily Clarke", "Hans Meier", "Marie Curie-Skłodowska", "Björn Ångström",
    "Chloé Martin", "Mehmet Yılmaz", "Ingrid Bergström", "Ólafur Sigurðsson", "Renée Zellweger",
)
COMPANIES = (
    "Müller & Söhne GmbH", "Łódź Trading Sp. z o.o.", "Acme Widgets Ltd", "Société Générale des Tuyaux SA",
    "Brandt Bürobedarf KG", "Seattle Office Supply Inc.", "Groß- und Außenhandel Köhler OHG",
)
GIFT_MESSAGES = (
    "Alles Gute zum Geburtstag, Zoë! 🎉", "Happy birthday! Love, Mum & Dad", "Joyeux Noël ❤️",
    "Für die beste Oma der Welt", "Congratulations on the new job!", "¡Feliz cumpleaños, José!",
)
PRODUCT_WORDS = (
    ("Trail Runner Socken", "LEG_APPAREL"), ("Edelstahl-Trinkflasche", "BOTTLE"),
    ("Café-Becher \"Grüße aus Köln\"", "DRINKING_CUP"), ("Merino Beanie", "HAT"),
    ("Bluetooth Lautsprecher", "SPEAKERS"), ("Yogamatte Öko", "EXERCISE_MAT"),
    ("Kochmesser Damast 20 cm", "KITCHEN_KNIFE"), ("Rucksack Städtetrip", "BACKPACK"),
    ("Notizbuch A5 punktiert", "NOTEBOOK"), ("Lederhandschuhe", "GLOVES"),
)
COLOURS = ("Schwarz", "Blau", "Grün", "Weiß", "Rot")
SIZES = ("S", "M", "L", "XL")
CARRIERS = ("DHL", "UPS", "Royal Mail", "USPS", "FedEx", "Hermes", "DPD")

LWA_DEFAULT_TTL = 3600


def ean13(body12):
    """EAN-13 with a valid check digit for a 12-digit body."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_ms(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%03dZ" % int((ts % 1) * 1000)


def parse_iso(value):
    """Epoch seconds of an ISO 8601 date or datetime (UTC when no offset); None if invalid."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except (ValueError, TypeError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


_P = itemgetter("p")
_FIRST = itemgetter(0)


def money(currency, cents):
    return {"CurrencyCode": currency, "Amount": "%.2f" % (cents / 100.0)}


def _error(code, message, details=""):
    return {"code": code, "message": message, "details": details}


class AmazonAPI(Marketplace):
    name = "amazon"

    # default credentials (flags may set others)
    seller_id = "SIMSELLER1"
    client_id = "sim-lwa-client"
    client_secret = "sim-lwa-secret"
    refresh_token = "sim-refresh-token"

    default_sizes = {"orders": 250, "products": 40}
    participations = ("A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER")
    ORDER_ITEMS_PAGE = 100  # order items per getOrderItems page
    INVENTORY_PAGE = 50  # summaries per getInventorySummaries page

    def __init__(self, sim):
        super().__init__(sim)
        self.tokens = {}  # access token -> expiry (epoch seconds); kept across resets
        self.token_ttl = LWA_DEFAULT_TTL
        self._routes = self._build_routes()

    # ========================================================================================
    # state
    # ========================================================================================
    def reset(self, seed, sizes):
        sizes = dict(sizes or {})
        n_orders = int(sizes.get("orders", self.default_sizes["orders"]))
        n_products = int(sizes.get("products", self.default_sizes["products"]))
        self.seed = seed
        self.rng = random.Random("amazon-%s" % seed)
        self.now = float(sizes.get("now") or time.time())
        self.orders = {}
        self.order_list = []  # sorted by purchase date while _p_sorted
        self._p_sorted = True
        self._by_u = None  # (LastUpdateDate, order) ascending, built on demand; stale entries skipped
        self._u_dups = False
        self.cursors = OrderedDict()
        self.shipments = []
        self.documents = {}  # id -> {"content": bytes|None, "contentType", "kind"}
        self.feeds = {}
        self.feed_list = []
        self.reports = {}
        self.returns = []
        self.offers_touched = set()
        self.feed_stage_seconds = float(sizes.get("feed_stage_seconds", 5.0))
        self.issue_skus = True  # processing-report issues name their SKU (the schema makes it optional)
        self._doc_seq = 0
        self._feed_seq = 0
        self._item_seq = 0
        self._order_seq = 0
        self._salt = self.rng.randrange(10 ** 7)
        self._build_catalogue(n_products)
        self._generate_orders(n_orders, self.now - 60 * 86400, self.now - 300)
        self._generate_returns()

    def _build_catalogue(self, n_products):
        rng = self.rng
        self.products = OrderedDict()  # sku -> product dict
        self.offers = {}  # sku -> {marketplace id: {"price": cents, "quantity": int}}
        self.fba = {}  # sku -> quantities
        for base in range(1, n_products + 1):
            word, ptype = PRODUCT_WORDS[base % len(PRODUCT_WORDS)]
            base_price = rng.randrange(599, 12999)
            kind = rng.random()
            if kind < 0.6:
                variants = [("", "")]
            elif kind < 0.85:
                variants = [(c, "") for c in rng.sample(COLOURS, 3)]
            else:
                colour = rng.choice(COLOURS)
                variants = [(colour, s) for s in SIZES]
            for colour, size in variants:
                sku = "SIM-%04d" % base
                title = "%s %d" % (word, base)
                if colour:
                    sku += "-" + colour[:3].upper().replace("Ü", "UE").replace("Ö", "OE").replace("ß", "SS")
                    title += ", " + colour
                if size:
                    sku += "-" + size
                    title += ", Größe " + size
                n = len(self.products) + 1
                asin = "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
                product = {
                    "sku": sku,
                    "asin": asin,
                    "ean": ean13("40%010d" % ((self._salt * 1000 + n) % 10 ** 10)),
                    "title": title,
                    "productType": ptype,
                    "parent": ("SIM-%04d" % base) if colour else None,
                    "fba": rng.random() < 0.45,
                    "fnsku": "X00" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(7)),
                    "created": self.now - rng.randrange(90, 900) * 86400,
                }
                self.products[sku] = product
                price_variation = rng.randrange(-100, 300)
                offers = {}
                for mp_id in self.participations:
                    factor = MARKETPLACES[mp_id][7]
                    cents = int((base_price + price_variation) * factor) // 100 * 100 + 99
                    offers[mp_id] = {"price": cents, "quantity": rng.randrange(0, 60), "updated": product["created"]}
                self.offers[sku] = offers
                if product["fba"]:
                    self.fba[sku] = {
                        "fulfillable": rng.randrange(0, 400),
                        "inboundWorking": rng.choice((0, 0, 0, 24, 48)),
                        "inboundShipped": rng.choice((0, 0, 12, 36)),
                        "inboundReceiving": rng.choice((0, 0, 0, 6)),
                        "reserved_customer": rng.randrange(0, 6),
                        "reserved_fc": rng.randrange(0, 4),
                        "researching": rng.choice((0, 0, 0, 1, 2)),
                        "unfulfillable_customer": rng.choice((0, 0, 0, 1)),
                        "unfulfillable_warehouse": rng.choice((0, 0, 0, 0, 2)),
                        "updated": self.now - rng.randrange(1, 30) * 86400,
                    }
        self.sku_list = list(self.products)
        self.fba_skus = [s for s in self.sku_list if self.products[s]["fba"]] or self.sku_list[:1]

    # -- orders ------------------------------------------------------------------------------
    def _new_order_id(self, mp_id):
        self._order_seq += 1
        prefix = MARKETPLACES[mp_id][6][self._order_seq % 3]
        mid = (self._order_seq * 7919 + self._salt) % 10 ** 7
        return "%s-%07d-%07d" % (prefix, mid, self.rng.randrange(10 ** 7))

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
        mps = self.participations
        weights_mp = (0, 0, 0, 0, 1, 1, 2, 3, 3, 3)  # DE, UK, FR, US
        skus = self.sku_list
        fba_skus = self.fba_skus
        for i in range(count):
            mp_id = mps[weights_mp[int(rnd() * 10)]]
            afn = rnd() < 0.35
            r = rnd()
            if afn:
                status = "Shipped" if r < 0.7 else "Pending" if r < 0.8 else "Unshipped" if r < 0.87 else "Canceled"
            else:
                status = (
                    "Unshipped" if r < 0.32 else "Shipped" if r < 0.67 else "PartiallyShipped" if r < 0.75
                    else "Pending" if r < 0.87 else "Canceled"
                )
            purchase = int(start + step * i + rnd() * step)
            self._make_order(mp_id, afn, status, purchase, None, fba_skus if afn else skus)

    def _make_order(self, mp_id, afn, status, purchase, lines, pool, b2b=None, gift=None, pii=None, order_id=None,
                    updated=None):
        rng = self.rng
        rnd = rng.random
        info = MARKETPLACES[mp_id]
        rate = info[5]
        items = []
        if lines is None:
            n_lines = 1 if rnd() < 0.55 else 2 if rnd() < 0.7 else rng.randrange(3, 6)
            lines = []
            for _ in range(n_lines):
                lines.append({"sku": pool[int(rnd() * len(pool))], "quantity": 1 if rnd() < 0.75 else rng.randrange(2, 5)})
        if gift is None:
            gift = rnd() < 0.08
        if b2b is None:
            b2b = rnd() < 0.1
        for line in lines:
            sku = line["sku"]
            qty = int(line.get("quantity", 1))
            offer = self.offers.get(sku, {}).get(mp_id)
            unit = int(round(float(line["price"]) * 100)) if line.get("price") is not None else (offer["price"] if offer else 1999)
            ship = 0 if (afn or rnd() < 0.5) else rng.choice((299, 399, 499))
            promo = 0
            promo_id = None
            r = rnd()
            if r < 0.12:
                promo = unit * qty // 10
                promo_id = "SIM-PROMO-10"
            ship_disc = ship if (ship and r > 0.9) else 0
            items.append({
                "id": self._new_item_id(),
                "sku": sku,
                "qty": qty,
                "shipped": 0,
                "unit": unit,
                "rate": rate,
                "ship": ship,
                "ship_disc": ship_disc,
                "promo": promo,
                "promo_id": promo_id,
                "wrap": rng.choice((299, 399)) if gift else 0,
                "msg": GIFT_MESSAGES[int(rnd() * len(GIFT_MESSAGES))] if gift and rnd() < 0.8 else None,
            })
        total_units = sum(it["qty"] for it in items)
        if status == "PartiallyShipped" and total_units < 2:
            items[0]["qty"] = 2
            total_units = 2
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
        country_pool = SHIP_TO[mp_id]
        country = country_pool[int(rnd() * len(country_pool))]
        order = {
            "id": order_id or self._new_order_id(mp_id),
            "mp": mp_id,
            "ch": "AFN" if afn else "MFN",
            "st": status,
            "p": purchase,
            "u": purchase + (int(rnd() * 86400 * 2) if status not in ("Pending", "Unshipped") else int(rnd() * 600)),
            "items": items,
            "buyer": int(rnd() * len(NAMES)),
            "country": country,
            "addr": int(rnd() * len(ADDRESSES[country])),
            "b2b": b2b,
            "company": COMPANIES[int(rnd() * len(COMPANIES))] if b2b else None,
            "vat": ("%s%09d" % (country if country != "GB" else "GB", rng.randrange(10 ** 9))) if b2b and rnd() < 0.85 else None,
            "pii": (rnd() >= 0.1) if pii is None else pii,
            "prime": afn and rnd() < 0.6,
            "level": "Standard" if rnd() < 0.8 else "Expedited",
            "gift": gift,
            "seller_order_id": None,
        }
        if updated is not None:
            order["u"] = max(purchase, int(updated))
        elif order["u"] > self.now:
            order["u"] = max(purchase, int(self.now) - 1)
        self.orders[order["id"]] = order
        if self.order_list and purchase < self.order_list[-1]["p"]:
            self._p_sorted = False
        self.order_list.append(order)
        self._index_u(order)
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
            return lst[bisect_left(lst, lo, key=_P):bisect_right(lst, hi, key=_P)]
        if self._by_u is None:
            self._by_u = sorted(((o["u"], o) for o in self.order_list), key=_FIRST)
            self._u_dups = False
        by_u = self._by_u
        window = by_u[bisect_left(by_u, lo, key=_FIRST):bisect_right(by_u, hi, key=_FIRST)]
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
                self.returns.append({
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
                })

    # -- rendering ---------------------------------------------------------------------------
    def _order_amounts(self, order):
        """(total cents, tax cents) of an order."""
        taxed_included = MARKETPLACES[order["mp"]][8]
        total = 0
        for it in order["items"]:
            gross = it["unit"] * it["qty"] + it["ship"] + it["wrap"] - it["promo"] - it["ship_disc"]
            total += gross
            if not taxed_included:
                total += (gross * it["rate"] + 5000) // 10000
        return total

    def _address(self, order, full=True):
        parts = ADDRESSES[order["country"]][order["addr"]]
        if not full:  # what an app without the PII role sees
            return {"City": parts[2], "StateOrRegion": parts[3], "PostalCode": parts[4], "CountryCode": order["country"]}
        addr = {"Name": NAMES[order["buyer"]], "AddressLine1": parts[0]}
        if parts[1]:
            addr["AddressLine2"] = parts[1]
        addr.update({"City": parts[2], "StateOrRegion": parts[3], "PostalCode": parts[4], "CountryCode": order["country"]})
        if parts[5]:
            addr["Phone"] = parts[5]
        if order["b2b"]:
            addr["CompanyName"] = order["company"]
            addr["AddressType"] = "Commercial"
        else:
            addr["AddressType"] = "Residential"
        return addr

    def _buyer_info(self, order):
        info = {}
        if order["pii"]:
            info["BuyerEmail"] = "%s@marketplace.amazon.%s" % (
                order["id"].replace("-", "")[-12:], MARKETPLACES[order["mp"]][4].split("amazon.")[-1]
            )
            info["BuyerName"] = NAMES[order["buyer"]]
        if order["b2b"]:
            tax = {"CompanyLegalName": order["company"], "TaxingRegion": order["country"]}
            if order["vat"]:
                tax["TaxClassifications"] = [{"Name": "VATNumber", "Value": order["vat"]}]
            info["BuyerTaxInfo"] = tax
            info["PurchaseOrderNumber"] = "PO-%s" % order["id"][-7:]
        return info

    def _render_order(self, order):
        mp = MARKETPLACES[order["mp"]]
        status = order["st"]
        shipped = 0
        unshipped = 0
        if status != "Canceled":
            for it in order["items"]:
                shipped += it["shipped"]
                unshipped += it["qty"] - it["shipped"]
        p = order["p"]
        days = 86400
        out = {
            "AmazonOrderId": order["id"],
            "PurchaseDate": iso(p),
            "LastUpdateDate": iso(order["u"]),
            "OrderStatus": status,
            "FulfillmentChannel": order["ch"],
            "SalesChannel": mp[1],
            "ShipServiceLevel": ("%s %s" % ("Exp" if order["level"] == "Expedited" else "Std", mp[0])),
        }
        if status not in ("Pending", "Canceled", "PendingAvailability"):
            out["OrderTotal"] = money(mp[2], self._order_amounts(order))
        out.update({
            "NumberOfItemsShipped": shipped,
            "NumberOfItemsUnshipped": unshipped,
            "PaymentMethod": "Other",
            "PaymentMethodDetails": ["Standard"],
            "MarketplaceId": order["mp"],
            "ShipmentServiceLevelCategory": order["level"],
            "OrderType": "StandardOrder",
            "EarliestShipDate": iso(p + days),
            "LatestShipDate": iso(p + 2 * days),
            "EarliestDeliveryDate": iso(p + 3 * days),
            "LatestDeliveryDate": iso(p + 6 * days),
            "IsBusinessOrder": order["b2b"],
            "IsPrime": order["prime"],
            "IsPremiumOrder": False,
            "IsGlobalExpressEnabled": False,
            "IsReplacementOrder": False,
            "IsSoldByAB": False,
            "IsISPU": False,
            "IsAccessPointOrder": False,
        })
        if order["seller_order_id"]:
            out["SellerOrderId"] = order["seller_order_id"]
        if order["b2b"]:
            out["BuyerInvoicePreference"] = "BUSINESS"
        if order["ch"] == "MFN":
            out["AutomatedShippingSettings"] = {"HasAutomatedShippingSettings": False}
        if status != "Canceled":
            out["ShippingAddress"] = self._address(order, full=order["pii"] and order["ch"] == "MFN")
            if not order["pii"] and order["ch"] == "MFN":  # app without PII access: no address at all
                del out["ShippingAddress"]
        buyer = self._buyer_info(order)
        if buyer:
            out["BuyerInfo"] = buyer
        return out

    def _render_item(self, order, it):
        mp = MARKETPLACES[order["mp"]]
        cur = mp[2]
        included = mp[8]
        product = self.products.get(it["sku"])
        canceled = order["st"] == "Canceled"
        out = {
            "ASIN": product["asin"] if product else "B000000000",
            "SellerSKU": it["sku"],
            "OrderItemId": it["id"],
            "Title": product["title"] if product else it["sku"],
            "QuantityOrdered": 0 if canceled else it["qty"],
            "QuantityShipped": it["shipped"],
            "ProductInfo": {"NumberOfItems": "1"},
        }
        if order["st"] not in ("Pending", "PendingAvailability") and not canceled:

            def tax_of(cents):
                if included:
                    return cents - (cents * 10000 + (10000 + it["rate"]) // 2) // (10000 + it["rate"])
                return (cents * it["rate"] + 5000) // 10000

            line = it["unit"] * it["qty"]
            out["ItemPrice"] = money(cur, line)
            out["ItemTax"] = money(cur, tax_of(line))
            out["ShippingPrice"] = money(cur, it["ship"])
            out["ShippingTax"] = money(cur, tax_of(it["ship"]))
            out["ShippingDiscount"] = money(cur, it["ship_disc"])
            out["ShippingDiscountTax"] = money(cur, tax_of(it["ship_disc"]))
            out["PromotionDiscount"] = money(cur, it["promo"])
            out["PromotionDiscountTax"] = money(cur, tax_of(it["promo"]))
            if it["promo_id"]:
                out["PromotionIds"] = [it["promo_id"]]
            out["IsGift"] = "true" if order["gift"] else "false"
            if order["gift"]:
                buyer = {"GiftWrapPrice": money(cur, it["wrap"]), "GiftWrapTax": money(cur, tax_of(it["wrap"])),
                         "GiftWrapLevel": "Classic"}
                if it["msg"]:
                    buyer["GiftMessageText"] = it["msg"]
                out["BuyerInfo"] = buyer
            if not included:
                out["TaxCollection"] = {"Model": "MarketplaceFacilitator", "ResponsibleParty": "Amazon Services, Inc."}
            if order["b2b"]:
                out["PriceDesignation"] = "BusinessPrice"
        out.update({
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
            "SerialNumberRequired": False,
        })
        if order["st"] in ("Canceled",):
            out["BuyerRequestedCancel"] = {"IsBuyerRequestedCancel": "true", "BuyerCancelReason": "Found cheaper somewhere else."}
        return out

    def state(self):
        by_status = {}
        by_channel = {}
        by_marketplace = {}
        for o in self.order_list:
            by_status[o["st"]] = by_status.get(o["st"], 0) + 1
            by_channel[o["ch"]] = by_channel.get(o["ch"], 0) + 1
            by_marketplace[o["mp"]] = by_marketplace.get(o["mp"], 0) + 1

        def offer_view(sku):
            return {
                mp: {"price": "%.2f" % (o["price"] / 100.0), "currency": MARKETPLACES[mp][2], "quantity": o["quantity"],
                     **({"deleted": True} if o.get("deleted") else {})}
                for mp, o in self.offers[sku].items()
            }

        skus = self.sku_list if len(self.sku_list) <= 2000 else sorted(self.offers_touched)
        return {
            "seller_id": self.seller_id,
            "marketplaces": list(self.participations),
            "orders": len(self.order_list),
            "orders_by_status": by_status,
            "orders_by_channel": by_channel,
            "orders_by_marketplace": by_marketplace,
            "products": len(self.products),
            "shipments_confirmed": len(self.shipments),
            "shipments": self.shipments,
            "feeds": [self._feed_state(f) for f in self.feed_list],
            "offers": {sku: offer_view(sku) for sku in skus},
            "offers_updated": sorted(self.offers_touched),
            "fba_inventory": {sku: dict(q) for sku, q in self.fba.items()} if len(self.fba) <= 2000 else len(self.fba),
            "returns": self.returns if len(self.returns) <= 2000 else len(self.returns),
            "reports": [{"reportId": r["reportId"], "reportType": r["reportType"], "status": r["status"]} for r in self.reports.values()],
            "tokens_issued": len(self.tokens),
        }

    @staticmethod
    def _feed_state(feed):
        return {
            "feedId": feed["feedId"],
            "feedType": feed["feedType"],
            "marketplaceIds": feed["marketplaceIds"],
            "processingStatus": feed["status"],
            "messagesAccepted": feed.get("accepted", 0),
            "messagesInvalid": feed.get("invalid", 0),
            "rejectedSkus": feed.get("rejected", []),
            "polls": feed["polls"],
        }

    # -- control -----------------------------------------------------------------------------
    def control(self, action, payload):
        if action == "add_orders":
            try:
                return self._control_add_orders(payload)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                return json_response(400, {"error": "bad add_orders payload: %r" % err})
        if action == "set_order_status":
            order = self.orders.get(payload.get("amazon_order_id") or payload.get("order_id") or "")
            status = payload.get("status")
            if order is None:
                return json_response(404, {"error": "unknown order"})
            if status not in ORDER_STATUSES:
                return json_response(400, {"error": "status must be one of %s" % ", ".join(ORDER_STATUSES)})
            self._set_status(order, status)
            return json_response(200, {"order": self._render_order(order)})
        if action == "get_order":
            order = self.orders.get(payload.get("amazon_order_id") or payload.get("order_id") or "")
            if order is None:
                return json_response(404, {"error": "unknown order"})
            return json_response(200, {
                "order": self._render_order(order),
                "items": [self._render_item(order, it) for it in order["items"]],
                "shipments": [s for s in self.shipments if s["amazonOrderId"] == order["id"]],
            })
        if action == "expire_tokens":
            self.expire_tokens()
            return json_response(200, {"expired": len(self.tokens)})
        if action == "set_token_ttl":
            self.token_ttl = int(payload.get("seconds", LWA_DEFAULT_TTL))
            return json_response(200, {"seconds": self.token_ttl})
        if action == "set_fba_stock":
            sku = payload.get("sku")
            if sku not in self.fba:
                return json_response(404, {"error": "not an FBA SKU"})
            for key, value in payload.items():
                if key in self.fba[sku]:
                    self.fba[sku][key] = int(value)
            self.fba[sku]["updated"] = time.time()
            return json_response(200, {"sku": sku, "fba": self.fba[sku]})
        if action == "feed_timing":
            self.feed_stage_seconds = float(payload.get("stage_seconds", self.feed_stage_seconds))
            return json_response(200, {"stage_seconds": self.feed_stage_seconds})
        if action == "feed_report":  # {"issue_skus": false}: issues name their messageId only
            self.issue_skus = bool(payload.get("issue_skus", True))
            return json_response(200, {"issue_skus": self.issue_skus})
        return json_response(404, {"error": "unknown action %s" % action})

    def _set_status(self, order, status):
        order["st"] = status
        if status in ("Shipped", "InvoiceUnconfirmed"):
            for it in order["items"]:
                it["shipped"] = it["qty"]
        elif status in ("Unshipped", "Pending"):
            for it in order["items"]:
                it["shipped"] = 0
        self._touch(order)

    def _control_add_orders(self, payload):
        specs = list(payload.get("orders") or [])
        count = int(payload.get("count", 0 if specs else 1))
        defaults = {k: payload[k] for k in ("marketplace_id", "fulfillment_channel", "status") if k in payload}
        specs.extend(dict(defaults) for _ in range(count))
        created = []
        now = int(time.time())
        for spec in specs:
            for key, value in defaults.items():
                spec.setdefault(key, value)
            mp_id = spec.get("marketplace_id") or self.participations[len(self.order_list) % len(self.participations)]
            if mp_id not in MARKETPLACES:
                return json_response(400, {"error": "unknown marketplace_id %s" % mp_id})
            afn = (spec.get("fulfillment_channel") or "MFN").upper() == "AFN"
            status = spec.get("status") or "Unshipped"
            if status not in ORDER_STATUSES:
                return json_response(400, {"error": "unknown status %s" % status})
            lines = spec.get("lines")
            if isinstance(lines, int):
                pool = self.fba_skus if afn else self.sku_list
                lines = [{"sku": pool[(len(self.order_list) + k) % len(pool)], "quantity": 1} for k in range(lines)]
            purchase = parse_iso(spec.get("purchase_date")) if spec.get("purchase_date") else now - 60
            if purchase is None:
                return json_response(400, {"error": "purchase_date is not ISO 8601: %s" % spec.get("purchase_date")})
            if spec.get("amazon_order_id") in self.orders:
                return json_response(409, {"error": "order %s exists" % spec["amazon_order_id"]})
            order = self._make_order(
                mp_id, afn, status, int(purchase), lines, self.fba_skus if afn else self.sku_list,
                b2b=spec.get("business"), gift=spec.get("gift"), pii=spec.get("pii"), order_id=spec.get("amazon_order_id"),
                updated=None if spec.get("purchase_date") else now,
            )
            order["seller_order_id"] = spec.get("seller_order_id")
            created.append(order["id"])
        return json_response(201, {"orders": created})

    # ========================================================================================
    # HTTP plumbing
    # ========================================================================================
    def _build_routes(self):
        seg = r"([^/]+)"
        table = [
            ("POST", r"/auth/o2/token", "lwaToken", self._lwa_token),
            ("GET", r"/orders/v0/orders", "getOrders", self._get_orders),
            ("GET", r"/orders/v0/orders/%s" % seg, "getOrder", self._get_order),
            ("GET", r"/orders/v0/orders/%s/orderItems" % seg, "getOrderItems", self._get_order_items),
            ("GET", r"/orders/v0/orders/%s/orderItems/buyerInfo" % seg, "getOrderItemsBuyerInfo", self._get_order_items_buyer_info),
            ("GET", r"/orders/v0/orders/%s/address" % seg, "getOrderAddress", self._get_order_address),
            ("GET", r"/orders/v0/orders/%s/buyerInfo" % seg, "getOrderBuyerInfo", self._get_order_buyer_info),
            ("POST", r"/orders/v0/orders/%s/shipmentConfirmation" % seg, "confirmShipment", self._confirm_shipment),
            ("GET", r"/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations", self._participations),
            ("POST", r"/feeds/2021-06-30/documents", "createFeedDocument", self._create_feed_document),
            ("GET", r"/feeds/2021-06-30/documents/%s" % seg, "getFeedDocument", self._get_feed_document),
            ("POST", r"/feeds/2021-06-30/feeds", "createFeed", self._create_feed),
            ("GET", r"/feeds/2021-06-30/feeds", "getFeeds", self._get_feeds),
            ("GET", r"/feeds/2021-06-30/feeds/%s" % seg, "getFeed", self._get_feed),
            ("DELETE", r"/feeds/2021-06-30/feeds/%s" % seg, "cancelFeed", self._cancel_feed),
            ("GET", r"/fba/inventory/v1/summaries", "getInventorySummaries", self._inventory_summaries),
            ("POST", r"/reports/2021-06-30/reports", "createReport", self._create_report),
            ("GET", r"/reports/2021-06-30/reports/%s" % seg, "getReport", self._get_report),
            ("GET", r"/reports/2021-06-30/documents/%s" % seg, "getReportDocument", self._get_report_document),
            ("GET", r"/listings/2021-08-01/items/%s/%s" % (seg, seg), "getListingsItem", self._get_listings_item),
            ("GET", r"/listings/2021-08-01/items/%s" % seg, "searchListingsItems", self._search_listings_items),
            ("PUT", r"/_uploads/%s" % seg, "uploadDocument", self._upload_document),
            ("GET", r"/_documents/%s" % seg, "downloadDocument", self._download_document),
        ]
        return RouteTable(table)

    def route(self, req):
        path = req.path
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        return self._routes.match(req.method, path)

    NO_AUTH = frozenset(("lwaToken", "uploadDocument", "downloadDocument"))

    def authenticate(self, req, operation):
        if operation in self.NO_AUTH:
            return None
        token = req.header("x-amz-access-token")
        if not token:
            return self._errors(403, [_error("Unauthorized", "Access to requested resource is denied.", "")])
        expiry = self.tokens.get(token)
        if expiry is None:
            return self._errors(403, [_error(
                "Unauthorized", "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.")])
        if expiry <= time.time():
            return self._errors(403, [_error(
                "Unauthorized", "Access to requested resource is denied.", "The access token you provided has expired.")])
        return None

    def expire_tokens(self):
        for token in self.tokens:
            self.tokens[token] = 0

    @staticmethod
    def _headers(extra=None):
        hdrs = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
        if extra:
            hdrs.update(extra)
        return hdrs

    def _ok(self, status, obj):
        return Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), self._headers())

    def _errors(self, status, errors):
        return Response(status, json.dumps({"errors": errors}).encode(), self._headers())

    def error_response(self, status, message, code=None):
        default = {400: "InvalidInput", 403: "Unauthorized", 404: "NotFound", 413: "RequestTooLarge",
                   415: "UnsupportedMediaType", 429: "QuotaExceeded", 500: "InternalFailure",
                   503: "ServiceUnavailable"}
        return self._errors(status, [_error(code or default.get(status, "InternalFailure"), message)])

    def not_found(self, req):
        return self.error_response(404, "Resource not found: %s %s" % (req.method, req.path), "NotFound")

    def rate_limit(self, operation):
        limit = RATE_LIMITS.get(operation)
        return (float(limit[0]), limit[1]) if limit else None

    def rate_limit_headers(self, operation, bucket):
        limit = RATE_LIMITS.get(operation)
        return {"x-amzn-RateLimit-Limit": limit[0]} if limit else {}

    def throttled_response(self, operation, retry_after):
        # the SP-API sends no Retry-After; clients back off on their own
        resp = self._errors(429, [_error("QuotaExceeded", "You exceeded your quota for the requested resource.", "")])
        resp.headers.update(self.rate_limit_headers(operation, None))
        return resp

    def _base_url(self, req):
        """Public base URL of the simulator for document URLs.

        The Host header is used when it is a plain host[:port]; python-amazon-sp-api sends
        ``endpoint[8:]`` as Host (it assumes https), which is useless for an http endpoint, so then
        the server's own address is used."""
        host = req.header("host") or ""
        if host and "/" not in host:
            return "http://" + host
        return getattr(self.sim, "public_url", None) or "http://127.0.0.1"

    # ========================================================================================
    # LWA
    # ========================================================================================
    def _lwa_token(self, req):
        ctype = (req.header("content-type") or "").lower()
        try:
            if "json" in ctype:
                form = json.loads(req.body or b"{}")
                form = {k: str(v) for k, v in form.items()} if isinstance(form, dict) else {}
            else:
                form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()}
        except (ValueError, UnicodeDecodeError):
            return self._lwa_error(400, "invalid_request", "The request is malformed.")
        grant = form.get("grant_type")
        if not grant:
            return self._lwa_error(400, "invalid_request", "The request is missing a required parameter : grant_type")
        if grant not in ("refresh_token", "client_credentials"):
            return self._lwa_error(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server")
        for key in ("client_id", "client_secret"):
            if not form.get(key):
                return self._lwa_error(400, "invalid_request", "The request is missing a required parameter : %s" % key)
        if form["client_id"] != self.client_id or form["client_secret"] != self.client_secret:
            return self._lwa_error(401, "invalid_client", "Client authentication failed")
        if grant == "refresh_token":
            if not form.get("refresh_token"):
                return self._lwa_error(400, "invalid_request", "The request is missing a required parameter : refresh_token")
            if form["refresh_token"] != self.refresh_token:
                return self._lwa_error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
        token = "Atza|sim" + base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
        self.tokens[token] = time.time() + self.token_ttl
        body = {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl}
        if grant == "refresh_token":
            body["refresh_token"] = self.refresh_token
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=UTF-8",
                                                         "x-amzn-RequestId": str(uuid.uuid4())})

    @staticmethod
    def _lwa_error(status, error, description):
        return Response(status, json.dumps({"error_description": description, "error": error}).encode(),
                        {"Content-Type": "application/json;charset=UTF-8"})

    # ========================================================================================
    # Orders v0
    # ========================================================================================
    def _marketplace_ids(self, req, name="MarketplaceIds"):
        """The marketplace ids of the request, or an error Response."""
        ids = req.args(name)
        if not ids:
            return None, self.error_response(400, "Missing required parameter: %s" % name)
        if len(ids) > 50:
            return None, self.error_response(400, "%s may contain at most 50 values" % name)
        for mp_id in ids:
            if mp_id not in self.participations:
                return None, self.error_response(400, "Invalid Marketplace id: %s" % mp_id)
        return ids, None

    def _get_orders(self, req):
        ids, err = self._marketplace_ids(req)
        if err:
            return err
        token = req.arg("NextToken")
        if token:
            cursor = self.cursors.get(token)
            if cursor is None:
                return self.error_response(400, "Invalid NextToken: the token is unknown or expired")
            matched, offset, page_size, extra = cursor
            del self.cursors[token]
            return self._orders_page(matched, offset, page_size, extra)
        now = time.time()
        bounds = {}
        for name in ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore"):
            value = req.arg(name)
            if value is not None:
                ts = parse_iso(value)
                if ts is None:
                    return self.error_response(400, "%s is not a valid ISO 8601 date: %s" % (name, value))
                bounds[name] = ts
        amazon_ids = req.args("AmazonOrderIds")
        if "CreatedAfter" not in bounds and "LastUpdatedAfter" not in bounds and not amazon_ids:
            return self.error_response(400, "Either CreatedAfter or LastUpdatedAfter must be specified")
        if "CreatedAfter" in bounds and ("LastUpdatedAfter" in bounds or "LastUpdatedBefore" in bounds):
            return self.error_response(400, "LastUpdatedAfter and LastUpdatedBefore cannot be set when CreatedAfter is set")
        if "LastUpdatedAfter" in bounds and "CreatedBefore" in bounds:
            return self.error_response(400, "CreatedAfter or CreatedBefore cannot be set when LastUpdatedAfter is set")
        for after, before in (("CreatedAfter", "CreatedBefore"), ("LastUpdatedAfter", "LastUpdatedBefore")):
            if before in bounds and after in bounds and bounds[before] < bounds[after]:
                return self.error_response(400, "%s must be equal to or after %s" % (before, after))
            if after in bounds and bounds[after] > now:
                return self.error_response(400, "%s date is in the future" % after)
        statuses = req.args("OrderStatuses")
        for status in statuses:
            if status not in ORDER_STATUSES:
                return self.error_response(400, "Invalid OrderStatuses value: %s" % status)
        channels = req.args("FulfillmentChannels")
        for channel in channels:
            if channel not in ("AFN", "MFN"):
                return self.error_response(400, "Invalid FulfillmentChannels value: %s" % channel)
        methods = req.args("PaymentMethods")
        page_size = req.arg("MaxResultsPerPage", "100")
        try:
            page_size = int(page_size)
        except ValueError:
            page_size = 0
        if not 1 <= page_size <= 100:
            return self.error_response(400, "MaxResultsPerPage must be between 1 and 100")
        if len(amazon_ids) > 50:
            return self.error_response(400, "AmazonOrderIds may contain at most 50 values")

        mp_set = set(ids)
        status_set = set(statuses)
        channel_set = set(channels)
        buyer_email = req.arg("BuyerEmail")
        seller_order_id = req.arg("SellerOrderId")
        if "CreatedAfter" in bounds:
            key, lo, hi = "p", bounds["CreatedAfter"], bounds.get("CreatedBefore", now)
            extra = {"CreatedBefore": iso(hi)}
        elif "LastUpdatedAfter" in bounds:
            key, lo, hi = "u", bounds["LastUpdatedAfter"], bounds.get("LastUpdatedBefore", now)
            extra = {"LastUpdatedBefore": iso(hi)}
        else:
            key, lo, hi, extra = "p", 0, now, {}
        if amazon_ids:
            source = [o for o in (self.orders.get(i) for i in amazon_ids) if o and lo <= o[key] <= hi]
        else:
            source = self._candidates(key, lo, hi)
        matched = [
            o for o in source
            if o["mp"] in mp_set
            and (not status_set or o["st"] in status_set)
            and (not channel_set or o["ch"] in channel_set)
        ]
        if methods and "Other" not in methods:
            matched = []
        if buyer_email:
            matched = [o for o in matched if self._buyer_info(o).get("BuyerEmail") == buyer_email]
        if seller_order_id:
            matched = [o for o in matched if o["seller_order_id"] == seller_order_id]
        return self._orders_page(matched, 0, page_size, extra)

    def _orders_page(self, matched, offset, page_size, extra):
        page = matched[offset:offset + page_size]
        payload = {"Orders": [self._render_order(o) for o in page]}
        if offset + page_size < len(matched):
            token = base64.b64encode(os.urandom(27)).decode()
            self.cursors[token] = (matched, offset + page_size, page_size, extra)
            while len(self.cursors) > 2000:
                self.cursors.popitem(last=False)
            payload["NextToken"] = token
        payload.update(extra)
        return self._ok(200, {"payload": payload})

    def _order_or_404(self, order_id):
        order = self.orders.get(order_id)
        if order is None:
            return None, self.error_response(404, "Order not found: %s" % order_id, "NotFound")
        return order, None

    def _get_order(self, req, order_id):
        order, err = self._order_or_404(order_id)
        return err or self._ok(200, {"payload": self._render_order(order)})

    def _item_page(self, req, order):
        token = req.arg("NextToken")
        offset = 0
        if token:
            try:
                oid, _, off = base64.b64decode(token.encode(), validate=True).decode().rpartition(":")
                offset = int(off)
                if oid != order["id"] or offset <= 0:
                    raise ValueError
            except ValueError:
                return None, None, self.error_response(400, "Invalid NextToken")
        end = offset + self.ORDER_ITEMS_PAGE
        nxt = None
        if end < len(order["items"]):
            nxt = base64.b64encode(("%s:%d" % (order["id"], end)).encode()).decode()
        return order["items"][offset:end], nxt, None

    def _get_order_items(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        items, nxt, err = self._item_page(req, order)
        if err:
            return err
        payload = {"AmazonOrderId": order["id"], "OrderItems": [self._render_item(order, it) for it in items]}
        if nxt:
            payload["NextToken"] = nxt
        return self._ok(200, {"payload": payload})

    def _get_order_items_buyer_info(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        items, nxt, err = self._item_page(req, order)
        if err:
            return err
        out = []
        for it in items:
            row = {"OrderItemId": it["id"]}
            if order["gift"]:
                cur = MARKETPLACES[order["mp"]][2]
                row["GiftWrapPrice"] = money(cur, it["wrap"])
                row["GiftWrapLevel"] = "Classic"
                if it["msg"]:
                    row["GiftMessageText"] = it["msg"]
            out.append(row)
        payload = {"AmazonOrderId": order["id"], "OrderItems": out}
        if nxt:
            payload["NextToken"] = nxt
        return self._ok(200, {"payload": payload})

    def _get_order_address(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        payload = {"AmazonOrderId": order["id"]}
        if order["st"] != "Canceled" and (order["pii"] or order["ch"] == "AFN"):
            payload["ShippingAddress"] = self._address(order, full=order["pii"] and order["ch"] == "MFN")
        return self._ok(200, {"payload": payload})

    def _get_order_buyer_info(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        payload = {"AmazonOrderId": order["id"]}
        payload.update(self._buyer_info(order))
        return self._ok(200, {"payload": payload})

    def _confirm_shipment(self, req, order_id):
        order, err = self._order_or_404(order_id)
        if err:
            return err
        body = req.json()

        def bad(message):
            return self.error_response(400, message, "InvalidInput")

        if not isinstance(body, dict):
            return bad("Request body must be a JSON object")
        mp_id = body.get("marketplaceId")
        if not mp_id:
            return bad("Missing required field: marketplaceId")
        if mp_id != order["mp"]:
            return bad("marketplaceId %s does not match the marketplace of order %s" % (mp_id, order["id"]))
        pkg = body.get("packageDetail")
        if not isinstance(pkg, dict):
            return bad("Missing required field: packageDetail")
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
            if pkg.get(key) in (None, "", []):
                return bad("Missing required field: packageDetail.%s" % key)
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
            if not isinstance(pkg[key], str):
                return bad("packageDetail.%s must be a string" % key)
        ship_ts = parse_iso(pkg["shipDate"]) if "T" in pkg["shipDate"] else None
        if ship_ts is None:
            return bad("packageDetail.shipDate is not a valid ISO 8601 date-time: %s" % pkg["shipDate"])
        if order["ch"] == "AFN":
            return bad("Order %s is fulfilled by Amazon; shipment confirmation is not allowed" % order["id"])
        if order["st"] not in ("Unshipped", "PartiallyShipped"):
            return bad("Order %s has status %s; only Unshipped or PartiallyShipped orders can be confirmed"
                       % (order["id"], order["st"]))
        if not isinstance(pkg["orderItems"], list):
            return bad("packageDetail.orderItems must be a list")
        by_id = {it["id"]: it for it in order["items"]}
        wanted = {}
        for line in pkg["orderItems"]:
            if not isinstance(line, dict) or not line.get("orderItemId"):
                return bad("Each order item needs orderItemId and quantity")
            it = by_id.get(str(line["orderItemId"]))
            if it is None:
                return bad("Invalid orderItemId %s for order %s" % (line["orderItemId"], order["id"]))
            qty = line.get("quantity")
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                return bad("Invalid quantity for orderItemId %s" % it["id"])
            wanted[it["id"]] = wanted.get(it["id"], 0) + qty
            if wanted[it["id"]] > it["qty"] - it["shipped"]:
                return bad("Quantity %d for orderItemId %s exceeds the unshipped quantity %d"
                           % (wanted[it["id"]], it["id"], it["qty"] - it["shipped"]))
        for item_id, qty in wanted.items():
            by_id[item_id]["shipped"] += qty
        order["st"] = "Shipped" if all(it["shipped"] >= it["qty"] for it in order["items"]) else "PartiallyShipped"
        self._touch(order)
        self.shipments.append({
            "amazonOrderId": order["id"],
            "marketplaceId": mp_id,
            "packageReferenceId": pkg["packageReferenceId"],
            "carrierCode": pkg["carrierCode"],
            "carrierName": pkg.get("carrierName"),
            "shippingMethod": pkg.get("shippingMethod"),
            "trackingNumber": pkg["trackingNumber"],
            "shipDate": pkg["shipDate"],
            "orderItems": [{"orderItemId": k, "quantity": v} for k, v in wanted.items()],
            "orderStatus": order["st"],
        })
        return Response(204, b"", {"x-amzn-RequestId": str(uuid.uuid4())})

    # ========================================================================================
    # Sellers
    # ========================================================================================
    def _participations(self, req):
        payload = []
        for mp_id in self.participations:
            country, name, currency, language, domain = MARKETPLACES[mp_id][:5]
            payload.append({
                "marketplace": {"id": mp_id, "countryCode": country, "name": name, "defaultCurrencyCode": currency,
                                "defaultLanguageCode": language, "domainName": domain},
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
            })
        return self._ok(200, {"payload": payload})

    # ========================================================================================
    # Feeds
    # ========================================================================================
    def _new_document(self, kind, content_type, content=None):
        self._doc_seq += 1
        doc_id = "amzn1.tortuga.4.eu.%s.T%010d" % (uuid.UUID(int=self.rng.getrandbits(128)), self._doc_seq)
        self.documents[doc_id] = {"id": doc_id, "kind": kind, "contentType": content_type, "content": content}
        return doc_id

    def _create_feed_document(self, req):
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("contentType"), str) or not body["contentType"]:
            return self._errors(400, [_error("InvalidInput", "Invalid input", "contentType is required")])
        doc_id = self._new_document("feed-input", body["contentType"])
        return self._ok(201, {"feedDocumentId": doc_id, "url": "%s/amazon/_uploads/%s" % (self._base_url(req), doc_id)})

    def _upload_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["kind"] != "feed-input":
            return Response(403, b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                            b"<Message>Access Denied</Message></Error>", {"Content-Type": "application/xml"})
        doc["content"] = req.body
        return Response(200, b"", {"ETag": '"%s"' % uuid.uuid4().hex})

    def _download_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["content"] is None:
            return Response(404, b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
                            b"<Message>The specified key does not exist.</Message></Error>",
                            {"Content-Type": "application/xml"})
        return Response(200, doc["content"], {"Content-Type": doc["contentType"]})

    def _get_feed_document(self, req, doc_id):
        doc = self.documents.get(doc_id)
        if doc is None or doc["kind"] not in ("feed-input", "feed-result"):
            return self._errors(404, [_error("NotFound", "Invalid input", "Feed document %s not found" % doc_id)])
        return self._ok(200, {"feedDocumentId": doc_id, "url": "%s/amazon/_documents/%s" % (self._base_url(req), doc_id)})

    def _create_feed(self, req):
        body = req.json()
        if not isinstance(body, dict):
            return self._errors(400, [_error("InvalidInput", "Invalid input", "Request body must be a JSON object")])
        for key in ("feedType", "marketplaceIds", "inputFeedDocumentId"):
            if not body.get(key):
                return self._errors(400, [_error("InvalidInput", "Invalid input", "%s is required" % key)])
        mps = body["marketplaceIds"]
        if not isinstance(mps, list) or any(m not in self.participations for m in mps):
            return self._errors(400, [_error("InvalidInput", "Invalid input", "Invalid marketplaceIds: %s" % mps)])
        doc = self.documents.get(body["inputFeedDocumentId"])
        if doc is None or doc["kind"] != "feed-input":
            return self._errors(400, [_error("InvalidInput", "Invalid input", "Invalid inputFeedDocumentId")])
        self._feed_seq += 1
        feed_id = str(50000000000 + self._feed_seq * 17 + self._salt % 17)
        feed = {
            "feedId": feed_id,
            "feedType": body["feedType"],
            "marketplaceIds": mps,
            "input": doc["id"],
            "options": body.get("feedOptions") or {},
            "created": time.time(),
            "status": "IN_QUEUE",
            "polls": 0,
        }
        self.feeds[feed_id] = feed
        self.feed_list.append(feed)
        return self._ok(202, {"feedId": feed_id})

    STAGES = ("IN_QUEUE", "IN_PROGRESS", "DONE")

    def _advance_feed(self, feed, poll):
        """Move a feed on: one stage per getFeed poll, or one per `feed_stage_seconds`."""
        if feed["status"] not in ("IN_QUEUE", "IN_PROGRESS"):
            return
        by_time = int((time.time() - feed["created"]) / self.feed_stage_seconds) if self.feed_stage_seconds > 0 else 2
        stage = min(2, max(feed["polls"], by_time))
        if poll:
            feed["polls"] += 1
        if stage >= 1 and "started" not in feed:
            feed["started"] = time.time()
        if stage >= 2:
            self._process_feed(feed)
        else:
            feed["status"] = self.STAGES[stage]

    def _feed_json(self, feed):
        out = {
            "feedId": feed["feedId"],
            "feedType": feed["feedType"],
            "marketplaceIds": feed["marketplaceIds"],
            "createdTime": iso_ms(feed["created"]),
            "processingStatus": feed["status"],
        }
        if "started" in feed:
            out["processingStartTime"] = iso_ms(feed["started"])
        if "ended" in feed:
            out["processingEndTime"] = iso_ms(feed["ended"])
        if feed.get("result"):
            out["resultFeedDocumentId"] = feed["result"]
        return out

    def _get_feed(self, req, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None:
            return self._errors(404, [_error("NotFound", "Invalid input", "Feed %s not found" % feed_id)])
        self._advance_feed(feed, poll=True)
        return self._ok(200, self._feed_json(feed))

    FEED_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")

    def _get_feeds(self, req):
        """getFeeds: feedTypes (required without nextToken), marketplaceIds, processingStatuses,
        createdSince (default 90 days ago), createdUntil (default now), pageSize; newest first. A
        nextToken must come alone (as documented) and carries the first call's filters, its
        createdUntil included, so a feed created meanwhile shifts no page."""
        query, err = self._feeds_query(req)
        if err:
            return err
        for feed in self.feed_list:
            self._advance_feed(feed, poll=False)
        types, statuses, mps = set(query["types"]), set(query["statuses"]), set(query["mps"])
        matched = [f for f in reversed(self.feed_list)
                   if f["feedType"] in types and (not statuses or f["status"] in statuses)
                   and (not mps or mps & set(f["marketplaceIds"]))
                   and query["since"] <= int(f["created"]) <= query["until"]]
        offset, size = query["offset"], query["size"]
        out = {"feeds": [self._feed_json(f) for f in matched[offset:offset + size]]}
        if offset + size < len(matched):
            out["nextToken"] = base64.b64encode(json.dumps(dict(query, offset=offset + size)).encode()).decode()
        return self._ok(200, out)

    def _feeds_query(self, req):
        """(the filters of a getFeeds request or of its nextToken, None), or (None, an error)."""
        def bad(details):
            return None, self._errors(400, [_error("InvalidInput", "Invalid input", details)])

        token = req.arg("nextToken")
        if token:
            if set(req.query) != {"nextToken"}:
                return bad("nextToken must be the only parameter of a getFeeds request")
            try:
                query = json.loads(base64.b64decode(token).decode())
                query["offset"] = int(query["offset"])
            except (ValueError, KeyError, TypeError):
                return bad("Invalid nextToken")
            return query, None
        query = {"types": req.args("feedTypes"), "statuses": req.args("processingStatuses"),
                 "mps": req.args("marketplaceIds"), "offset": 0}
        if not query["types"]:
            return bad("feedTypes is required")
        for name, key in (("feedTypes", "types"), ("marketplaceIds", "mps")):
            if len(query[key]) > 10:
                return bad("%s accepts at most 10 values" % name)
        if any(status not in self.FEED_STATUSES for status in query["statuses"]):
            return bad("processingStatuses must be among %s" % ", ".join(self.FEED_STATUSES))
        try:
            query["size"] = int(req.arg("pageSize", "10"))
        except ValueError:
            query["size"] = 0
        if not 1 <= query["size"] <= 100:
            return bad("pageSize must be between 1 and 100")
        now = time.time()
        for name, key, default in (("createdSince", "since", now - 90 * 86400), ("createdUntil", "until", now)):
            value = req.arg(name)
            query[key] = parse_iso(value) if value else default
            if query[key] is None:
                return bad("%s is not a valid ISO 8601 date-time: %s" % (name, value))
            query[key] = int(query[key])
        if query["since"] > query["until"]:
            return bad("createdSince must be before createdUntil")
        return query, None

    def _cancel_feed(self, req, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None:
            return self._errors(404, [_error("NotFound", "Invalid input", "Feed %s not found" % feed_id)])
        self._advance_feed(feed, poll=False)
        if feed["status"] != "IN_QUEUE":
            return self._errors(400, [_error("InvalidInput", "Invalid input",
                                             "Only feeds with processingStatus IN_QUEUE can be cancelled (%s)" % feed["status"])])
        feed["status"] = "CANCELLED"
        feed["ended"] = time.time()
        return Response(200, b"", {"x-amzn-RequestId": str(uuid.uuid4())})

    # -- feed processing ---------------------------------------------------------------------
    def _process_feed(self, feed):
        feed["ended"] = time.time()
        doc = self.documents[feed["input"]]
        content = doc["content"]
        report = None
        if content is None:
            feed["status"] = "FATAL"
            report = self._fatal_report(feed, "The feed document was not uploaded.")
        elif feed["feedType"] != "JSON_LISTINGS_FEED":
            feed["status"] = "FATAL"
            report = self._fatal_report(feed, "The simulator processes only JSON_LISTINGS_FEED feeds, not %s." % feed["feedType"])
        else:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = content.decode("iso-8859-1")
            try:
                data = json.loads(text)
            except ValueError as err:
                data = None
                report = self._fatal_report(feed, "The feed is not valid JSON: %s" % err)
                feed["status"] = "FATAL"
            if data is not None:
                report, fatal = self._process_listings_feed(feed, data)
                feed["status"] = "FATAL" if fatal else "DONE"
        feed["result"] = self._new_document("feed-result", "application/json; charset=UTF-8",
                                            json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))

    def _fatal_report(self, feed, message):
        return {
            "header": {"sellerId": self.seller_id, "version": "2.0", "feedId": feed["feedId"]},
            "issues": [{"code": "4000000", "severity": "ERROR", "message": message}],
            "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0, "messagesInvalid": 0},
        }

    def _process_listings_feed(self, feed, data):
        header = data.get("header") if isinstance(data, dict) else None
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(header, dict) or header.get("version") != "2.0" or not isinstance(messages, list) or not messages:
            return self._fatal_report(feed, "The feed does not conform to the JSON_LISTINGS_FEED schema v2: "
                                            "'header' with version '2.0' and a non-empty 'messages' array are required."), True
        if header.get("sellerId") != self.seller_id:
            return self._fatal_report(feed, "The sellerId '%s' in the feed header does not match the selling partner '%s'."
                                      % (header.get("sellerId"), self.seller_id)), True
        issues = []
        accepted = invalid = 0
        rejected = []
        touched = []
        for msg in messages:
            msg_issues, changes = self._check_message(feed, msg)
            if any(i["severity"] == "ERROR" for i in msg_issues):
                invalid += 1
                if isinstance(msg, dict) and msg.get("sku"):
                    rejected.append(msg["sku"])
            else:
                accepted += 1
                for change in changes:
                    change()
                if isinstance(msg, dict):
                    touched.append(msg["sku"])
            issues.extend(msg_issues)
        feed["accepted"] = accepted
        feed["invalid"] = invalid
        feed["rejected"] = rejected
        report = {
            "header": {"sellerId": self.seller_id, "version": "2.0", "feedId": feed["feedId"]},
            "issues": issues,
            "summary": {
                "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
                "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
                "messagesProcessed": len(messages),
                "messagesAccepted": accepted,
                "messagesInvalid": invalid,
            },
        }
        included = ((header.get("report") or {}).get("includedData")) or []
        if included:
            report["header"]["report"] = {"includedData": included, "apiVersion": "2021-08-01"}
            items = [self._listing_item(sku, feed["marketplaceIds"], included) for sku in dict.fromkeys(touched)
                     if sku in self.products]
            report["items"] = items
            report["summary"]["itemSummary"] = {"items": len(items), "errors": 0, "warnings": 0}
        return report, False

    def _check_message(self, feed, msg):
        """(issues, changes) of one feed message; changes are callables applied when accepted."""
        if not isinstance(msg, dict):
            return [{"severity": "ERROR", "code": "4000001", "message": "A message must be a JSON object."}], []
        mid = msg.get("messageId")
        sku = msg.get("sku")
        op = msg.get("operationType")

        def issue(message, code="4000001", attribute=None):
            out = {"severity": "ERROR", "code": code, "message": message}
            if isinstance(mid, int):
                out["messageId"] = mid
            if isinstance(sku, str) and sku and self.issue_skus:
                out["sku"] = sku
            if attribute:
                out["attributeName"] = attribute
            return out

        if not isinstance(mid, int) or isinstance(mid, bool) or mid < 1:
            return [issue("'messageId' is required and must be an integer of at least 1.")], []
        if not isinstance(sku, str) or not sku:
            return [issue("'sku' is required.")], []
        if op not in ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"):
            return [issue("'operationType' must be one of UPDATE, PARTIAL_UPDATE, PATCH, DELETE.")], []
        if op != "DELETE" and not msg.get("productType"):
            return [issue("'productType' is required for %s operations." % op)], []
        if sku not in self.products:
            return [issue("The SKU '%s' does not match any listing of the selling partner; create the listing before "
                          "updating its offer." % sku, code="90000900")], []
        if op == "DELETE":
            return [], [lambda: self._delete_offer(sku, feed["marketplaceIds"])]
        if op == "PATCH":
            patches = msg.get("patches")
            if not isinstance(patches, list) or not patches:
                return [issue("'patches' is required for PATCH operations and must not be empty.")], []
            attributes = {}
            for patch in patches:
                if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge", "delete") \
                        or not isinstance(patch.get("path"), str) or not patch["path"].startswith("/attributes/"):
                    return [issue("Invalid JSON Patch operation: %s" % json.dumps(patch, ensure_ascii=False)[:200])], []
                if patch["op"] != "delete":
                    attributes[patch["path"][len("/attributes/"):]] = patch.get("value")
        else:
            attributes = msg.get("attributes")
            if not isinstance(attributes, dict) or not attributes:
                return [issue("'attributes' is required for %s operations." % op)], []
        issues = []
        changes = []
        if "fulfillment_availability" in attributes:
            issues_fa, change = self._check_availability(sku, attributes["fulfillment_availability"], feed, issue)
            issues.extend(issues_fa)
            changes.extend(change)
        if "purchasable_offer" in attributes:
            issues_po, change = self._check_offer(sku, attributes["purchasable_offer"], feed, issue)
            issues.extend(issues_po)
            changes.extend(change)
        return issues, changes

    def _check_availability(self, sku, value, feed, issue):
        attr = "fulfillment_availability"
        if not isinstance(value, list) or not value:
            return [issue("The attribute '%s' must be a non-empty array." % attr, "99022", attr)], []
        changes = []
        for entry in value:
            if not isinstance(entry, dict) or not entry.get("fulfillment_channel_code"):
                return [issue("'fulfillment_channel_code' is required in '%s'." % attr, "90220", attr)], []
            if entry["fulfillment_channel_code"] != "DEFAULT":
                continue  # Amazon-fulfilled quantities are Amazon's business
            qty = entry.get("quantity")
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
                return [issue("The value '%s' provided for '%s.quantity' is invalid; provide a whole number of 0 or more."
                              % (qty, attr), "4000002", attr)], []
            changes.append(lambda q=qty: self._set_offer(sku, feed["marketplaceIds"], quantity=q))
        return [], changes

    def _check_offer(self, sku, value, feed, issue):
        attr = "purchasable_offer"
        if not isinstance(value, list) or not value:
            return [issue("The attribute '%s' must be a non-empty array." % attr, "99022", attr)], []
        changes = []
        for entry in value:
            if not isinstance(entry, dict):
                return [issue("Each '%s' value must be an object." % attr, "4000002", attr)], []
            mp_id = entry.get("marketplace_id")
            mps = [mp_id] if mp_id else list(feed["marketplaceIds"])
            if mp_id and mp_id not in self.participations:
                return [issue("'%s' is not a marketplace of the selling partner." % mp_id, "4000003", attr)], []
            currency = entry.get("currency")
            for m in mps:
                if currency and currency != MARKETPLACES[m][2]:
                    return [issue("The currency '%s' is not valid for marketplace %s (expected %s)."
                                  % (currency, m, MARKETPLACES[m][2]), "4000004", attr + ".currency")], []
            try:
                schedule = entry["our_price"][0]["schedule"][0]
                amount = schedule["value_with_tax"]
            except (KeyError, IndexError, TypeError):
                return [issue("The field 'prices' for the attribute 'purchasable_offer.our_price' does not have enough "
                              "values. The required minimum is '1' value(s).", "99022", "purchasable_offer.our_price")], []
            if isinstance(amount, str):
                try:
                    amount = float(amount)
                except ValueError:
                    amount = None
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
                return [issue("The value '%s' provided for 'purchasable_offer.our_price' is invalid; provide a positive "
                              "amount." % schedule.get("value_with_tax"), "4000002", "purchasable_offer.our_price")], []
            cents = int(round(amount * 100))
            changes.append(lambda c=cents, ms=tuple(mps): self._set_offer(sku, ms, price=c))
        return [], changes

    def _set_offer(self, sku, marketplace_ids, quantity=None, price=None):
        for mp_id in marketplace_ids:
            offer = self.offers[sku].setdefault(mp_id, {"price": 0, "quantity": 0})
            if quantity is not None:
                offer["quantity"] = quantity
            if price is not None:
                offer["price"] = price
            offer.pop("deleted", None)
            offer["updated"] = time.time()
        self.offers_touched.add(sku)

    def _delete_offer(self, sku, marketplace_ids):
        for mp_id in marketplace_ids:
            if mp_id in self.offers[sku]:
                self.offers[sku][mp_id]["deleted"] = True
                self.offers[sku][mp_id]["quantity"] = 0
        self.offers_touched.add(sku)

    # ========================================================================================
    # Listings items (minimal)
    # ========================================================================================
    def _listing_item(self, sku, marketplace_ids, included):
        product = self.products[sku]
        out = {"sku": sku}
        offers = self.offers[sku]
        if "summaries" in included:
            out["summaries"] = [{
                "marketplaceId": m, "asin": product["asin"], "productType": product["productType"],
                "conditionType": "new_new",
                "status": [] if offers.get(m, {}).get("deleted") else (["BUYABLE", "DISCOVERABLE"] if offers.get(m, {}).get("quantity") or product["fba"] else ["DISCOVERABLE"]),
                "itemName": product["title"], "createdDate": iso(product["created"]),
                "lastUpdatedDate": iso(offers.get(m, {}).get("updated") or product["created"]),
            } for m in marketplace_ids if m in offers]
        if "attributes" in included:
            out["attributes"] = {
                "item_name": [{"value": product["title"], "language_tag": MARKETPLACES[m][3], "marketplace_id": m}
                              for m in marketplace_ids],
                "externally_assigned_product_identifier": [{"type": "ean", "value": product["ean"]}],
            }
        if "offers" in included:
            out["offers"] = [{
                "marketplaceId": m, "offerType": "B2C",
                "price": {"currencyCode": MARKETPLACES[m][2], "amount": "%.2f" % (offers[m]["price"] / 100.0)},
                "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
            } for m in marketplace_ids if m in offers and not offers[m].get("deleted")]
        if "fulfillmentAvailability" in included:
            fa = [{"fulfillmentChannelCode": "DEFAULT", "quantity": offers[marketplace_ids[0]]["quantity"]}] \
                if marketplace_ids and marketplace_ids[0] in offers else []
            if product["fba"]:
                fa.append({"fulfillmentChannelCode": "AMAZON_EU" if REGION_OF.get(marketplace_ids[0]) == "EU" else "AMAZON_NA"})
            out["fulfillmentAvailability"] = fa
        if "issues" in included:
            out["issues"] = []
        return out

    def _listings_params(self, req, seller_id):
        if seller_id != self.seller_id:
            return None, self._errors(403, [_error("Unauthorized", "Access to requested resource is denied.",
                                                   "The sellerId does not match the selling partner.")])
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
            return self._errors(404, [_error("NOT_FOUND", "SKU '%s' not found in marketplace %s" % (sku, params[0][0]))])
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
        out = {"numberOfResults": len(skus),
               "items": [self._listing_item(s, params[0], params[1]) for s in skus[offset:offset + page_size]]}
        if offset + page_size < len(skus):
            out["pagination"] = {"nextToken": base64.b64encode(str(offset + page_size).encode()).decode()}
        return self._ok(200, out)

    # ========================================================================================
    # FBA inventory
    # ========================================================================================
    def _inventory_summaries(self, req):
        if req.arg("granularityType") != "Marketplace":
            return self._errors(400, [_error("InvalidInput", "granularityType must be Marketplace", "")])
        ids, err = self._marketplace_ids(req, "marketplaceIds")
        if err:
            return err
        if len(ids) > 1:
            return self._errors(400, [_error("InvalidInput", "marketplaceIds accepts only one marketplace", "")])
        gid = req.arg("granularityId")
        if gid != ids[0]:
            return self._errors(400, [_error("InvalidInput", "granularityId must be the marketplace id in marketplaceIds", "")])
        skus = list(self.fba)
        start = req.arg("startDateTime")
        wanted = req.args("sellerSkus")
        if len(wanted) > 50:
            return self._errors(400, [_error("InvalidInput", "sellerSkus accepts at most 50 SKUs", "")])
        if start:
            ts = parse_iso(start)
            if ts is None:
                return self._errors(400, [_error("InvalidInput", "startDateTime is not a valid ISO 8601 date", "")])
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
        page = skus[offset:offset + self.INVENTORY_PAGE]
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
                    "reservedQuantity": {"totalReservedQuantity": reserved,
                                         "pendingCustomerOrderQuantity": q["reserved_customer"],
                                         "pendingTransshipmentQuantity": 0,
                                         "fcProcessingQuantity": q["reserved_fc"]},
                    "researchingQuantity": {"totalResearchingQuantity": q["researching"], "researchingQuantityBreakdown": [
                        {"name": "researchingQuantityInShortTerm", "quantity": q["researching"]},
                        {"name": "researchingQuantityInMidTerm", "quantity": 0},
                        {"name": "researchingQuantityInLongTerm", "quantity": 0}]},
                    "unfulfillableQuantity": {"totalUnfulfillableQuantity": unfulfillable,
                                              "customerDamagedQuantity": q["unfulfillable_customer"],
                                              "warehouseDamagedQuantity": q["unfulfillable_warehouse"],
                                              "distributorDamagedQuantity": 0, "carrierDamagedQuantity": 0,
                                              "defectiveQuantity": 0, "expiredQuantity": 0},
                }
            summaries.append(summary)
        out = {"payload": {"granularity": {"granularityType": "Marketplace", "granularityId": gid},
                           "inventorySummaries": summaries}}
        if offset + self.INVENTORY_PAGE < len(skus):
            out["pagination"] = {"nextToken": base64.b64encode(("%s:%d" % (gid, offset + self.INVENTORY_PAGE)).encode()).decode()}
        return self._ok(200, out)

    # ========================================================================================
    # Reports (minimal)
    # ========================================================================================
    REPORT_TYPES = (
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        "GET_MERCHANT_LISTINGS_ALL_DATA",
    )

    def _create_report(self, req):
        body = req.json()
        if not isinstance(body, dict) or not body.get("reportType") or not body.get("marketplaceIds"):
            return self._errors(400, [_error("InvalidInput", "reportType and marketplaceIds are required", "")])
        if body["reportType"] not in self.REPORT_TYPES:
            return self._errors(400, [_error("InvalidInput", "Report type %s is not supported by the simulator (%s)"
                                             % (body["reportType"], ", ".join(self.REPORT_TYPES)), "")])
        if not isinstance(body["marketplaceIds"], list) or any(m not in self.participations for m in body["marketplaceIds"]):
            return self._errors(400, [_error("InvalidInput", "Invalid marketplaceIds", "")])
        report_id = str(60000000000 + len(self.reports) + 1)
        self.reports[report_id] = {
            "reportId": report_id, "reportType": body["reportType"], "marketplaceIds": body["marketplaceIds"],
            "created": time.time(), "status": "IN_QUEUE", "polls": 0,
            "start": parse_iso(body.get("dataStartTime")) if body.get("dataStartTime") else None,
        }
        if body.get("dataStartTime") and self.reports[report_id]["start"] is None:
            del self.reports[report_id]
            return self._errors(400, [_error("InvalidInput", "dataStartTime is not a valid ISO 8601 date-time", "")])
        return self._ok(202, {"reportId": report_id})

    def _get_report(self, req, report_id):
        rep = self.reports.get(report_id)
        if rep is None:
            return self._errors(404, [_error("NotFound", "Report %s not found" % report_id, "")])
        if rep["status"] in ("IN_QUEUE", "IN_PROGRESS"):
            by_time = int((time.time() - rep["created"]) / self.feed_stage_seconds) if self.feed_stage_seconds > 0 else 2
            stage = min(2, max(rep["polls"], by_time))
            rep["polls"] += 1
            if stage >= 1:
                rep.setdefault("started", time.time())
            if stage >= 2:
                rep["status"] = "DONE"
                rep["ended"] = time.time()
                rep["document"] = self._new_document("report", "text/tab-separated-values; charset=UTF-8",
                                                     self._report_content(rep).encode("utf-8"))
            else:
                rep["status"] = self.STAGES[stage]
        out = {"reportId": rep["reportId"], "reportType": rep["reportType"], "marketplaceIds": rep["marketplaceIds"],
               "createdTime": iso_ms(rep["created"]), "processingStatus": rep["status"]}
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
        return self._ok(200, {"reportDocumentId": doc_id, "url": "%s/amazon/_documents/%s" % (self._base_url(req), doc_id)})

    def _report_content(self, rep):
        rows = []
        if rep["reportType"] == "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA":
            rows.append(("sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
                         "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity",
                         "afn-fulfillable-quantity", "afn-unsellable-quantity", "afn-reserved-quantity",
                         "afn-total-quantity", "afn-inbound-working-quantity", "afn-inbound-shipped-quantity",
                         "afn-inbound-receiving-quantity"))
            mp = rep["marketplaceIds"][0]
            for sku, q in self.fba.items():
                p = self.products[sku]
                reserved = q["reserved_customer"] + q["reserved_fc"]
                unsellable = q["unfulfillable_customer"] + q["unfulfillable_warehouse"]
                warehouse = q["fulfillable"] + reserved + unsellable
                rows.append((sku, p["fnsku"], p["asin"], p["title"], "New", "%.2f" % (self.offers[sku][mp]["price"] / 100.0),
                             "Yes", str(self.offers[sku][mp]["quantity"]), "Yes", str(warehouse), str(q["fulfillable"]),
                             str(unsellable), str(reserved),
                             str(warehouse + q["inboundWorking"] + q["inboundShipped"] + q["inboundReceiving"]),
                             str(q["inboundWorking"]), str(q["inboundShipped"]), str(q["inboundReceiving"])))
        elif rep["reportType"] == "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA":
            rows.append(("return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
                         "fulfillment-center-id", "detailed-disposition", "reason", "status", "license-plate-number",
                         "customer-comments"))
            for r in self.returns:
                if r["channel"] != "AFN" or r["marketplace_id"] not in rep["marketplaceIds"]:
                    continue
                if rep["start"] and parse_iso(r["return_date"]) < rep["start"]:
                    continue
                rows.append((r["return_date"].replace("Z", "+00:00"), r["amazon_order_id"], r["sku"], r["asin"], r["fnsku"],
                             self.products.get(r["sku"], {}).get("title", ""), str(r["quantity"]), "LEJ1",
                             r["detailed_disposition"], r["reason"], r["status"], "LPN%s" % r["amazon_order_id"][-7:], ""))
        else:  # GET_MERCHANT_LISTINGS_ALL_DATA
            rows.append(("item-name", "listing-id", "seller-sku", "price", "quantity", "open-date", "product-id-type",
                         "fulfillment-channel", "asin1", "status"))
            mp = rep["marketplaceIds"][0]
            for sku, p in self.products.items():
                offer = self.offers[sku].get(mp)
                if not offer:
                    continue
                rows.append((p["title"], "SIM%s" % p["asin"][2:], sku, "%.2f" % (offer["price"] / 100.0),
                             "" if p["fba"] else str(offer["quantity"]), iso(p["created"]), "1",
                             "AMAZON_EU" if p["fba"] else "DEFAULT", p["asin"],
                             "Inactive" if offer.get("deleted") else "Active"))
        return "".join("\t".join(row) + "\n" for row in rows)


__all__ = ["AmazonAPI", "MARKETPLACES", "RATE_LIMITS", "BadBody"]
