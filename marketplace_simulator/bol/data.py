"""Constants of the Bol.com Retailer API v10 (codes, rate limits, media types), the word lists the
simulator generates its data from, and small helpers (EANs, Amsterdam date-times, money)."""

import base64
import calendar
import time
import logging

JSON_TYPE = "application/vnd.retailer.v10+json"
CSV_TYPE = "application/vnd.retailer.v10+csv"
ADVERTISER_TYPE = "application/vnd.advertiser.v10+json"
OK_CONTENT_TYPE = JSON_TYPE + ";charset=UTF-8"
PAGE_SIZE = 50
PROBLEM_TYPE = "https://api.bol.com/problems"
PUBLIC_HOST = "https://api.bol.com"
VALIDATION_TITLE = "Error validating request. Consult the bol.com API documentation for more information."
CLOCK_SKEW = (
    1.0  # seconds a JWT is still accepted after its exp, as Bol's "Allowed clock skew: 1000 milliseconds"
)

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
    # "/retailer/invoices" GET 24 a minute; bol counts each endpoint on its own
    "get-invoices": (24, 60),
    "get-invoice": (24, 60),
    "get-invoice-specification": (24, 60),
}

TRANSPORTER_CODES = (
    "BRIEFPOST",
    "UPS",
    "TNT",
    "TNT-EXTRA",
    "TNT_BRIEF",
    "TNT-EXPRESS",
    "DYL",
    "DPD-NL",
    "DPD-BE",
    "BPOST_BE",
    "BPOST_BRIEF",
    "DHLFORYOU",
    "GLS",
    "FEDEX_NL",
    "FEDEX_BE",
    "OTHER",
    "DHL",
    "DHL_DE",
    "DHL-GLOBAL-MAIL",
    "TSN",
    "FIEGE",
    "TRANSMISSION",
    "PARCEL-NL",
    "LOGOIX",
    "PACKS",
    "COURIER",
    "TRUNKRS",
    "PES",
    "BUDBEE",
    "DYNALOGIC",
    "BIRDIE",
    "CYCLOON",
)
CANCEL_REASONS = (
    "OUT_OF_STOCK",
    "REQUESTED_BY_CUSTOMER",
    "BAD_CONDITION",
    "HIGHER_SHIPCOST",
    "INCORRECT_PRICE",
    "NOT_AVAIL_IN_TIME",
    "NO_BOL_GUARANTEE",
    "ORDERED_TWICE",
    "RETAIN_ITEM",
    "TECH_ISSUE",
    "UNFINDABLE_ITEM",
    "OTHER",
)
HANDLING_RESULTS = (
    "RETURN_RECEIVED",
    "EXCHANGE_PRODUCT",
    "RETURN_DOES_NOT_MEET_CONDITIONS",
    "REPAIR_PRODUCT",
    "CUSTOMER_KEEPS_PRODUCT_PAID",
    "STILL_APPROVED",
)
CONDITIONS = ("NEW", "AS_NEW", "GOOD", "REASONABLE", "MODERATE")
DELIVERY_CODES = (
    "24uurs-23",
    "24uurs-22",
    "24uurs-21",
    "24uurs-20",
    "24uurs-19",
    "24uurs-18",
    "24uurs-17",
    "24uurs-16",
    "24uurs-15",
    "24uurs-14",
    "24uurs-13",
    "24uurs-12",
    "1-2d",
    "2-3d",
    "3-5d",
    "4-8d",
    "1-8d",
    "MijnLeverbelofte",
    "VVB",
)
ORDER_STATUSES = ("OPEN", "SHIPPED", "PARTIALLY_SHIPPED", "CANCELLED", "CANCELLATION_REQUESTED")
STATUS_ALIASES = {
    "ship": "SHIPPED",
    "shipped": "SHIPPED",
    "cancel": "CANCELLED",
    "cancelled": "CANCELLED",
    "canceled": "CANCELLED",
    "open": "OPEN",
    "partial": "PARTIALLY_SHIPPED",
    "partially_shipped": "PARTIALLY_SHIPPED",
    "request_cancellation": "CANCELLATION_REQUESTED",
    "cancellation_requested": "CANCELLATION_REQUESTED",
}
CSV_COLUMNS = (
    "offerId",
    "ean",
    "conditionName",
    "conditionCategory",
    "conditionComment",
    "bundlePricesPrice",
    "fulfilmentDeliveryCode",
    "stockAmount",
    "onHoldByRetailer",
    "fulfilmentType",
    "mutationDateTime",
    "referenceCode",
    "correctedStock",
)

# -- generated data ---------------------------------------------------------------------------
PRODUCT_WORDS = (
    "Draadloze oordopjes",
    "Koffiebonen Arabica 1 kg",
    "Yogamat antislip",
    "Fietslamp set LED",
    "Theepot glas 1,2 l",
    "Hardloopschoenen",
    "Spijkerbroek slim fit",
    "Bouwset ruimteschip",
    "Kinderboek Het Grote Voorleesboek",
    "Rugzak 25 l",
    "Powerbank 10.000 mAh",
    "Crème brûlée set",
    "Wandklok Scandinavisch",
    "Dekbedovertrek katoen",
    "Gereedschapskist 94-delig",
    "Puzzel 1000 stukjes",
)
COLOURS = (
    ("Zwart", "ZWA"),
    ("Wit", "WIT"),
    ("Blauw", "BLA"),
    ("Rood", "ROO"),
    ("Groen", "GRO"),
    ("Beige", "BEI"),
)
SIZES = ("S", "M", "L", "XL")
NL_FIRST = (
    ("Zoë", "FEMALE"),
    ("Daan", "MALE"),
    ("Sanne", "FEMALE"),
    ("Joëlle", "FEMALE"),
    ("Bram", "MALE"),
    ("Fleur", "FEMALE"),
    ("Sem", "MALE"),
    ("Anouk", "FEMALE"),
    ("Thijs", "MALE"),
    ("Loïs", "FEMALE"),
    ("Ruben", "MALE"),
    ("Chloë", "FEMALE"),
    ("Kees", "MALE"),
    ("Alex", "UNKNOWN"),
)
NL_SURNAMES = (
    "Müller",
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "de Jong",
    "van 't Hof",
    "Meijer",
    "Çelik",
    "Wójcik",
    "El Amrani",
    "Nguyễn",
    "IJzerman",
)
BE_FIRST = (
    ("Émilie", "FEMALE"),
    ("Lucas", "MALE"),
    ("Noémie", "FEMALE"),
    ("Louis", "MALE"),
    ("Maëlle", "FEMALE"),
    ("Arthur", "MALE"),
    ("Lotte", "FEMALE"),
    ("Wout", "MALE"),
    ("Anaïs", "FEMALE"),
    ("Jef", "MALE"),
    ("Zoë", "FEMALE"),
)
BE_SURNAMES = (
    "Peeters",
    "Janssens",
    "Maes",
    "Dubois",
    "Lefèvre",
    "Van Damme",
    "Claes",
    "Goossens",
    "Desmet",
    "Mertens",
    "Müller",
    "D'Hondt",
)
NL_ADDRESSES = (
    ("Oudegracht", "Utrecht", "3511"),
    ("Kerkstraat", "Amsterdam", "1017"),
    ("Laan van Nieuw Oost-Indië", "Den Haag", "2593"),
    ("Vughterstraat", "'s-Hertogenbosch", "5211"),
    ("Herestraat", "Groningen", "9711"),
    ("Tuinstraat", "Leeuwarden", "8911"),
    ("Markt", "Maastricht", "6211"),
    ("Coolsingel", "Rotterdam", "3012"),
    ("Brinkstraat", "Enschede", "7512"),
    ("Dorpsstraat", "Ærdenhout", "2111"),
)
BE_ADDRESSES = (
    ("Meir", "Antwerpen", "2000", "nl-BE"),
    ("Rue de la Régence", "Bruxelles", "1000", "fr-BE"),
    ("Veldstraat", "Gent", "9000", "nl-BE"),
    ("Boulevard de la Sauvenière", "Liège", "4000", "fr-BE"),
    ("Steenstraat", "Brugge", "8000", "nl-BE"),
    ("Chaussée de Louvain", "Namur", "5000", "fr"),
    ("Bondgenotenlaan", "Leuven", "3000", "nl"),
)
NL_EXTENSIONS = ("A", "B", "bis", "2hoog", "III", "-1")
COMPANIES_NL = (
    "Bakkerij De Zoete Inval B.V.",
    "Müller & Zonen V.O.F.",
    "Van den Berg ICT B.V.",
    "Stichting Ŝtudio Noord",
    "Kinderopvang 't Kabouterhuis",
)
COMPANIES_BE = ("Brasserie L'Étoile SRL", "Atelier Noël BV", "Peeters & Co NV", "Boekhandel De Reyghere")
RETURN_REASONS = (
    ("Niet naar verwachting", "Niet naar verwachting", "Kleur wijkt af van de foto."),
    ("Defect", "Product werkt niet", "Doet het niet meer na één dag."),
    ("Verkeerd artikel ontvangen", "Verkeerd artikel ontvangen", ""),
    ("Past niet", "Te klein", "Maat valt klein uit."),
    ("Beschadigd", "Verpakking beschadigd", "Doos was ingedeukt bij ontvangst."),
)
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
    return (
        isinstance(value, str)
        and value.isdigit()
        and len(value) in (8, 12, 13, 14)
        and ean13(value.zfill(13)[:12]) == value.zfill(13)
    )


def _ams_offset(ts):
    """UTC offset of Europe/Amsterdam (seconds) at epoch `ts`: CEST from the last Sunday of March
    01:00 UTC to the last Sunday of October 01:00 UTC."""
    year = time.gmtime(ts).tm_year
    bounds = _DST.get(year)
    if bounds is None:

        def last_sunday(month):
            last = calendar.monthrange(year, month)[1]
            return last - (calendar.weekday(year, month, last) + 1) % 7

        bounds = _DST[year] = (
            calendar.timegm((year, 3, last_sunday(3), 1, 0, 0)),
            calendar.timegm((year, 10, last_sunday(10), 1, 0, 0)),
        )
    return 7200 if bounds[0] <= ts < bounds[1] else 3600


def iso(ts):
    """'2019-04-30T16:47:32+02:00' as Bol writes date-times (Amsterdam local time)."""
    ts = int(ts)
    off = _ams_offset(ts)
    t = time.gmtime(ts + off)
    return "%04d-%02d-%02dT%02d:%02d:%02d%s" % (
        t.tm_year,
        t.tm_mon,
        t.tm_mday,
        t.tm_hour,
        t.tm_min,
        t.tm_sec,
        "+02:00" if off == 7200 else "+01:00",
    )


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
