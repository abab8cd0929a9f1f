"""Safety's ports on one connection, for the contract tests (SQL and in-memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaSessionRepository, SqlaUserRepository
from saltbitter.adapters.sqlalchemy.block_reads import SqlaBlockReads
from saltbitter.adapters.sqlalchemy.matching import SqlaSwipeWriter
from saltbitter.adapters.sqlalchemy.safety import (
    SqlaBlockStore,
    SqlaCheckInStore,
    SqlaHeldMessageStore,
    SqlaMemberDirectory,
    SqlaMemberStanding,
    SqlaModerationAudit,
    SqlaReportStore,
    SqlaRoleAssignments,
    SqlaSafetyMatches,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.testing.contracts.safety import PortsFactory, SafetyPorts
from saltbitter.testing.fakes import InMemorySessionRepository, InMemoryUserRepository
from saltbitter.testing.fakes_matching import InMemorySwipeWriter
from saltbitter.testing.fakes_safety import (
    InMemoryBlockReads,
    InMemoryBlockStore,
    InMemoryCheckInStore,
    InMemoryHeldMessageStore,
    InMemoryMemberDirectory,
    InMemoryMemberStanding,
    InMemoryModerationAudit,
    InMemoryReportStore,
    InMemoryRoleAssignments,
    InMemorySafetyMatches,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = ["in_memory_safety_ports", "sql_safety_ports"]


def sql_safety_ports(engine: AsyncEngine) -> PortsFactory:
    @asynccontextmanager
    async def scope() -> AsyncIterator[SafetyPorts]:
        db = StagedConnection(engine)
        try:
            yield SafetyPorts(
                transaction=SqlaTransaction(db),
                block_reads=SqlaBlockReads(db),
                blocks=SqlaBlockStore(db),
                members=SqlaMemberDirectory(db),
                reports=SqlaReportStore(db),
                audit=SqlaModerationAudit(db),
                standing=SqlaMemberStanding(db),
                roles=SqlaRoleAssignments(db),
                matches=SqlaSafetyMatches(db),
                check_ins=SqlaCheckInStore(db),
                held_messages=SqlaHeldMessageStore(db),
                users=SqlaUserRepository(db),
                sessions=SqlaSessionRepository(db),
                matching=SqlaSwipeWriter(db),
            )
        finally:
            await db.close()

    return scope


def in_memory_safety_ports(database: InMemoryDatabase) -> PortsFactory:
    @asynccontextmanager
    async def scope() -> AsyncIterator[SafetyPorts]:
        connection = InMemoryConnection(database)
        yield SafetyPorts(
            transaction=InMemoryTransaction(connection),
            block_reads=InMemoryBlockReads(connection),
            blocks=InMemoryBlockStore(connection),
            members=InMemoryMemberDirectory(connection),
            reports=InMemoryReportStore(connection),
            audit=InMemoryModerationAudit(connection),
            standing=InMemoryMemberStanding(connection),
            roles=InMemoryRoleAssignments(connection),
            matches=InMemorySafetyMatches(connection),
            check_ins=InMemoryCheckInStore(connection),
            held_messages=InMemoryHeldMessageStore(connection),
            users=InMemoryUserRepository(connection),
            sessions=InMemorySessionRepository(connection),
            matching=InMemorySwipeWriter(connection),
        )

    return scope
