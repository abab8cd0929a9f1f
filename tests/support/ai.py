"""The AI capability's storage ports on one connection, for the storage contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaConsentLedger, SqlaUserRepository
from saltbitter.adapters.sqlalchemy.ai import (
    SqlaAiConsentReader,
    SqlaAiHistoryStore,
    SqlaAiQuotaCounter,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.testing.contracts.ai import AiStore
from saltbitter.testing.contracts.scopes import Connect
from saltbitter.testing.fakes import InMemoryConsentLedger, InMemoryUserRepository
from saltbitter.testing.fakes_ai import (
    InMemoryAiConsentReader,
    InMemoryAiHistoryStore,
    InMemoryAiQuotaCounter,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = ["memory_ai_store", "sql_ai_store"]


def sql_ai_store(engine: AsyncEngine) -> Connect[AiStore]:
    @asynccontextmanager
    async def connect() -> AsyncIterator[AiStore]:
        db = StagedConnection(engine)
        try:
            yield AiStore(
                transaction=SqlaTransaction(db),
                users=SqlaUserRepository(db),
                ledger=SqlaConsentLedger(db),
                consents=SqlaAiConsentReader(db),
                quota=SqlaAiQuotaCounter(db),
                history=SqlaAiHistoryStore(db),
            )
        finally:
            await db.close()

    return connect


def memory_ai_store(database: InMemoryDatabase) -> Connect[AiStore]:
    @asynccontextmanager
    async def connect() -> AsyncIterator[AiStore]:
        connection = InMemoryConnection(database)
        yield AiStore(
            transaction=InMemoryTransaction(connection),
            users=InMemoryUserRepository(connection),
            ledger=InMemoryConsentLedger(connection),
            consents=InMemoryAiConsentReader(connection),
            quota=InMemoryAiQuotaCounter(connection),
            history=InMemoryAiHistoryStore(connection),
        )

    return connect
