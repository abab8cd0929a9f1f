"""Opaque page cursors: a keyset (the last item's sort key), base64url-encoded.

A keyset rather than an offset, so a page never repeats or skips an item when the list
changes in between (a like removes someone from discovery; a new match arrives).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

from saltbitter.domain.errors import ValidationFailed

__all__ = ["decode_score_cursor", "decode_time_cursor", "encode_cursor"]


def encode_cursor(key: str | float | datetime, last: UUID) -> str:
    text = key.isoformat() if isinstance(key, datetime) else repr(key)
    return base64.urlsafe_b64encode(f"{text}|{last}".encode()).decode().rstrip("=")


def _invalid() -> ValidationFailed:
    return ValidationFailed.single(
        "cursor", "Use the next_cursor of the previous page.", "invalid_cursor"
    )


def _parts(cursor: str) -> tuple[str, UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text, _, last = base64.urlsafe_b64decode(padded.encode()).decode().rpartition("|")
        return text, UUID(last)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid() from None


def decode_time_cursor(cursor: str) -> tuple[datetime, UUID]:
    text, last = _parts(cursor)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid() from None
    if at.utcoffset() is None:
        raise _invalid()
    return at, last


def decode_score_cursor(cursor: str) -> tuple[float, UUID]:
    text, last = _parts(cursor)
    try:
        return float(text), last
    except ValueError:
        raise _invalid() from None
