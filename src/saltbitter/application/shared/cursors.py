"""Opaque page cursors of member-facing lists (blocks, events, the moderation queue):
a keyset (time, id) or an offset. Clients pass back the `next_cursor` they were given."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

from saltbitter.domain.errors import ValidationFailed

__all__ = ["decode_offset", "decode_time", "encode_offset", "encode_time"]


def _invalid() -> ValidationFailed:
    return ValidationFailed.single(
        "cursor", "Use the next_cursor of the previous page.", "invalid_cursor"
    )


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid() from None


def encode_time(at: datetime, last: UUID) -> str:
    return _encode(f"{at.isoformat()}|{last}")


def decode_time(cursor: str) -> tuple[datetime, UUID]:
    text, _, last = _decode(cursor).rpartition("|")
    try:
        at, key = datetime.fromisoformat(text), UUID(last)
    except ValueError:
        raise _invalid() from None
    if at.utcoffset() is None:
        raise _invalid()
    return at, key


def encode_offset(offset: int) -> str:
    return _encode(f"o{offset}")


def decode_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    text = _decode(cursor)
    if not text.startswith("o") or not text[1:].isdigit():
        raise _invalid()
    return int(text[1:])
