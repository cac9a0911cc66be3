"""Restricted Data Tokens (Tokens API 2021-03-01) for the order calls. Imports nothing from Odoo.

The buyer's name, address, email, tax information and gift messages are restricted data: Amazon
gives them only to a request made with a Restricted Data Token (RDT) for its path and data
elements; with the account's access token the same call answers the destination alone (city,
region, postal code, country). One RDT covers up to 50 resources and lives an hour (expiresIn);
it is reused while valid, by every client of the account in the process, and forgotten with the
access token when Amazon says a token expired.

When Amazon refuses RDTs to the app (it lacks the restricted, "PII", role) the calls go on with
the access token, `pii_refused` becomes true and `notices` says so once; any other failure of
createRestrictedDataToken is an error like any other (a run does not import half-known buyers
because of a timeout).
"""

import threading
import time

from sp_api.api import Tokens

from .errors import AmazonError

MAX_RESOURCES = 50  # restricted resources per createRestrictedDataToken
RENEW_BEFORE = 60  # seconds before its end an RDT is replaced
BUYER = ("buyerInfo", "shippingAddress")  # the order's buyer and where it ships
ITEMS = ("buyerInfo",)  # the items' gift messages
PII_REFUSED = (
    "Amazon refused the buyer's data to this app (%s): it lacks the restricted-data (PII) role. Orders "
    "are imported with their destination only (country, region, postal code): no buyer name, street, "
    "email or gift message, and the account's anonymous customer as buyer. Ask for the role in the app's "
    "Seller Central / Developer Central profile, then authorize the app again."
)

_cache = {}  # (account key, path) -> (token, expiry in epoch seconds), shared by the clients of an account
_cache_lock = threading.Lock()


def _is_refusal(error):
    """Amazon's answer to an app without the restricted role: 400 "Application does not have
    access to one or more requested data elements" (or "to some or all requested resource"),
    or 403 Unauthorized."""
    text = str(error).lower()
    return error.status == 403 or (error.status == 400 and "not have access" in text)


class RestrictedDataMixin:
    """Part of AmazonClient: `restricted_token(resources)`."""

    pii_refused = False

    def _init_restricted(self):
        self.pii_refused = False
        self.notices = []  # (level, text) to show once on the job's log
        self._pending_item_orders = []  # orders of the last page read, whose items may be read next

    def restricted_token(self, path, elements, also=()):
        """An RDT for GET `path` with these data elements (reused while valid; `also`: other
        paths with the same elements to cover with one token), or None when Amazon refuses
        RDTs to the app (see the module docstring)."""
        if self.pii_refused:
            return None
        now = time.time()
        with _cache_lock:
            cached = _cache.get((self.account_key, path))
        if cached and cached[1] - RENEW_BEFORE > now:
            return cached[0]
        paths = [path] + [p for p in also if p != path and not self._cached(p, now)][: MAX_RESOURCES - 1]
        body = {
            "restrictedResources": [
                {"method": "GET", "path": p, "dataElements": list(elements)} for p in paths
            ]
        }
        try:
            answer = self._request(
                "createRestrictedDataToken", self._api(Tokens), "create_restricted_data_token", **body
            ).payload
        except AmazonError as error:
            if not _is_refusal(error):
                raise
            self.pii_refused = True
            self.notices.append(("warning", PII_REFUSED % error))
            return None
        token = answer.get("restrictedDataToken")
        if not token:
            raise AmazonError("createRestrictedDataToken: Amazon's answer holds no token.")
        expiry = now + int(answer.get("expiresIn") or 3600)
        with _cache_lock:
            for p in paths:
                _cache[(self.account_key, p)] = (token, expiry)
        return token

    def _cached(self, path, now):
        with _cache_lock:
            cached = _cache.get((self.account_key, path))
        return bool(cached and cached[1] - RENEW_BEFORE > now)

    def forget_restricted_tokens(self):
        """Drop this account's RDTs (a token expired: the access token and its RDTs are renewed)."""
        with _cache_lock:
            for key in [k for k in _cache if k[0] == self.account_key]:
                del _cache[key]


def forget_restricted_tokens():
    """Every account's RDTs (tests)."""
    with _cache_lock:
        _cache.clear()
