"""The API's response class: the JSON of a view a use case keeps is encoded once.

``GET /me`` and ``GET /matches/daily`` answer, while the member's stamp holds, with the
very view object they answered with before (kept per process, ADR 0036), and a
discovery page whose every input is unchanged is the page rendered before (ADR 0043). Encoding the
daily set's view again on every request was an eighth of that request's CPU (ADR 0044),
so ``ApiResponse`` remembers the bytes of the last views of those types it encoded, by
identity. An entry holds its view, so the identity cannot be taken by another object
while the entry lives; the views are frozen dataclasses that nobody changes in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import MediaType, Response
from litestar.serialization import default_serializer
from litestar.types import Serializer

from saltbitter.application.accounts.dto import MeView
from saltbitter.application.matching.views import DailySetView, DiscoverPage

__all__ = ["ApiResponse", "EncodedOnce"]

T = TypeVar("T")
# Kept views only: encoding anything else once would just fill the memory.
_KEPT_VIEW_TYPES: frozenset[type] = frozenset({MeView, DailySetView, DiscoverPage})


class EncodedOnce:
    """The encoded bytes of the last ``limit`` objects, by identity, oldest out first."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._encoded: dict[int, tuple[object, bytes]] = {}

    def __len__(self) -> int:
        return len(self._encoded)

    def bytes_of(self, content: object, encode: Callable[[], bytes]) -> bytes:
        known = self._encoded.get(id(content))
        if known is not None and known[0] is content:
            return known[1]
        encoded = encode()
        if len(self._encoded) >= self._limit:
            del self._encoded[next(iter(self._encoded))]
        self._encoded[id(content)] = (content, encoded)
        return encoded


# Per process, as the kept views themselves; a member's views are replaced when their
# stamp changes, so about one entry per recently active member and kind.
_ENCODED = EncodedOnce(20_000)


class ApiResponse(Response[T]):
    def render(
        self, content: Any, media_type: str, enc_hook: Serializer = default_serializer
    ) -> bytes:
        if type(content) in _KEPT_VIEW_TYPES and media_type == MediaType.JSON:
            return _ENCODED.bytes_of(
                content, lambda: super(ApiResponse, self).render(content, media_type, enc_hook)
            )
        return super().render(content, media_type, enc_hook)
