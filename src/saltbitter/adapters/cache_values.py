"""How cache adapters turn typed values into bytes and back: msgspec JSON.

The application stores dataclasses and reads them back by type; it never sees the
encoding. An entry that no longer decodes as the type asked for (a field added or
renamed since it was written) reads as missing, so it is rebuilt, never a failure.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec

__all__ = ["decode_value", "encode_value"]

T = TypeVar("T")


def encode_value(value: object) -> bytes:
    return msgspec.json.encode(value)


def decode_value(raw: bytes, kind: type[T]) -> T | None:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.MsgspecError:  # DecodeError and ValidationError
        return None
