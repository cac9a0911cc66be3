"""The token endpoint (login.bol.com/token): client-credentials grant with Basic auth."""

import base64
import hashlib
import json
import time
import uuid
from urllib.parse import parse_qs

from ..core import Response
from .data import JSON_TYPE, _b64url


class TokenMixin:
    """The token endpoint of BolAPI."""

    def _token(self, req):
        form = {k: v[0] for k, v in req.query.items()}
        ctype = (req.header("content-type") or "").lower()
        if req.body and "json" not in ctype:
            try:
                form.update(
                    {k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()}
                )
            except UnicodeDecodeError:
                return self._oauth_error(400, "invalid_request", "Malformed request body")
        auth = (req.header("authorization") or "").strip()
        scheme, _, value = auth.partition(" ")
        client_id = secret = None
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = (
                    base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
                )
            except (ValueError, UnicodeDecodeError):
                client_id = None
        if client_id != self.client_id or secret != self.client_secret:
            # fixtures_http/401-unauthorized
            return Response(
                401,
                json.dumps(
                    {"error": "invalid_client", "error_description": "Bad client credentials"}
                ).encode(),
                {"Content-Type": JSON_TYPE},
            )
        grant = form.get("grant_type")
        self.token_grant_in = "query" if "grant_type" in req.query else "body"  # how the client asked
        if not grant:
            return self._oauth_error(400, "invalid_request", "Missing grant type")
        if grant != "client_credentials":
            return self._oauth_error(400, "unsupported_grant_type", "Unsupported grant type: %s" % grant)
        now = int(time.time())
        exp = now + int(self.token_lifetime)
        header = _b64url(b'{"alg":"RS256","typ":"JWT"}')
        claims = _b64url(
            json.dumps(
                {
                    "sub": client_id,
                    "aud": "retailer",
                    "scope": "RETAILER",
                    "iat": now,
                    "exp": exp,
                    "jti": str(uuid.uuid4()),
                },
                separators=(",", ":"),
            ).encode()
        )
        signature = _b64url(
            hashlib.sha256(("%s.%s.%s" % (header, claims, self.client_secret)).encode()).digest()
        )
        token = "%s.%s.%s" % (header, claims, signature)
        self.tokens[token] = exp
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": max(0, int(self.token_lifetime) - 1),
            "scope": "RETAILER",
        }
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=UTF-8"})

    @staticmethod
    def _oauth_error(status, error, description):
        return Response(
            status,
            json.dumps({"error": error, "error_description": description}).encode(),
            {"Content-Type": "application/json;charset=UTF-8"},
        )
