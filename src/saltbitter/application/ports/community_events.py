"""Ports of the events capability (community events: speed dating, workshops, chats).

The module is not ``ports/events.py``: that name is the outbox's event port.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from saltbitter.domain.events import (
    Admission,
    EventKind,
    EventStatus,
    RegistrationStatus,
    Reminder,
)
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "ClaimedReminder",
    "CommunityEvent",
    "EventMembers",
    "EventStore",
    "EventTickets",
    "Registration",
    "RegistrationStore",
    "RosterCounts",
    "Survey",
    "SurveyStore",
]


@dataclass(frozen=True, slots=True)
class CommunityEvent:
    id: UUID
    kind: EventKind
    title: str
    description: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    price_cents: int
    status: EventStatus
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Registration:
    """A member's place at an event. ``arrival`` numbers the event's registrations in
    the order they were taken (under the event's lock): the waitlist's order."""

    id: UUID
    event_id: UUID
    member_id: UserId
    arrival: int
    status: RegistrationStatus
    admission: Admission
    registered_at: datetime
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    attended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RosterCounts:
    registered: int = 0
    waitlisted: int = 0


@dataclass(frozen=True, slots=True)
class Survey:
    event_id: UUID
    member_id: UserId
    rating: int
    comment: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedReminder:
    event_id: UUID
    member_id: UserId
    reminder: Reminder


class EventStore(Protocol):
    @abstractmethod
    def add(self, event: CommunityEvent) -> None: ...

    @abstractmethod
    async def get(self, event_id: UUID) -> CommunityEvent | None: ...

    @abstractmethod
    async def lock(self, event_id: UUID) -> CommunityEvent | None:
        """The event, locked until the transaction ends (registrations on one event
        queue here, which is what keeps capacity and the arrival order exact)."""

    @abstractmethod
    async def update(self, event: CommunityEvent) -> None: ...

    @abstractmethod
    async def upcoming(
        self, now: datetime, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[CommunityEvent]:
        """Scheduled events starting after ``now``, by (starts_at, id), after the key."""


class RegistrationStore(Protocol):
    @abstractmethod
    async def get(self, event_id: UUID, member_id: UserId) -> Registration | None: ...

    @abstractmethod
    async def save(self, registration: Registration) -> None:
        """Insert, or replace the member's earlier (cancelled) registration."""

    @abstractmethod
    async def counts(self, event_id: UUID) -> RosterCounts: ...

    @abstractmethod
    async def counts_of(self, event_ids: Collection[UUID]) -> Mapping[UUID, RosterCounts]:
        """Each event's counts (zero for an event without registrations), in one query:
        a page of events must not cost a query per event."""

    @abstractmethod
    async def last_arrival(self, event_id: UUID) -> int:
        """The highest arrival number given at the event, 0 before the first."""

    @abstractmethod
    async def waitlist(self, event_id: UUID) -> Sequence[Registration]:
        """The waitlisted, in arrival order."""

    @abstractmethod
    async def active(self, event_id: UUID) -> Sequence[Registration]:
        """Registered and waitlisted, in arrival order."""

    @abstractmethod
    async def allowance_used(self, member_id: UserId, since: datetime) -> int:
        """Registrations (not cancelled) taken on the tier allowance since ``since``."""

    @abstractmethod
    async def mark_attended(
        self, event_id: UUID, member_ids: Collection[UserId], now: datetime
    ) -> None: ...

    @abstractmethod
    async def claim_reminders(
        self, reminder: Reminder, now: datetime, limit: int
    ) -> Sequence[ClaimedReminder]:
        """Mark and return registrations whose ``reminder`` is due and not yet sent;
        of two sweeps at once each is claimed by one. Claiming the hour-before reminder
        also closes the day-before one (never sent after the hour-before)."""

    @abstractmethod
    async def reset_reminders(self, event_id: UUID) -> None:
        """The event moved: its reminders are due again for the new time."""


class SurveyStore(Protocol):
    @abstractmethod
    async def add(self, survey: Survey) -> None:
        """Raises ``Conflict`` (``survey_exists``) for the member's second survey."""


class EventTickets(Protocol):
    """Tickets members bought for paid events. Purchases are another capability's: the
    events job on its ``PurchaseSucceeded`` grants the ticket here (docs/events.md,
    "Tickets bought through payments")."""

    @abstractmethod
    async def holds_ticket(self, member_id: UserId, event_id: UUID) -> bool: ...

    @abstractmethod
    async def grant(self, member_id: UserId, event_id: UUID, now: datetime) -> bool:
        """Record a bought ticket; False when the member already held one."""


class EventMembers(Protocol):
    """What events reads of members' accounts."""

    @abstractmethod
    async def tier_of(self, member_id: UserId) -> Tier | None:
        """The member's current tier (None once the account is gone)."""

    @abstractmethod
    async def email_of(self, member_id: UserId) -> str | None: ...
