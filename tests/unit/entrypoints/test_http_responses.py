"""The API's response class encodes a kept view once and answers with the same bytes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from uuid import uuid4

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import MediaType, Response

from saltbitter.application.accounts.dto import MeView
from saltbitter.application.matching.views import DailySetView, DiscoverPage
from saltbitter.domain.shared import Role, Tier, UserId
from saltbitter.entrypoints.http.responses import ApiResponse, EncodedOnce


def me_view(name: str = "Ada") -> MeView:
    return MeView(
        user_id=UserId(uuid4()),
        email="ada@example.org",
        display_name=name,
        email_verified=True,
        tier=Tier.FREE,
        roles=[Role.MEMBER],
        created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        timezone="Europe/Paris",
    )


def render(content: object) -> bytes:
    return ApiResponse(content).render(content, MediaType.JSON)


@given(st.text(max_size=40))
def test_api_response_renders_what_litestar_renders(name: str) -> None:
    views = (
        me_view(name),
        DailySetView(date(2026, 12, 7), []),
        DiscoverPage([], name or None),
        {"name": name},
    )
    for content in views:
        expected = Response(content).render(content, MediaType.JSON)
        assert render(content) == expected
        assert render(content) == expected  # the remembered bytes, the second time
        assert msgspec.json.decode(expected)  # JSON indeed


def test_an_equal_but_new_view_is_encoded_for_itself() -> None:
    first, second = me_view("Ada"), me_view("Grace")
    assert render(first) != render(second)
    assert render(first) == Response(first).render(first, MediaType.JSON)


def test_encoded_once_encodes_each_object_once_and_keeps_at_most_its_limit() -> None:
    encoded = EncodedOnce(limit=2)
    calls: list[object] = []

    def encoder(content: object) -> bytes:
        calls.append(content)
        return repr(content).encode()

    a, b, c = object(), object(), object()
    for content in (a, a, b, a, c, a):
        assert encoded.bytes_of(content, partial(encoder, content)) == repr(content).encode()
        assert len(encoded) <= 2
    assert calls == [a, b, c, a]  # c pushed a (the oldest) out


def test_encoded_once_needs_room_for_one() -> None:
    with pytest.raises(ValueError, match="limit"):
        EncodedOnce(limit=0)


_header_names = st.sampled_from(["cache-control", "ETag", "X-Thing", "vary", "Content-Type"])
_header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20
)


@given(
    content=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8)),
    route_headers=st.dictionaries(_header_names, _header_values, max_size=3),
    own_headers=st.dictionaries(_header_names, _header_values, max_size=3),
    status=st.sampled_from([200, 201, 202, 204, 304, 400, 404, 500]),
    head=st.booleans(),
)
def test_a_plain_json_answer_is_the_one_litestar_builds(
    content: dict[str, object],
    route_headers: dict[str, str],
    own_headers: dict[str, str],
    status: int,
    head: bool,
) -> None:
    """The lean path (ADR 0047) answers exactly what Litestar's generic one does: status,
    headers in order, body; and leaves the other cases to Litestar."""
    if head or status in (204, 304):
        content = {}  # Litestar refuses a body there, whichever path
    ours = ApiResponse(content, status_code=status, headers=own_headers)
    reference = Response(content, status_code=status, headers=own_headers)
    options = {"headers": route_headers or None, "is_head_response": head}
    try:
        expected = reference.to_asgi_response(None, None, **options)  # type: ignore[arg-type]
    except Exception as refused:
        with pytest.raises(type(refused)):
            ours.to_asgi_response(None, None, **options)  # type: ignore[arg-type]
        return
    answer = ours.to_asgi_response(None, None, **options)  # type: ignore[arg-type]
    assert answer.status_code == expected.status_code
    assert answer.encode_headers() == expected.encode_headers()
    assert answer.body == expected.body
    assert answer.is_head_response == expected.is_head_response
