"""Access: Login with Amazon tokens, Restricted Data Tokens (Tokens API 2021-03-01), and the
check of every request.

A request carries in ``x-amz-access-token`` either an LWA access token or a Restricted Data
Token (RDT). An RDT is issued by createRestrictedDataToken for at most 50 restricted resources
(method, path, data elements); it is accepted only on those paths, where it reveals those data
elements (`req.pii`, see buyers.py); an LWA token reveals none. Orders paths name one order:
the generic ``{orderId}`` form is for the Shipping API only, as the Tokens API model says.
An app without the restricted role (control ``pii_role``) is refused its RDTs as Amazon does:
400 InvalidInput "Application does not have access to one or more requested data elements".
"""

import base64
import json
import os
import re
import time
import uuid
from urllib.parse import parse_qs

from ..core import Response
from .data import _error

RDT_PREFIX = "Atz.sprdt|"
DATA_ELEMENTS = ("buyerInfo", "shippingAddress", "buyerTaxInformation")
ALL_PII = frozenset(DATA_ELEMENTS)
# restricted paths: (regex, data elements needed?) -- a path without data elements reveals everything
RESTRICTED_PATHS = (
    (re.compile(r"^/orders/v0/orders$"), True),
    (re.compile(r"^/orders/v0/orders/[^/{}]+$"), True),
    (re.compile(r"^/orders/v0/orders/[^/{}]+/orderItems$"), True),
    (re.compile(r"^/orders/v0/orders/[^/{}]+/(address|buyerInfo|orderItems/buyerInfo)$"), False),
    (re.compile(r"^/orders/2026-01-01/orders$"), True),
    (re.compile(r"^/orders/2026-01-01/orders/[^/{}]+$"), True),
    (re.compile(r"^/mfn/v0/shipments/[^/]+$"), False),
)
# the operations whose answers hold restricted data (an RDT may be used on them)
RESTRICTED_OPERATIONS = frozenset(
    (
        "getOrders",
        "getOrder",
        "getOrderItems",
        "getOrderAddress",
        "getOrderBuyerInfo",
        "getOrderItemsBuyerInfo",
        "searchOrders",
        "getOrder2026",
    )
)


def _denied(details=""):
    return [_error("Unauthorized", "Access to requested resource is denied.", details)]


class TokensMixin:
    NO_AUTH = frozenset(("lwaToken", "uploadDocument", "downloadDocument"))

    def authenticate(self, req, operation):
        req.pii = frozenset()
        if operation in self.NO_AUTH:
            return None
        token = req.header("x-amz-access-token")
        if not token:
            return self._errors(403, _denied())
        if token.startswith(RDT_PREFIX) and token in self.rdts:
            return self._check_rdt(req, operation, self.rdts[token])
        expiry = self.tokens.get(token)
        if expiry is None:
            return self._errors(
                403, _denied("The access token you provided is revoked, malformed or invalid.")
            )
        if expiry <= time.time():
            return self._errors(403, _denied("The access token you provided has expired."))
        return None

    def _check_rdt(self, req, operation, rdt):
        if rdt["expiry"] <= time.time():
            return self._errors(403, _denied("The access token you provided has expired."))
        path = req.path.rstrip("/") or "/"
        for resource in rdt["resources"]:
            if (
                operation in RESTRICTED_OPERATIONS
                and resource["method"] == req.method
                and resource["path"] == path
            ):
                req.pii = frozenset(resource["dataElements"]) if resource["dataElements"] else ALL_PII
                return None
        return self._errors(
            403, _denied("The restricted data token does not grant %s %s." % (req.method, path))
        )

    def expire_tokens(self):
        for token in self.tokens:
            self.tokens[token] = 0
        for rdt in self.rdts.values():
            rdt["expiry"] = 0

    # -- Tokens API -----------------------------------------------------------------------------
    def _create_restricted_data_token(self, req):
        body = req.json()
        resources = body.get("restrictedResources") if isinstance(body, dict) else None
        if not isinstance(resources, list) or not 1 <= len(resources) <= 50:
            return self.error_response(400, "restrictedResources must hold 1 to 50 restricted resources")
        checked, wanted = [], set()
        for resource in resources:
            clean, problem = self._restricted_resource(resource)
            if problem:
                return self.error_response(400, problem)
            checked.append(clean)
            wanted.update(clean["dataElements"])
        if not self.pii_role:
            if wanted:
                return self.error_response(
                    400,
                    "Application does not have access to one or more requested data "
                    "elements: [%s]" % ", ".join(sorted(wanted)),
                )
            return self.error_response(
                400, "Application do not have access to some or all requested resource"
            )
        token = RDT_PREFIX + base64.urlsafe_b64encode(os.urandom(30)).decode().rstrip("=")
        self.rdts[token] = {"expiry": time.time() + self.token_ttl, "resources": checked}
        return self._ok(200, {"restrictedDataToken": token, "expiresIn": self.token_ttl})

    @staticmethod
    def _restricted_resource(resource):
        """(the resource as granted, None) or (None, the reason it is refused)."""
        if (
            not isinstance(resource, dict)
            or resource.get("method") not in ("GET", "PUT", "POST", "DELETE")
            or not isinstance(resource.get("path"), str)
        ):
            return None, "Each restricted resource needs a method (GET, PUT, POST, DELETE) and a path"
        path = resource["path"].rstrip("/")
        elements = resource.get("dataElements") or []
        if not isinstance(elements, list) or any(e not in DATA_ELEMENTS for e in elements):
            return None, "dataElements must be among %s" % ", ".join(DATA_ELEMENTS)
        for regex, needs_elements in RESTRICTED_PATHS:
            if regex.match(path):
                if needs_elements and not elements:
                    return None, "dataElements is required for %s" % path
                return {
                    "method": resource["method"],
                    "path": path,
                    "dataElements": sorted(set(elements)),
                }, None
        if "{" in path:
            return (
                None,
                "Invalid restricted resource path %s: name the order (generic paths are accepted for "
                "shipments only)" % path,
            )
        return None, "%s is not a restricted resource" % path

    def _lwa_token(self, req):
        ctype = (req.header("content-type") or "").lower()
        try:
            if "json" in ctype:
                form = json.loads(req.body or b"{}")
                form = {k: str(v) for k, v in form.items()} if isinstance(form, dict) else {}
            else:
                form = {
                    k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()
                }
        except (ValueError, UnicodeDecodeError):
            return self._lwa_error(400, "invalid_request", "The request is malformed.")
        grant = form.get("grant_type")
        if not grant:
            return self._lwa_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant not in ("refresh_token", "client_credentials"):
            return self._lwa_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        for key in ("client_id", "client_secret"):
            if not form.get(key):
                return self._lwa_error(
                    400, "invalid_request", "The request is missing a required parameter : %s" % key
                )
        if form["client_id"] != self.client_id or form["client_secret"] != self.client_secret:
            return self._lwa_error(401, "invalid_client", "Client authentication failed")
        if grant == "refresh_token":
            if not form.get("refresh_token"):
                return self._lwa_error(
                    400, "invalid_request", "The request is missing a required parameter : refresh_token"
                )
            if form["refresh_token"] != self.refresh_token:
                return self._lwa_error(
                    400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
                )
        token = "Atza|sim" + base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
        self.tokens[token] = time.time() + self.token_ttl
        body = {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl}
        if grant == "refresh_token":
            body["refresh_token"] = self.refresh_token
        return Response(
            200,
            json.dumps(body).encode(),
            {"Content-Type": "application/json;charset=UTF-8", "x-amzn-RequestId": str(uuid.uuid4())},
        )

    @staticmethod
    def _lwa_error(status, error, description):
        return Response(
            status,
            json.dumps({"error_description": description, "error": error}).encode(),
            {"Content-Type": "application/json;charset=UTF-8"},
        )
