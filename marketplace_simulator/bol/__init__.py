"""The Bol.com Retailer API v10 part of the marketplace simulator, mounted under `/bol`.

Contracts: ../shared/apispecs/bol (retailer.json, shared.json, fixtures_http/). What it serves:

- `POST /bol/token` (login.bol.com/token in production): client-credentials grant with Basic auth,
  `grant_type` in the query or the form body; answers a JWT-shaped bearer token living
  `token_lifetime` seconds (`expires_in` one less, as Bol's 299). An expired token gets the exact
  401 "Expired JWT" problem of fixtures_http/401-jwt-expired (1 s clock skew allowed, as Bol).
- `/bol/retailer/...` and `/bol/shared/...`: orders (pages of 50, the `{ }` empty page), order
  detail, shipments, cancellations, offers (get, create, update, stock, price, delete, CSV export),
  returns (list, detail, handle, create), FBB inventory, process statuses (single, by entity,
  bulk), invoices (list, invoice, specification: invoices.py, invoice_render.py). Every write answers 202 with a process status that turns PENDING -> SUCCESS or FAILURE
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

from .api import BolAPI

__all__ = ["BolAPI"]
