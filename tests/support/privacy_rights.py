"""Privacy rights' storage ports on one connection, for the storage contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.privacy_rights import (
    SqlaBreachAudience,
    SqlaBreachLog,
    SqlaBreachMembers,
    SqlaBreachRegister,
    SqlaExportRequests,
    SqlaMemberContacts,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.testing.contracts.privacy_rights import PrivacyRightsStore
from saltbitter.testing.contracts.scopes import Connect
from saltbitter.testing.fakes import InMemoryUserRepository
from saltbitter.testing.fakes_privacy_rights import (
    InMemoryBreachAudience,
    InMemoryBreachLog,
    InMemoryBreachMembers,
    InMemoryBreachRegister,
    InMemoryExportRequests,
    InMemoryMemberContacts,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = ["memory_privacy_rights_store", "sql_privacy_rights_store"]


def sql_privacy_rights_store(engine: AsyncEngine) -> Connect[PrivacyRightsStore]:
    @asynccontextmanager
    async def connect() -> AsyncIterator[PrivacyRightsStore]:
        db = StagedConnection(engine)
        try:
            yield PrivacyRightsStore(
                transaction=SqlaTransaction(db),
                users=SqlaUserRepository(db),
                exports=SqlaExportRequests(db),
                contacts=SqlaMemberContacts(db),
                audience=SqlaBreachAudience(db),
                register=SqlaBreachRegister(db),
                members=SqlaBreachMembers(db),
                log=SqlaBreachLog(db),
            )
        finally:
            await db.close()

    return connect


def memory_privacy_rights_store(database: InMemoryDatabase) -> Connect[PrivacyRightsStore]:
    @asynccontextmanager
    async def connect() -> AsyncIterator[PrivacyRightsStore]:
        connection = InMemoryConnection(database)
        yield PrivacyRightsStore(
            transaction=InMemoryTransaction(connection),
            users=InMemoryUserRepository(connection),
            exports=InMemoryExportRequests(connection),
            contacts=InMemoryMemberContacts(connection),
            audience=InMemoryBreachAudience(connection),
            register=InMemoryBreachRegister(connection),
            members=InMemoryBreachMembers(connection),
            log=InMemoryBreachLog(connection),
        )

    return connect
