"""Events' ports on one connection, for the contract tests (SQL and in-memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.events import (
    SqlaEventMembers,
    SqlaEventStore,
    SqlaEventTickets,
    SqlaRegistrationStore,
    SqlaSurveyStore,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.events.members import PAGE_SIZE, ListEvents
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.events import RegistrationStatus
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.contracts.events import (
    T0,
    EventsPorts,
    PortsFactory,
    a_registration,
    add_event,
    an_event,
    members,
)
from saltbitter.testing.fakes import InMemoryClock, InMemoryUserRepository
from saltbitter.testing.fakes_events import (
    InMemoryEventMembers,
    InMemoryEventStore,
    InMemoryEventTickets,
    InMemoryRegistrationStore,
    InMemorySurveyStore,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction
from support.statements import counting_statements

__all__ = [
    "assert_an_events_page_costs_the_same_statements_at_any_length",
    "in_memory_events_ports",
    "sql_events_ports",
]


def sql_events_ports(engine: AsyncEngine) -> PortsFactory:
    @asynccontextmanager
    async def scope() -> AsyncIterator[EventsPorts]:
        db = StagedConnection(engine)
        try:
            yield EventsPorts(
                transaction=SqlaTransaction(db),
                events=SqlaEventStore(db),
                registrations=SqlaRegistrationStore(db),
                surveys=SqlaSurveyStore(db),
                tickets=SqlaEventTickets(db),
                members=SqlaEventMembers(db),
                users=SqlaUserRepository(db),
            )
        finally:
            await db.close()

    return scope


def in_memory_events_ports(database: InMemoryDatabase) -> PortsFactory:
    @asynccontextmanager
    async def scope() -> AsyncIterator[EventsPorts]:
        connection = InMemoryConnection(database)
        yield EventsPorts(
            transaction=InMemoryTransaction(connection),
            events=InMemoryEventStore(connection),
            registrations=InMemoryRegistrationStore(connection),
            surveys=InMemorySurveyStore(connection),
            tickets=InMemoryEventTickets(connection),
            members=InMemoryEventMembers(connection),
            users=InMemoryUserRepository(connection),
        )

    return scope


async def _add_upcoming_events(engine: AsyncEngine, count: int) -> None:
    """``count`` more upcoming events, each with a seat taken and one member waitlisted."""
    ports = sql_events_ports(engine)
    seated, waiting = await members(ports, 2)
    for _ in range(count):
        event = await add_event(ports, an_event(T0 + timedelta(days=1), capacity=1))
        async with ports() as p, p.transaction:
            await p.registrations.save(a_registration(event.id, seated, 1))
            await p.registrations.save(
                a_registration(event.id, waiting, 2, RegistrationStatus.WAITLISTED)
            )
            await p.transaction.commit()


async def _statements_to_list_events(engine: AsyncEngine) -> tuple[int, int]:
    """The statements one ``GET /events`` page (``ListEvents``) runs, and its length."""
    ports = sql_events_ports(engine)
    caller = Principal(
        UserId(uuid4()), SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True
    )
    async with ports() as p:
        list_events = ListEvents(p.events, p.registrations, InMemoryClock(T0))
        with counting_statements(engine) as count:
            page = await list_events(caller)
    assert all((e.registered, e.waitlisted) == (1, 1) for e in page.items)
    return count.statements, len(page.items)


async def assert_an_events_page_costs_the_same_statements_at_any_length(
    engine: AsyncEngine,
) -> None:
    """A page of 1 event, a full page, and a full page of many more events run the same
    statements: the counts of a page come in one query, not one per event (N+1)."""
    await _add_upcoming_events(engine, 1)
    one = await _statements_to_list_events(engine)
    await _add_upcoming_events(engine, PAGE_SIZE - 1)
    full_page = await _statements_to_list_events(engine)
    await _add_upcoming_events(engine, PAGE_SIZE + 5)
    more_than_a_page = await _statements_to_list_events(engine)

    assert (one[1], full_page[1], more_than_a_page[1]) == (1, PAGE_SIZE, PAGE_SIZE)
    assert full_page[0] == one[0]
    assert more_than_a_page[0] == one[0]
