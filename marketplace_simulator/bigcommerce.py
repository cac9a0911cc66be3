"""BigCommerce REST API, as the simulator serves it under ``/bigcommerce``.

Paths are the real ones below the prefix: ``/bigcommerce/stores/{store_hash}/v2/...`` and
``/bigcommerce/stores/{store_hash}/v3/...`` (contracts in ``../shared/apispecs/bigcommerce``).

v2 (what the ``bigcommerce`` package speaks):

* ``GET /v2/store``; ``GET /v2/order_statuses`` (and ``/{id}``); ``GET /v2/payments/methods``.
* ``GET /v2/orders`` (page, limit <= 250, min/max_id, min/max_date_created, min/max_date_modified,
  status_id, customer_id, email, payment_method, sort=field[:asc|:desc]). Incomplete orders
  (status 0) are listed only when asked for with ``status_id=0``. An empty page -- nothing matches,
  or past the last page -- is ``204 No Content`` with no body, as the real service answers.
* ``GET /v2/orders/count``, ``GET|PUT /v2/orders/{id}``, ``GET /v2/orders/{id}/products``,
  ``/shipping_addresses``, ``/coupons``, ``/taxes`` (empty sub-collections answer 204),
  ``GET|POST /v2/orders/{id}/shipments``, ``GET /v2/orders/{id}/shipments/{shipment_id}``.
  A shipment moves the order to Shipped or Partially Shipped.
* v2 errors are ``[{"status": 404, "message": "..."}]``.

v3:

* Catalog: ``GET|PUT /v3/catalog/products`` (batch of <= 10), ``GET|PUT /v3/catalog/products/{id}``,
  ``GET /v3/catalog/products/{id}/variants``, ``GET|PUT .../variants/{variant_id}``,
  ``GET|PUT /v3/catalog/variants`` (batch of <= 50); ``meta.pagination`` as documented.
* Inventory: ``PUT /v3/inventory/adjustments/absolute``, ``POST /v3/inventory/adjustments/relative``
  (<= 2000 items, else 422), ``GET /v3/inventory/items``, ``GET /v3/inventory/locations``,
  ``GET /v3/inventory/locations/{id}/items``. Adjustments answer ``{"transaction_id": ...}`` and are
  applied asynchronously: after ``inventory_delay`` seconds (0 by default; control action
  ``timing``). A relative adjustment needs an absolute one first at a location where the item has
  never been stocked, and may not take stock below the safety stock, as documented.
* Orders: ``GET /v3/orders/{id}/transactions`` (204 when none), ``POST
  /v3/orders/{id}/payment_actions/capture`` and ``.../void`` (201 ``{}``; the payment goes
  ``capture pending`` -> ``captured`` after ``capture_delay`` seconds).
* v3 errors are ``{"status": ..., "title": ..., "type": ..., "errors": {...}}``.

"Mark as paid": there is no such endpoint in v2. The simulator records an order as paid when the
connector (a) captures an authorized payment through v3, or (b) moves an unpaid order (Pending,
Awaiting Payment, ...) of an offline payment method to a paid status through ``PUT /v2/orders/{id}``;
then ``payment_status`` becomes ``paid`` and a purchase transaction appears. Both are in ``state()``.

Auth: ``X-Auth-Token`` must be the store's access token (``sim-token``; ``X-Auth-Client`` is
accepted and ignored, as the real service does). Unknown store hash: 404; missing or wrong token:
401 in the API version's error shape. Tokens do not expire on BigCommerce; the simulator's
``expired_token`` fault makes the next request fail with 401 once (a revoked token).

Rate limits: one quota per store shared by all operations (``rate_quota`` requests per
``rate_window_ms``: 150 per 30 s, the Plus & Standard plan), a fixed window refreshed when it ends.
Every authorised answer carries the four ``X-Rate-Limit-*`` headers; a 429 carries them too (with
``X-Rate-Limit-Time-Reset-Ms`` telling the wait, and ``X-Retry-After`` in seconds). The fault
``429_no_retry_after`` gives the other documented 429: no rate-limit headers at all (platform under
high load).
"""
import json
import random
import re
import threading
import time
import uuid
from bisect import bisect_left, bisect_right
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from operator import itemgetter
from urllib.parse import unquote

from .core import Marketplace, Response

# --------------------------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------------------------

# id, name, description, sort order -- as GET /v2/order_statuses answers
ORDER_STATUSES = (
    (0, "Incomplete", "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.", 0),
    (1, "Pending", "Customer started the checkout process, but did not complete it.", 1),
    (2, "Shipped", "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.", 8),
    (3, "Partially Shipped", "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.", 6),
    (4, "Refunded", "Seller has used the Refund action.", 11),
    (5, "Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons.", 9),
    (6, "Declined", "Seller has marked the order as declined for lack of manual payment, or other reasons.", 10),
    (7, "Awaiting Payment", "Customer has completed checkout process, but payment has yet to be confirmed.", 2),
    (8, "Awaiting Pickup", "Order has been pulled, and is awaiting customer pickup from a seller-specified location.", 5),
    (9, "Awaiting Shipment", "Order has been pulled and packaged, and is awaiting collection from a shipping provider.", 4),
    (10, "Completed", "Client has paid for their digital product and their file(s) are available for download.", 7),
    (11, "Awaiting Fulfillment", "Customer has completed the checkout process and payment has been confirmed.", 3),
    (12, "Manual Verification Required", "Order is on hold while some aspect needs to be manually confirmed.", 13),
    (13, "Disputed", "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.", 12),
    (14, "Partially Refunded", "Seller has partially refunded the order.", 14),
)
STATUS_NAME = {s[0]: s[1] for s in ORDER_STATUSES}
STATUS_BY_NAME = {s[1].lower(): s[0] for s in ORDER_STATUSES}
PAID_STATUSES = frozenset((2, 3, 8, 9, 10, 11, 13, 14))
UNPAID_STATUSES = frozenset((0, 1, 6, 7, 12))  # Refunded is neither paid nor unpaid
NO_SHIP_STATUS_CHANGE = frozenset((0, 4, 5, 6, 13, 14))  # a shipment does not move these

# name on the order, gateway and method of its transactions, offline?, payment method code
PAYMENT_METHODS = (
    ("Credit Card", "stripe", "credit_card", False),
    ("PayPal", "paypalexpress", "electronic_wallet", False),
    ("Klarna", "klarna", "offsite", False),
    ("Bank Deposit", "bankdeposit", "offline", True),
    ("Cash on Delivery", "cod", "offline", True),
    ("Test Payment Gateway", "testgateway", "credit_card", False),
    ("giftcertificate", "giftcertificate", "gift_certificate", False),
)
PM_CARD, PM_PAYPAL, PM_KLARNA, PM_BANK, PM_COD, PM_TEST, PM_GC = range(7)
PAYMENT_METHOD_LIST = (  # GET /v2/payments/methods
    {"code": "stripe", "name": "Stripe", "test_mode": False},
    {"code": "paypalexpress", "name": "PayPal Express Checkout", "test_mode": False},
    {"code": "klarna", "name": "Klarna", "test_mode": False},
    {"code": "bankdeposit", "name": "Bank Deposit", "test_mode": False},
    {"code": "cod", "name": "Cash on Delivery", "test_mode": False},
    {"code": "testgateway", "name": "Test Payment Gateway", "test_mode": True},
)

# code: (name, VAT rate in basis points for B2C, EU member?, addresses
#        (street_1, street_2, city, state, zip, phone))
COUNTRIES = {
    "DE": ("Germany", 1900, True, (
        ("Königsallee 12", "", "Düsseldorf", "Nordrhein-Westfalen", "40212", "+49 211 5550101"),
        ("Schloßstraße 7", "Hinterhaus, 3. OG", "Berlin", "Berlin", "12163", "+49 30 5550199"),
        ("Maximilianstraße 44", "", "München", "Bayern", "80539", ""),
        ("Hohe Straße 101", "c/o Büro Groß", "Köln", "Nordrhein-Westfalen", "50667", "+49 221 5550123"),
        ("Äußere Sulzbacher Str. 3", "", "Nürnberg", "Bayern", "90489", "+49 911 5550456"),
    )),
    "AT": ("Austria", 2000, True, (("Mariahilfer Straße 88", "Top 14", "Wien", "Wien", "1070", "+43 1 5550102"),)),
    "FR": ("France", 2000, True, (
        ("12 rue de la Paix", "Bâtiment B", "Paris", "Île-de-France", "75002", "+33 1 55 50 01 02"),
        ("5 quai Saint-Antoine", "", "Lyon", "Auvergne-Rhône-Alpes", "69002", ""),
    )),
    "PL": ("Poland", 2300, True, (("ul. Piotrkowska 104", "m. 7", "Łódź", "łódzkie", "90-006", "+48 42 555 01 02"),)),
    "NL": ("Netherlands", 2100, True, (("Keizersgracht 123", "", "Amsterdam", "", "1015 CJ", ""),)),
    "GB": ("United Kingdom", 0, False, (
        ("221B Baker Street", "", "London", "", "NW1 6XE", "+44 20 7946 0018"),
        ("14 Princes Street", "Flat 2/1", "Edinburgh", "", "EH2 2AN", ""),
    )),
    "US": ("United States", 0, False, (
        ("2201 Westlake Ave", "Suite 300", "Seattle", "Washington", "98121", "+1 206-555-0100"),
        ("123 Calle Señora", "Apt 4B", "San José", "California", "95113", ""),
    )),
    "BR": ("Brazil", 0, False, (("Avenida Paulista 1578", "Conjunto 12", "São Paulo", "São Paulo", "01310-200", "+55 11 5555-0100"),)),
    "CH": ("Switzerland", 0, False, (("Bahnhofstrasse 1", "", "Zürich", "Zürich", "8001", "+41 44 555 01 01"),)),
}
COUNTRY_POOL = ("DE",) * 10 + ("AT", "AT", "FR", "FR", "PL", "NL", "GB", "GB", "US", "US", "BR", "CH")
STORE_COUNTRY = "DE"

NAMES = (
    ("Zoë", "Müller", "zoe.mueller"), ("Jürgen", "Groß", "juergen.gross"), ("Łukasz", "Wiśniewski", "lukasz.w"),
    ("João", "Silva", "joao.silva"), ("François", "Lefèvre", "f.lefevre"), ("Søren", "Ødegård", "soren.odegard"),
    ("Siobhán", "O'Connor", "siobhan.oc"), ("José", "Núñez", "jose.nunez"), ("Anaïs", "Dubois", "anais.dubois"),
    ("Ana", "Şahin", "ana.sahin"), ("John", "Smith", "john.smith"), ("Emily", "Clarke", "emily.clarke"),
    ("Hans", "Meier", "hans.meier"), ("Marie", "Curie-Skłodowska", "marie.curie"), ("Björn", "Ångström", "bjorn.a"),
    ("Chloé", "Martin", "chloe.martin"), ("Mehmet", "Yılmaz", "mehmet.yilmaz"), ("Ingrid", "Bergström", "ingrid.b"),
    ("Ólafur", "Sigurðsson", "olafur.s"), ("Renée", "van der Berg", "renee.vdb"),
)
COMPANIES = (
    "Müller & Söhne GmbH", "Łódź Trading Sp. z o.o.", "Acme Widgets Ltd", "Société Générale des Tuyaux SA",
    "Brandt Bürobedarf KG", "Seattle Office Supply Inc.", "Groß- und Außenhandel Köhler OHG",
)
MESSAGES = (
    "Bitte beim Nachbarn (Hausnr. 14) abgeben.", "Please leave the parcel at the back door.",
    "Livraison après 18h, merci !", "Geschenk für Zoë – bitte keine Rechnung beilegen.",
    "Entrega na portaria, por favor.", "Call before delivery ☎",
)
GIFT_MESSAGES = (
    "Alles Gute zum Geburtstag, Zoë! 🎉", "Happy birthday! Love, Mum & Dad", "Joyeux Noël ❤️",
    "Für die beste Oma der Welt", "¡Feliz cumpleaños, José!",
)
WRAPPINGS = ((0, "", 0), (1, "Geschenkpapier Gold", 300), (2, "Geschenkbox „Weihnachten“", 450))
CUSTOM_ITEMS = (  # custom products (product_id 0): name, sku (may be empty), price in cents
    ("Gravur-Service „Für Zoë“", "CUSTOM-ENGRAVE", 1500),
    ("Montageservice vor Ort", "", 4900),
    ("Express-Aufpreis", "CUSTOM-EXPRESS", 990),
)
COUPONS = (  # code, coupon type (1 percentage, 2 per total), amount
    ("SOMMER10", 1, 10),
    ("WILLKOMMEN5", 2, 5),
)
PRODUCT_WORDS = (
    "Trail Runner Socken", "Edelstahl-Trinkflasche", "Café-Becher „Grüße aus Köln“", "Merino Beanie",
    "Bluetooth Lautsprecher", "Yogamatte Öko", "Kochmesser Damast 20 cm", "Rucksack Städtetrip",
    "Notizbuch A5 punktiert", "Lederhandschuhe", "Teekanne Ōsaka", "Kerzenständer Ålesund",
)
COLOURS = ((101, "Schwarz", "SCH"), (102, "Blau", "BLA"), (103, "Grün", "GRU"), (104, "Weiß", "WEI"), (105, "Rot", "ROT"))
SIZES = ((201, "S"), (202, "M"), (203, "L"), (204, "XL"))
SHIPPING_PROVIDERS = frozenset(("auspost", "canadapost", "endicia", "usps", "fedex", "ups", "upsready", "upsonline",
                                "shipperhq", "royalmail", ""))
TRACKING_LINKS = {
    "ups": "https://www.ups.com/track?tracknum=%s", "fedex": "https://www.fedex.com/fedextrack/?trknbr=%s",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels=%s",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/%s",
}
LOCATIONS = (  # id, code, label, type, enabled, address (address1, city, state, zip, country)
    (1, "BC-LOCATION-1", "Lager Hamburg", "PHYSICAL", True, ("Großer Burstah 31", "Hamburg", "Hamburg", "20457", "DE")),
    (2, "WH-LODZ", "Magazyn Łódź", "PHYSICAL", True, ("ul. Łąkowa 29", "Łódź", "łódzkie", "90-554", "PL")),
    (3, "POPUP-MUC", "Pop-up Store München", "PHYSICAL", False, ("Sendlinger Straße 3", "München", "Bayern", "80331", "DE")),
)

V3_ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
MAX_INT = 2147483647
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# order line fields (lists, so that shipments can update them in place)
L_V, L_Q, L_U, L_W, L_WM, L_S, L_A, L_C, L_R = range(9)


def ean13(body12):
    """EAN-13 with a valid check digit for a 12-digit body."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def rfc2822(ts):
    t = time.gmtime(ts)
    return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (
        _DAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon - 1], t.tm_year, t.tm_hour, t.tm_min, t.tm_sec)


def iso8601(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


def parse_date(value):
    """Epoch seconds of an RFC 2822 or ISO 8601 date (UTC when no offset), or a Unix
    timestamp; None when it is none of these."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        dt = datetime.fromisoformat(value.replace(" ", "+") if "T" in value else value)
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def m4(cents):
    """A v2 money string, e.g. '12.5000'."""
    if cents < 0:
        return "-" + m4(-cents)
    return "%d.%02d00" % divmod(cents, 100)


def money_float(cents):
    return None if cents is None else round(cents / 100.0, 2)


def split_tax(cents, rate, inclusive):
    """(ex tax, inc tax, tax) of an amount entered with or without tax at `rate` basis points."""
    if not rate:
        return cents, cents, 0
    if inclusive:
        ex = (cents * 20000 + 10000 + rate) // (2 * (10000 + rate))
        return ex, cents, cents - ex
    tax = (cents * rate + 5000) // 10000
    return cents, cents + tax, tax


def _int_arg(value):
    """int of a query or body value (int or digit string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_ID = itemgetter("id")


class _ApiError(Exception):
    """Raised inside a handler to answer with the API's error shape."""

    def __init__(self, status, message, errors=None, details=None, content_type=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.details = details
        self.content_type = content_type


class BigCommerceAPI(Marketplace):
    name = "bigcommerce"

    # default credentials (flags may set others)
    store_hash = "simstore"
    access_token = "sim-token"

    # Plus & Standard plan: 20k per hour, i.e. 150 requests per 30 s window, shared by the store
    rate_quota = 150
    rate_window_ms = 30000

    default_sizes = {"orders": 250, "products": 40}
    ORDERS_MAX_LIMIT = 250
    CATALOG_MAX_LIMIT = 250
    INVENTORY_MAX_ITEMS = 2000
    PRODUCTS_BATCH = 10
    VARIANTS_BATCH = 50

    def __init__(self, sim):
        super().__init__(sim)
        self._tls = threading.local()
        self._rl_lock = threading.Lock()
        self._rl_window_end = 0.0
        self._rl_used = 0
        self._rl_marker = None
        self._deny_once = False
        self._routes = self._build_routes()

    # ========================================================================================
    # state
    # ========================================================================================
    def reset(self, seed, sizes):
        sizes = dict(sizes or {})
        n_orders = int(sizes.get("orders", self.default_sizes["orders"]))
        n_products = max(3, int(sizes.get("products", self.default_sizes["products"])))
        self.seed = seed
        self.rng = random.Random("bigcommerce-%s" % seed)
        self.now = float(sizes.get("now") or time.time())
        self.inventory_delay = float(sizes.get("inventory_delay", 0.0))
        self.capture_delay = float(sizes.get("capture_delay", 0.0))
        self.orders = {}
        self.order_list = []  # ascending id
        self._visible = None  # orders listed without status filter (not Incomplete)
        self._by_status = None
        self._by_m = None  # [(date_modified, order)] ascending, built on demand, stale entries skipped
        self._by_c = None
        self._pid = 1000  # next order product id
        self._aid = 500  # next order address id
        self._next_order = 100
        self._units = None
        self._shipment_seq = 5000000
        self._txn_seq = 90000000
        self.shipments = []  # shipments the connector created (as rendered)
        self.status_changes = []
        self.payments = []  # captures, voids and orders marked paid
        self.price_updates = []
        self.prices_touched = set()
        self.adjustments = []  # inventory transactions
        self.pending_adjustments = []
        self.pending_captures = []
        self.stock_touched = set()
        self._deny_once = False
        with self._rl_lock:
            self._rl_window_end = 0.0
            self._rl_used = 0
        self._build_catalogue(n_products)
        self._generate_orders(n_orders, self.now - 60 * 86400, self.now - 300)

    # -- catalogue -----------------------------------------------------------------------------
    def _build_catalogue(self, n_products):
        rng = self.rng
        salt = rng.randrange(10 ** 6)
        self.products = {}
        self.product_list = []
        self.variants = {}
        self.variant_list = []
        self.sku_index = {}  # sku -> ("v", variant) or ("p", product)
        self.locations = {loc[0]: loc for loc in LOCATIONS}
        self.stock = {}  # (variant id, location id) -> on hand
        self.safety = {}  # (variant id, location id) -> safety stock
        vid = 1000
        for n in range(1, n_products + 1):
            pid = 110 + n
            word = PRODUCT_WORDS[n % len(PRODUCT_WORDS)]
            price = rng.randrange(5, 130) * 100 + 99
            kind = rng.random()
            if kind < 0.55:
                combos = [()]
            elif kind < 0.85:
                combos = [(c,) for c in rng.sample(COLOURS, 3)]
            else:
                colours = rng.sample(COLOURS, 2)
                combos = [(c, s) for c in colours for s in SIZES[:3]]
            sku = "BC-%04d" % n
            created = self.now - rng.randrange(90, 900) * 86400
            product = {
                "id": pid,
                "name": "%s %d" % (word, n),
                "sku": sku,
                "price": price,
                "sale": price * 8 // 10 // 100 * 100 + 99 if rng.random() < 0.15 else 0,
                "retail": price + 1000 if rng.random() < 0.3 else 0,
                "cost": price * 45 // 100,
                "weight": round(0.1 + rng.random() * 2.5, 2),
                "tracking": "product" if not combos[0] else "variant",
                "visible": rng.random() < 0.93,
                "brand_id": 36 + n % 5,
                "categories": [18 + n % 6],
                "created": created,
                "modified": created + rng.randrange(0, 60) * 86400,
                "sold": 0,
                "upc": "",
                "mpn": "MPN-%05d" % (salt + n) if rng.random() < 0.5 else "",
                "variants": [],
                "base": None,
                "options": [],
            }
            if not combos[0] and rng.random() < 0.08:
                product["tracking"] = "none"
            if combos[0]:
                opts = [(pid * 10 + 1, "Farbe")]
                if len(combos[0]) > 1:
                    opts.append((pid * 10 + 2, "Größe"))
                product["options"] = opts
            for combo in combos:
                vid += 1
                vsku = sku
                values = []
                if combo:
                    colour = combo[0]
                    vsku += "-" + colour[2]
                    values.append({"id": colour[0], "label": colour[1], "option_id": pid * 10 + 1, "option_display_name": "Farbe"})
                    if len(combo) > 1:
                        size = combo[1]
                        vsku += "-" + size[1]
                        values.append({"id": size[0], "label": size[1], "option_id": pid * 10 + 2, "option_display_name": "Größe"})
                own_price = combo and rng.random() < 0.4
                variant = {
                    "id": vid,
                    "product_id": pid,
                    "sku": vsku,
                    "sku_id": (vid + 3000) if combo else None,
                    "price": price + rng.choice((-200, 0, 300, 500)) if own_price else None,
                    "sale": None,
                    "retail": None,
                    "cost": None,
                    "values": values,
                    "gtin": ean13("40%010d" % ((salt * 1000 + vid) % 10 ** 10)),
                    "warning": 5,
                    "disabled": False,
                }
                product["variants"].append(variant)
                self.variants[vid] = variant
                self.variant_list.append(variant)
                self.sku_index[vsku] = ("v", variant)
                self.stock[(vid, 1)] = rng.randrange(0, 60)
                if rng.random() < 0.5:
                    self.stock[(vid, 2)] = rng.randrange(0, 25)
            if not combos[0]:
                product["base"] = product["variants"][0]["id"]
                product["upc"] = product["variants"][0]["gtin"]
            else:
                self.sku_index.setdefault(sku, ("p", product))
            self.products[pid] = product
            self.product_list.append(product)

    def _variant_price(self, variant):
        """(price, sale price) in cents that apply to a variant."""
        product = self.products[variant["product_id"]]
        price = variant["price"] if variant["price"] is not None else product["price"]
        sale = variant["sale"] if variant["sale"] is not None else (product["sale"] if variant["price"] is None else 0)
        return price, sale

    def _unit_price(self, variant):
        price, sale = self._variant_price(variant)
        return sale if sale and sale < price else price

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
                11 if r < 0.30 else 9 if r < 0.38 else 7 if r < 0.44 else 1 if r < 0.48 else 3 if r < 0.54
                else 2 if r < 0.78 else 10 if r < 0.86 else 5 if r < 0.91 else 4 if r < 0.93 else 14 if r < 0.94
                else 6 if r < 0.95 else 12 if r < 0.96 else 8 if r < 0.97 else 13 if r < 0.98 else 0
            )
            created = int(start + step * i + rnd() * step)
            self._make_order(status, created, None)
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
            vat = "%s%09d" % (country, int(rnd() * 10 ** 9))
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
                    lines_v, custom, price = None, int(rnd() * len(CUSTOM_ITEMS)), None
                else:
                    j = int(rnd() * len(variants))
                    lines_v, custom, price = variants[j], -1, units[j] if units else None
                qty = 1 if rnd() < 0.75 else 2 + int(rnd() * 3)
                order_lines.append(self._line(lines_v, qty, custom, gift, price))
        else:
            for variant, qty, custom, price in lines:
                order_lines.append(self._line(variant, qty, custom, gift, price))
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
            pm = PM_CARD if r < 0.45 else PM_PAYPAL if r < 0.70 else PM_KLARNA if r < 0.80 else PM_BANK if r < 0.90 \
                else PM_COD if r < 0.96 else PM_TEST
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
            "refund": 0,
        }
        if order["m"] > self.now:
            order["m"] = max(created, int(self.now) - 1)
        if status in (2, 10, 4):
            order["ds"] = min(order["m"], created + 86400)
        if status == 4:
            order["refund"] = -1  # everything
        elif status == 14:
            order["refund"] = max(1, order_lines[0][L_U])
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
        return order

    def _line(self, variant, qty, custom, gift, price):
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
        return [vidx, qty, unit, wrap, wrap_msg, 0, 0, custom, 0]

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
        self.status_changes.append({
            "order_id": order["id"], "from": STATUS_NAME[old], "to": STATUS_NAME[status], "source": source,
            "at": iso8601(time.time()),
        })

    # -- amounts -------------------------------------------------------------------------------
    def _amounts(self, o):
        rate, inc = o["rate"], o["inc"]
        lines = []
        entered = 0
        sub_ex = sub_inc = 0
        wrap_ex = wrap_inc = wrap_entered = 0
        for ln in o["lines"]:
            qty, unit = ln[L_Q], ln[L_U]
            p_ex, p_inc, p_tax = split_tax(unit, rate, inc)
            t_ex, t_inc, t_tax = split_tax(unit * qty, rate, inc)
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
        d_ex, d_inc, d_tax = split_tax(discount, rate, inc)
        s_ex, s_inc, s_tax = split_tax(o["ship"], rate, inc)
        h_ex, h_inc, h_tax = split_tax(o["hand"], rate, inc)
        total_ex = sub_ex + s_ex + h_ex + wrap_ex - d_ex
        total_tax = (sub_inc - sub_ex) + s_tax + h_tax + (wrap_inc - wrap_ex) - d_tax
        total_inc = total_ex + total_tax
        gc = min(o["gc"], total_inc) if o["gc"] != "all" else total_inc
        sc = min(o["sc"], total_inc - gc)
        refund = total_inc if o["refund"] == -1 else min(o["refund"], total_inc)
        return {
            "lines": lines, "entered": entered, "sub_ex": sub_ex, "sub_inc": sub_inc,
            "ship": (o["ship"], s_ex, s_inc, s_tax), "hand": (o["hand"], h_ex, h_inc, h_tax),
            "wrap": (wrap_entered, wrap_ex, wrap_inc, wrap_inc - wrap_ex), "discount": discount, "d_inc": d_inc,
            "total_ex": total_ex, "total_inc": total_inc, "total_tax": total_tax, "gc": gc, "sc": sc,
            "paid": total_inc - gc - sc, "refund": refund,
        }

    # -- state and control -----------------------------------------------------------------------
    def state(self):
        self._apply_due()
        by_status = {}
        by_payment = {}
        for o in self.order_list:
            name = STATUS_NAME[o["st"]]
            by_status[name] = by_status.get(name, 0) + 1
            by_payment[o["ps"]] = by_payment.get(o["ps"], 0) + 1
        small = len(self.variant_list) <= 2000
        stock_keys = self.stock if small else {k: None for k in self.stock if k in self.stock_touched}
        inventory = {}
        for vid, loc in stock_keys:
            variant = self.variants[vid]
            inventory.setdefault(variant["sku"], {})[str(loc)] = self.stock[(vid, loc)]
        price_variants = self.variant_list if small else [self.variants[v] for v in sorted(self.prices_touched)]
        prices = {}
        for v in price_variants:
            price, sale = self._variant_price(v)
            prices[v["sku"]] = {"price": money_float(price), "sale_price": money_float(sale),
                                "calculated_price": money_float(self._unit_price(v))}
        return {
            "store_hash": self.store_hash,
            "orders": len(self.order_list),
            "orders_by_status": by_status,
            "orders_by_payment_status": by_payment,
            "products": len(self.product_list),
            "variants": len(self.variant_list),
            "shipments": self.shipments,
            "status_changes": self.status_changes,
            "payments": self.payments,
            "paid_orders": {str(p["order_id"]): self.orders[p["order_id"]]["ps"] for p in self.payments},
            "inventory": inventory,
            "inventory_adjustments": self.adjustments,
            "inventory_pending": len(self.pending_adjustments),
            "prices": prices,
            "price_updates": self.price_updates,
            "rate_limit": {"quota": self._quota(), "window_ms": self.rate_window_ms, "used": self._rl_used},
        }

    def control(self, action, payload):
        try:
            if action == "add_orders":
                return self._control_add_orders(payload)
            if action == "set_order_status":
                order = self.orders.get(_int_arg(payload.get("order_id")))
                if order is None:
                    return self._json(404, {"error": "unknown order %r" % payload.get("order_id")})
                status = self._status_arg(payload.get("status", payload.get("status_id")))
                if status is None:
                    return self._json(400, {"error": "status must be one of %s (or their ids)"
                                            % ", ".join(s[1] for s in ORDER_STATUSES)})
                self._control_set_status(order, status, payload.get("payment_status"))
                return self._json(200, {"order": self._render_order(order, self._host(None))})
            if action == "get_order":
                order = self.orders.get(_int_arg(payload.get("order_id")))
                if order is None:
                    return self._json(404, {"error": "unknown order %r" % payload.get("order_id")})
                host = self._host(None)
                return self._json(200, {
                    "order": self._render_order(order, host),
                    "products": [self._render_product_line(order, k, host) for k in range(len(order["lines"]))],
                    "shipping_addresses": [self._render_address(order, k, host) for k in range(order["na"])],
                    "shipments": [self._render_shipment(order, s) for s in self._order_shipments(order)],
                    "transactions": self._transactions(order),
                })
            if action == "timing":
                if "inventory_delay" in payload:
                    self.inventory_delay = float(payload["inventory_delay"])
                if "capture_delay" in payload:
                    self.capture_delay = float(payload["capture_delay"])
                return self._json(200, {"inventory_delay": self.inventory_delay, "capture_delay": self.capture_delay})
            if action == "set_stock":
                key = self._control_item(payload)
                self.stock[key] = int(payload["quantity"])
                self.stock_touched.add(key)
                return self._json(200, {"sku": self.variants[key[0]]["sku"], "location_id": key[1], "quantity": self.stock[key]})
            if action == "expire_tokens":
                self.expire_tokens()
                return self._json(200, {"revoked_once": True})
            if action == "credentials":
                if payload.get("access_token"):
                    self.access_token = str(payload["access_token"])
                if payload.get("store_hash"):
                    self.store_hash = str(payload["store_hash"])
                return self._json(200, {"store_hash": self.store_hash, "access_token": self.access_token})
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            return self._json(400, {"error": "bad %s payload: %r" % (action, err)})
        return self._json(404, {"error": "unknown action %s" % action})

    def _control_item(self, payload):
        loc = int(payload.get("location_id", 1))
        if loc not in self.locations:
            raise ValueError("unknown location %s" % loc)
        hit = self.sku_index.get(payload.get("sku"))
        if hit is None or hit[0] != "v":
            raise ValueError("unknown variant sku %r" % payload.get("sku"))
        return hit[1]["id"], loc

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
                order["shp"].append({
                    "id": self._shipment_seq, "address": address, "date": time.time(),
                    "tracking_number": "00340434%010d" % (self._shipment_seq * 7919 % 10 ** 10), "provider": "",
                    "carrier": "dhl", "link": "", "comments": "", "method": "DHL Paket", "items": items,
                })
        elif status == 4:
            order["ps"] = "refunded"
            order["refund"] = -1
        elif status == 14:
            order["ps"] = "partially refunded"
            order["refund"] = max(1, order["lines"][0][L_U])
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
                    raw = [{"sku": self.variant_list[(len(self.order_list) * 3 + k) % len(self.variant_list)]["sku"]}
                           for k in range(raw)]
                for line in raw:
                    price = line.get("price")
                    price = int(round(float(price) * 100)) if price is not None else None
                    if line.get("custom"):
                        lines.append((None, int(line.get("quantity", 1)), int(line.get("custom_index", 0)), price))
                        continue
                    hit = self.sku_index.get(line.get("sku"))
                    if hit is None:
                        return self._json(400, {"error": "unknown sku %r" % line.get("sku")})
                    variant = hit[1] if hit[0] == "v" else hit[1]["variants"][0]
                    lines.append((variant, int(line.get("quantity", 1)), -1, price))
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
                    return self._json(400, {"error": "payment_method must be one of %s" % ", ".join(p[0] for p in PAYMENT_METHODS)})
                spec["payment_method_index"] = names.index(str(pm).lower())
            if spec.get("coupon") is not None and not isinstance(spec["coupon"], int):
                codes = [c[0] for c in COUPONS]
                spec["coupon"] = codes.index(spec["coupon"]) + 1 if spec["coupon"] in codes else 0
            for key in ("shipping_cost", "handling_cost"):
                if spec.get(key) is not None:
                    spec[key] = int(round(float(spec[key]) * 100))
            if spec.get("gift_certificate") not in (None, "all"):
                spec["gift_certificate"] = int(round(float(spec["gift_certificate"]) * 100))
            spec["id"] = int(spec["id"]) if spec.get("id") is not None else None
            order = self._make_order(status, int(created_at), lines, spec)
            order["m"] = max(order["c"], now if not spec.get("date_created") else order["c"])
            self._by_m = None
            created.append(order["id"])
        return self._json(201, {"orders": created})

    # ========================================================================================
    # HTTP plumbing
    # ========================================================================================
    def _build_routes(self):
        seg = r"([^/]+)"
        v2 = [
            ("GET", "/store", "getStore", self._get_store),
            ("GET", "/time", "getTime", self._get_time),
            ("GET", "/orders", "getOrders", self._get_orders),
            ("GET", "/orders/count", "getOrdersCount", self._get_orders_count),
            ("GET", "/orders/%s" % seg, "getOrder", self._get_order),
            ("PUT", "/orders/%s" % seg, "updateOrder", self._update_order),
            ("GET", "/orders/%s/products" % seg, "getOrderProducts", self._get_order_products),
            ("GET", "/orders/%s/products/%s" % (seg, seg), "getOrderProduct", self._get_order_product),
            ("GET", "/orders/%s/shipping_addresses" % seg, "getOrderShippingAddresses", self._get_order_addresses),
            ("GET", "/orders/%s/shipping_addresses/%s" % (seg, seg), "getOrderShippingAddress", self._get_order_address),
            ("GET", "/orders/%s/coupons" % seg, "getOrderCoupons", self._get_order_coupons),
            ("GET", "/orders/%s/taxes" % seg, "getOrderTaxes", self._get_order_taxes),
            ("GET", "/orders/%s/shipments" % seg, "getOrderShipments", self._get_order_shipments),
            ("POST", "/orders/%s/shipments" % seg, "createOrderShipments", self._create_order_shipment),
            ("GET", "/orders/%s/shipments/count" % seg, "getOrderShipmentsCount", self._get_order_shipments_count),
            ("GET", "/orders/%s/shipments/%s" % (seg, seg), "getOrderShipment", self._get_order_shipment),
            ("GET", "/order_statuses", "getOrderStatuses", self._get_order_statuses),
            ("GET", "/order_statuses/%s" % seg, "getOrderStatusesStatus", self._get_order_status),
            ("GET", "/payments/methods", "getAllPaymentMethods", self._get_payment_methods),
        ]
        v3 = [
            ("GET", "/catalog/products", "getProducts", self._get_products),
            ("PUT", "/catalog/products", "updateProducts", self._update_products),
            ("GET", "/catalog/products/%s" % seg, "getProduct", self._get_product),
            ("PUT", "/catalog/products/%s" % seg, "updateProduct", self._update_product),
            ("GET", "/catalog/products/%s/variants" % seg, "getProductVariants", self._get_product_variants),
            ("GET", "/catalog/products/%s/variants/%s" % (seg, seg), "getProductVariant", self._get_product_variant),
            ("PUT", "/catalog/products/%s/variants/%s" % (seg, seg), "updateProductVariant", self._update_product_variant),
            ("GET", "/catalog/variants", "getVariants", self._get_variants),
            ("PUT", "/catalog/variants", "updateVariantsBatch", self._update_variants_batch),
            ("PUT", "/inventory/adjustments/absolute", "put-absolute-adjustment", self._absolute_adjustment),
            ("POST", "/inventory/adjustments/relative", "post-relative-adjustment", self._relative_adjustment),
            ("GET", "/inventory/items", "get-inventory-items", self._get_inventory_items),
            ("GET", "/inventory/locations", "getLocations", self._get_locations),
            ("GET", "/inventory/locations/%s/items" % seg, "get-location-inventory-items", self._get_location_items),
            ("GET", "/orders/%s/transactions" % seg, "getOrderTransactions", self._get_transactions),
            ("POST", "/orders/%s/payment_actions/capture" % seg, "captureOrderPayment", self._capture),
            ("POST", "/orders/%s/payment_actions/void" % seg, "voidOrderPayment", self._void),
        ]
        table = {}
        for version, rows in (("v2", v2), ("v3", v3)):
            static, dynamic = {}, []
            for method, pattern, op, handler in rows:
                if "(" in pattern:
                    dynamic.append((method, re.compile(pattern + "$"), op, handler))
                else:
                    static.setdefault(pattern, {})[method] = (op, handler)
            table[version] = (static, dynamic)
        return table

    _PATH = re.compile(r"^/stores/([^/]+)/(v2|v3)(/.*)?$")

    def route(self, req):
        match = self._PATH.match(req.path)
        self._tls.version = "v3" if match is None or match.group(2) == "v3" else "v2"
        self._tls.rl = None
        self._tls.store = None
        if match is None:
            return None
        store, version, rest = match.group(1), match.group(2), match.group(3) or "/"
        if len(rest) > 1 and rest.endswith("/"):
            rest = rest[:-1]
        if version == "v2" and rest.endswith(".json"):
            rest = rest[:-5]
        static, dynamic = self._routes[version]
        hit = None
        args = ()
        methods = static.get(rest)
        if methods:
            allowed = set(methods)
            hit = methods.get(req.method)
        else:
            allowed = set()
            for method, regex, op, handler in dynamic:
                m = regex.match(rest)
                if m:
                    allowed.add(method)
                    if hit is None and method == req.method:
                        hit = (op, handler)
                        args = tuple(unquote(g) for g in m.groups())
        if not allowed:
            return None
        self._tls.store = store
        if hit is None:
            allowed = ", ".join(sorted(allowed))
            return "methodNotAllowed", (lambda r: self._method_not_allowed(r, allowed))
        op, handler = hit
        return op, (lambda r, _h=handler, _a=args: self._run(_h, r, _a))

    def _run(self, handler, req, args):
        self._apply_due()
        try:
            resp = handler(req, *args)
        except _ApiError as err:
            resp = self._error(err.status, err.message, err.errors, err.details, err.content_type)
        rl = getattr(self._tls, "rl", None)
        if rl:
            resp.headers.update(rl)
        return resp

    # -- auth and rate limits ------------------------------------------------------------------
    def authenticate(self, req, operation):
        if getattr(self._tls, "store", None) != self.store_hash:
            return self._error(404, "The requested resource was not found." if self._tls.version == "v2"
                               else "Store not found")
        token = req.header("x-auth-token")
        denied = self._deny_once
        if denied:
            self._deny_once = False
        if not token or token != self.access_token or denied:
            if self._tls.version == "v2":
                return self._error(401, "You are not authorized to access this resource: the access token is "
                                        "missing, invalid or revoked.")
            return self._error(401, "Unauthorized")
        return self._take_quota()

    def _quota(self):
        return max(1, int(round(self.rate_quota * (self.sim.rate_scale or 1.0))))

    def _take_quota(self):
        """Count the request against the store's window; None when allowed, else the 429."""
        quota = self._quota()
        window = self.rate_window_ms
        with self._rl_lock:
            if not self.sim.rate_limits:
                self._tls.rl = self._rl_headers(quota, quota, window)
                return None
            now = time.monotonic()
            if self._rl_marker is not self.sim.buckets:  # POST /_sim/rate_limits or a reset: fresh window
                self._rl_marker = self.sim.buckets
                self._rl_window_end = 0.0
            if now >= self._rl_window_end:
                self._rl_window_end = now + window / 1000.0
                self._rl_used = 0
            reset_ms = max(1, int((self._rl_window_end - now) * 1000))
            if self._rl_used >= quota:
                resp = self._throttled(reset_ms, quota)
                return resp
            self._rl_used += 1
            self._tls.rl = self._rl_headers(quota - self._rl_used, quota, reset_ms)
        return None

    def _rl_headers(self, left, quota, reset_ms):
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, left)),
            "X-Rate-Limit-Requests-Quota": str(quota),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Time-Window-Ms": str(self.rate_window_ms),
        }

    def _throttled(self, reset_ms, quota):
        resp = self._error(429, "You have exceeded the rate limit of the store. Try again in %d ms." % reset_ms
                           if self._tls.version == "v2" else "Too many requests")
        resp.headers.update(self._rl_headers(0, quota, reset_ms))
        resp.headers["X-Retry-After"] = str(max(1, (reset_ms + 999) // 1000))
        return resp

    def rate_limit(self, operation):
        return None  # one window per store, counted in authenticate()

    def throttled_response(self, operation, retry_after):
        if retry_after is None:  # the platform under load: a 429 without the rate-limit headers
            return self._error(429, "Too many requests" if self._tls.version == "v3" else
                               "The store is receiving too many requests; retry later.")
        return self._throttled(int(retry_after * 1000), self._quota())

    def expire_tokens(self):
        self._deny_once = True

    # -- responses -------------------------------------------------------------------------------
    @staticmethod
    def _json(status, obj, content_type="application/json"):
        return Response(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), {"Content-Type": content_type})

    @staticmethod
    def _no_content():
        return Response(204, b"", {})

    def _error(self, status, message, errors=None, details=None, content_type=None):
        if getattr(self._tls, "version", "v3") == "v2":
            item = {"status": status, "message": message}
            if details:
                item["details"] = details
            return self._json(status, [item])
        body = {"status": status, "title": message, "type": V3_ERROR_TYPE}
        if errors is not None:
            body["errors"] = errors
        return self._json(status, body, content_type or "application/json")

    def error_response(self, status, message, code=None):
        if status == 400 and getattr(self._tls, "version", "v3") == "v3":
            return self._error(400, "Input is invalid.", {"body": message})
        return self._error(status, message)

    def not_found(self, req):
        if self._tls.version == "v2":
            return self._error(404, "The requested resource was not found.")
        return self._error(404, "Route not found: %s %s" % (req.method, req.path))

    def _method_not_allowed(self, req, allowed):
        resp = self._error(405, "The requested method %s is not supported by this resource." % req.method)
        resp.headers["Allow"] = allowed
        return resp

    def _host(self, req):
        host = req.header("host") if req is not None else None
        if host:
            return "http://%s" % host
        return getattr(self.sim, "public_url", None) or "http://127.0.0.1"

    def _base(self, host, version="v2"):
        return "%s/bigcommerce/stores/%s/%s" % (host, self.store_hash, version)

    # -- argument helpers ------------------------------------------------------------------------
    def _page_limit(self, req, default, maximum):
        page = req.arg("page", "1")
        limit = req.arg("limit", str(default))
        p, n = _int_arg(page), _int_arg(limit)
        if p is None or n is None:
            bad = "page" if p is None else "limit"
            if self._tls.version == "v2":
                raise _ApiError(400, "The field '%s' is invalid." % bad)
            raise _ApiError(422, "The filter(s): %s are not valid filter parameter(s)." % bad, {bad: "must be an integer"})
        return max(1, p), max(1, min(maximum, n))

    def _body(self, req, kind=dict):
        data = req.json()
        if not isinstance(data, kind):
            if self._tls.version == "v2":
                raise _ApiError(400, "The request body must be a JSON %s." % ("object" if kind is dict else "array"))
            raise _ApiError(422, "JSON data is missing or invalid", {"body": "error.expected.js%s" % (
                "object" if kind is dict else "array")})
        return data

    def _order_or_404(self, order_id):
        order = self.orders.get(_int_arg(order_id))
        if order is None:
            raise _ApiError(404, "The requested resource was not found." if self._tls.version == "v2"
                            else "Order not found")
        return order

    def _apply_due(self):
        """Apply inventory adjustments and payment captures whose time has come."""
        if not (self.pending_adjustments or self.pending_captures):
            return
        now = time.time()
        if self.pending_adjustments:
            keep = []
            for due, txn, changes in self.pending_adjustments:
                if due > now:
                    keep.append((due, txn, changes))
                    continue
                for key, qty, relative in changes:
                    self.stock[key] = self.stock.get(key, 0) + qty if relative else qty
                    self.stock_touched.add(key)
                txn["status"] = "applied"
            self.pending_adjustments = keep
        if self.pending_captures:
            keep = []
            for due, order, action in self.pending_captures:
                if due > now:
                    keep.append((due, order, action))
                    continue
                self._settle_payment(order, action)
            self.pending_captures = keep

    # ========================================================================================
    # v2 handlers
    # ========================================================================================
    def _get_store(self, req):
        host = self._host(req)
        return self._json(200, {
            "id": self.store_hash,
            "account_uuid": "8f1f9ad4-5a7e-4b52-9a3b-%012d" % (self.seed % 10 ** 12),
            "domain": "sim-store.example",
            "secure_url": "https://sim-store.example",
            "control_panel_base_url": host + "/bigcommerce",
            "status": "live",
            "name": "Zoë's Simulated Store – Müller & Söhne",
            "first_name": "Zoë",
            "last_name": "Müller",
            "address": "Großer Burstah 31\n20457 Hamburg\nGermany",
            "country": "Germany",
            "country_code": "DE",
            "phone": "+49 40 5550100",
            "admin_email": "admin@sim-store.example",
            "order_email": "orders@sim-store.example",
            "favicon_url": "",
            "timezone": {"name": "Europe/Berlin", "raw_offset": 3600, "dst_offset": 7200, "dst_correction": True,
                         "date_format": {"display": "d.m.Y", "export": "d.m.Y", "extended_display": "j. M Y @ H:i"}},
            "language": "de",
            "currency": "EUR",
            "currency_symbol": "€",
            "decimal_separator": ",",
            "thousands_separator": ".",
            "decimal_places": 2,
            "currency_symbol_location": "right",
            "weight_units": "kg",
            "dimension_units": "Centimeters",
            "dimension_decimal_places": "2",
            "dimension_decimal_token": ",",
            "dimension_thousands_token": ".",
            "plan_name": "Standard",
            "plan_level": "Standard",
            "plan_is_trial": False,
            "industry": "Home & Garden",
            "logo": [],
            "is_price_entered_with_tax": True,
            "store_id": 1000123,
            "default_site_id": 1000,
            "default_channel_id": 1,
            "features": {"stencil_enabled": True, "sitewidehttps_enabled": True, "facebook_catalog_id": "",
                         "checkout_type": "optimized", "wishlists_enabled": True, "graphql_storefront_api_enabled": True,
                         "shopper_consent_tracking_enabled": True, "multi_storefront_enabled": True},
        })

    def _get_time(self, req):
        return self._json(200, {"time": int(time.time())})

    # -- orders ----------------------------------------------------------------------------------
    _SORT_KEYS = {"id": "id", "customer_id": "cust", "date_created": "c", "date_modified": "m", "status_id": "st",
                  "channel_id": None, "external_id": None}

    def _date_arg(self, req, name):
        value = req.arg(name)
        if value is None or value == "":
            return None
        ts = parse_date(value)
        if ts is None:
            raise _ApiError(400, "The field '%s' is invalid." % name,
                            details={"invalid_reason": "The date must be RFC 2822 or ISO 8601."})
        return ts

    def _id_arg(self, req, name):
        value = req.arg(name)
        if value is None or value == "":
            return None
        number = _int_arg(value)
        if number is None:
            raise _ApiError(400, "The field '%s' is invalid." % name)
        return number

    def _date_window(self, attr, key, lo, hi):
        idx = getattr(self, attr)
        if idx is None:
            idx = sorted(((o[key], o) for o in self.order_list), key=itemgetter(0))
            setattr(self, attr, idx)
        lo_i = 0 if lo is None else bisect_left(idx, lo, key=itemgetter(0))
        hi_i = len(idx) if hi is None else bisect_right(idx, hi, key=itemgetter(0))
        if hi_i - lo_i > 1000 and hi_i - lo_i > len(idx) // 8:  # a wide window: a scan in id order is cheaper
            lo = float("-inf") if lo is None else lo
            hi = float("inf") if hi is None else hi
            return [o for o in self.order_list if lo <= o[key] <= hi]
        seen = set()
        out = []
        for ts, o in idx[lo_i:hi_i]:
            if o[key] == ts and o["id"] not in seen:
                seen.add(o["id"])
                out.append(o)
        out.sort(key=_ID)
        return out

    def _filtered_orders(self, req):
        status = self._id_arg(req, "status_id")
        if status is not None and status not in STATUS_NAME:
            raise _ApiError(400, "The field 'status_id' is invalid.")
        min_id, max_id = self._id_arg(req, "min_id"), self._id_arg(req, "max_id")
        customer = self._id_arg(req, "customer_id")
        min_c, max_c = self._date_arg(req, "min_date_created"), self._date_arg(req, "max_date_created")
        min_m, max_m = self._date_arg(req, "min_date_modified"), self._date_arg(req, "max_date_modified")
        email = req.arg("email")
        pay = req.arg("payment_method")
        if min_m is not None or max_m is not None:
            cands = self._date_window("_by_m", "m", min_m, max_m)
            if status is None:
                cands = [o for o in cands if o["st"]]
            elif status is not None:
                cands = [o for o in cands if o["st"] == status]
        elif min_c is not None or max_c is not None:
            cands = self._date_window("_by_c", "c", min_c, max_c)
            cands = [o for o in cands if (o["st"] == status if status is not None else o["st"])]
        elif status is not None:
            if self._by_status is None:
                by = {}
                for o in self.order_list:
                    by.setdefault(o["st"], []).append(o)
                self._by_status = by
            cands = self._by_status.get(status, [])
        else:
            if self._visible is None:
                self._visible = [o for o in self.order_list if o["st"]]
            cands = self._visible
        if min_c is not None or max_c is not None:
            cands = [o for o in cands if (min_c is None or o["c"] >= min_c) and (max_c is None or o["c"] <= max_c)]
        if min_id is not None or max_id is not None:
            lo = 0 if min_id is None else bisect_left(cands, min_id, key=_ID)
            hi = len(cands) if max_id is None else bisect_right(cands, max_id, key=_ID)
            cands = cands[lo:hi]
        if customer is not None:
            cands = [o for o in cands if o["cust"] == customer]
        if email:
            email = email.lower()
            cands = [o for o in cands if self._email(o["bn"]) == email]
        if pay:
            cands = [o for o in cands if PAYMENT_METHODS[o["pm"]][0] == pay]
        return cands

    def _get_orders(self, req):
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        cands = self._filtered_orders(req)
        sort = req.arg("sort")
        if sort:
            field, _, direction = sort.partition(":")
            direction = direction.lower() or "asc"
            key = self._SORT_KEYS.get(field, "?")
            if key == "?" or direction not in ("asc", "desc"):
                raise _ApiError(400, "The field 'sort' is invalid.")
            if key is None:
                key = "id"
            if key != "id" or direction == "desc":
                cands = sorted(cands, key=itemgetter(key, "id"), reverse=direction == "desc")
        chunk = cands[(page - 1) * limit:page * limit]
        if not chunk:
            return self._no_content()
        host = self._host(req)
        return self._json(200, [self._render_order(o, host) for o in chunk])

    def _get_orders_count(self, req):
        counts = {}
        for o in self.order_list:
            counts[o["st"]] = counts.get(o["st"], 0) + 1
        statuses = [{"id": sid, "name": name, "system_label": name, "custom_label": name, "system_description": desc,
                     "count": counts.get(sid, 0), "sort_order": order} for sid, name, desc, order in ORDER_STATUSES]
        return self._json(200, {"statuses": statuses, "count": len(self.order_list)})

    def _get_order(self, req, order_id):
        order = self._order_or_404(order_id)
        return self._json(200, self._render_order(order, self._host(req)))

    def _update_order(self, req, order_id):
        order = self._order_or_404(order_id)
        body = self._body(req)
        if "status_id" in body:
            status = _int_arg(body["status_id"])
            if status not in STATUS_NAME:
                raise _ApiError(400, "The field 'status_id' is invalid.",
                                details={"invalid_reason": "The status_id must be one of the ids of /v2/order_statuses."})
        else:
            status = None
        for key in ("staff_notes", "customer_message", "payment_method", "external_id", "external_source"):
            if key in body and body[key] is not None and not isinstance(body[key], str):
                raise _ApiError(400, "The field '%s' is invalid." % key)
        for key, attr in (("staff_notes", "notes"), ("customer_message", "cmsg"), ("external_id", "ext"),
                          ("payment_provider_id", "ppid")):
            if key in body:
                order[attr] = body[key]
        if body.get("payment_method"):
            order["pmname"] = body["payment_method"]
        if status is not None and status != order["st"]:
            was_unpaid = order["st"] in UNPAID_STATUSES
            self._set_status(order, status, "api")
            if was_unpaid and status in PAID_STATUSES and order["ps"] in ("", "pending"):
                order["ps"] = "paid"
                self._add_tx(order, "purchase", self._amounts(order)["paid"])
                self.payments.append({"order_id": order["id"], "via": "status", "status": STATUS_NAME[status],
                                      "payment_status": "paid", "at": iso8601(time.time())})
            elif status == 5 and order["ps"] == "authorized":
                order["ps"] = "void"
        self._touch(order)
        return self._json(200, self._render_order(order, self._host(req)))

    def _email(self, idx):
        return "%s@example.com" % NAMES[idx][2]

    def _billing(self, o):
        first, last, _ = NAMES[o["bn"]]
        cinfo = COUNTRIES[o["cc"]]
        street1, street2, city, state, zip_code, phone = cinfo[3][o["ai"]]
        form_fields = []
        if o["vat"]:
            form_fields.append({"name": "USt-IdNr. / VAT number", "value": o["vat"]})
        return {
            "first_name": first, "last_name": last, "company": COMPANIES[o["co"]] if o["co"] >= 0 else "",
            "street_1": street1, "street_2": street2, "city": city, "state": state, "zip": zip_code,
            "country": cinfo[0], "country_iso2": o["cc"], "phone": phone, "email": self._email(o["bn"]),
            "form_fields": form_fields,
        }

    def _shipping_parts(self, o, k):
        cinfo = COUNTRIES[o["cc"]]
        if k == 0:
            idx = o["ai"]
            name = NAMES[o["bn"] if o["sn"] < 0 else o["sn"]]
        else:
            idx = (o["ai"] + k) % len(cinfo[3])
            name = NAMES[(o["bn"] + 7 * k) % len(NAMES)]
        street1, street2, city, state, zip_code, phone = cinfo[3][idx]
        return {
            "first_name": name[0], "last_name": name[1], "company": COMPANIES[o["co"]] if o["co"] >= 0 else "",
            "street_1": street1, "street_2": street2, "city": city, "state": state, "zip": zip_code,
            "country": cinfo[0], "country_iso2": o["cc"], "phone": phone,
            "email": "" if o["sn"] >= 0 or k else self._email(o["bn"]),
        }

    def _render_order(self, o, host):
        a = self._amounts(o)
        base = self._base(host)
        oid = o["id"]
        ship, hand, wrap = a["ship"], a["hand"], a["wrap"]
        pm = PAYMENT_METHODS[o["pm"]]
        items_total = sum(ln[L_Q] for ln in o["lines"])
        items_shipped = sum(ln[L_S] for ln in o["lines"])
        coupon = COUPONS[o["coupon"] - 1] if o["coupon"] else None
        offline = pm[3]
        provider_id = o.get("ppid")
        if provider_id is None:
            provider_id = "" if offline or o["ps"] in ("", "pending", "declined") else "%s_%08d" % (pm[1][:4], oid * 7919 % 10 ** 8)
        return {
            "id": oid,
            "customer_id": o["cust"],
            "date_created": rfc2822(o["c"]),
            "date_modified": rfc2822(o["m"]),
            "date_shipped": rfc2822(o["ds"]) if o["ds"] else "",
            "status_id": o["st"],
            "status": STATUS_NAME[o["st"]],
            "custom_status": STATUS_NAME[o["st"]],
            "subtotal_ex_tax": m4(a["sub_ex"]),
            "subtotal_inc_tax": m4(a["sub_inc"]),
            "subtotal_tax": m4(a["sub_inc"] - a["sub_ex"]),
            "base_shipping_cost": m4(ship[0]),
            "shipping_cost_ex_tax": m4(ship[1]),
            "shipping_cost_inc_tax": m4(ship[2]),
            "shipping_cost_tax": m4(ship[3]),
            "shipping_cost_tax_class_id": 0,
            "base_handling_cost": m4(hand[0]),
            "handling_cost_ex_tax": m4(hand[1]),
            "handling_cost_inc_tax": m4(hand[2]),
            "handling_cost_tax": m4(hand[3]),
            "handling_cost_tax_class_id": 0,
            "base_wrapping_cost": m4(wrap[0]),
            "wrapping_cost_ex_tax": m4(wrap[1]),
            "wrapping_cost_inc_tax": m4(wrap[2]),
            "wrapping_cost_tax": m4(wrap[3]),
            "wrapping_cost_tax_class_id": 0,
            "total_ex_tax": m4(a["total_ex"]),
            "total_inc_tax": m4(a["total_inc"]),
            "total_tax": m4(a["total_tax"]),
            "is_tax_inclusive_pricing": o["inc"],
            "items_total": items_total,
            "items_shipped": items_shipped,
            "payment_method": o.get("pmname") or pm[0],
            "payment_provider_id": provider_id,
            "payment_status": o["ps"],
            "refunded_amount": m4(a["refund"] if o["st"] in (4, 14) else 0),
            "order_is_digital": False,
            "store_credit_amount": m4(a["sc"]),
            "gift_certificate_amount": m4(a["gc"]),
            "ip_address": "" if o["src"] != "www" else "203.0.113.%d" % (oid % 250 + 1),
            "ip_address_v6": "",
            "geoip_country": COUNTRIES[o["cc"]][0] if o["src"] == "www" else "",
            "geoip_country_iso2": o["cc"] if o["src"] == "www" else "",
            "currency_id": 1,
            "currency_code": "EUR",
            "currency_exchange_rate": "1.0000000000",
            "default_currency_id": 1,
            "default_currency_code": "EUR",
            "store_default_currency_code": "EUR",
            "store_default_to_transactional_exchange_rate": "1.0000000000",
            "staff_notes": o.get("notes", "B2B – Rechnung mit USt-IdNr." if o["vat"] else ""),
            "customer_message": o.get("cmsg", MESSAGES[o["msg"]] if o["msg"] >= 0 else ""),
            "discount_amount": m4(a["discount"]),
            "coupon_discount": m4(a["discount"] if coupon else 0),
            "shipping_address_count": o["na"],
            "is_deleted": False,
            "ebay_order_id": "0",
            "cart_id": "" if o["src"] != "www" else str(uuid.UUID(int=(oid * 2654435761) % (1 << 128))),
            "billing_address": self._billing(o),
            "is_email_opt_in": bool(oid % 3 == 0),
            "credit_card_type": None,
            "order_source": o["src"],
            "channel_id": 1,
            "external_source": "M-MIG" if o["src"] == "external" else None,
            "products": {"url": "%s/orders/%d/products" % (base, oid), "resource": "/orders/%d/products" % oid},
            "shipping_addresses": {"url": "%s/orders/%d/shippingaddresses" % (base, oid),
                                   "resource": "/orders/%d/shippingaddresses" % oid},
            "coupons": {"url": "%s/orders/%d/coupons" % (base, oid), "resource": "/orders/%d/coupons" % oid},
            "external_id": o.get("ext"),
            "external_merchant_id": None,
            "tax_provider_id": "BasicTaxProvider" if o["rate"] else "",
            "customer_locale": "de" if o["cc"] in ("DE", "AT", "CH") else "en",
            "external_order_id": "",
        }

    def _render_product_line(self, o, k, host, amounts=None):
        a = amounts or self._amounts(o)
        ln = o["lines"][k]
        p_ex, p_inc, p_tax, t_ex, t_inc, t_tax, w, w_ex, w_inc = a["lines"][k]
        opid = o["pid"] + k
        if ln[L_V] < 0:
            name, sku, _ = CUSTOM_ITEMS[ln[L_C]]
            product_id = variant_id = 0
            upc = ""
            options = []
            weight = "0.0000"
            brand = ""
        else:
            variant = self.variants[ln[L_V]]
            product = self.products[variant["product_id"]]
            name, sku, product_id, variant_id = product["name"], variant["sku"], product["id"], variant["id"]
            upc = variant["gtin"]
            weight = "%.4f" % product["weight"]
            brand = "Sim Brand %d" % product["brand_id"]
            options = [{
                "id": opid * 10 + n, "option_id": v["option_id"], "order_product_id": opid,
                "product_option_id": v["option_id"], "display_name": v["option_display_name"],
                "display_name_customer": v["option_display_name"], "display_name_merchant": v["option_display_name"],
                "display_value": v["label"], "display_value_customer": v["label"], "display_value_merchant": v["label"],
                "value": str(v["id"]), "type": "Multiple choice", "name": v["option_display_name"],
                "display_style": "Rectangle",
            } for n, v in enumerate(variant["values"])]
        discounts = []
        if a["discount"]:
            share = a["discount"] * ln[L_Q] * ln[L_U] // max(1, a["entered"])
            coupon = COUPONS[o["coupon"] - 1] if o["coupon"] else None
            discounts.append({"id": "coupon" if coupon else "manual-discount", "amount": m4(share),
                              "name": "Coupon %s" % coupon[0] if coupon else "Manual Discount",
                              "code": coupon[0] if coupon else None, "target": "order"})
        else:
            share = 0
        wrapping = WRAPPINGS[ln[L_W]]
        refunded = o["st"] == 4 or (o["st"] == 14 and k == 0)
        return {
            "id": opid,
            "order_id": o["id"],
            "product_id": product_id,
            "variant_id": variant_id,
            "order_pickup_method_id": 0,
            "order_address_id": o["aid"] + ln[L_A],
            "name": name,
            "name_customer": name,
            "name_merchant": name,
            "sku": sku,
            "upc": upc,
            "type": "physical",
            "base_price": m4(ln[L_U]),
            "price_ex_tax": m4(p_ex),
            "price_inc_tax": m4(p_inc),
            "price_tax": m4(p_tax),
            "base_total": m4(ln[L_U] * ln[L_Q]),
            "total_ex_tax": m4(t_ex),
            "total_inc_tax": m4(t_inc),
            "total_tax": m4(t_tax),
            "discounted_total_inc_tax": m4(t_inc - (split_tax(share, o["rate"], o["inc"])[1] if share else 0)),
            "weight": weight,
            "width": "0.0000",
            "height": "0.0000",
            "depth": "0.0000",
            "quantity": ln[L_Q],
            "base_cost_price": "0.0000",
            "cost_price_inc_tax": "0.0000",
            "cost_price_ex_tax": "0.0000",
            "cost_price_tax": "0.0000",
            "is_refunded": refunded,
            "quantity_refunded": ln[L_Q] if refunded and o["st"] == 4 else (1 if refunded else 0),
            "refund_amount": m4(t_inc if refunded and o["st"] == 4 else (p_inc if refunded else 0)),
            "return_id": 0,
            "wrapping_id": wrapping[0],
            "wrapping_name": wrapping[1] or None if ln[L_W] else "",
            "base_wrapping_cost": m4(w),
            "wrapping_cost_ex_tax": m4(w_ex),
            "wrapping_cost_inc_tax": m4(w_inc),
            "wrapping_cost_tax": m4(w_inc - w_ex),
            "wrapping_message": GIFT_MESSAGES[ln[L_WM]] if ln[L_WM] >= 0 else "",
            "quantity_shipped": ln[L_S],
            "event_name": None,
            "event_date": None,
            "fixed_shipping_cost": "0.0000",
            "ebay_item_id": "",
            "ebay_transaction_id": "",
            "option_set_id": None,
            "parent_order_product_id": None,
            "is_bundled_product": False,
            "bin_picking_number": "",
            "external_id": None,
            "brand": brand,
            "gift_certificate_id": None,
            "applied_discounts": discounts,
            "product_options": options,
            "configurable_fields": [],
        }

    def _get_order_products(self, req, order_id):
        order = self._order_or_404(order_id)
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        a = self._amounts(order)
        host = self._host(req)
        ks = list(range(len(order["lines"])))[(page - 1) * limit:page * limit]
        if not ks:
            return self._no_content()
        return self._json(200, [self._render_product_line(order, k, host, a) for k in ks])

    def _get_order_product(self, req, order_id, product_id):
        order = self._order_or_404(order_id)
        k = (_int_arg(product_id) or -1) - order["pid"]
        if not 0 <= k < len(order["lines"]):
            raise _ApiError(404, "The requested resource was not found.")
        return self._json(200, self._render_product_line(order, k, self._host(req)))

    def _render_address(self, o, k, host, amounts=None):
        a = amounts or self._amounts(o)
        ship = a["ship"] if k == 0 else (0, 0, 0, 0)
        hand = a["hand"] if k == 0 else (0, 0, 0, 0)
        aid = o["aid"] + k
        base = self._base(host)
        out = self._shipping_parts(o, k)
        out.update({
            "id": aid,
            "order_id": o["id"],
            "items_total": sum(ln[L_Q] for ln in o["lines"] if ln[L_A] == k),
            "items_shipped": sum(ln[L_S] for ln in o["lines"] if ln[L_A] == k),
            "shipping_method": ("Versand DHL Paket" if o["cc"] == STORE_COUNTRY else "International Shipping")
            if ship[0] or k else "Free Shipping",
            "base_cost": m4(ship[0]),
            "cost_ex_tax": m4(ship[1]),
            "cost_inc_tax": m4(ship[2]),
            "cost_tax": m4(ship[3]),
            "cost_tax_class_id": 0,
            "base_handling_cost": m4(hand[0]),
            "handling_cost_ex_tax": m4(hand[1]),
            "handling_cost_inc_tax": m4(hand[2]),
            "handling_cost_tax": m4(hand[3]),
            "handling_cost_tax_class_id": 0,
            "shipping_zone_id": 1 if o["cc"] == STORE_COUNTRY else 2 if COUNTRIES[o["cc"]][2] else 3,
            "shipping_zone_name": "Deutschland" if o["cc"] == STORE_COUNTRY else "EU" if COUNTRIES[o["cc"]][2] else "Welt",
            "shipping_quotes": {"url": "%s/orders/%d/shippingaddresses/%d/shippingquotes" % (base, o["id"], aid),
                                "resource": "/orders/%d/shippingaddresses/%d/shippingquotes" % (o["id"], aid)},
            "form_fields": [],
        })
        return out

    def _get_order_addresses(self, req, order_id):
        order = self._order_or_404(order_id)
        a = self._amounts(order)
        host = self._host(req)
        return self._json(200, [self._render_address(order, k, host, a) for k in range(order["na"])])

    def _get_order_address(self, req, order_id, address_id):
        order = self._order_or_404(order_id)
        k = (_int_arg(address_id) or -1) - order["aid"]
        if not 0 <= k < order["na"]:
            raise _ApiError(404, "The requested resource was not found.")
        return self._json(200, self._render_address(order, k, self._host(req)))

    def _get_order_coupons(self, req, order_id):
        order = self._order_or_404(order_id)
        if not order["coupon"]:
            return self._no_content()
        code, kind, amount = COUPONS[order["coupon"] - 1]
        discount = self._amounts(order)["discount"]
        return self._json(200, [{"id": order["id"] * 10 + 1, "coupon_id": order["coupon"], "order_id": order["id"],
                                 "code": code, "amount": str(amount), "type": kind, "discount": discount / 100.0}])

    def _get_order_taxes(self, req, order_id):
        order = self._order_or_404(order_id)
        if not order["rate"]:
            return self._no_content()
        a = self._amounts(order)
        return self._json(200, [{
            "id": order["id"] * 10 + 3, "order_id": order["id"], "order_address_id": order["aid"], "tax_rate_id": 1,
            "tax_class_id": 0, "name": "MwSt. %d%%" % (order["rate"] // 100), "class": "Default Tax Class",
            "rate": "%.4f" % (order["rate"] / 100.0), "priority": 0, "priority_amount": m4(a["total_tax"]),
            "line_amount": m4(a["total_tax"]), "order_product_id": None, "line_item_type": "item",
        }])

    # -- shipments -------------------------------------------------------------------------------
    def _order_shipments(self, order):
        out = []
        if order["ship0"]:
            out.append({
                "id": order["id"], "address": 0, "date": order["ds"] or order["m"],
                "tracking_number": "00340434%010d" % (order["id"] * 7919 % 10 ** 10),
                "provider": "", "carrier": "dhl", "link": "", "comments": "", "method": "DHL Paket",
                "items": [(k, q) for k, q in order["ship0"]],
            })
        out.extend(order["shp"])
        return out

    def _render_shipment(self, o, s, host=None):
        ship_addr = self._shipping_parts(o, s["address"])
        billing = self._billing(o)
        billing.pop("form_fields", None)
        provider = s["provider"]
        tracking = s["tracking_number"]
        generated = ""
        if tracking:
            generated = (TRACKING_LINKS.get(provider) or "https://track.aftership.com/%s/%%s" % (s["carrier"] or "dhl")) % tracking
        return {
            "id": s["id"],
            "order_id": o["id"],
            "customer_id": o["cust"],
            "order_address_id": o["aid"] + s["address"],
            "date_created": rfc2822(s["date"]),
            "tracking_number": tracking,
            "merchant_shipping_cost": "0.0000",
            "shipping_method": s["method"],
            "comments": s["comments"],
            "shipping_provider": provider,
            "tracking_carrier": s["carrier"],
            "tracking_link": s["link"],
            "shipping_provider_display_name": provider.upper() if provider else "",
            "generated_tracking_link": generated,
            "billing_address": billing,
            "shipping_address": ship_addr,
            "items": [{"order_product_id": o["pid"] + k, "product_id": max(0, self._line_product_id(o["lines"][k])),
                       "quantity": q} for k, q in s["items"]],
        }

    def _line_product_id(self, ln):
        return 0 if ln[L_V] < 0 else self.variants[ln[L_V]]["product_id"]

    def _get_order_shipments(self, req, order_id):
        order = self._order_or_404(order_id)
        page, limit = self._page_limit(req, 50, self.ORDERS_MAX_LIMIT)
        shipments = self._order_shipments(order)[(page - 1) * limit:page * limit]
        if not shipments:
            return self._no_content()
        return self._json(200, [self._render_shipment(order, s) for s in shipments])

    def _get_order_shipments_count(self, req, order_id):
        order = self._order_or_404(order_id)
        return self._json(200, {"count": len(self._order_shipments(order))})

    def _get_order_shipment(self, req, order_id, shipment_id):
        order = self._order_or_404(order_id)
        sid = _int_arg(shipment_id)
        for s in self._order_shipments(order):
            if s["id"] == sid:
                return self._json(200, self._render_shipment(order, s))
        raise _ApiError(404, "The requested resource was not found.")

    def _create_order_shipment(self, req, order_id):
        order = self._order_or_404(order_id)
        body = self._body(req)

        def invalid(field, reason):
            raise _ApiError(400, "The field '%s' is invalid." % field, details={"invalid_reason": reason})

        for field in ("order_address_id", "items"):
            if field not in body or body[field] in (None, ""):
                raise _ApiError(400, "The required field '%s' was not supplied." % field)
        k_addr = _int_arg(body["order_address_id"])
        if k_addr is None:
            invalid("order_address_id", "The order_address_id must be an integer.")
        k_addr -= order["aid"]
        if not 0 <= k_addr < order["na"]:
            invalid("order_address_id", "The order address %s does not belong to order %d."
                    % (body["order_address_id"], order["id"]))
        for field, maximum in (("tracking_number", 50), ("tracking_link", 500), ("comments", 65535),
                               ("tracking_carrier", 100), ("shipping_method", 250), ("merchant_shipping_cost", 50)):
            value = body.get(field)
            if value is not None and (not isinstance(value, str) or len(value) > maximum):
                invalid(field, "The %s must be a string of at most %d characters." % (field, maximum))
        provider = body.get("shipping_provider", "")
        if provider is None:
            provider = ""
        if not isinstance(provider, str) or not (provider in SHIPPING_PROVIDERS or re.match(r"^carrier_\w+$", provider)):
            invalid("shipping_provider", "The shipping_provider must be one of %s or carrier_{id}."
                    % ", ".join(sorted(p for p in SHIPPING_PROVIDERS if p)))
        items = body["items"]
        if not isinstance(items, list) or not items:
            invalid("items", "The items must be a non-empty array.")
        wanted = {}
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                invalid("items", "Item %d must be an object." % n)
            for field in ("order_product_id", "quantity"):
                if field not in item:
                    raise _ApiError(400, "The required field 'items.%s' was not supplied." % field)
            k = _int_arg(item["order_product_id"])
            qty = item["quantity"]
            if k is None or not 0 <= k - order["pid"] < len(order["lines"]):
                invalid("items", "The order product %r does not belong to order %d." % (item["order_product_id"], order["id"]))
            k -= order["pid"]
            if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                invalid("items", "The quantity must be a positive integer.")
            if order["lines"][k][L_A] != k_addr:
                invalid("items", "The order product %d is not shipped to order address %s."
                        % (order["pid"] + k, body["order_address_id"]))
            wanted[k] = wanted.get(k, 0) + qty
        for k, qty in wanted.items():
            ln = order["lines"][k]
            if ln[L_S] + qty > ln[L_Q]:
                raise _ApiError(400, "The quantity specified is greater than the quantity of the product that is "
                                     "available to ship.", details={"invalid_reason": "order_product_id %d: %d ordered, "
                                                                    "%d shipped, %d asked" % (order["pid"] + k, ln[L_Q], ln[L_S], qty)})
        for k, qty in wanted.items():
            order["lines"][k][L_S] += qty
        self._shipment_seq += 1
        now = time.time()
        shipment = {
            "id": self._shipment_seq, "address": k_addr, "date": now,
            "tracking_number": body.get("tracking_number") or "", "provider": provider,
            "carrier": body.get("tracking_carrier") or "", "link": body.get("tracking_link") or "",
            "comments": body.get("comments") or "", "method": body.get("shipping_method") or "None",
            "items": sorted(wanted.items()),
        }
        order["shp"].append(shipment)
        if order["st"] not in NO_SHIP_STATUS_CHANGE:
            fully = all(ln[L_S] >= ln[L_Q] for ln in order["lines"])
            self._set_status(order, 2 if fully else 3, "shipment")
        self._touch(order)
        rendered = self._render_shipment(order, shipment)
        self.shipments.append(rendered)
        return self._json(201, rendered)

    def _get_order_statuses(self, req):
        return self._json(200, [{"id": sid, "name": name, "system_label": name, "custom_label": name,
                                 "system_description": desc, "order": order} for sid, name, desc, order in ORDER_STATUSES])

    def _get_order_status(self, req, status_id):
        sid = _int_arg(status_id)
        if sid not in STATUS_NAME:
            raise _ApiError(404, "The requested resource was not found.")
        row = ORDER_STATUSES[sid]
        return self._json(200, {"id": sid, "name": row[1], "system_label": row[1], "custom_label": row[1],
                                "system_description": row[2], "order": row[3]})

    def _get_payment_methods(self, req):
        page, limit = self._page_limit(req, 50, 250)
        rows = list(PAYMENT_METHOD_LIST)[(page - 1) * limit:page * limit]
        if not rows:
            return self._no_content()
        return self._json(200, rows)

    # ========================================================================================
    # v3: catalog
    # ========================================================================================
    def _meta(self, total, page, limit, count):
        pages = (total + limit - 1) // limit if total else 0
        links = {"current": "?page=%d&limit=%d" % (page, limit)}
        if page > 1:
            links["previous"] = "?page=%d&limit=%d" % (page - 1, limit)
        if page < pages:
            links["next"] = "?page=%d&limit=%d" % (page + 1, limit)
        return {"pagination": {"total": total, "count": count, "per_page": limit, "current_page": page,
                               "total_pages": pages, "links": links}}

    def _stock_total(self, vid):
        total = 0
        for loc in self.locations:
            q = self.stock.get((vid, loc))
            if q:
                total += max(0, q - self.safety.get((vid, loc), 0))
        return total

    def _render_variant(self, v):
        product = self.products[v["product_id"]]
        price, sale = self._variant_price(v)
        return {
            "id": v["id"],
            "product_id": v["product_id"],
            "sku": v["sku"],
            "sku_id": v["sku_id"],
            "price": money_float(v["price"]),
            "calculated_price": money_float(self._unit_price(v)),
            "sale_price": money_float(v["sale"]),
            "retail_price": money_float(v["retail"]),
            "cost_price": money_float(v["cost"]),
            "weight": None,
            "calculated_weight": product["weight"],
            "width": None,
            "height": None,
            "depth": None,
            "is_free_shipping": False,
            "fixed_cost_shipping_price": None,
            "purchasing_disabled": v["disabled"],
            "purchasing_disabled_message": "",
            "image_url": "",
            "upc": v["gtin"],
            "mpn": product["mpn"] or None,
            "gtin": v["gtin"],
            "inventory_level": self._stock_total(v["id"]),
            "inventory_warning_level": v["warning"],
            "bin_picking_number": "",
            "option_values": [dict(x) for x in v["values"]],
        }

    def _render_product(self, p, include=()):
        base = self.variants[p["base"]] if p["base"] else None
        slug = re.sub(r"[^a-z0-9]+", "-", p["name"].lower()).strip("-")
        out = {
            "id": p["id"],
            "name": p["name"],
            "type": "physical",
            "sku": p["sku"],
            "description": "<p>%s – simuliertes Produkt.</p>" % p["name"],
            "weight": p["weight"],
            "width": 0, "depth": 0, "height": 0,
            "price": money_float(p["price"]),
            "cost_price": money_float(p["cost"]),
            "retail_price": money_float(p["retail"]),
            "sale_price": money_float(p["sale"]),
            "map_price": 0,
            "tax_class_id": 0,
            "product_tax_code": "",
            "calculated_price": money_float(p["sale"] if p["sale"] and p["sale"] < p["price"] else p["price"]),
            "categories": list(p["categories"]),
            "brand_id": p["brand_id"],
            "inventory_level": sum(self._stock_total(v["id"]) for v in p["variants"]) if p["tracking"] != "none" else 0,
            "inventory_warning_level": 5,
            "inventory_tracking": p["tracking"],
            "reviews_rating_sum": 0,
            "reviews_count": 0,
            "total_sold": p["sold"],
            "fixed_cost_shipping_price": 0,
            "is_free_shipping": False,
            "is_visible": p["visible"],
            "is_featured": False,
            "related_products": [-1],
            "warranty": "",
            "bin_picking_number": "",
            "layout_file": "product.html",
            "upc": p["upc"],
            "mpn": p["mpn"],
            "gtin": base["gtin"] if base else "",
            "search_keywords": "",
            "availability": "available",
            "availability_description": "",
            "gift_wrapping_options_type": "any",
            "gift_wrapping_options_list": [],
            "sort_order": 0,
            "condition": "New",
            "is_condition_shown": False,
            "order_quantity_minimum": 0,
            "order_quantity_maximum": 0,
            "page_title": "",
            "meta_keywords": [],
            "meta_description": "",
            "view_count": 0,
            "preorder_release_date": None,
            "preorder_message": "",
            "is_preorder_only": False,
            "is_price_hidden": False,
            "price_hidden_label": "",
            "custom_url": {"url": "/%s/" % slug, "is_customized": False},
            "open_graph_type": "product",
            "open_graph_title": "",
            "open_graph_description": "",
            "open_graph_use_meta_description": True,
            "open_graph_use_product_name": True,
            "open_graph_use_image": True,
            "base_variant_id": p["base"],
            "date_created": iso8601(p["created"]),
            "date_modified": iso8601(p["modified"]),
        }
        if "variants" in include:
            out["variants"] = [self._render_variant(v) for v in p["variants"]]
        if "options" in include:
            out["options"] = [{
                "id": oid, "product_id": p["id"], "display_name": label, "type": "rectangles",
                "config": {}, "sort_order": n,
                "option_values": sorted({(v2["id"], v2["label"]) for v in p["variants"] for v2 in v["values"]
                                         if v2["option_id"] == oid}),
            } for n, (oid, label) in enumerate(p["options"])]
            for opt in out["options"]:
                opt["option_values"] = [{"id": i, "label": lbl, "sort_order": n, "value_data": {}, "is_default": False}
                                        for n, (i, lbl) in enumerate(opt["option_values"])]
        if "images" in include:
            out["images"] = []
        if "custom_fields" in include:
            out["custom_fields"] = []
        return out

    def _fields(self, req, obj):
        include_fields = req.args("include_fields")
        exclude_fields = req.args("exclude_fields")
        if include_fields:
            keep = set(include_fields) | {"id"}
            obj = {k: v for k, v in obj.items() if k in keep or k in ("variants", "options", "images")}
        for field in exclude_fields:
            if field != "id":
                obj.pop(field, None)
        return obj

    def _v3_id(self, value, what):
        number = _int_arg(value)
        if number is None:
            raise _ApiError(404, "The %s was not found." % what)
        return number

    def _product_or_404(self, product_id):
        product = self.products.get(self._v3_id(product_id, "product"))
        if product is None:
            raise _ApiError(404, "The product was not found.")
        return product

    def _get_products(self, req):
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        products = self.product_list
        sku = req.arg("sku")
        if sku is not None:
            products = [p for p in products if p["sku"] == sku]
        skus = req.args("sku:in")
        if skus:
            wanted = set(skus)
            products = [p for p in products if p["sku"] in wanted]
        ids = [_int_arg(x) for x in req.args("id:in")] + ([_int_arg(req.arg("id"))] if req.arg("id") else [])
        if ids:
            if None in ids:
                raise _ApiError(422, "The filter(s): id:in are not valid filter parameter(s).", {"id:in": "must be integers"})
            wanted = set(ids)
            products = [p for p in products if p["id"] in wanted]
        if req.arg("name"):
            products = [p for p in products if p["name"] == req.arg("name")]
        if req.arg("is_visible") in ("true", "1", "false", "0"):
            visible = req.arg("is_visible") in ("true", "1")
            products = [p for p in products if p["visible"] == visible]
        modified_min = req.arg("date_modified:min")
        if modified_min:
            ts = parse_date(modified_min)
            if ts is None:
                raise _ApiError(422, "The filter(s): date_modified:min are not valid filter parameter(s).",
                                {"date_modified:min": "must be a date"})
            products = [p for p in products if p["modified"] >= ts]
        include = set(req.args("include"))
        chunk = products[(page - 1) * limit:page * limit]
        data = [self._fields(req, self._render_product(p, include)) for p in chunk]
        return self._json(200, {"data": data, "meta": self._meta(len(products), page, limit, len(data))})

    def _get_product(self, req, product_id):
        product = self._product_or_404(product_id)
        data = self._fields(req, self._render_product(product, set(req.args("include"))))
        return self._json(200, {"data": data, "meta": {}})

    _MONEY_FIELDS = ("price", "sale_price", "retail_price", "cost_price")
    _MONEY_KEYS = {"price": "price", "sale_price": "sale", "retail_price": "retail", "cost_price": "cost"}

    def _check_product_update(self, body, errors, prefix=""):
        for field in self._MONEY_FIELDS:
            if field in body and not (_is_number(body[field]) and body[field] >= 0):
                errors[prefix + field] = "error.expected.jsnumber" if not _is_number(body[field]) else "must be >= 0"
        for field in ("name", "sku"):
            if field in body and not (isinstance(body[field], str) and 1 <= len(body[field]) <= 250):
                errors[prefix + field] = "error.expected.jsstring"
        if "is_visible" in body and not isinstance(body["is_visible"], bool):
            errors[prefix + "is_visible"] = "error.expected.jsboolean"
        if "inventory_level" in body and not (isinstance(body["inventory_level"], int) and 0 <= body["inventory_level"] <= MAX_INT):
            errors[prefix + "inventory_level"] = "error.expected.jsnumber"
        if "inventory_tracking" in body and body["inventory_tracking"] not in ("none", "product", "variant"):
            errors[prefix + "inventory_tracking"] = "must be one of none, product, variant"

    def _apply_product_update(self, product, body, source):
        for field in self._MONEY_FIELDS:
            if field in body:
                key = self._MONEY_KEYS[field]
                cents = int(round(body[field] * 100))
                if product[key] != cents:
                    self._log_price(product["sku"], product["id"], None, field, product[key], cents, source)
                    product[key] = cents
                    for v in product["variants"]:
                        self.prices_touched.add(v["id"])
        if "sku" in body and body["sku"] != product["sku"]:
            other = self.sku_index.get(body["sku"])
            if other and not (other[0] == "p" and other[1] is product) and not (
                    other[0] == "v" and other[1]["product_id"] == product["id"]):
                raise _ApiError(409, "Product was in conflict with another product: the SKU %s is in use." % body["sku"],
                                {"sku": "duplicate"})
            self.sku_index.pop(product["sku"], None)
            product["sku"] = body["sku"]
            if product["base"]:
                base = self.variants[product["base"]]
                base["sku"] = body["sku"]
                self.sku_index[body["sku"]] = ("v", base)
            else:
                self.sku_index[body["sku"]] = ("p", product)
        if "name" in body:
            product["name"] = body["name"]
        if "is_visible" in body:
            product["visible"] = body["is_visible"]
        if "inventory_tracking" in body:
            product["tracking"] = body["inventory_tracking"]
        if "inventory_level" in body and product["base"]:
            key = (product["base"], 1)  # the Catalog API writes the default location through the Inventory API
            self.stock[key] = body["inventory_level"]
            self.stock_touched.add(key)
            self.adjustments.append({"transaction_id": str(uuid.uuid4()), "kind": "catalog", "reason": "catalog API",
                                     "items": [{"sku": product["sku"], "location_id": 1, "quantity": body["inventory_level"]}],
                                     "status": "applied", "at": iso8601(time.time())})
        product["modified"] = time.time()

    def _log_price(self, sku, product_id, variant_id, field, old, new, source):
        self.price_updates.append({
            "sku": sku, "product_id": product_id, "variant_id": variant_id, "field": field,
            "old": money_float(old), "new": money_float(new), "source": source, "at": iso8601(time.time()),
        })

    def _update_product(self, req, product_id):
        product = self._product_or_404(product_id)
        body = self._body(req)
        errors = {}
        self._check_product_update(body, errors)
        if errors:
            raise _ApiError(422, "JSON data is missing or invalid", errors)
        self._apply_product_update(product, body, "updateProduct")
        return self._json(200, {"data": self._render_product(product, set(req.args("include"))), "meta": {}})

    def _update_products(self, req):
        body = self._body(req, list)
        if len(body) > self.PRODUCTS_BATCH:
            raise _ApiError(413, "The request payload is too large. The maximum items allowed in the array is %d."
                            % self.PRODUCTS_BATCH, {})
        errors = {}
        targets = []
        for n, item in enumerate(body):
            if not isinstance(item, dict) or _int_arg(item.get("id")) is None:
                errors["%d.id" % n] = "error.path.missing"
                continue
            product = self.products.get(_int_arg(item["id"]))
            if product is None:
                raise _ApiError(404, "The product %s was not found." % item["id"])
            self._check_product_update(item, errors, "%d." % n)
            targets.append((product, item))
        if errors:
            raise _ApiError(422, "JSON data is missing or invalid", errors)
        for product, item in targets:
            self._apply_product_update(product, item, "updateProducts")
        return self._json(200, {"data": [self._render_product(p) for p, _ in targets], "meta": {}})

    def _variant_or_404(self, product, variant_id):
        vid = self._v3_id(variant_id, "variant")
        variant = self.variants.get(vid)
        if variant is None or variant["product_id"] != product["id"]:
            raise _ApiError(404, "The variant was not found.")
        return variant

    def _get_product_variants(self, req, product_id):
        product = self._product_or_404(product_id)
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        rows = product["variants"][(page - 1) * limit:page * limit]
        data = [self._fields(req, self._render_variant(v)) for v in rows]
        return self._json(200, {"data": data, "meta": self._meta(len(product["variants"]), page, limit, len(data))})

    def _get_product_variant(self, req, product_id, variant_id):
        product = self._product_or_404(product_id)
        variant = self._variant_or_404(product, variant_id)
        return self._json(200, {"data": self._fields(req, self._render_variant(variant)), "meta": {}})

    def _check_variant_update(self, body, errors, prefix=""):
        for field in self._MONEY_FIELDS:
            if field in body and body[field] is not None and not (_is_number(body[field]) and body[field] >= 0):
                errors[prefix + field] = "error.expected.jsnumber" if not _is_number(body[field]) else "must be >= 0"
        if "sku" in body and not (isinstance(body["sku"], str) and 1 <= len(body["sku"]) <= 255):
            errors[prefix + "sku"] = "error.expected.jsstring"
        if "purchasing_disabled" in body and not isinstance(body["purchasing_disabled"], bool):
            errors[prefix + "purchasing_disabled"] = "error.expected.jsboolean"

    def _apply_variant_update(self, variant, body, source):
        for field in self._MONEY_FIELDS:
            if field in body:
                key = self._MONEY_KEYS[field]
                cents = None if body[field] is None else int(round(body[field] * 100))
                if variant[key] != cents:
                    self._log_price(variant["sku"], variant["product_id"], variant["id"], field, variant[key], cents, source)
                    variant[key] = cents
                    self.prices_touched.add(variant["id"])
        if "sku" in body and body["sku"] != variant["sku"]:
            if body["sku"] in self.sku_index:
                raise _ApiError(409, "The SKU %s is in use." % body["sku"], {"sku": "duplicate"})
            self.sku_index.pop(variant["sku"], None)
            variant["sku"] = body["sku"]
            self.sku_index[body["sku"]] = ("v", variant)
        if "purchasing_disabled" in body:
            variant["disabled"] = body["purchasing_disabled"]
        self.products[variant["product_id"]]["modified"] = time.time()

    def _update_product_variant(self, req, product_id, variant_id):
        product = self._product_or_404(product_id)
        variant = self._variant_or_404(product, variant_id)
        body = self._body(req)
        errors = {}
        self._check_variant_update(body, errors)
        if errors:
            raise _ApiError(422, "JSON data is missing or invalid", errors)
        self._apply_variant_update(variant, body, "updateProductVariant")
        return self._json(200, {"data": self._render_variant(variant), "meta": {}})

    def _get_variants(self, req):
        page, limit = self._page_limit(req, 50, self.CATALOG_MAX_LIMIT)
        rows = self.variant_list
        if req.arg("sku"):
            rows = [v for v in rows if v["sku"] == req.arg("sku")]
        if req.arg("id"):
            vid = _int_arg(req.arg("id"))
            rows = [v for v in rows if v["id"] == vid]
        pids = req.args("product_id:in")
        if pids:
            wanted = {_int_arg(x) for x in pids}
            rows = [v for v in rows if v["product_id"] in wanted]
        chunk = rows[(page - 1) * limit:page * limit]
        data = [self._fields(req, self._render_variant(v)) for v in chunk]
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    def _update_variants_batch(self, req):
        body = self._body(req, list)
        if len(body) > self.VARIANTS_BATCH:
            raise _ApiError(413, "The request payload is too large. The maximum items allowed in the array is %d"
                            % self.VARIANTS_BATCH, {})
        batch_errors = []
        targets = []
        for n, item in enumerate(body):
            errors = {}
            variant = None
            if not isinstance(item, dict) or _int_arg(item.get("id")) is None:
                errors["id"] = "error.path.missing"
            else:
                variant = self.variants.get(_int_arg(item["id"]))
                if variant is None:
                    errors["id"] = "variant %s not found" % item["id"]
                else:
                    self._check_variant_update(item, errors)
            if errors:
                batch_errors.append({"status": 422, "title": "JSON data is missing or invalid", "type": V3_ERROR_TYPE,
                                     "errors": dict(errors, index=str(n))})
            else:
                targets.append((variant, item))
        if batch_errors:
            return self._json(422, {"batch_errors": batch_errors})
        for variant, item in targets:
            self._apply_variant_update(variant, item, "updateVariantsBatch")
        return self._json(200, {"data": [self._render_variant(v) for v, _ in targets], "meta": {}})

    # ========================================================================================
    # v3: inventory
    # ========================================================================================
    def _resolve_item(self, item):
        """(variant id, product) for an adjustment item, or raise 422 as the real service does."""
        ids = [k for k in ("variant_id", "product_id", "sku") if item.get(k) not in (None, "")]
        if len(ids) != 1:
            raise _ApiError(422, "Payload contains invalid fields", {
                "items": "each item needs exactly one of variant_id, product_id or sku"},
                content_type="application/problem+json")
        kind = ids[0]
        value = item[kind]
        if kind == "sku":
            hit = self.sku_index.get(value) if isinstance(value, str) else None
            if hit is None:
                raise _ApiError(422, "Items with identity: [sku %s] not found" % value, {},
                                content_type="application/problem+json")
            if hit[0] == "v":
                return hit[1]["id"]
            kind, value = "product_id", hit[1]["id"]
        number = _int_arg(value)
        if kind == "variant_id":
            variant = self.variants.get(number)
            if variant is None:
                raise _ApiError(422, "Items with identity: [variant_id %s] not found" % value, {},
                                content_type="application/problem+json")
            product = self.products[variant["product_id"]]
            if product["tracking"] == "product" and not product["base"]:
                raise _ApiError(422, "[Item with variant_id %d is tracked by product, please update stock by product id]"
                                % number, {}, content_type="application/problem+json")
            return variant["id"]
        product = self.products.get(number)
        if product is None:
            raise _ApiError(422, "Items with identity: [product_id %s] not found" % value, {},
                            content_type="application/problem+json")
        if not product["base"]:
            raise _ApiError(422, "[Item with product_id %d is tracked by variant, please update stock by variant id]"
                            % number, {}, content_type="application/problem+json")
        return product["base"]

    def _adjustment_items(self, req, relative):
        body = self._body(req)
        items = body.get("items")
        problem = "application/problem+json"
        if not isinstance(items, list) or not items:
            raise _ApiError(422, "Payload contains invalid fields", {"items": "must be a non-empty array"},
                            content_type=problem)
        if len(items) > self.INVENTORY_MAX_ITEMS:
            raise _ApiError(422, "Payload contains invalid fields", {
                "items": "The request payload is too large. The maximum items allowed in the array is %d; %d given."
                         % (self.INVENTORY_MAX_ITEMS, len(items))}, content_type=problem)
        if "reason" in body and body["reason"] is not None and not isinstance(body["reason"], str):
            raise _ApiError(422, "Payload contains invalid fields", {"reason": "error.expected.jsstring"}, content_type=problem)
        changes = []
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise _ApiError(422, "Payload contains invalid fields", {"items.%d" % n: "must be an object"},
                                content_type=problem)
            loc = _int_arg(item.get("location_id"))
            if loc is None:
                raise _ApiError(422, "Payload contains invalid fields", {"items.%d.location_id" % n: "error.path.missing"},
                                content_type=problem)
            if loc not in self.locations:
                raise _ApiError(422, "Location with id %s not found" % loc, {}, content_type=problem)
            qty = item.get("quantity")
            if not isinstance(qty, int) or isinstance(qty, bool) or abs(qty) > MAX_INT or (qty < 0 and not relative):
                raise _ApiError(422, "Payload contains invalid fields", {
                    "items.%d.quantity" % n: "must be an integer between %s and %d" % ("-%d" % MAX_INT if relative else "0",
                                                                                        MAX_INT)}, content_type=problem)
            vid = self._resolve_item(item)
            changes.append(((vid, loc), qty, relative))
        if relative:
            projected = {}
            for key, qty, _ in changes:
                if key not in self.stock and key not in projected:
                    variant = self.variants[key[0]]
                    raise _ApiError(422, "Items with identity: [variant_id %d] requires absolute adjustment before "
                                         "relative" % variant["id"], {}, content_type=problem)
                projected[key] = projected.get(key, self.stock.get(key, 0)) + qty
                if projected[key] < self.safety.get(key, 0):
                    raise _ApiError(422, "Items with identity: [variant_id %d] at location %d have insufficient stock: "
                                         "%d on hand, adjustment %d" % (key[0], key[1], self.stock.get(key, 0), qty),
                                    {}, content_type=problem)
        txn = {
            "transaction_id": str(uuid.uuid4()),
            "kind": "relative" if relative else "absolute",
            "reason": body.get("reason") or "",
            "items": [{"sku": self.variants[k[0]]["sku"], "variant_id": k[0], "location_id": k[1], "quantity": q}
                      for k, q, _ in changes] if len(changes) <= 200 else len(changes),
            "status": "pending",
            "at": iso8601(time.time()),
        }
        self.adjustments.append(txn)
        self.pending_adjustments.append((time.time() + self.inventory_delay, txn, changes))
        if self.inventory_delay <= 0:
            self._apply_due()
        return self._json(200, {"transaction_id": txn["transaction_id"]})

    def _absolute_adjustment(self, req):
        return self._adjustment_items(req, relative=False)

    def _relative_adjustment(self, req):
        return self._adjustment_items(req, relative=True)

    def _location_item(self, vid, loc):
        key = (vid, loc)
        onhand = self.stock.get(key, 0)
        safety = self.safety.get(key, 0)
        return {
            "available_to_sell": max(0, onhand - safety),
            "total_inventory_onhand": onhand,
            "settings": {"safety_stock": safety, "is_in_stock": onhand - safety > 0,
                         "warning_level": self.variants[vid]["warning"], "bin_picking_number": ""},
        }

    def _identity(self, v):
        return {"sku": v["sku"], "variant_id": v["id"], "product_id": v["product_id"],
                "sku_id": v["sku_id"] if v["sku_id"] is not None else v["id"] + 3000}

    def _inventory_rows(self, req):
        rows = self.variant_list
        skus = req.args("sku:in")
        if skus:
            wanted = set(skus)
            rows = [v for v in rows if v["sku"] in wanted]
        for arg, key in (("variant_id:in", "id"), ("product_id:in", "product_id")):
            values = req.args(arg)
            if values:
                wanted = {_int_arg(x) for x in values}
                rows = [v for v in rows if v[key] in wanted]
        return rows

    def _get_inventory_items(self, req):
        page, limit = self._page_limit(req, 50, 1000)
        rows = self._inventory_rows(req)
        locs = [self.locations[i] for i in sorted(self.locations)]
        wanted_locs = {_int_arg(x) for x in req.args("location_id:in")}
        wanted_codes = set(req.args("location_code:in"))
        if wanted_locs:
            locs = [loc for loc in locs if loc[0] in wanted_locs]
        if wanted_codes:
            locs = [loc for loc in locs if loc[1] in wanted_codes]
        chunk = rows[(page - 1) * limit:page * limit]
        data = []
        for v in chunk:
            entry = {"identity": self._identity(v), "locations": []}
            for loc in locs:
                item = self._location_item(v["id"], loc[0])
                item.update({"location_id": loc[0], "location_code": loc[1], "location_name": loc[2],
                             "location_enabled": loc[4]})
                entry["locations"].append(item)
            data.append(entry)
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    def _get_location_items(self, req, location_id):
        loc = self.locations.get(_int_arg(location_id))
        if loc is None:
            raise _ApiError(404, "Location with id %s not found" % location_id, {}, content_type="application/problem+json")
        page, limit = self._page_limit(req, 50, 1000)
        rows = self._inventory_rows(req)
        chunk = rows[(page - 1) * limit:page * limit]
        data = []
        for v in chunk:
            item = {"identity": {"sku": v["sku"], "variant_id": v["id"], "product_id": v["product_id"]}}
            item.update(self._location_item(v["id"], loc[0]))
            data.append(item)
        return self._json(200, {"data": data, "meta": self._meta(len(rows), page, limit, len(data))})

    def _get_locations(self, req):
        page, limit = self._page_limit(req, 50, 1000)
        locs = [self.locations[i] for i in sorted(self.locations)]
        ids = {_int_arg(x) for x in req.args("location_id:in")}
        if ids:
            locs = [loc for loc in locs if loc[0] in ids]
        codes = set(req.args("location_code:in"))
        if codes:
            locs = [loc for loc in locs if loc[1] in codes]
        if req.arg("is_active") in ("true", "false"):
            active = req.arg("is_active") == "true"
            locs = [loc for loc in locs if loc[4] == active]
        hours = {"open": True, "opening": "09:00", "closing": "18:00"}
        chunk = locs[(page - 1) * limit:page * limit]
        data = [{
            "id": loc[0], "code": loc[1], "label": loc[2], "description": "", "managed_by_external_source": False,
            "type_id": loc[3], "enabled": loc[4],
            "operating_hours": {day: dict(hours, open=day not in ("sunday",)) for day in (
                "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")},
            "time_zone": "Europe/Warsaw" if loc[5][4] == "PL" else "Europe/Berlin",
            "created_at": iso8601(self.now - 400 * 86400), "updated_at": iso8601(self.now - 30 * 86400),
            "address": {"address1": loc[5][0], "address2": "", "city": loc[5][1], "state": loc[5][2], "zip": loc[5][3],
                        "email": "lager%d@sim-store.example" % loc[0], "phone": "+49 40 5550100",
                        "geo_coordinates": {"latitude": 53.55, "longitude": 9.99}, "country_code": loc[5][4]},
            "storefront_visibility": loc[4],
            "special_hours": [],
        } for loc in chunk]
        return self._json(200, {"data": data, "meta": self._meta(len(locs), page, limit, len(data))})

    # ========================================================================================
    # v3: order transactions and payment actions
    # ========================================================================================
    def _tx(self, o, k, event, method, gateway, amount, status="ok", **extra):
        out = {
            "id": o["id"] * 100 + k,
            "order_id": str(o["id"]),
            "event": event,
            "method": method,
            "amount": round(amount / 100.0, 2),
            "currency": "EUR",
            "gateway": gateway,
            "gateway_transaction_id": "%s-%d-%d" % (gateway, o["id"], k),
            "payment_method_id": "%s.%s" % (gateway, "card" if method == "credit_card" else method),
            "status": status,
            "test": gateway == "testgateway",
            "fraud_review": False,
            "date_created": iso8601(o["c"] + 60 * k),
            "avs_result": {"code": "", "message": "", "street_match": "", "postal_match": ""},
            "cvv_result": {"code": "", "message": ""},
            "offline": None,
            "custom": None,
            "gift_certificate": None,
            "store_credit": None,
            "payment_instrument_token": None,
        }
        if method == "credit_card":
            out["credit_card"] = {"card_type": "visa" if o["id"] % 2 else "master", "card_iin": "411111",
                                  "card_last4": "%04d" % (o["id"] * 37 % 10000), "card_expiry_month": 1 + o["id"] % 12,
                                  "card_expiry_year": 2028}
        if method == "offline":
            out["offline"] = {"display_name": PAYMENT_METHODS[o["pm"]][0]}
        out.update(extra)
        return out

    def _transactions(self, o):
        a = self._amounts(o)
        name, gateway, method, offline = PAYMENT_METHODS[o["pm"]]
        out = []
        k = 1
        if a["gc"]:
            out.append(self._tx(o, k, "purchase", "gift_certificate", "giftcertificate", a["gc"], gift_certificate={
                "code": "GC-%06d" % (o["id"] * 13 % 10 ** 6), "original_balance": 50.0,
                "starting_balance": 50.0, "remaining_balance": round(max(0, 5000 - a["gc"]) / 100.0, 2), "status": "active"}))
            k += 1
        if a["sc"]:
            out.append(self._tx(o, k, "purchase", "store_credit", "storecredit", a["sc"],
                                store_credit={"remaining_balance": 0.0}))
            k += 1
        paid = a["paid"]
        ps0 = o["ps0"]
        if paid > 0 and o["pm"] != PM_GC:
            if ps0 in ("captured", "refunded", "partially refunded", "held for review") or (offline and ps0 == "paid"):
                out.append(self._tx(o, k, "purchase", method, gateway, paid))
                k += 1
            elif ps0 in ("authorized", "void"):
                out.append(self._tx(o, k, "authorization", method, gateway, paid))
                k += 1
                if ps0 == "void":
                    out.append(self._tx(o, k, "void", method, gateway, paid))
                    k += 1
            elif ps0 == "declined":
                out.append(self._tx(o, k, "authorization", method, gateway, paid, status="error"))
                k += 1
            if ps0 in ("refunded", "partially refunded"):
                out.append(self._tx(o, k, "refund", method, gateway, a["refund"]))
                k += 1
        for extra in o["tx"]:
            out.append(self._tx(o, 50 + extra["k"], extra["event"], method if extra["event"] != "purchase" or not offline
                                else "offline", gateway, extra["amount"], date_created=extra["date"]))
        return out

    def _add_tx(self, order, event, amount):
        order["tx"].append({"k": len(order["tx"]) + 1, "event": event, "amount": amount, "date": iso8601(time.time())})

    def _get_transactions(self, req, order_id):
        order = self._order_or_404(order_id)
        txs = self._transactions(order)
        if not txs:
            return self._no_content()
        return self._json(200, {"data": txs, "meta": self._meta(len(txs), 1, max(50, len(txs)), len(txs))})

    def _payment_action(self, req, order_id, action):
        order = self._order_or_404(order_id)
        if req.body:
            try:
                json.loads(req.body)
            except ValueError:
                raise _ApiError(400, "Input is invalid.")
        if order["ps"] != "authorized":
            raise _ApiError(422, "The payment of order %d cannot be %s: payment status is '%s', not 'authorized'."
                            % (order["id"], "captured" if action == "capture" else "voided", order["ps"]),
                            {"payment_status": order["ps"] or "none"})
        order["ps"] = "capture pending" if action == "capture" else "void pending"
        self._touch(order)
        self.pending_captures.append((time.time() + self.capture_delay, order, action))
        self.payments.append({"order_id": order["id"], "via": action, "status": STATUS_NAME[order["st"]],
                              "payment_status": order["ps"], "at": iso8601(time.time())})
        if self.capture_delay <= 0:
            self._apply_due()
        return self._json(201, {})

    def _settle_payment(self, order, action):
        if action == "capture":
            order["ps"] = "captured"
            self._add_tx(order, "capture", self._amounts(order)["paid"])
            if order["st"] in (7, 1):
                self._set_status(order, 11, "capture")
        else:
            order["ps"] = "void"
            self._add_tx(order, "void", self._amounts(order)["paid"])
        for p in reversed(self.payments):
            if p["order_id"] == order["id"] and p["via"] == action:
                p["payment_status"] = order["ps"]
                break
        self._touch(order)

    def _capture(self, req, order_id):
        return self._payment_action(req, order_id, "capture")

    def _void(self, req, order_id):
        return self._payment_action(req, order_id, "void")
