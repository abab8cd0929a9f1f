"""What admins do with events: create, change, cancel, and mark who attended."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.application.events.events import EventCancelledForMember, WaitlistPromoted
from saltbitter.application.events.views import AttendanceView, EventView
from saltbitter.application.ports.community_events import (
    CommunityEvent,
    EventStore,
    RegistrationStore,
    RosterCounts,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from saltbitter.domain.events import EventStatus, RegistrationStatus, check_event, promotions
from saltbitter.domain.shared import Role, UserId

__all__ = [
    "CancelEvent",
    "CreateEvent",
    "EventChanges",
    "MarkAttendance",
    "UpdateEvent",
    "ensure_admin",
    "event_not_found",
    "promote",
]

MAX_ATTENDEES_PER_CALL = 1000


def ensure_admin(principal: Principal) -> None:
    if Role.ADMIN not in principal.roles:
        raise PermissionDenied("Only admins may do this.", code="admin_required")


def event_not_found() -> NotFound:
    return NotFound("No such event.", code="event_not_found")


def _open(event: CommunityEvent | None, now: datetime) -> CommunityEvent:
    """The event, if it can still change: not cancelled, not started."""
    if event is None:
        raise event_not_found()
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event was cancelled.", code="event_cancelled")
    if event.starts_at <= now:
        raise Conflict("The event has started.", code="event_started")
    return event


async def promote(
    registrations: RegistrationStore, outbox: Outbox, event: CommunityEvent, now: datetime
) -> list[UserId]:
    """Move the first waitlisted into free seats, in arrival order, and tell each."""
    counts = await registrations.counts(event.id)
    if event.status is not EventStatus.SCHEDULED or event.starts_at <= now:
        return []
    moved = promotions(event.capacity, counts.registered, await registrations.waitlist(event.id))
    for registration in moved:
        await registrations.save(
            dataclasses.replace(registration, status=RegistrationStatus.REGISTERED, promoted_at=now)
        )
        outbox.add(WaitlistPromoted(event_id=event.id, user_id=registration.member_id))
    return [registration.member_id for registration in moved]


@dataclass(frozen=True, slots=True)
class CreateEvent:
    transaction: Transaction
    events: EventStore
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self,
        principal: Principal,
        *,
        kind: str,
        title: str,
        description: str,
        starts_at: datetime,
        duration_minutes: int | None = None,
        capacity: int | None = None,
        price_cents: int | None = None,
    ) -> EventView:
        ensure_admin(principal)
        now = self.clock.now()
        details = check_event(
            now=now,
            kind=kind,
            title=title,
            description=description,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            capacity=capacity,
            price_cents=price_cents,
        )
        event = CommunityEvent(
            id=self.ids.new_id(),
            kind=details.kind,
            title=details.title,
            description=details.description,
            starts_at=details.starts_at,
            duration_minutes=details.duration_minutes,
            capacity=details.capacity,
            price_cents=details.price_cents,
            status=EventStatus.SCHEDULED,
            created_at=now,
            updated_at=now,
        )
        async with self.transaction:
            self.events.add(event)
            await self.transaction.commit()
        return EventView.of(event, RosterCounts())


@dataclass(frozen=True, slots=True)
class EventChanges:
    """A PATCH: the fields given (None keeps the current value). The kind never changes."""

    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = None
    duration_minutes: int | None = None
    capacity: int | None = None
    price_cents: int | None = None


@dataclass(frozen=True, slots=True)
class UpdateEvent:
    """Change an event that has not started. Fewer seats than are taken is
    ``capacity_below_registered``; more seats promote the waitlist in order; a new start
    time makes both reminders due again."""

    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    outbox: Outbox
    clock: Clock

    async def __call__(
        self, principal: Principal, event_id: UUID, changes: EventChanges
    ) -> EventView:
        ensure_admin(principal)
        now = self.clock.now()
        async with self.transaction:
            event = _open(await self.events.lock(event_id), now)
            details = check_event(
                now=now,
                kind=event.kind.value,
                title=event.title if changes.title is None else changes.title,
                description=(
                    event.description if changes.description is None else changes.description
                ),
                starts_at=event.starts_at if changes.starts_at is None else changes.starts_at,
                duration_minutes=(
                    event.duration_minutes
                    if changes.duration_minutes is None
                    else changes.duration_minutes
                ),
                capacity=event.capacity if changes.capacity is None else changes.capacity,
                price_cents=(
                    event.price_cents if changes.price_cents is None else changes.price_cents
                ),
            )
            counts = await self.registrations.counts(event_id)
            if details.capacity < counts.registered:
                raise ValidationFailed(
                    FieldError(
                        "capacity",
                        f"{counts.registered} members hold seats; cancel the event or keep "
                        "at least as many seats.",
                        "capacity_below_registered",
                    )
                )
            updated = dataclasses.replace(
                event,
                title=details.title,
                description=details.description,
                starts_at=details.starts_at,
                duration_minutes=details.duration_minutes,
                capacity=details.capacity,
                price_cents=details.price_cents,
                updated_at=now,
            )
            await self.events.update(updated)
            if updated.starts_at != event.starts_at:
                await self.registrations.reset_reminders(event_id)
            await promote(self.registrations, self.outbox, updated, now)
            counts = await self.registrations.counts(event_id)
            await self.transaction.commit()
        return EventView.of(updated, counts)


@dataclass(frozen=True, slots=True)
class CancelEvent:
    """Cancel an event that has not started; every registered or waitlisted member is
    told by email (one outbox message each)."""

    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal, event_id: UUID) -> EventView:
        ensure_admin(principal)
        now = self.clock.now()
        async with self.transaction:
            event = _open(await self.events.lock(event_id), now)
            cancelled = dataclasses.replace(
                event, status=EventStatus.CANCELLED, cancelled_at=now, updated_at=now
            )
            await self.events.update(cancelled)
            for registration in await self.registrations.active(event_id):
                self.outbox.add(
                    EventCancelledForMember(event_id=event_id, user_id=registration.member_id)
                )
            counts = await self.registrations.counts(event_id)
            await self.transaction.commit()
        return EventView.of(cancelled, counts)


@dataclass(frozen=True, slots=True)
class MarkAttendance:
    """Mark registered members as attendees once the event has started (marking one
    again changes nothing). Anyone not holding a seat is ``not_registered``."""

    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    clock: Clock

    async def __call__(
        self, principal: Principal, event_id: UUID, member_ids: Sequence[UserId]
    ) -> AttendanceView:
        ensure_admin(principal)
        now = self.clock.now()
        if not member_ids or len(member_ids) > MAX_ATTENDEES_PER_CALL:
            raise ValidationFailed.single(
                "member_ids", f"Send 1 to {MAX_ATTENDEES_PER_CALL} members.", "out_of_range"
            )
        async with self.transaction:
            event = await self.events.get(event_id)
            if event is None:
                raise event_not_found()
            if event.status is EventStatus.CANCELLED:
                raise Conflict("The event was cancelled.", code="event_cancelled")
            if event.starts_at > now:
                raise Conflict(
                    "Attendance is marked once the event has started.",
                    code="event_not_started",
                )
            errors = []
            for index, member in enumerate(member_ids):
                found = await self.registrations.get(event_id, member)
                if found is None or found.status is not RegistrationStatus.REGISTERED:
                    errors.append(
                        FieldError(
                            f"member_ids.{index}",
                            "This member holds no seat at the event.",
                            "not_registered",
                        )
                    )
            if errors:
                raise ValidationFailed(errors)
            unique = list(dict.fromkeys(member_ids))
            await self.registrations.mark_attended(event_id, unique, now)
            await self.transaction.commit()
        return AttendanceView(event_id, len(unique))
