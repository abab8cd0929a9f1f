"""Contract of the events capability's ports: the in-memory fakes, SQLite and PostgreSQL
run these tests.

Subclass :class:`EventsContract` with a ``ports`` fixture: a factory of async context
managers, each yielding :class:`EventsPorts` built on ONE connection (one request), all
of them on one empty store. ``users`` is there to seed the members rows refer to.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.community_events import (
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
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.errors import Conflict
from saltbitter.domain.events import (
    Admission,
    EventKind,
    EventStatus,
    RegistrationStatus,
    Reminder,
)
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.builders import a_user

__all__ = ["T0", "EventsContract", "EventsPorts", "PortsFactory"]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class EventsPorts:
    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    surveys: SurveyStore
    tickets: EventTickets
    members: EventMembers
    users: UserRepository


PortsFactory = Callable[[], AbstractAsyncContextManager[EventsPorts]]


def an_event(starts_at: datetime = T0 + timedelta(days=2), **fields: object) -> CommunityEvent:
    event = CommunityEvent(
        id=uuid4(),
        kind=EventKind.SPEED_DATING,
        title="Speed dating",
        description="",
        starts_at=starts_at,
        duration_minutes=60,
        capacity=20,
        price_cents=0,
        status=EventStatus.SCHEDULED,
        created_at=T0,
        updated_at=T0,
    )
    return dataclasses.replace(event, **fields)  # type: ignore[arg-type]


def a_registration(
    event_id: UUID,
    member: UserId,
    arrival: int,
    status: RegistrationStatus = RegistrationStatus.REGISTERED,
    **fields: object,
) -> Registration:
    registration = Registration(
        id=uuid4(),
        event_id=event_id,
        member_id=member,
        arrival=arrival,
        status=status,
        admission=Admission.FREE,
        registered_at=T0,
    )
    return dataclasses.replace(registration, **fields)  # type: ignore[arg-type]


async def members(ports: PortsFactory, count: int, tier: Tier = Tier.FREE) -> list[UserId]:
    async with ports() as p, p.transaction:
        users = [dataclasses.replace(a_user(), tier=tier) for _ in range(count)]
        for user in users:
            p.users.add(user)
        await p.transaction.commit()
    return [u.id for u in users]


async def add_event(ports: PortsFactory, event: CommunityEvent) -> CommunityEvent:
    async with ports() as p, p.transaction:
        p.events.add(event)
        await p.transaction.commit()
    return event


class EventsContract:
    @pytest.fixture
    def ports(self) -> PortsFactory:
        raise NotImplementedError("provide a factory of EventsPorts on one empty store")

    async def test_events_round_trip_and_update(self, ports: PortsFactory) -> None:
        event = await add_event(ports, an_event(price_cents=1500, description="Hello"))
        async with ports() as p:
            assert await p.events.get(event.id) == event
            assert await p.events.get(uuid4()) is None
        moved = dataclasses.replace(
            event,
            status=EventStatus.CANCELLED,
            cancelled_at=T0 + timedelta(hours=1),
            capacity=30,
        )
        async with ports() as p, p.transaction:
            assert await p.events.lock(event.id) == event
            await p.events.update(moved)
            await p.transaction.commit()
        async with ports() as p:
            assert await p.events.get(event.id) == moved

    async def test_upcoming_lists_scheduled_future_events_by_start_in_pages(
        self, ports: PortsFactory
    ) -> None:
        soon = await add_event(ports, an_event(T0 + timedelta(hours=1)))
        later = [await add_event(ports, an_event(T0 + timedelta(hours=2))) for _ in range(2)]
        await add_event(ports, an_event(T0 - timedelta(hours=1)))  # past
        await add_event(ports, an_event(T0 + timedelta(hours=3), status=EventStatus.CANCELLED))
        later.sort(key=lambda e: e.id)
        async with ports() as p:
            everything = await p.events.upcoming(T0, None, 10)
            assert [e.id for e in everything] == [soon.id, *(e.id for e in later)]
            first = await p.events.upcoming(T0, None, 2)
            rest = await p.events.upcoming(T0, (first[-1].starts_at, first[-1].id), 2)
            assert [e.id for e in [*first, *rest]] == [e.id for e in everything]

    async def test_registrations_count_order_and_replace(self, ports: PortsFactory) -> None:
        a, b, c = await members(ports, 3)
        event = await add_event(ports, an_event(capacity=1))
        async with ports() as p, p.transaction:
            assert await p.registrations.last_arrival(event.id) == 0
            assert await p.registrations.counts(event.id) == RosterCounts()
            await p.registrations.save(a_registration(event.id, a, 1))
            await p.registrations.save(
                a_registration(event.id, c, 3, RegistrationStatus.WAITLISTED)
            )
            await p.registrations.save(
                a_registration(event.id, b, 2, RegistrationStatus.WAITLISTED)
            )
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            assert await p.registrations.counts(event.id) == RosterCounts(1, 2)
            assert await p.registrations.last_arrival(event.id) == 3
            assert [r.member_id for r in await p.registrations.waitlist(event.id)] == [b, c]
            assert [r.member_id for r in await p.registrations.active(event.id)] == [a, b, c]
            mine = await p.registrations.get(event.id, a)
            assert mine is not None
            cancelled = dataclasses.replace(
                mine, status=RegistrationStatus.CANCELLED, cancelled_at=T0
            )
            await p.registrations.save(cancelled)
            again = a_registration(event.id, a, 4, RegistrationStatus.WAITLISTED)
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            assert await p.registrations.get(event.id, a) == cancelled
            assert await p.registrations.counts(event.id) == RosterCounts(0, 2)
            await p.registrations.save(again)
            await p.transaction.commit()
        async with ports() as p:
            stored = await p.registrations.get(event.id, a)
            assert stored == dataclasses.replace(again, id=mine.id)  # one row per member
            assert [r.member_id for r in await p.registrations.waitlist(event.id)] == [b, c, a]
            assert await p.registrations.get(event.id, UserId(uuid4())) is None

    async def test_counts_of_several_events_at_once(self, ports: PortsFactory) -> None:
        a, b, c = await members(ports, 3)
        busy = await add_event(ports, an_event(capacity=1))
        quiet = await add_event(ports, an_event(capacity=5))
        empty = await add_event(ports, an_event(capacity=5))
        async with ports() as p, p.transaction:
            await p.registrations.save(a_registration(busy.id, a, 1))
            await p.registrations.save(a_registration(busy.id, b, 2, RegistrationStatus.WAITLISTED))
            await p.registrations.save(
                a_registration(busy.id, c, 3, RegistrationStatus.CANCELLED, cancelled_at=T0)
            )
            await p.registrations.save(a_registration(quiet.id, c, 1))
            await p.transaction.commit()
        async with ports() as p:
            counts = await p.registrations.counts_of([busy.id, quiet.id, empty.id, busy.id])
            assert counts == {
                busy.id: RosterCounts(1, 1),
                quiet.id: RosterCounts(1, 0),
                empty.id: RosterCounts(),
            }
            for event in (busy, quiet, empty):
                assert await p.registrations.counts(event.id) == counts[event.id]
            assert await p.registrations.counts_of([]) == {}

    async def test_allowance_used_counts_this_months_live_allowance_seats(
        self, ports: PortsFactory
    ) -> None:
        (member,) = await members(ports, 1)
        events = [await add_event(ports, an_event(price_cents=500)) for _ in range(4)]
        rows = [
            a_registration(events[0].id, member, 1, admission=Admission.ALLOWANCE),
            a_registration(
                events[1].id,
                member,
                1,
                RegistrationStatus.WAITLISTED,
                admission=Admission.ALLOWANCE,
            ),
            a_registration(
                events[2].id,
                member,
                1,
                RegistrationStatus.CANCELLED,
                admission=Admission.ALLOWANCE,
            ),
            a_registration(events[3].id, member, 1, admission=Admission.TICKET),
        ]
        async with ports() as p, p.transaction:
            for row in rows:
                await p.registrations.save(row)
            await p.transaction.commit()
        async with ports() as p:
            assert await p.registrations.allowance_used(member, T0) == 2
            assert await p.registrations.allowance_used(member, T0 + timedelta(seconds=1)) == 0

    async def test_attendance_is_marked_once(self, ports: PortsFactory) -> None:
        a, b = await members(ports, 2)
        event = await add_event(ports, an_event())
        async with ports() as p, p.transaction:
            await p.registrations.save(a_registration(event.id, a, 1))
            await p.registrations.save(a_registration(event.id, b, 2))
            await p.registrations.mark_attended(event.id, [a], T0)
            await p.registrations.mark_attended(event.id, [a], T0 + timedelta(hours=1))
            await p.transaction.commit()
        async with ports() as p:
            marked = await p.registrations.get(event.id, a)
            unmarked = await p.registrations.get(event.id, b)
            assert marked is not None
            assert marked.attended_at == T0
            assert unmarked is not None
            assert unmarked.attended_at is None

    async def test_reminders_are_claimed_once_in_their_windows(self, ports: PortsFactory) -> None:
        a, b, c = await members(ports, 3)
        tomorrow = await add_event(ports, an_event(T0 + timedelta(hours=20)))
        gone = await add_event(
            ports, an_event(T0 + timedelta(hours=20), status=EventStatus.CANCELLED)
        )
        far = await add_event(ports, an_event(T0 + timedelta(days=3)))
        async with ports() as p, p.transaction:
            await p.registrations.save(a_registration(tomorrow.id, a, 1))
            await p.registrations.save(
                a_registration(tomorrow.id, b, 2, RegistrationStatus.WAITLISTED)
            )
            await p.registrations.save(a_registration(gone.id, a, 1))
            await p.registrations.save(a_registration(far.id, c, 1))
            await p.transaction.commit()

        async def claim(reminder: Reminder, now: datetime) -> list[tuple[UUID, UserId]]:
            async with ports() as p, p.transaction:
                found = await p.registrations.claim_reminders(reminder, now, 10)
                await p.transaction.commit()
            assert all(r.reminder is reminder for r in found)
            return [(r.event_id, r.member_id) for r in found]

        assert await claim(Reminder.HOUR_BEFORE, T0) == []
        assert await claim(Reminder.DAY_BEFORE, T0) == [(tomorrow.id, a)]
        assert await claim(Reminder.DAY_BEFORE, T0) == []
        hour_before = T0 + timedelta(hours=19, minutes=30)
        assert await claim(Reminder.HOUR_BEFORE, hour_before) == [(tomorrow.id, a)]
        assert await claim(Reminder.HOUR_BEFORE, hour_before) == []
        # Moving the event makes both due again.
        async with ports() as p, p.transaction:
            await p.registrations.reset_reminders(tomorrow.id)
            await p.transaction.commit()
        assert await claim(Reminder.HOUR_BEFORE, hour_before) == [(tomorrow.id, a)]
        # ... and the hour-before one closed the day-before one.
        assert await claim(Reminder.DAY_BEFORE, T0 + timedelta(hours=2)) == []

    async def test_concurrent_sweeps_claim_each_reminder_once(self, ports: PortsFactory) -> None:
        people = await members(ports, 12)
        event = await add_event(ports, an_event(T0 + timedelta(hours=5), capacity=12))
        async with ports() as p, p.transaction:
            for n, member in enumerate(people, start=1):
                await p.registrations.save(a_registration(event.id, member, n))
            await p.transaction.commit()

        async def sweep() -> list[UserId]:
            claimed: list[UserId] = []
            while True:
                async with ports() as p, p.transaction:
                    batch = await p.registrations.claim_reminders(Reminder.DAY_BEFORE, T0, 3)
                    await p.transaction.commit()
                if not batch:
                    return claimed
                claimed += [r.member_id for r in batch]

        first, second = await asyncio.gather(sweep(), sweep())
        assert sorted(map(str, first + second)) == sorted(map(str, people))
        assert not set(first) & set(second)

    async def test_one_survey_per_member_and_event(self, ports: PortsFactory) -> None:
        (member,) = await members(ports, 1)
        event = await add_event(ports, an_event())
        async with ports() as p, p.transaction:
            await p.surveys.add(Survey(event.id, member, 4, "Good", T0))
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            with pytest.raises(Conflict) as caught:
                await p.surveys.add(Survey(event.id, member, 2, None, T0))
        assert caught.value.code == "survey_exists"

    async def test_tickets_are_granted_once(self, ports: PortsFactory) -> None:
        (member,) = await members(ports, 1)
        event = await add_event(ports, an_event(price_cents=900))
        async with ports() as p, p.transaction:
            assert await p.tickets.holds_ticket(member, event.id) is False
            assert await p.tickets.grant(member, event.id, T0) is True
            assert await p.tickets.grant(member, event.id, T0) is False
            await p.transaction.commit()
        async with ports() as p:
            assert await p.tickets.holds_ticket(member, event.id) is True

    async def test_members_tier_and_address(self, ports: PortsFactory) -> None:
        (member,) = await members(ports, 1, Tier.ELITE)
        async with ports() as p:
            assert await p.members.tier_of(member) is Tier.ELITE
            assert (await p.members.email_of(member) or "").endswith("@example.org")
            assert await p.members.tier_of(UserId(uuid4())) is None
            assert await p.members.email_of(UserId(uuid4())) is None
