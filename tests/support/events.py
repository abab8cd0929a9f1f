"""Events' ports on one connection, for the contract tests (SQL and in-memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
from saltbitter.testing.contracts.events import EventsPorts, PortsFactory
from saltbitter.testing.fakes import InMemoryUserRepository
from saltbitter.testing.fakes_events import (
    InMemoryEventMembers,
    InMemoryEventStore,
    InMemoryEventTickets,
    InMemoryRegistrationStore,
    InMemorySurveyStore,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = ["in_memory_events_ports", "sql_events_ports"]


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
