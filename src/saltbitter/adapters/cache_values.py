"""How cache adapters turn typed values into bytes and back: msgspec JSON.

The application stores dataclasses and reads them back by type; it never sees the
encoding. An entry that no longer decodes as the type asked for (a field added or
renamed since it was written) reads as missing, so it is rebuilt, never a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import msgspec

__all__ = ["decode_value", "encode_value", "with_hole"]

T = TypeVar("T")


def encode_value(value: object) -> bytes:
    return msgspec.json.encode(value)


def decode_value(raw: bytes, kind: type[T]) -> T | None:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.MsgspecError:  # DecodeError and ValidationError
        return None


def with_hole(value: Mapping[str, object], hole: str) -> Callable[[int], object]:
    """``Cache.with_hole`` for the adapters that encode with ``encode_value``: ``value``
    is encoded once, as the JSON before and after the number at ``hole``, and each use
    is those bytes around the number's digits (``msgspec.Raw``, written as is), byte for
    byte what ``encode_value`` makes of the filled mapping (a unit test holds them
    equal). Anything but a plain int (a bool, say) is encoded the long way."""
    if hole not in value:
        raise KeyError(hole)
    encode = msgspec.json.encode
    keys = list(value)
    at = keys.index(hole)
    before = encode({key: value[key] for key in keys[:at]})[1:-1]
    after = encode({key: value[key] for key in keys[at + 1 :]})[1:-1]
    head = b"{" + before + (b"," if before else b"") + encode(hole) + b":"
    tail = (b"," + after if after else b"") + b"}"
    raw = msgspec.Raw

    def filled(number: int) -> object:
        if number.__class__ is not int:
            return raw(encode({**value, hole: number}))
        return raw(b"%b%d%b" % (head, number, tail))

    return filled
