"""In-memory fakes of the events capability's ports, over ``EventsState`` (and the
accounts state they read, as the SQL adapters read ``users``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.community_events import (
    ClaimedReminder,
    CommunityEvent,
    EventMembers,
    EventStore,
    EventTickets,
    Registration,
    RegistrationStore,
    RosterCounts,
    Survey,
    SurveyStore,
)
from saltbitter.domain.errors import Conflict
from saltbitter.domain.events import (
    REMINDER_LEADS,
    Admission,
    EventStatus,
    RegistrationStatus,
    Reminder,
)
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "EventsState",
    "InMemoryEventMembers",
    "InMemoryEventStore",
    "InMemoryEventTickets",
    "InMemoryRegistrationStore",
    "InMemorySurveyStore",
]


@dataclass
class EventsState:
    """Events' tables. ``reminded`` holds (registration id, reminder) pairs sent."""

    events: dict[UUID, CommunityEvent] = field(default_factory=dict)
    registrations: dict[tuple[UUID, UserId], Registration] = field(default_factory=dict)
    reminded: set[tuple[UUID, Reminder]] = field(default_factory=set)
    surveys: dict[tuple[UUID, UserId], Survey] = field(default_factory=dict)
    tickets: dict[tuple[UUID, UserId], datetime] = field(default_factory=dict)


class _OnEvents(InMemoryRepository):
    @property
    def _state(self) -> EventsState:
        return self._connection.state(EventsState)


class InMemoryEventStore(_OnEvents, EventStore):
    """``lock`` is ``get``: in-memory transactions copy the whole state, so the fakes
    show the rules, not the races (the PostgreSQL tests show those)."""

    def add(self, event: CommunityEvent) -> None:
        self._state.events[event.id] = event

    async def get(self, event_id: UUID) -> CommunityEvent | None:
        return self._state.events.get(event_id)

    async def lock(self, event_id: UUID) -> CommunityEvent | None:
        return self._state.events.get(event_id)

    async def update(self, event: CommunityEvent) -> None:
        if event.id in self._state.events:
            self._state.events[event.id] = event

    async def upcoming(
        self, now: datetime, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[CommunityEvent]:
        found = sorted(
            (
                e
                for e in self._state.events.values()
                if e.status is EventStatus.SCHEDULED
                and e.starts_at > now
                and (after is None or (e.starts_at, e.id) > after)
            ),
            key=lambda e: (e.starts_at, e.id),
        )
        return found[:limit]


class InMemoryRegistrationStore(_OnEvents, RegistrationStore):
    async def get(self, event_id: UUID, member_id: UserId) -> Registration | None:
        return self._state.registrations.get((event_id, member_id))

    async def save(self, registration: Registration) -> None:
        key = (registration.event_id, registration.member_id)
        earlier = self._state.registrations.get(key)
        if earlier is not None:
            registration = dataclasses.replace(registration, id=earlier.id)
        self._state.registrations[key] = registration

    def _of(self, event_id: UUID, *statuses: RegistrationStatus) -> list[Registration]:
        return sorted(
            (
                r
                for r in self._state.registrations.values()
                if r.event_id == event_id and r.status in statuses
            ),
            key=lambda r: r.arrival,
        )

    async def counts(self, event_id: UUID) -> RosterCounts:
        return RosterCounts(
            registered=len(self._of(event_id, RegistrationStatus.REGISTERED)),
            waitlisted=len(self._of(event_id, RegistrationStatus.WAITLISTED)),
        )

    async def counts_of(self, event_ids: Collection[UUID]) -> Mapping[UUID, RosterCounts]:
        return {event_id: await self.counts(event_id) for event_id in event_ids}

    async def last_arrival(self, event_id: UUID) -> int:
        return max(
            (r.arrival for r in self._state.registrations.values() if r.event_id == event_id),
            default=0,
        )

    async def waitlist(self, event_id: UUID) -> Sequence[Registration]:
        return self._of(event_id, RegistrationStatus.WAITLISTED)

    async def active(self, event_id: UUID) -> Sequence[Registration]:
        return self._of(event_id, RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)

    async def allowance_used(self, member_id: UserId, since: datetime) -> int:
        return sum(
            1
            for r in self._state.registrations.values()
            if r.member_id == member_id
            and r.admission is Admission.ALLOWANCE
            and r.status is not RegistrationStatus.CANCELLED
            and r.registered_at >= since
        )

    async def mark_attended(
        self, event_id: UUID, member_ids: Collection[UserId], now: datetime
    ) -> None:
        for member in member_ids:
            found = self._state.registrations.get((event_id, member))
            if found is not None and found.attended_at is None:
                self._state.registrations[(event_id, member)] = dataclasses.replace(
                    found, attended_at=now
                )

    async def claim_reminders(
        self, reminder: Reminder, now: datetime, limit: int
    ) -> Sequence[ClaimedReminder]:
        hour = reminder is Reminder.HOUR_BEFORE
        floor = now if hour else now + REMINDER_LEADS[Reminder.HOUR_BEFORE]
        due = sorted(
            (
                r
                for r in self._state.registrations.values()
                if r.status is RegistrationStatus.REGISTERED
                and (r.id, reminder) not in self._state.reminded
                and (event := self._state.events.get(r.event_id)) is not None
                and event.status is EventStatus.SCHEDULED
                and floor < event.starts_at <= now + REMINDER_LEADS[reminder]
            ),
            key=lambda r: r.id,
        )[:limit]
        for registration in due:
            self._state.reminded.add((registration.id, reminder))
            if hour:
                self._state.reminded.add((registration.id, Reminder.DAY_BEFORE))
        return [ClaimedReminder(r.event_id, r.member_id, reminder) for r in due]

    async def reset_reminders(self, event_id: UUID) -> None:
        ids = {r.id for r in self._state.registrations.values() if r.event_id == event_id}
        self._state.reminded = {pair for pair in self._state.reminded if pair[0] not in ids}


class InMemorySurveyStore(_OnEvents, SurveyStore):
    async def add(self, survey: Survey) -> None:
        key = (survey.event_id, survey.member_id)
        if key in self._state.surveys:
            raise Conflict("You already rated this event.", code="survey_exists")
        self._state.surveys[key] = survey


class InMemoryEventTickets(_OnEvents, EventTickets):
    """Tickets granted (by the purchase flow, or by a test with ``grant``)."""

    async def holds_ticket(self, member_id: UserId, event_id: UUID) -> bool:
        return (event_id, member_id) in self._state.tickets

    async def grant(self, member_id: UserId, event_id: UUID, now: datetime) -> bool:
        if (event_id, member_id) in self._state.tickets:
            return False
        self._state.tickets[(event_id, member_id)] = now
        return True


class InMemoryEventMembers(InMemoryRepository, EventMembers):
    async def tier_of(self, member_id: UserId) -> Tier | None:
        user = self._connection.state(AccountsState).users.get(member_id)
        return None if user is None else user.tier

    async def email_of(self, member_id: UserId) -> str | None:
        user = self._connection.state(AccountsState).users.get(member_id)
        return None if user is None else str(user.email)
