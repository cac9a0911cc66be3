"""Reference data of the simulated store and the helpers every role uses (no HTTP here)."""

import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from operator import itemgetter

# --------------------------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------------------------

# id, name, description, sort order -- as GET /v2/order_statuses answers
ORDER_STATUSES = (
    (
        0,
        "Incomplete",
        "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.",
        0,
    ),
    (1, "Pending", "Customer started the checkout process, but did not complete it.", 1),
    (
        2,
        "Shipped",
        "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.",
        8,
    ),
    (
        3,
        "Partially Shipped",
        "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.",
        6,
    ),
    (4, "Refunded", "Seller has used the Refund action.", 11),
    (5, "Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons.", 9),
    (
        6,
        "Declined",
        "Seller has marked the order as declined for lack of manual payment, or other reasons.",
        10,
    ),
    (
        7,
        "Awaiting Payment",
        "Customer has completed checkout process, but payment has yet to be confirmed.",
        2,
    ),
    (
        8,
        "Awaiting Pickup",
        "Order has been pulled, and is awaiting customer pickup from a seller-specified location.",
        5,
    ),
    (
        9,
        "Awaiting Shipment",
        "Order has been pulled and packaged, and is awaiting collection from a shipping provider.",
        4,
    ),
    (
        10,
        "Completed",
        "Client has paid for their digital product and their file(s) are available for download.",
        7,
    ),
    (
        11,
        "Awaiting Fulfillment",
        "Customer has completed the checkout process and payment has been confirmed.",
        3,
    ),
    (
        12,
        "Manual Verification Required",
        "Order is on hold while some aspect needs to be manually confirmed.",
        13,
    ),
    (
        13,
        "Disputed",
        "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.",
        12,
    ),
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
    "DE": (
        "Germany",
        1900,
        True,
        (
            ("Königsallee 12", "", "Düsseldorf", "Nordrhein-Westfalen", "40212", "+49 211 5550101"),
            ("Schloßstraße 7", "Hinterhaus, 3. OG", "Berlin", "Berlin", "12163", "+49 30 5550199"),
            ("Maximilianstraße 44", "", "München", "Bayern", "80539", ""),
            ("Hohe Straße 101", "c/o Büro Groß", "Köln", "Nordrhein-Westfalen", "50667", "+49 221 5550123"),
            ("Äußere Sulzbacher Str. 3", "", "Nürnberg", "Bayern", "90489", "+49 911 5550456"),
        ),
    ),
    "AT": (
        "Austria",
        2000,
        True,
        (("Mariahilfer Straße 88", "Top 14", "Wien", "Wien", "1070", "+43 1 5550102"),),
    ),
    "FR": (
        "France",
        2000,
        True,
        (
            ("12 rue de la Paix", "Bâtiment B", "Paris", "Île-de-France", "75002", "+33 1 55 50 01 02"),
            ("5 quai Saint-Antoine", "", "Lyon", "Auvergne-Rhône-Alpes", "69002", ""),
        ),
    ),
    "PL": (
        "Poland",
        2300,
        True,
        (("ul. Piotrkowska 104", "m. 7", "Łódź", "łódzkie", "90-006", "+48 42 555 01 02"),),
    ),
    "NL": ("Netherlands", 2100, True, (("Keizersgracht 123", "", "Amsterdam", "", "1015 CJ", ""),)),
    "GB": (
        "United Kingdom",
        0,
        False,
        (
            ("221B Baker Street", "", "London", "", "NW1 6XE", "+44 20 7946 0018"),
            ("14 Princes Street", "Flat 2/1", "Edinburgh", "", "EH2 2AN", ""),
        ),
    ),
    "US": (
        "United States",
        0,
        False,
        (
            ("2201 Westlake Ave", "Suite 300", "Seattle", "Washington", "98121", "+1 206-555-0100"),
            ("123 Calle Señora", "Apt 4B", "San José", "California", "95113", ""),
        ),
    ),
    "BR": (
        "Brazil",
        0,
        False,
        (
            (
                "Avenida Paulista 1578",
                "Conjunto 12",
                "São Paulo",
                "São Paulo",
                "01310-200",
                "+55 11 5555-0100",
            ),
        ),
    ),
    "CH": (
        "Switzerland",
        0,
        False,
        (("Bahnhofstrasse 1", "", "Zürich", "Zürich", "8001", "+41 44 555 01 01"),),
    ),
}
COUNTRY_POOL = ("DE",) * 10 + ("AT", "AT", "FR", "FR", "PL", "NL", "GB", "GB", "US", "US", "BR", "CH")
STORE_COUNTRY = "DE"

NAMES = (
    ("Zoë", "Müller", "zoe.mueller"),
    ("Jürgen", "Groß", "juergen.gross"),
    ("Łukasz", "Wiśniewski", "lukasz.w"),
    ("João", "Silva", "joao.silva"),
    ("François", "Lefèvre", "f.lefevre"),
    ("Søren", "Ødegård", "soren.odegard"),
    ("Siobhán", "O'Connor", "siobhan.oc"),
    ("José", "Núñez", "jose.nunez"),
    ("Anaïs", "Dubois", "anais.dubois"),
    ("Ana", "Şahin", "ana.sahin"),
    ("John", "Smith", "john.smith"),
    ("Emily", "Clarke", "emily.clarke"),
    ("Hans", "Meier", "hans.meier"),
    ("Marie", "Curie-Skłodowska", "marie.curie"),
    ("Björn", "Ångström", "bjorn.a"),
    ("Chloé", "Martin", "chloe.martin"),
    ("Mehmet", "Yılmaz", "mehmet.yilmaz"),
    ("Ingrid", "Bergström", "ingrid.b"),
    ("Ólafur", "Sigurðsson", "olafur.s"),
    ("Renée", "van der Berg", "renee.vdb"),
)
COMPANIES = (
    "Müller & Söhne GmbH",
    "Łódź Trading Sp. z o.o.",
    "Acme Widgets Ltd",
    "Société Générale des Tuyaux SA",
    "Brandt Bürobedarf KG",
    "Seattle Office Supply Inc.",
    "Groß- und Außenhandel Köhler OHG",
)
MESSAGES = (
    "Bitte beim Nachbarn (Hausnr. 14) abgeben.",
    "Please leave the parcel at the back door.",
    "Livraison après 18h, merci !",
    "Geschenk für Zoë – bitte keine Rechnung beilegen.",
    "Entrega na portaria, por favor.",
    "Call before delivery ☎",
)
GIFT_MESSAGES = (
    "Alles Gute zum Geburtstag, Zoë! 🎉",
    "Happy birthday! Love, Mum & Dad",
    "Joyeux Noël ❤️",
    "Für die beste Oma der Welt",
    "¡Feliz cumpleaños, José!",
)
WRAPPINGS = ((0, "", 0), (1, "Geschenkpapier Gold", 300), (2, "Geschenkbox „Weihnachten“", 450))
CUSTOM_ITEMS = (  # custom products (product_id 0): name, sku (may be empty), price in cents, weight
    ("Gravur-Service „Für Zoë“", "CUSTOM-ENGRAVE", 1500, 0),
    ("Montageservice vor Ort", "", 4900, 0),
    ("Express-Aufpreis", "CUSTOM-EXPRESS", 990, 0),
    # a custom item that ships (it weighs something): only through add_orders (custom_index 3)
    ("Sonderanfertigung Regalbrett 80 cm", "CUSTOM-SHELF-80", 3900, 2.4),
)
RANDOM_CUSTOM_ITEMS = 3  # generated orders pick among the first three
COUPONS = (  # code, coupon type (1 percentage, 2 per total), amount
    ("SOMMER10", 1, 10),
    ("WILLKOMMEN5", 2, 5),
)
PRODUCT_WORDS = (
    "Trail Runner Socken",
    "Edelstahl-Trinkflasche",
    "Café-Becher „Grüße aus Köln“",
    "Merino Beanie",
    "Bluetooth Lautsprecher",
    "Yogamatte Öko",
    "Kochmesser Damast 20 cm",
    "Rucksack Städtetrip",
    "Notizbuch A5 punktiert",
    "Lederhandschuhe",
    "Teekanne Ōsaka",
    "Kerzenständer Ålesund",
)
COLOURS = (
    (101, "Schwarz", "SCH"),
    (102, "Blau", "BLA"),
    (103, "Grün", "GRU"),
    (104, "Weiß", "WEI"),
    (105, "Rot", "ROT"),
)
SIZES = ((201, "S"), (202, "M"), (203, "L"), (204, "XL"))
SHIPPING_PROVIDERS = frozenset(
    (
        "auspost",
        "canadapost",
        "endicia",
        "usps",
        "fedex",
        "ups",
        "upsready",
        "upsonline",
        "shipperhq",
        "royalmail",
        "",
    )
)
TRACKING_LINKS = {
    "ups": "https://www.ups.com/track?tracknum=%s",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr=%s",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels=%s",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/%s",
}
LOCATIONS = (  # id, code, label, type, enabled, address (address1, city, state, zip, country)
    (
        1,
        "BC-LOCATION-1",
        "Lager Hamburg",
        "PHYSICAL",
        True,
        ("Großer Burstah 31", "Hamburg", "Hamburg", "20457", "DE"),
    ),
    (2, "WH-LODZ", "Magazyn Łódź", "PHYSICAL", True, ("ul. Łąkowa 29", "Łódź", "łódzkie", "90-554", "PL")),
    (
        3,
        "POPUP-MUC",
        "Pop-up Store München",
        "PHYSICAL",
        False,
        ("Sendlinger Straße 3", "München", "Bayern", "80331", "DE"),
    ),
)

TAX_CLASSES = ((0, "Default Tax Class"), (1, "Non-Taxable Products"), (2, "Shipping"), (3, "Ermäßigt 7 %"))
TAX_CLASS_NAME = dict(TAX_CLASSES)
REDUCED_CLASS, NON_TAXABLE_CLASS = 3, 1
# the reduced VAT rate of each EU country (basis points), for products of the reduced tax class
REDUCED_RATES = {"DE": 700, "AT": 1000, "FR": 550, "PL": 500, "NL": 900}
REDUCED_WORD = "Notizbuch A5 punktiert"  # the catalogue's products of the reduced tax class
CHANNELS = (  # id, name, platform, type, status
    (1, "Zoë's Simulated Store", "bigcommerce", "storefront", "active"),
    (664177, "Amazon DE", "amazon", "marketplace", "connected"),
    (664178, "POS Hamburg", "square", "pos", "inactive"),
)
CATEGORIES = (  # id, parent id, name
    (17, 0, "Haushalt"),
    (18, 17, "Küche"),
    (19, 17, "Wohnen"),
    (20, 0, "Freizeit"),
    (21, 20, "Sport & Yoga"),
    (22, 20, "Outdoor"),
    (23, 0, "Büro"),
)
BRANDS = (
    (36, "Müller Manufaktur"),
    (37, "Nordlicht"),
    (38, "Ōsaka Living"),
    (39, "Sim Brand"),
    (40, "Ålesund Design"),
)
WEIGHT_UNITS = ("LBS", "KGS", "Ounces", "Grams", "Tonnes")
SCOPES = (  # the store resource scopes (modify) an API account may hold; *_read_only allow GET
    "store_v2_information",
    "store_v2_orders",
    "store_v2_transactions",
    "store_v2_products",
    "store_inventory",
    "store_locations",
    "store_channel_settings",
    "store_payments_methods_read",
)
# a tiny PNG (1x1, red) served as every product image of the simulated CDN
CDN_PREFIX = "/cdn/"  # <base>/cdn/...: the simulated CDN of product images
PNG_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cf"
    "c0000003010100c9fe92ef0000000049454e44ae426082"
)

V3_ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
MAX_INT = 2147483647
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# order line fields (lists, so that shipments can update them in place); L_R: the line's tax class
L_V, L_Q, L_U, L_W, L_WM, L_S, L_A, L_C, L_R = range(9)


def ean13(body12):
    """EAN-13 with a valid check digit for a 12-digit body."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def rfc2822(ts):
    t = time.gmtime(ts)
    return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (
        _DAYS[t.tm_wday],
        t.tm_mday,
        _MONTHS[t.tm_mon - 1],
        t.tm_year,
        t.tm_hour,
        t.tm_min,
        t.tm_sec,
    )


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
