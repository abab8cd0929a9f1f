"""What the events use cases answer (msgspec encodes these dataclasses at the edge)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from saltbitter.application.ports.community_events import (
    CommunityEvent,
    Registration,
    RosterCounts,
    Survey,
)
from saltbitter.domain.events import (
    Admission,
    EventKind,
    EventStatus,
    RegistrationStatus,
    waitlist_position,
)

__all__ = [
    "AttendanceView",
    "EventView",
    "EventsPage",
    "MyRegistration",
    "RegistrationView",
    "SurveyView",
    "position_in",
]


@dataclass(frozen=True, slots=True)
class RegistrationView:
    event_id: UUID
    status: RegistrationStatus
    admission: Admission
    waitlist_position: int | None = None


@dataclass(frozen=True, slots=True)
class MyRegistration:
    status: RegistrationStatus
    admission: Admission
    waitlist_position: int | None
    attended: bool


@dataclass(frozen=True, slots=True)
class EventView:
    event_id: UUID
    kind: EventKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    capacity: int
    price_cents: int
    status: EventStatus
    registered: int
    waitlisted: int
    seats_left: int
    my_registration: MyRegistration | None = None

    @classmethod
    def of(
        cls,
        event: CommunityEvent,
        counts: RosterCounts,
        mine: MyRegistration | None = None,
    ) -> EventView:
        return cls(
            event_id=event.id,
            kind=event.kind,
            title=event.title,
            description=event.description,
            starts_at=event.starts_at,
            ends_at=event.starts_at + timedelta(minutes=event.duration_minutes),
            duration_minutes=event.duration_minutes,
            capacity=event.capacity,
            price_cents=event.price_cents,
            status=event.status,
            registered=counts.registered,
            waitlisted=counts.waitlisted,
            seats_left=max(0, event.capacity - counts.registered),
            my_registration=mine,
        )


@dataclass(frozen=True, slots=True)
class EventsPage:
    items: list[EventView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class AttendanceView:
    event_id: UUID
    attended: int  # members marked as attendees by this call


@dataclass(frozen=True, slots=True)
class SurveyView:
    event_id: UUID
    rating: int
    comment: str | None
    created_at: datetime

    @classmethod
    def of(cls, survey: Survey) -> SurveyView:
        return cls(survey.event_id, survey.rating, survey.comment, survey.created_at)


def position_in(waitlist: Sequence[Registration], registration: Registration) -> int | None:
    """The registration's 1-based place on the waitlist, None unless it is waitlisted."""
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    return waitlist_position([other.arrival for other in waitlist], registration.arrival)
