"""Pure-Python parts shared by the marketplace clients (nothing here imports Odoo).

transport.Transport is the base of every client: pacing per operation, throttling, token renewal,
bounded retries of idempotent calls, Ambiguous for writes whose fate is unknown, counters, and
errors without credentials.
"""

from .transport import (  # noqa: F401
    Ambiguous,
    MarketplaceError,
    Throttled,
    Transport,
    Verdict,
)

__all__ = ["Ambiguous", "MarketplaceError", "Throttled", "Transport", "Verdict"]
