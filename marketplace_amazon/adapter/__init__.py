"""Pure-Python access to the Amazon SP-API (client) and translation of its payloads into the
suite's marketplace-neutral structures (mapping). Nothing here imports Odoo."""

from .client import AmazonAmbiguous, AmazonClient, AmazonError, AmazonThrottled  # noqa: F401
from .mapping import is_importable, to_neutral_listing, to_neutral_order  # noqa: F401

__all__ = [
    "AmazonAmbiguous",
    "AmazonClient",
    "AmazonError",
    "AmazonThrottled",
    "is_importable",
    "to_neutral_listing",
    "to_neutral_order",
]
