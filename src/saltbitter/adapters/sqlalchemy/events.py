"""SQL adapters of the events capability's ports, on the request's ``StagedConnection``.

``EventStore.lock`` is ``SELECT ... FOR UPDATE`` on PostgreSQL: registrations on one
event queue on its row, so seats and arrival numbers are decided one at a time. SQLite
has one writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from saltbitter.adapters.sqlalchemy.staging import CONFLICTS, StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_events import (
    community_events,
    event_registrations,
    event_surveys,
    event_tickets,
)
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
    EventKind,
    EventStatus,
    RegistrationStatus,
    Reminder,
)
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "SqlaEventMembers",
    "SqlaEventStore",
    "SqlaEventTickets",
    "SqlaRegistrationStore",
    "SqlaSurveyStore",
]

_SURVEY_EXISTS = ("You already rated this event.", "survey_exists")
CONFLICTS["pk_event_surveys"] = _SURVEY_EXISTS
CONFLICTS["uq_event_registrations_event_id_member_id"] = (
    "You are already registered.",
    "already_registered",
)


class _OnConnection:
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    @property
    def _locks(self) -> bool:
        return self._db.dialect_name == "postgresql"


def _event(row: Any) -> CommunityEvent:
    return CommunityEvent(
        id=row.id,
        kind=EventKind(row.kind),
        title=row.title,
        description=row.description,
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        price_cents=row.price_cents,
        status=EventStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        cancelled_at=row.cancelled_at,
    )


def _event_row(event: CommunityEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind.value,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "duration_minutes": event.duration_minutes,
        "capacity": event.capacity,
        "price_cents": event.price_cents,
        "status": event.status.value,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
        "cancelled_at": event.cancelled_at,
    }


def _registration(row: Any) -> Registration:
    return Registration(
        id=row.id,
        event_id=row.event_id,
        member_id=UserId(row.member_id),
        arrival=row.arrival,
        status=RegistrationStatus(row.status),
        admission=Admission(row.admission),
        registered_at=row.registered_at,
        promoted_at=row.promoted_at,
        cancelled_at=row.cancelled_at,
        attended_at=row.attended_at,
    )


class SqlaEventStore(_OnConnection, EventStore):
    def add(self, event: CommunityEvent) -> None:
        self._db.stage(community_events, _event_row(event))

    async def get(self, event_id: UUID) -> CommunityEvent | None:
        row = (
            await self._db.execute(
                select(community_events).where(community_events.c.id == event_id)
            )
        ).first()
        return None if row is None else _event(row)

    async def lock(self, event_id: UUID) -> CommunityEvent | None:
        query = select(community_events).where(community_events.c.id == event_id)
        if self._locks:
            query = query.with_for_update()
        row = (await self._db.execute(query)).first()
        return None if row is None else _event(row)

    async def update(self, event: CommunityEvent) -> None:
        values = _event_row(event)
        del values["id"]
        await self._db.execute(
            update(community_events).where(community_events.c.id == event.id).values(**values)
        )

    async def upcoming(
        self, now: datetime, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[CommunityEvent]:
        query = select(community_events).where(
            community_events.c.status == EventStatus.SCHEDULED.value,
            community_events.c.starts_at > now,
        )
        if after is not None:
            query = query.where(
                tuple_(community_events.c.starts_at, community_events.c.id) > tuple_(*after)
            )
        rows = await self._db.execute(
            query.order_by(community_events.c.starts_at, community_events.c.id).limit(limit)
        )
        return [_event(row) for row in rows]


_ACTIVE = (RegistrationStatus.REGISTERED.value, RegistrationStatus.WAITLISTED.value)


class SqlaRegistrationStore(_OnConnection, RegistrationStore):
    async def get(self, event_id: UUID, member_id: UserId) -> Registration | None:
        row = (
            await self._db.execute(
                select(event_registrations).where(
                    event_registrations.c.event_id == event_id,
                    event_registrations.c.member_id == member_id,
                )
            )
        ).first()
        return None if row is None else _registration(row)

    async def save(self, registration: Registration) -> None:
        values = {
            "id": registration.id,
            "event_id": registration.event_id,
            "member_id": registration.member_id,
            "arrival": registration.arrival,
            "status": registration.status.value,
            "admission": registration.admission.value,
            "registered_at": registration.registered_at,
            "promoted_at": registration.promoted_at,
            "cancelled_at": registration.cancelled_at,
            "attended_at": registration.attended_at,
        }
        insert = (
            postgresql.insert(event_registrations)
            if self._db.dialect_name == "postgresql"
            else sqlite.insert(event_registrations)
        )
        changed = {k: v for k, v in values.items() if k not in {"id", "event_id", "member_id"}}
        await self._db.execute(
            insert.values(**values).on_conflict_do_update(
                index_elements=["event_id", "member_id"], set_=changed
            )
        )

    async def counts(self, event_id: UUID) -> RosterCounts:
        return (await self.counts_of([event_id]))[event_id]

    async def counts_of(self, event_ids: Collection[UUID]) -> Mapping[UUID, RosterCounts]:
        wanted = list(dict.fromkeys(event_ids))
        found: dict[UUID, dict[str, int]] = {event_id: {} for event_id in wanted}
        if not wanted:
            return {}
        registrations = event_registrations.c
        rows = await self._db.execute(
            select(registrations.event_id, registrations.status, func.count())
            .where(registrations.event_id.in_(wanted))
            .group_by(registrations.event_id, registrations.status)
        )
        for event_id, status, count in rows:
            found[event_id][status] = int(count)
        return {
            event_id: RosterCounts(
                registered=by_status.get(RegistrationStatus.REGISTERED.value, 0),
                waitlisted=by_status.get(RegistrationStatus.WAITLISTED.value, 0),
            )
            for event_id, by_status in found.items()
        }

    async def last_arrival(self, event_id: UUID) -> int:
        value = (
            await self._db.execute(
                select(func.max(event_registrations.c.arrival)).where(
                    event_registrations.c.event_id == event_id
                )
            )
        ).scalar()
        return int(value or 0)

    async def _in_order(self, event_id: UUID, statuses: Collection[str]) -> list[Registration]:
        rows = await self._db.execute(
            select(event_registrations)
            .where(
                event_registrations.c.event_id == event_id,
                event_registrations.c.status.in_(statuses),
            )
            .order_by(event_registrations.c.arrival)
        )
        return [_registration(row) for row in rows]

    async def waitlist(self, event_id: UUID) -> Sequence[Registration]:
        return await self._in_order(event_id, (RegistrationStatus.WAITLISTED.value,))

    async def active(self, event_id: UUID) -> Sequence[Registration]:
        return await self._in_order(event_id, _ACTIVE)

    async def allowance_used(self, member_id: UserId, since: datetime) -> int:
        value = (
            await self._db.execute(
                select(func.count()).where(
                    event_registrations.c.member_id == member_id,
                    event_registrations.c.admission == Admission.ALLOWANCE.value,
                    event_registrations.c.status.in_(_ACTIVE),
                    event_registrations.c.registered_at >= since,
                )
            )
        ).scalar()
        return int(value or 0)

    async def mark_attended(
        self, event_id: UUID, member_ids: Collection[UserId], now: datetime
    ) -> None:
        await self._db.execute(
            update(event_registrations)
            .where(
                event_registrations.c.event_id == event_id,
                event_registrations.c.member_id.in_(list(member_ids)),
                event_registrations.c.attended_at.is_(None),
            )
            .values(attended_at=now)
        )

    async def claim_reminders(
        self, reminder: Reminder, now: datetime, limit: int
    ) -> Sequence[ClaimedReminder]:
        table = event_registrations
        hour = reminder is Reminder.HOUR_BEFORE
        sent = table.c.reminded_1h_at if hour else table.c.reminded_24h_at
        # Due: starting within the reminder's lead and, for the day-before one, not yet
        # inside the last hour (the hour-before one covers that).
        floor = now if hour else now + REMINDER_LEADS[Reminder.HOUR_BEFORE]
        window = and_(
            community_events.c.status == EventStatus.SCHEDULED.value,
            community_events.c.starts_at > floor,
            community_events.c.starts_at <= now + REMINDER_LEADS[reminder],
        )
        due_events = select(community_events.c.id).where(window)
        due = and_(
            table.c.status == RegistrationStatus.REGISTERED.value,
            sent.is_(None),
            table.c.event_id.in_(due_events.scalar_subquery()),
        )
        candidates = select(table.c.id).where(due).order_by(table.c.id).limit(limit)
        if self._locks:
            candidates = candidates.with_for_update(of=table, skip_locked=True)
        values: dict[str, Any] = {sent.name: now}
        if hour:
            values["reminded_24h_at"] = func.coalesce(table.c.reminded_24h_at, now)
        # The outer condition is checked again on the locked row: of two sweeps, only
        # the one that changes the column from NULL gets the row back.
        rows = await self._db.execute(
            update(table)
            .where(table.c.id.in_(candidates.scalar_subquery()), due)
            .values(**values)
            .returning(table.c.event_id, table.c.member_id)
        )
        return [ClaimedReminder(row.event_id, UserId(row.member_id), reminder) for row in rows]

    async def reset_reminders(self, event_id: UUID) -> None:
        await self._db.execute(
            update(event_registrations)
            .where(
                event_registrations.c.event_id == event_id,
                or_(
                    event_registrations.c.reminded_24h_at.is_not(None),
                    event_registrations.c.reminded_1h_at.is_not(None),
                ),
            )
            .values(reminded_24h_at=None, reminded_1h_at=None)
        )


class SqlaSurveyStore(_OnConnection, SurveyStore):
    async def add(self, survey: Survey) -> None:
        try:
            await self._db.execute(
                event_surveys.insert().values(
                    event_id=survey.event_id,
                    member_id=survey.member_id,
                    rating=survey.rating,
                    comment=survey.comment,
                    created_at=survey.created_at,
                )
            )
        except IntegrityError as error:  # SQLite's message for a composite key
            raise Conflict(*_SURVEY_EXISTS[:1], code=_SURVEY_EXISTS[1]) from error


class SqlaEventTickets(_OnConnection, EventTickets):
    async def holds_ticket(self, member_id: UserId, event_id: UUID) -> bool:
        row = (
            await self._db.execute(
                select(event_tickets.c.member_id).where(
                    event_tickets.c.member_id == member_id,
                    event_tickets.c.event_id == event_id,
                )
            )
        ).first()
        return row is not None

    async def grant(self, member_id: UserId, event_id: UUID, now: datetime) -> bool:
        insert = (
            postgresql.insert(event_tickets)
            if self._db.dialect_name == "postgresql"
            else sqlite.insert(event_tickets)
        )
        result = await self._db.execute(
            insert.values(event_id=event_id, member_id=member_id, granted_at=now)
            .on_conflict_do_nothing()
            .returning(event_tickets.c.member_id)
        )
        return result.first() is not None


class SqlaEventMembers(_OnConnection, EventMembers):
    async def tier_of(self, member_id: UserId) -> Tier | None:
        row = (await self._db.execute(select(users.c.tier).where(users.c.id == member_id))).first()
        return None if row is None else Tier(row.tier)

    async def email_of(self, member_id: UserId) -> str | None:
        row = (await self._db.execute(select(users.c.email).where(users.c.id == member_id))).first()
        return None if row is None else str(row.email)
