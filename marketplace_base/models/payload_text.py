"""What the marketplaces send, as text the database stores and a person can read.

A marketplace may send anything: bytes that are not UTF-8, JSON such as "\\udc80", NUL
characters. Queuing must never fail on it (the record would be lost), and processing must say
where the bad text is, on that record's queue line only. Used by marketplace.queue (queuing)
and marketplace.queue.line (storage and processing).
"""

import json
import re

from odoo import _
from odoo.exceptions import ValidationError

# What PostgreSQL refuses in text: NUL, and lone UTF-16 surrogates (not characters at all, so
# not encodable in UTF-8). Python strings hold them when a marketplace sends bytes that are not
# UTF-8 (decoded with "surrogateescape", byte 0xFF becoming U+DCFF) or JSON such as "\udc80".
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text):
    """Any text (or bytes, or value) as a str PostgreSQL stores: what it cannot hold is written
    as a visible escape (\\udc80, \\x00) instead of failing the whole transaction."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    return UNSTORABLE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def storable_payload(payload):
    """The payload as text the database stores, whatever the marketplace sent.

    Records are written as JSON; non-ASCII characters stay as they are (the payload is read by
    people), but what PostgreSQL cannot store — lone surrogates (bytes that were not UTF-8, or
    JSON such as "\\udc80"), NUL — is written as its JSON escape (as ensure_ascii=True would):
    queuing never fails, and processing reports the bad text on this line only (load_payload).
    """
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", "surrogateescape")
    if not isinstance(payload, str):
        payload = json.dumps(payload, ensure_ascii=False, default=_json_default)
    return storable_text(payload)


def load_payload(text):
    """The JSON object a queue line holds; a ValidationError that says what is wrong with it
    (not JSON, not an object, or where it holds text that is not valid)."""
    try:
        payload = json.loads(text or "")
    except ValueError as err:
        raise ValidationError(_("Malformed payload, not valid JSON: %s", err)) from None
    if not isinstance(payload, dict):
        raise ValidationError(_("Malformed payload: a JSON object was expected."))
    bad_text = _find_bad_text(payload)
    if bad_text:
        raise ValidationError(
            _("Invalid text in the payload at %(where)s: %(what)s.", where=bad_text[0], what=bad_text[1])
        )
    return payload


def _json_default(value):
    if isinstance(value, bytes):
        # Kept byte for byte: bytes that are not UTF-8 come back as surrogates that load_payload reports.
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _describe_bad_char(char):
    code = ord(char)
    if code == 0:
        return _("a NUL character, which text cannot hold")
    if 0xDC80 <= code <= 0xDCFF:
        return _(
            "\\u%(code)04x is not a character (byte 0x%(byte)02X of text that is not UTF-8, or half of "
            "a UTF-16 surrogate pair)",
            code=code,
            byte=code - 0xDC00,
        )
    return _("\\u%04x is not a character (half of a UTF-16 surrogate pair)", code)


def _find_bad_text(value, path=()):
    """(where, what) of the first text of a loaded payload that is not valid text, or None."""
    if isinstance(value, str):
        match = UNSTORABLE.search(value)
        return (".".join(path) or "payload", _describe_bad_char(match.group())) if match else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = path + (storable_text(key),)
        found = (_find_bad_text(key, where) if isinstance(key, str) else None) or _find_bad_text(item, where)
        if found:
            return found
    return None
