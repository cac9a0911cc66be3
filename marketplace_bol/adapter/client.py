"""The Bol.com Retailer API v10 client: `requests` on the suite's Transport. Imports nothing
from Odoo.

marketplace_base/adapter/transport.py paces, waits out 429s, renews tokens, retries what may be
retried and raises Ambiguous for writes whose answer was lost. What is Bol.com's own is here:

* the hosts: https://login.bol.com/token and https://api.bol.com in production; an API Base URL
  (a sandbox, the local simulator) replaces both: token at <base>/token, API at
  <base>/retailer/... and <base>/shared/...;
* the client-credentials token (Basic authentication), kept in memory until shortly before it
  expires (about 5 minutes), shared by the clients of one account in this process, and
  renewed when Bol answers 401 "Expired JWT";
* the v10 media types (JSON, CSV for the offer export) on every request; no redirect is followed
  (the credentials and the token go to the configured hosts only: a 3xx is an error);
* the rate limits per endpoint (RATES, from the third-party transcription Bol links to; Bol
  counts each endpoint on its own), and what Bol's answers mean (classify_answer): its problem
  bodies (title, detail, violations) become the error text;
* the operations the connector uses, each marked idempotent or not: every write (shipment,
  cancellation, offer stock and price, return handling, offer export) answers 202 with a
  process status and must not be sent twice on a guess: a lost answer raises BolAmbiguous,
  and `processes_for` finds what Bol received.
"""

import base64
import hashlib
import json
import threading
import time

import requests

if __name__.startswith("odoo.addons."):
    from odoo.addons.marketplace_base.adapter.transport import (
        Ambiguous,
        MarketplaceError,
        Throttled,
        Transport,
        Verdict,
        http_verdict,
        parse_retry_after,
        path_segment,
        requests_error_verdict,
    )
else:  # imported without Odoo (tests/, benchmarks): the addons are plain packages
    from marketplace_base.adapter.transport import (
        Ambiguous,
        MarketplaceError,
        Throttled,
        Transport,
        Verdict,
        http_verdict,
        parse_retry_after,
        path_segment,
        requests_error_verdict,
    )

PRODUCTION_API = "https://api.bol.com"
PRODUCTION_TOKEN_URL = "https://login.bol.com/token"
JSON_TYPE = "application/vnd.retailer.v10+json"
CSV_TYPE = "application/vnd.retailer.v10+csv"
PAGE_SIZE = 50  # every list of the Retailer API
TIMEOUT = (10, 60)  # connect, read (seconds)
TOKEN_MARGIN = 15  # seconds before its expiry a token is no longer used

# Requests per second and burst per endpoint: ratelimits_thirdparty_transcription.json (Bol
# publishes its limits at /retailer/public/ratelimits; they vary per retailer, and a 429's
# Retry-After is followed whatever they say). "max per window" -> (max / window, max).
RATES = {
    "token": (1.0, 10),  # not published; Bol asks clients to reuse tokens until they expire
    "get-orders": (25 / 60.0, 25),
    "get-order": (25.0, 25),
    "cancel-order-item": (25.0, 25),  # not transcribed; as the other /retailer/orders/* calls
    "get-shipments": (25 / 60.0, 25),
    "create-shipment": (25.0, 25),
    "get-returns": (20 / 60.0, 20),
    "get-return": (20 / 60.0, 20),
    "handle-return": (20 / 60.0, 20),
    "update-offer-stock": (50.0, 50),
    "update-offer-price": (50.0, 50),
    "post-offer-export": (9 / 3600.0, 9),
    "get-offer-export": (9 / 3600.0, 9),
    "get-inventory": (20 / 60.0, 20),
    "get-invoices": (24 / 60.0, 24),  # "/retailer/invoices" GET 24 a minute
    "get-invoice-specification": (24 / 60.0, 24),  # not transcribed on its own: as the list
    # process statuses: not published; polled sparingly (the bulk call reads up to 1000 at once)
    "get-process-status": (10.0, 20),
    "get-process-status-entity-id": (10.0, 20),
    "get-process-status-bulk": (2.0, 5),
}
PROCESS_DONE = ("SUCCESS", "FAILURE", "TIMEOUT")
MAX_BULK_STATUSES = 1000  # processStatusQueries per call (shared.json)
MAX_SHIPMENT_ITEMS = 100  # orderItems per shipment (retailer.json)
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
HANDLING_RESULTS = (
    "RETURN_RECEIVED",
    "EXCHANGE_PRODUCT",
    "RETURN_DOES_NOT_MEET_CONDITIONS",
    "REPAIR_PRODUCT",
    "CUSTOMER_KEEPS_PRODUCT_PAID",
    "STILL_APPROVED",
)


class BolError(MarketplaceError):
    """Bol.com refused or failed; the text is Bol's own, never a credential."""


class BolThrottled(BolError, Throttled):
    """Still throttled when the call's time budget (max_wait) ran out."""


class BolAmbiguous(BolError, Ambiguous):
    """A write whose answer was lost: Bol may have received it (see processes_for)."""


class _TokenStore:
    """Access tokens of the process, per account: Bol asks clients to reuse a token until it
    expires rather than ask for one per call."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}  # key -> (token, expires at, time.time())

    def get(self, key):
        with self.lock:
            found = self.tokens.get(key)
        if found and found[1] - TOKEN_MARGIN > time.time():
            return found[0]
        return None

    def put(self, key, token, expires_in):
        with self.lock:
            self.tokens[key] = (token, time.time() + expires_in)

    def forget(self, key, token=None):
        with self.lock:
            if key in self.tokens and (token is None or self.tokens[key][0] == token):
                del self.tokens[key]

    def clear(self):
        with self.lock:
            self.tokens.clear()


TOKENS = _TokenStore()


def forget_tokens():
    """Forget every access token of the process (tests)."""
    TOKENS.clear()


reset_rate_limits = Transport.reset_rate_limits


def problem_text(body, fallback):
    """Bol's problem (title, detail, violations) or OAuth error as one line."""
    if not isinstance(body, dict):
        return fallback
    if body.get("error"):  # the token endpoint (OAuth)
        return ": ".join(filter(None, [body.get("error"), body.get("error_description")]))
    text = " - ".join(str(p) for p in (body.get("title"), body.get("detail")) if p and p != "Bad request")
    violations = [
        "%s: %s" % (v.get("name"), v.get("reason"))
        for v in body.get("violations") or []
        if isinstance(v, dict)
    ]
    if violations:
        text = "%s (%s)" % (text, "; ".join(violations)) if text else "; ".join(violations)
    return text or fallback


class BolClient(Transport):
    """One Bol.com retailer account (see the module docstring)."""

    RATES = RATES
    ERROR = BolError
    THROTTLED_ERROR = BolThrottled
    AMBIGUOUS_ERROR = BolAmbiguous

    def __init__(self, *, client_id, client_secret, endpoint=None, rate_scale=1.0, max_wait=300, **options):
        if not client_id or not client_secret:
            raise BolError("Fill in the Client ID and Client Secret of the Bol.com account.")
        super().__init__(
            account_key=("bol", client_id),
            secrets=(client_id, client_secret),
            rate_scale=rate_scale,
            max_wait=max_wait,
            **options,
        )
        base = (endpoint or "").rstrip("/")
        self.api = base or PRODUCTION_API
        self.token_url = base + "/token" if base else PRODUCTION_TOKEN_URL
        self._auth = (client_id, client_secret)
        self._token_key = (self.token_url, client_id, hashlib.sha256(client_secret.encode()).hexdigest())
        self.session = requests.Session()
        self._process_cache = {}  # process status id -> the last status read in this run

    def __repr__(self):  # no credential in tracebacks or logs
        return "<BolClient calls=%s throttled=%s>" % (self.calls, self.throttled)

    def close(self):
        self.session.close()

    # token ------------------------------------------------------------------------------------
    def _token(self):
        token = TOKENS.get(self._token_key)
        if token:
            return token
        answer = self.call(
            "token",
            lambda: self.session.post(
                self.token_url,
                data={"grant_type": "client_credentials"},
                auth=self._auth,
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
                allow_redirects=False,
            ),
        )
        token, expires_in = self._read_token(answer)
        TOKENS.put(self._token_key, token, expires_in)
        return token

    def _read_token(self, answer):
        """(access token, seconds it lives) of the token endpoint's answer, which must be a
        Bearer token of the RETAILER scope (either in any case) with its lifetime."""
        try:
            body = answer.json() if answer.content.strip() else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self._error(
                self.ERROR,
                "Bol.com answered the token request with no token (an empty or unreadable answer).",
            )
        if not str(body.get("access_token") or "").strip():
            raise self._error(self.ERROR, "Bol.com answered the token request without an access token.")
        if str(body.get("token_type") or "").lower() != "bearer":
            raise self._error(
                self.ERROR,
                "Bol.com answered the token request with a token of type '%s', "
                "not Bearer." % body.get("token_type"),
            )
        if "scope" in body and str(body["scope"] or "").lower() != "retailer":
            raise self._error(
                self.ERROR,
                "Bol.com granted a token for the scope '%s', not RETAILER: are these "
                "the credentials of a retailer account?" % body.get("scope"),
            )
        try:
            expires_in = float(body["expires_in"])
        except (KeyError, TypeError, ValueError):
            raise self._error(
                self.ERROR, "Bol.com answered the token request without the token's lifetime (expires_in)."
            ) from None
        return body["access_token"], expires_in

    def renew_token(self):
        TOKENS.forget(self._token_key)

    # requests ---------------------------------------------------------------------------------
    def _request(self, operation, method, path, *, params=None, body=None, accept=JSON_TYPE, idempotent=True):
        url = self.api + path
        data = json.dumps(body) if body is not None else None

        def request():
            headers = {"Accept": accept, "Authorization": "Bearer " + self._token()}
            if data is not None:
                headers["Content-Type"] = JSON_TYPE
            return self.session.request(
                method, url, params=params, data=data, headers=headers, timeout=TIMEOUT, allow_redirects=False
            )

        answer = self.call(operation, request, idempotent=idempotent)
        if accept == CSV_TYPE:
            return answer.content.decode("utf-8-sig")
        return answer.json() if answer.content.strip() else {}

    def classify_answer(self, operation, response):
        status = response.status_code
        if 300 <= status < 400:  # a redirect is not followed: the token goes to the configured host only
            return Verdict(
                Verdict.FAILED,
                self.unexpected(operation, status, "redirected to %s" % response.headers.get("Location")),
                status=status,
            )
        if status < 400:
            if response.content.strip() and "csv" not in (response.headers.get("Content-Type") or ""):
                try:
                    response.json()
                except ValueError:
                    return Verdict(Verdict.TRANSIENT, "%s: an unreadable answer" % operation, status=status)
            return Verdict(Verdict.OK)
        try:
            body = response.json()
        except ValueError:
            body = None
        text = problem_text(body, None) or self.unexpected(operation, status, response.text)
        if status == 401 and isinstance(body, dict) and body.get("title") == "Expired JWT":
            return Verdict(Verdict.EXPIRED, text, "Expired JWT", status)
        if operation == "token" and status >= 500:
            # nothing reached the API: the token endpoint is only the door
            return Verdict(Verdict.UNSENT, text, None, status)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        code = body.get("title") if isinstance(body, dict) else None
        return http_verdict(
            status, "%s: %s" % (operation, text) if status == 429 else text, code, retry_after
        )

    def classify_error(self, operation, error):
        return requests_error_verdict(error)

    # orders -----------------------------------------------------------------------------------
    def orders_page(self, method, status, page=1, change_interval=None, change_date=None):
        """One page of reduced orders (an empty page is Bol's `{ }`)."""
        params = {"fulfilment-method": method, "status": status, "page": page}
        if change_interval:
            params["change-interval-minute"] = int(change_interval)
        if change_date:
            params["latest-change-date"] = change_date
        return self._request("get-orders", "GET", "/retailer/orders", params=params).get("orders") or []

    def order(self, order_id):
        return self._request("get-order", "GET", "/retailer/orders/%s" % path_segment(order_id))

    def cancel_items(self, item_ids, reason="REQUESTED_BY_CUSTOMER"):
        """Confirm the cancellation of order items (of one order); returns the process status."""
        body = {"orderItems": [{"orderItemId": item, "reasonCode": reason} for item in item_ids]}
        return self._request(
            "cancel-order-item", "PUT", "/retailer/orders/cancellation", body=body, idempotent=False
        )

    def create_shipment(self, items, reference=None, transporter_code=None, track_and_trace=None):
        """items: [(order item id, quantity)]; returns the process status."""
        body = {"orderItems": [{"orderItemId": item, "quantity": int(quantity)} for item, quantity in items]}
        if reference:
            body["shipmentReference"] = reference[:90]
        if transporter_code:
            body["transport"] = {"transporterCode": transporter_code}
            if track_and_trace:
                body["transport"]["trackAndTrace"] = track_and_trace
        return self._request("create-shipment", "POST", "/retailer/shipments", body=body, idempotent=False)

    # offers -----------------------------------------------------------------------------------
    def update_stock(self, offer_id, amount, managed_by_retailer=True):
        body = {"amount": max(0, min(int(amount), 999)), "managedByRetailer": bool(managed_by_retailer)}
        return self._request(
            "update-offer-stock",
            "PUT",
            "/retailer/offers/%s/stock" % path_segment(offer_id),
            body=body,
            idempotent=False,
        )

    def update_price(self, offer_id, price, volume_prices=()):
        """The price of one item, then [(quantity, unit price)] from 2 items (Bol takes 4 prices
        at most, quantities rising and prices falling); returns the process status."""
        bundles = [(1, price)] + list(volume_prices)
        body = {
            "pricing": {
                "bundlePrices": [
                    {"quantity": int(quantity), "unitPrice": round(float(unit), 2)}
                    for quantity, unit in bundles
                ]
            }
        }
        return self._request(
            "update-offer-price",
            "PUT",
            "/retailer/offers/%s/price" % path_segment(offer_id),
            body=body,
            idempotent=False,
        )

    def request_offer_export(self):
        """Ask for the CSV export of every offer; returns the process status (its entityId, once
        SUCCESS, is the report id)."""
        return self._request(
            "post-offer-export", "POST", "/retailer/offers/export", body={"format": "CSV"}, idempotent=False
        )

    def offer_export(self, report_id):
        return self._request(
            "get-offer-export", "GET", "/retailer/offers/export/%s" % path_segment(report_id), accept=CSV_TYPE
        )

    def inventory_page(self, page=1):
        return (
            self._request("get-inventory", "GET", "/retailer/inventory", params={"page": page}).get(
                "inventory"
            )
            or []
        )

    # returns ----------------------------------------------------------------------------------
    def returns_page(self, method, handled, page=1):
        params = {"fulfilment-method": method, "handled": "true" if handled else "false", "page": page}
        return self._request("get-returns", "GET", "/retailer/returns", params=params).get("returns") or []

    def handle_return(self, rma_id, handling_result, quantity):
        body = {"handlingResult": handling_result, "quantityReturned": int(quantity)}
        return self._request(
            "handle-return", "PUT", "/retailer/returns/%s" % path_segment(rma_id), body=body, idempotent=False
        )

    # invoices -----------------------------------------------------------------------------------
    def invoices(self, first_day, last_day):
        """The invoices issued from first_day to last_day (dates, at most 31 days together)."""
        params = {"period-start-date": first_day.isoformat(), "period-end-date": last_day.isoformat()}
        return (
            self._request("get-invoices", "GET", "/retailer/invoices", params=params).get("invoiceListItems")
            or []
        )

    def invoice_specification(self, invoice_id, page=1):
        """One page of an invoice's specification (its transactions); [] past the last page."""
        answer = self._request(
            "get-invoice-specification",
            "GET",
            "/retailer/invoices/%s/specification" % path_segment(invoice_id),
            params={"page": page},
        )
        return answer.get("invoiceSpecification") or []

    # process statuses -------------------------------------------------------------------------
    def process_status(self, process_id, fresh=False):
        """A process status: the one read earlier in this run (a bulk read) unless `fresh`."""
        status = self._process_cache.get(str(process_id))
        if status is None or (fresh and status.get("status") not in PROCESS_DONE):
            status = self._request(
                "get-process-status", "GET", "/shared/process-status/%s" % path_segment(process_id)
            )
            self._process_cache[str(process_id)] = status
        return status

    def prefetch_process_statuses(self, process_ids):
        """Read many process statuses in bulk calls (1000 each) and keep them for this run, so
        that following a hundred offer writes costs one call instead of a hundred."""
        wanted = [str(p) for p in dict.fromkeys(process_ids) if p and str(p) not in self._process_cache]
        for start in range(0, len(wanted), MAX_BULK_STATUSES):
            chunk = wanted[start : start + MAX_BULK_STATUSES]
            body = {"processStatusQueries": [{"processStatusId": pid} for pid in chunk]}
            answer = self._request("get-process-status-bulk", "POST", "/shared/process-status", body=body)
            for status in answer.get("processStatuses") or []:
                if status.get("processStatusId"):
                    self._process_cache[str(status["processStatusId"])] = status

    def processes_for(self, entity_id, event_type):
        """The process statuses Bol keeps for an entity (an order item, an offer, an RMA id) and
        an event type, newest first: what Bol received of a write whose answer was lost."""
        params = {"entity-id": entity_id, "event-type": event_type, "page": 1}
        return (
            self._request("get-process-status-entity-id", "GET", "/shared/process-status", params=params).get(
                "processStatuses"
            )
            or []
        )

    def wait_process(self, process, timeout=60.0):
        """Poll a process status until Bol has decided (SUCCESS, FAILURE, TIMEOUT) or `timeout`
        seconds passed; returns the last status read."""
        waited, pause = 0.0, 0.5
        while process.get("status") not in PROCESS_DONE and waited < timeout:
            self.sleep(pause)
            waited += pause
            process = self.process_status(process["processStatusId"], fresh=True)
            pause = min(pause * 2, 5.0)
        return process


def basic_auth(client_id, client_secret):
    """The Authorization header of the token request (for tests and documentation)."""
    return "Basic " + base64.b64encode(("%s:%s" % (client_id, client_secret)).encode()).decode()
