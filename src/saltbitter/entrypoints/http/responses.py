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

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from litestar import Litestar, MediaType, Request, Response
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.response.base import ASGIResponse
from litestar.serialization import default_serializer, get_serializer
from litestar.types import Serializer, TypeEncodersMap

from saltbitter.application.accounts.dto import MeView
from saltbitter.application.matching.views import DailySetView, DiscoverPage

__all__ = ["ApiResponse", "EncodedOnce", "PlainJsonAnswer"]

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


_JSON_CONTENT_TYPE = (b"content-type", MediaType.JSON.value.encode())


class PlainJsonAnswer(ASGIResponse):
    """Litestar's ``ASGIResponse`` for a 2xx JSON body with no cookies, background task
    or HEAD, built without its generic header handling (``MutableScopeHeaders.setdefault``
    searched the list twice per header; with the rest, about a tenth of a cached read's
    CPU, ADR 0047). The answer is the same: headers in the same order, then the content
    type and length."""

    __slots__ = ()

    def __init__(self, body: bytes, status_code: int, headers: Iterable[tuple[str, str]]) -> None:
        encoded = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        present = {name for name, _value in encoded}
        if b"content-type" not in present:
            encoded.append(_JSON_CONTENT_TYPE)
        if b"content-length" not in present:
            encoded.append((b"content-length", str(len(body)).encode()))
        self.headers = MutableScopeHeaders()
        self.headers.headers = encoded
        self.background = None
        self.body = body
        self.content_length = len(body)
        self._encoded_cookies = ()
        self.encoding = "utf-8"
        self.is_head_response = False
        self.status_code = status_code


class ApiResponse(Response[T]):
    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Iterable[Cookie] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: TypeEncodersMap | None = None,
    ) -> ASGIResponse:
        status = self.status_code or status_code or 200
        plain = (
            app is None
            and background is None
            and self.background is None
            and not cookies
            and not self.cookies
            and encoded_headers is None
            and not is_head_response
            and 200 <= status < 300
            and status != 204  # no content: Litestar's own rules apply
            and (self.media_type or media_type or MediaType.JSON) == MediaType.JSON
        )
        if not plain:
            return super().to_asgi_response(
                app,
                request,
                background=background,
                cookies=cookies,
                encoded_headers=encoded_headers,
                headers=headers,
                is_head_response=is_head_response,
                media_type=media_type,
                status_code=status_code,
                type_encoders=type_encoders,
            )
        merged = {**headers, **self.headers} if headers is not None else self.headers
        encoders = (
            {**type_encoders, **(self.response_type_encoders or {})}
            if type_encoders
            else self.response_type_encoders
        )
        body = self.render(self.content, MediaType.JSON, get_serializer(encoders))
        return PlainJsonAnswer(body, status, merged.items())

    def render(
        self, content: Any, media_type: str, enc_hook: Serializer = default_serializer
    ) -> bytes:
        if type(content) in _KEPT_VIEW_TYPES and media_type == MediaType.JSON:
            return _ENCODED.bytes_of(
                content, lambda: super(ApiResponse, self).render(content, media_type, enc_hook)
            )
        return super().render(content, media_type, enc_hook)
