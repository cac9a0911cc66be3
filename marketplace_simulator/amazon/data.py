"""Reference data of the simulated SP-API (marketplaces, usage plans, names and addresses) and
the small helpers every role uses (dates, money, the error shape)."""

import time
from datetime import datetime, timezone
from operator import itemgetter

# --------------------------------------------------------------------------------------------

# id: (countryCode, name, currency, language, domain, VAT/sales-tax rate in basis points (of its own
#      country; an order bears its destination's, TAX_BY_COUNTRY),
#      order id prefixes, price factor against EUR, prices include tax)
MARKETPLACES = {
    "A1PA6795UKMFR9": (
        "DE",
        "Amazon.de",
        "EUR",
        "de_DE",
        "www.amazon.de",
        1900,
        ("302", "304", "028"),
        1.0,
        True,
    ),
    "A1F83G8C2ARO7P": (
        "GB",
        "Amazon.co.uk",
        "GBP",
        "en_GB",
        "www.amazon.co.uk",
        2000,
        ("202", "203", "026"),
        0.86,
        True,
    ),
    "ATVPDKIKX0DER": (
        "US",
        "Amazon.com",
        "USD",
        "en_US",
        "www.amazon.com",
        825,
        ("111", "112", "113"),
        1.08,
        False,
    ),
    "A13V1IB3VIYZZH": (
        "FR",
        "Amazon.fr",
        "EUR",
        "fr_FR",
        "www.amazon.fr",
        2000,
        ("405", "406", "171"),
        1.0,
        True,
    ),
}
REGION_OF = {"A1PA6795UKMFR9": "EU", "A1F83G8C2ARO7P": "EU", "A13V1IB3VIYZZH": "EU", "ATVPDKIKX0DER": "NA"}
# The marketplaces the seller sells on (participations, until a test changes them) and where
# generated orders are placed.
SITES = ("A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "ATVPDKIKX0DER")

ORDER_STATUSES = (
    "PendingAvailability",
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "Canceled",
    "Unfulfillable",
    "InvoiceUnconfirmed",
)

# operation -> (rate per second, burst) as documented in each operation's usage plan
RATE_LIMITS = {
    "getOrders": ("0.0167", 20),
    "getOrder": ("0.5", 30),
    "getOrderBuyerInfo": ("0.5", 30),
    "getOrderAddress": ("0.5", 30),
    "getOrderItems": ("0.5", 30),
    "getOrderItemsBuyerInfo": ("0.5", 30),
    "searchOrders": ("0.0056", 20),  # Orders 2026-01-01
    "getOrder2026": ("0.5", 30),  # Orders 2026-01-01 getOrder (its own usage plan)
    "createRestrictedDataToken": ("1", 10),
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
    "listFinancialEventGroups": ("0.5", 30),
    "listFinancialEventsByGroupId": ("0.5", 30),
    "listFinancialEventsByOrderId": ("0.5", 30),
    "listFinancialEvents": ("0.5", 30),
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
# The tax Amazon charges on an order, in basis points, by where it goes: VAT of the destination
# within the EU (one-stop shop), the UK's VAT, a US sales tax; none on an export (Brazil from
# Amazon.com). An order or a line may state its own (add_orders tax_rate, e.g. 7 % on books, or 0).
TAX_BY_COUNTRY = {"DE": 1900, "AT": 2000, "PL": 2300, "FR": 2000, "GB": 2000, "US": 825, "BR": 0}
SHIP_TO = {  # marketplace -> ship-to countries (weights by repetition)
    "A1PA6795UKMFR9": ("DE", "DE", "DE", "DE", "DE", "AT", "PL"),
    "A1F83G8C2ARO7P": ("GB",),
    "ATVPDKIKX0DER": ("US", "US", "US", "US", "US", "US", "BR"),
    "A13V1IB3VIYZZH": ("FR", "FR", "FR", "DE"),
}
NAMES = (
    "Zoë Müller",
    "Jürgen Groß",
    "Łukasz Wiśniewski",
    "João Silva",
    "François Lefèvre",
    "Søren Ødegård",
    "Siobhán O'Connor",
    "José Núñez",
    "Anaïs Dubois",
    "Ana Şahin",
    "John Smith",
    "Emily Clarke",
    "Hans Meier",
    "Marie Curie-Skłodowska",
    "Björn Ångström",
    "Chloé Martin",
    "Mehmet Yılmaz",
    "Ingrid Bergström",
    "Ólafur Sigurðsson",
    "Renée Zellweger",
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
GIFT_MESSAGES = (
    "Alles Gute zum Geburtstag, Zoë! 🎉",
    "Happy birthday! Love, Mum & Dad",
    "Joyeux Noël ❤️",
    "Für die beste Oma der Welt",
    "Congratulations on the new job!",
    "¡Feliz cumpleaños, José!",
)
PRODUCT_WORDS = (
    ("Trail Runner Socken", "LEG_APPAREL"),
    ("Edelstahl-Trinkflasche", "BOTTLE"),
    ('Café-Becher "Grüße aus Köln"', "DRINKING_CUP"),
    ("Merino Beanie", "HAT"),
    ("Bluetooth Lautsprecher", "SPEAKERS"),
    ("Yogamatte Öko", "EXERCISE_MAT"),
    ("Kochmesser Damast 20 cm", "KITCHEN_KNIFE"),
    ("Rucksack Städtetrip", "BACKPACK"),
    ("Notizbuch A5 punktiert", "NOTEBOOK"),
    ("Lederhandschuhe", "GLOVES"),
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
