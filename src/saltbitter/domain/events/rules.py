"""The rules of community events (docs/events.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from saltbitter.domain.errors import FieldError, ValidationFailed

__all__ = [
    "KIND_DEFAULTS",
    "MAX_CAPACITY",
    "MAX_COMMENT",
    "MAX_DESCRIPTION",
    "MAX_DURATION_MINUTES",
    "MAX_PRICE_CENTS",
    "MAX_TITLE",
    "MIN_DURATION_MINUTES",
    "REMINDER_LEADS",
    "Admission",
    "EventDetails",
    "EventKind",
    "EventStatus",
    "KindDefaults",
    "RegistrationStatus",
    "Reminder",
    "admission_for",
    "check_event",
    "check_survey",
    "due_reminder",
    "month_start",
    "place",
    "promotions",
    "waitlist_position",
]

T = TypeVar("T")

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_COMMENT = 2000
MAX_CAPACITY = 1000
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 24 * 60
MAX_PRICE_CENTS = 100_000  # 1,000 USD: a typo guard, not a business price list


class EventKind(StrEnum):
    SPEED_DATING = "speed_dating"
    WORKSHOP = "workshop"
    COMMUNITY_CHAT = "community_chat"
    CUSTOM = "custom"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Admission(StrEnum):
    """How a member got into an event: it is free, their tier's monthly allowance, or a
    ticket they bought."""

    FREE = "free"
    ALLOWANCE = "allowance"
    TICKET = "ticket"


class Reminder(StrEnum):
    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"


REMINDER_LEADS: dict[Reminder, timedelta] = {
    Reminder.DAY_BEFORE: timedelta(hours=24),
    Reminder.HOUR_BEFORE: timedelta(hours=1),
}


@dataclass(frozen=True, slots=True)
class KindDefaults:
    capacity: int | None
    duration_minutes: int | None


KIND_DEFAULTS: dict[EventKind, KindDefaults] = {
    EventKind.SPEED_DATING: KindDefaults(20, 60),
    EventKind.WORKSHOP: KindDefaults(50, 90),
    EventKind.COMMUNITY_CHAT: KindDefaults(100, 45),
    EventKind.CUSTOM: KindDefaults(None, None),  # the admin says both
}


@dataclass(frozen=True, slots=True)
class EventDetails:
    """An event's checked, complete details (defaults of its kind filled in)."""

    kind: EventKind
    title: str
    description: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    price_cents: int


def _bounded(errors: list[FieldError], field: str, value: int | None, low: int, high: int) -> int:
    if value is None:
        errors.append(FieldError(field, "Required for a custom event.", "required"))
        return low
    if not low <= value <= high:
        errors.append(FieldError(field, f"Use {low} to {high}.", "out_of_range"))
    return value


def check_event(
    *,
    now: datetime,
    kind: str,
    title: str,
    description: str,
    starts_at: datetime,
    duration_minutes: int | None = None,
    capacity: int | None = None,
    price_cents: int | None = None,
) -> EventDetails:
    """The event as it will be stored, or every broken field rule at once."""
    errors: list[FieldError] = []
    try:
        event_kind = EventKind(kind)
    except ValueError:
        errors.append(FieldError("kind", f"Use one of {', '.join(EventKind)}.", "invalid_choice"))
        event_kind = EventKind.CUSTOM
    defaults = KIND_DEFAULTS[event_kind]
    title = title.strip()
    description = description.strip()
    if not title:
        errors.append(FieldError("title", "Give the event a title.", "required"))
    elif len(title) > MAX_TITLE:
        errors.append(FieldError("title", f"At most {MAX_TITLE} characters.", "too_long"))
    if len(description) > MAX_DESCRIPTION:
        errors.append(
            FieldError("description", f"At most {MAX_DESCRIPTION} characters.", "too_long")
        )
    if starts_at.tzinfo is None:
        errors.append(FieldError("starts_at", "Give a time zone.", "naive_datetime"))
    elif starts_at <= now:
        errors.append(FieldError("starts_at", "Events start in the future.", "in_the_past"))
    duration = _bounded(
        errors,
        "duration_minutes",
        defaults.duration_minutes if duration_minutes is None else duration_minutes,
        MIN_DURATION_MINUTES,
        MAX_DURATION_MINUTES,
    )
    seats = _bounded(
        errors,
        "capacity",
        defaults.capacity if capacity is None else capacity,
        1,
        MAX_CAPACITY,
    )
    price = 0 if price_cents is None else price_cents
    if not 0 <= price <= MAX_PRICE_CENTS:
        errors.append(FieldError("price_cents", f"Use 0 to {MAX_PRICE_CENTS}.", "out_of_range"))
    if errors:
        raise ValidationFailed(errors)
    return EventDetails(event_kind, title, description, starts_at, duration, seats, price)


def place(registered: int, capacity: int) -> RegistrationStatus:
    """Where a new registration goes: a seat while one is free, else the waitlist."""
    return RegistrationStatus.REGISTERED if registered < capacity else RegistrationStatus.WAITLISTED


def promotions(capacity: int, registered: int, waitlist: Sequence[T]) -> list[T]:
    """The waitlisted (given in arrival order) who take the seats now free: the first
    ones, as many as there are free seats."""
    free = max(0, capacity - registered)
    return list(waitlist[:free])


def waitlist_position(arrivals: Sequence[int], mine: int) -> int:
    """1-based place of the arrival number ``mine`` among the waitlist's arrival numbers."""
    return 1 + sum(1 for arrival in arrivals if arrival < mine)


def admission_for(
    *, price_cents: int, holds_ticket: bool, allowance: int, used_this_month: int
) -> Admission | None:
    """How a member may enter: free events are free; a ticket they bought wins over the
    allowance (which stays for another event); else the tier's monthly allowance while
    some is left; None means they need a ticket."""
    if price_cents == 0:
        return Admission.FREE
    if holds_ticket:
        return Admission.TICKET
    if used_this_month < allowance:
        return Admission.ALLOWANCE
    return None


def month_start(now: datetime) -> datetime:
    """The start of ``now``'s calendar month (UTC): allowances renew then."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def due_reminder(starts_at: datetime, now: datetime) -> Reminder | None:
    """Which reminder is due now: the hour-before one within the last hour, the
    day-before one from 24 h to 1 h before, none otherwise (or once it started)."""
    if now >= starts_at:
        return None
    if starts_at - now <= REMINDER_LEADS[Reminder.HOUR_BEFORE]:
        return Reminder.HOUR_BEFORE
    if starts_at - now <= REMINDER_LEADS[Reminder.DAY_BEFORE]:
        return Reminder.DAY_BEFORE
    return None


def check_survey(rating: int, comment: str | None) -> str | None:
    """The stored comment (trimmed, None when empty), or the broken rules."""
    errors: list[FieldError] = []
    if not 1 <= rating <= 5:
        errors.append(FieldError("rating", "Rate from 1 to 5.", "out_of_range"))
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        errors.append(FieldError("comment", f"At most {MAX_COMMENT} characters.", "too_long"))
    if errors:
        raise ValidationFailed(errors)
    return text or None
