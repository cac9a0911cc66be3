"""The Amazon client's errors and the date helpers its parts share. Imports nothing from Odoo."""

from datetime import datetime, timezone

if __name__.startswith("odoo.addons."):
    from odoo.addons.marketplace_base.adapter.transport import (  # noqa: F401 (re-exported)
        Ambiguous,
        MarketplaceError,
        Throttled,
        Transport,
        Verdict,
        http_verdict,
        parse_retry_after,
        path_segment,
    )
else:  # imported without Odoo (tests/, benchmarks): the addons are plain packages
    from marketplace_base.adapter.transport import (  # noqa: F401 (re-exported)
        Ambiguous,
        MarketplaceError,
        Throttled,
        Transport,
        Verdict,
        http_verdict,
        parse_retry_after,
        path_segment,
    )


class AmazonError(MarketplaceError):
    """Amazon refused or failed; the text is Amazon's own, never a credential."""


class AmazonThrottled(AmazonError, Throttled):
    """Still throttled when the call's time budget (max_wait) ran out."""


class AmazonAmbiguous(AmazonError, Ambiguous):
    """confirmShipment or createFeed sent, answer lost: Amazon may have applied it."""


def _iso(value):
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _datetime(value):
    """An aware UTC datetime of an ISO 8601 string or a datetime (UTC when naive); None if empty."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
