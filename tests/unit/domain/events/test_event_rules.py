"""The rules of community events: defaults by kind, validation, seats and the waitlist,
admission to paid events and the reminder windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.events import (
    KIND_DEFAULTS,
    Admission,
    EventKind,
    RegistrationStatus,
    Reminder,
    admission_for,
    check_event,
    check_survey,
    due_reminder,
    month_start,
    place,
    promotions,
    waitlist_position,
)

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


def _codes(error: ValidationFailed) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


@pytest.mark.parametrize(
    ("kind", "seats", "minutes"),
    [("speed_dating", 20, 60), ("workshop", 50, 90), ("community_chat", 100, 45)],
)
def test_each_kind_fills_in_its_seats_and_length(kind: str, seats: int, minutes: int) -> None:
    details = check_event(now=NOW, kind=kind, title=" Spring ", description="", starts_at=LATER)
    assert (details.capacity, details.duration_minutes) == (seats, minutes)
    assert details.title == "Spring"
    assert details.price_cents == 0


def test_given_values_win_over_the_kinds_defaults() -> None:
    details = check_event(
        now=NOW,
        kind="speed_dating",
        title="Small",
        description="",
        starts_at=LATER,
        capacity=8,
        duration_minutes=30,
        price_cents=1500,
    )
    assert (details.capacity, details.duration_minutes, details.price_cents) == (8, 30, 1500)


def test_a_custom_event_needs_seats_and_length() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_event(now=NOW, kind="custom", title="Own", description="", starts_at=LATER)
    assert _codes(caught.value) == {"capacity": "required", "duration_minutes": "required"}


def test_every_broken_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_event(
            now=NOW,
            kind="party",
            title=" ",
            description="x" * 5001,
            starts_at=NOW,
            capacity=0,
            duration_minutes=2,
            price_cents=-1,
        )
    assert _codes(caught.value) == {
        "kind": "invalid_choice",
        "title": "required",
        "description": "too_long",
        "starts_at": "in_the_past",
        "capacity": "out_of_range",
        "duration_minutes": "out_of_range",
        "price_cents": "out_of_range",
    }


def test_the_defaults_cover_every_kind() -> None:
    assert set(KIND_DEFAULTS) == set(EventKind)


@given(st.integers(1, 50), st.lists(st.sampled_from(["join", "leave"]), max_size=120), st.data())
def test_seats_never_oversold_and_the_waitlist_moves_in_arrival_order(
    capacity: int, steps: list[str], data: st.DataObject
) -> None:
    """A model roster driven by random joins and leaves, using only the domain's rules:
    seats never exceed capacity, nobody waits while a seat is free, and promotion always
    takes the earliest arrivals."""
    seated: list[int] = []
    waiting: list[int] = []  # arrival numbers, kept in arrival order
    arrivals = 0
    for step in steps:
        if step == "join":
            arrivals += 1
            if place(len(seated), capacity) is RegistrationStatus.REGISTERED:
                seated.append(arrivals)
            else:
                waiting.append(arrivals)
        elif seated or waiting:
            pool = seated + waiting
            leaving = data.draw(st.sampled_from(pool))
            (seated if leaving in seated else waiting).remove(leaving)
            moved = promotions(capacity, len(seated), waiting)
            assert moved == waiting[: len(moved)]
            seated += moved
            del waiting[: len(moved)]
        assert len(seated) <= capacity
        assert not waiting or len(seated) == capacity
        assert waiting == sorted(waiting)
        assert [waitlist_position(waiting, a) for a in waiting] == list(range(1, len(waiting) + 1))


@given(st.integers(1, 10), st.integers(0, 10), st.lists(st.integers(), max_size=20))
def test_promotions_take_exactly_the_free_seats_from_the_front(
    capacity: int, registered: int, waitlist: list[int]
) -> None:
    moved = promotions(capacity, registered, waitlist)
    assert moved == waitlist[: max(0, capacity - registered)]


@given(
    price=st.integers(0, 10_000),
    ticket=st.booleans(),
    allowance=st.integers(0, 2),
    used=st.integers(0, 3),
)
def test_admission_free_then_ticket_then_allowance(
    price: int, ticket: bool, allowance: int, used: int
) -> None:
    got = admission_for(
        price_cents=price, holds_ticket=ticket, allowance=allowance, used_this_month=used
    )
    if price == 0:
        assert got is Admission.FREE
    elif ticket:
        assert got is Admission.TICKET
    elif used < allowance:
        assert got is Admission.ALLOWANCE
    else:
        assert got is None


@given(st.integers(-3 * 24 * 60, 3 * 24 * 60))
def test_reminder_windows(minutes_before: int) -> None:
    starts_at = NOW + timedelta(minutes=minutes_before)
    due = due_reminder(starts_at, NOW)
    if minutes_before <= 0 or minutes_before > 24 * 60:
        assert due is None
    elif minutes_before <= 60:
        assert due is Reminder.HOUR_BEFORE
    else:
        assert due is Reminder.DAY_BEFORE


@given(st.datetimes(timezones=st.just(UTC)))
def test_allowances_renew_on_the_first_of_the_month(now: datetime) -> None:
    start = month_start(now)
    assert start <= now
    assert (start.year, start.month, start.day, start.hour, start.minute) == (
        now.year,
        now.month,
        1,
        0,
        0,
    )


def test_survey_rules() -> None:
    assert check_survey(5, "  ") is None
    assert check_survey(1, " ok ") == "ok"
    with pytest.raises(ValidationFailed) as caught:
        check_survey(6, "x" * 2001)
    assert _codes(caught.value) == {"rating": "out_of_range", "comment": "too_long"}
