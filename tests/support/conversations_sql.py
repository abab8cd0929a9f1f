"""The conversations store on SQL, for the SQLite and PostgreSQL contract runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.conversations import (
    SqlaConversationAccess,
    SqlaMessageRepository,
)
from saltbitter.adapters.sqlalchemy.matching import SqlaMatchStore, SqlaSwipeWriter
from saltbitter.adapters.sqlalchemy.safety import SqlaBlockStore
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.testing.contracts.conversations import ConversationStore, StoreFactory

__all__ = ["sql_store"]


def sql_store(engine: AsyncEngine) -> StoreFactory:
    @asynccontextmanager
    async def store() -> AsyncIterator[ConversationStore]:
        db = StagedConnection(engine)
        try:
            yield ConversationStore(
                SqlaTransaction(db),
                SqlaUserRepository(db),
                SqlaSwipeWriter(db),
                SqlaMatchStore(db),
                SqlaBlockStore(db),
                SqlaMessageRepository(db),
                SqlaConversationAccess(db),
            )
        finally:
            await db.close()

    return store
