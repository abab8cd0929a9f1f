"""Accounts' ports and the outbox on one SQL connection, for the storage contract."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.sqlalchemy.accounts import (
    SqlaConsentLedger,
    SqlaOneTimeCodeRepository,
    SqlaSessionRepository,
    SqlaUserRepository,
)
from saltbitter.adapters.sqlalchemy.engine import create_engine_for
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock, UuidIdGenerator
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.domain.accounts import User
from saltbitter.testing.contracts.persistence import CONTRACT_EVENTS, AccountsStore
from saltbitter.testing.contracts.scopes import Connect, RelayWakes
from saltbitter.testing.fakes import (
    InMemoryClock,
    InMemoryConsentLedger,
    InMemoryIdGenerator,
    InMemoryOneTimeCodeRepository,
    InMemoryOutbox,
    InMemorySessionRepository,
    InMemoryUserRepository,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = ["memory_accounts_store", "sql_accounts_store"]


def sql_accounts_store(
    engine: AsyncEngine,
    wakes: Callable[[], None] | None = None,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    events: EventCodec | None = None,
) -> Connect[AccountsStore]:
    """Each call: a new request's ``StagedConnection`` with accounts' SQL ports on it."""
    codec = events or EventCodec(CONTRACT_EVENTS)
    clock = clock or SystemClock()
    ids = ids or UuidIdGenerator()

    @asynccontextmanager
    async def connect() -> AsyncIterator[AccountsStore]:
        db = StagedConnection(engine)
        try:
            yield AccountsStore(
                transaction=SqlaTransaction(db, after_commit=wakes),
                users=SqlaUserRepository(db),
                sessions=SqlaSessionRepository(db),
                codes=SqlaOneTimeCodeRepository(db),
                consents=SqlaConsentLedger(db),
                outbox=SqlaOutbox(db, clock, ids, codec),
            )
        finally:
            await db.close()

    return connect


def memory_accounts_store(database: InMemoryDatabase, wakes: RelayWakes) -> Connect[AccountsStore]:
    """Each call: a new request's ``InMemoryConnection`` with accounts' fakes on it."""
    clock, ids = InMemoryClock(), InMemoryIdGenerator()

    @asynccontextmanager
    async def connect() -> AsyncIterator[AccountsStore]:
        connection = InMemoryConnection(database)
        yield AccountsStore(
            transaction=InMemoryTransaction(connection, after_commit=wakes),
            users=InMemoryUserRepository(connection),
            sessions=InMemorySessionRepository(connection),
            codes=InMemoryOneTimeCodeRepository(connection),
            consents=InMemoryConsentLedger(connection),
            outbox=InMemoryOutbox(connection, clock, ids),
        )

    return connect


def store_users(database_url: str, users: Iterable[User]) -> None:
    """Add ``users`` to the database at ``database_url`` in one committed transaction."""

    async def store() -> None:
        engine = create_engine_for(database_url)
        db = StagedConnection(engine)
        try:
            repository, transaction = SqlaUserRepository(db), SqlaTransaction(db)
            async with transaction:
                for user in users:
                    repository.add(user)
                await transaction.commit()
        finally:
            await db.close()
            await engine.dispose()

    asyncio.run(store())
