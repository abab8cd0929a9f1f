"""Message rules: body bounds, paging bounds, cursor round-trips, status and receipts."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.conversations import (
    MAX_BODY_CHARS,
    MAX_PAGE_SIZE,
    Message,
    MessageCursor,
    MessageStatus,
    ModerationDecision,
    TypingThrottle,
    client_message_id,
    message_body,
    page_size,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import UserId

ADA, BO = UserId(uuid.UUID(int=1)), UserId(uuid.UUID(int=2))
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
_WS = st.sampled_from([" ", "\n", "\t", "\r", "\u3000"])


@given(st.text(min_size=1), st.text(_WS), st.text(_WS))
def test_a_body_is_stored_trimmed_and_accepted_exactly_when_1_to_2000_chars(
    text: str, before: str, after: str
) -> None:
    trimmed = text.strip()
    raw = before + text + after
    if 1 <= len(trimmed) <= MAX_BODY_CHARS:
        assert message_body(raw) == trimmed
    else:
        with pytest.raises(ValidationFailed) as caught:
            message_body(raw)
        assert [error.field for error in caught.value.errors] == ["body"]


@pytest.mark.parametrize("size", [MAX_BODY_CHARS, MAX_BODY_CHARS + 1])
def test_the_body_bound_is_2000_characters_after_trimming(size: int) -> None:
    raw = "  " + "x" * size + "  "
    if size <= MAX_BODY_CHARS:
        assert len(message_body(raw)) == size
    else:
        with pytest.raises(ValidationFailed):
            message_body(raw)


@given(st.integers(min_value=-100, max_value=200))
def test_page_size_is_1_to_50(limit: int) -> None:
    if 1 <= limit <= MAX_PAGE_SIZE:
        assert page_size(limit) == limit
    else:
        with pytest.raises(ValidationFailed):
            page_size(limit)


def test_client_message_ids_are_short_printable_keys() -> None:
    assert client_message_id("abc-123") == "abc-123"
    for bad in ("", "x" * 65, "a b", "tab\t"):
        with pytest.raises(ValidationFailed):
            client_message_id(bad)


_stamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(_stamps, st.uuids())
def test_a_cursor_round_trips(created_at: datetime, message_id: uuid.UUID) -> None:
    cursor = MessageCursor(created_at, message_id)
    assert MessageCursor.decode(cursor.encode()) == cursor


@given(st.text(max_size=80))
def test_garbage_never_decodes_into_anything_but_a_validation_error(text: str) -> None:
    try:
        MessageCursor.decode(text)
    except ValidationFailed as error:
        fields = [e.field for e in error.errors]
    else:
        fields = ["before"]
    assert fields == ["before"]


@given(st.lists(st.tuples(_stamps, st.uuids()), min_size=1, max_size=30, unique_by=lambda t: t[1]))
def test_cursor_order_is_the_history_order(points: list[tuple[datetime, uuid.UUID]]) -> None:
    cursors = sorted(MessageCursor(at, mid) for at, mid in points)
    encoded = [MessageCursor.decode(c.encode()) for c in cursors]
    assert encoded == cursors


def _message(decision: ModerationDecision = ModerationDecision.ALLOW, **changes: object) -> Message:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "match_id": uuid.uuid4(),
        "sender_id": ADA,
        "recipient_id": BO,
        "body": "hi",
        "client_message_id": "c1",
        "created_at": NOW,
        "decision": decision,
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


@given(st.sampled_from(ModerationDecision), st.booleans(), st.booleans())
def test_status_follows_the_decision_then_delivery_then_reading(
    decision: ModerationDecision, delivered: bool, read: bool
) -> None:
    message = _message(
        decision, delivered_at=NOW if delivered else None, read_at=NOW if read else None
    )
    if decision is ModerationDecision.HOLD:
        assert message.status is MessageStatus.HELD
    elif decision is ModerationDecision.BLOCK:
        assert message.status is MessageStatus.BLOCKED
    elif read:
        assert message.status is MessageStatus.READ
    elif delivered:
        assert message.status is MessageStatus.DELIVERED
    else:
        assert message.status is MessageStatus.SENT
    # Held and blocked messages reach nobody but their sender.
    assert message.visible_to(ADA)
    assert message.visible_to(BO) == decision.delivers


def test_read_receipts_are_hidden_from_a_sender_without_the_entitlement() -> None:
    read = _message(delivered_at=NOW, read_at=NOW + timedelta(minutes=1))
    assert read.as_seen_by(ADA, read_receipts=True).status is MessageStatus.READ
    hidden = read.as_seen_by(ADA, read_receipts=False)
    assert hidden.status is MessageStatus.DELIVERED
    assert hidden.read_at is None
    # The recipient always sees that they read it.
    assert read.as_seen_by(BO, read_receipts=False).status is MessageStatus.READ


@given(st.lists(st.integers(min_value=0, max_value=20_000), max_size=40))
def test_typing_indicators_are_at_most_one_per_interval(offsets_ms: list[int]) -> None:
    throttle = TypingThrottle()
    match_id = uuid.uuid4()
    allowed = [
        NOW + timedelta(milliseconds=ms)
        for ms in sorted(offsets_ms)
        if throttle.allow(match_id, NOW + timedelta(milliseconds=ms))
    ]
    assert all(b - a >= throttle.interval for a, b in itertools.pairwise(allowed))
    if offsets_ms:
        assert allowed[0] == NOW + timedelta(milliseconds=min(offsets_ms))
