"""Matching's ports for one request, on one connection: in memory and on SQL.

What the matching contracts (``saltbitter.testing.contracts.matching``), the privacy
contract's seeding and matching's integration tests build their requests from. The
other capabilities' writers only seed members; they are the one place here that names
those capabilities' adapters.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaConsentLedger, SqlaUserRepository
from saltbitter.adapters.sqlalchemy.assessments import SqlaAssessmentRepository
from saltbitter.adapters.sqlalchemy.blocked_members import SqlaBlockedMembers
from saltbitter.adapters.sqlalchemy.matching import (
    SqlaCandidateReader,
    SqlaDailySetStore,
    SqlaDiscoverAllowance,
    SqlaMatchStore,
    SqlaReceivedLikes,
    SqlaSwipeWriter,
)
from saltbitter.adapters.sqlalchemy.profiles import SqlaPhotoRepository, SqlaProfileRepository
from saltbitter.adapters.sqlalchemy.safety import SqlaBlockStore
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_members import daily_set_entries
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.ports.accounts import ConsentLedger, UserRepository
from saltbitter.application.ports.assessments import AssessmentRepository
from saltbitter.application.ports.matching import DailySet, DailySetEntry
from saltbitter.application.ports.profiles import PhotoRepository, ProfileRepository
from saltbitter.application.ports.safety import BlockStore
from saltbitter.domain.compatibility import ComponentScores
from saltbitter.domain.shared import UserId
from saltbitter.testing.contracts.matching import MatchingRequest, RequestFactory, seed_member
from saltbitter.testing.fakes import InMemoryConsentLedger, InMemoryUserRepository
from saltbitter.testing.fakes_assessments import InMemoryAssessmentRepository
from saltbitter.testing.fakes_blocked_members import InMemoryBlockedMembers
from saltbitter.testing.fakes_matching import (
    InMemoryCandidateReader,
    InMemoryDailySetStore,
    InMemoryDiscoverAllowance,
    InMemoryMatchStore,
    InMemoryReceivedLikes,
    InMemorySwipeWriter,
)
from saltbitter.testing.fakes_profiles import InMemoryPhotoRepository, InMemoryProfileRepository
from saltbitter.testing.fakes_safety import InMemoryBlockStore
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

__all__ = [
    "Writers",
    "daily_entries_need_their_members",
    "in_memory_requests",
    "in_memory_writers",
    "sql_requests",
    "sql_writers",
]


@dataclass(frozen=True, slots=True)
class Writers:
    """The other capabilities' ports that seed members (``MemberWriters``)."""

    users: UserRepository
    profiles: ProfileRepository
    photos: PhotoRepository
    assessments: AssessmentRepository
    consents: ConsentLedger
    blocks: BlockStore


def in_memory_writers(connection: InMemoryConnection) -> Writers:
    return Writers(
        InMemoryUserRepository(connection),
        InMemoryProfileRepository(connection),
        InMemoryPhotoRepository(connection),
        InMemoryAssessmentRepository(connection),
        InMemoryConsentLedger(connection),
        InMemoryBlockStore(connection),
    )


def sql_writers(db: StagedConnection) -> Writers:
    return Writers(
        SqlaUserRepository(db),
        SqlaProfileRepository(db),
        SqlaPhotoRepository(db),
        SqlaAssessmentRepository(db),
        SqlaConsentLedger(db),
        SqlaBlockStore(db),
    )


def in_memory_requests(database: InMemoryDatabase) -> RequestFactory:
    """Fresh in-memory requests on ``database``, each inside its open transaction."""

    @asynccontextmanager
    async def request() -> AsyncIterator[MatchingRequest]:
        connection = InMemoryConnection(database)
        transaction = InMemoryTransaction(connection)
        async with transaction:
            yield MatchingRequest(
                transaction=transaction,
                writers=in_memory_writers(connection),
                candidates=InMemoryCandidateReader(connection),
                blocked=InMemoryBlockedMembers(connection),
                swipes=InMemorySwipeWriter(connection),
                matches=InMemoryMatchStore(connection),
                likes=InMemoryReceivedLikes(connection),
                daily_sets=InMemoryDailySetStore(connection),
                allowance=InMemoryDiscoverAllowance(connection),
            )

    return request


def sql_requests(engine: AsyncEngine) -> RequestFactory:
    """Fresh SQL requests (one ``StagedConnection`` each), each inside its transaction."""

    @asynccontextmanager
    async def request() -> AsyncIterator[MatchingRequest]:
        db = StagedConnection(engine)
        try:
            transaction = SqlaTransaction(db)
            async with transaction:
                yield MatchingRequest(
                    transaction=transaction,
                    writers=sql_writers(db),
                    candidates=SqlaCandidateReader(db),
                    blocked=SqlaBlockedMembers(db),
                    swipes=SqlaSwipeWriter(db),
                    matches=SqlaMatchStore(db),
                    likes=SqlaReceivedLikes(db),
                    daily_sets=SqlaDailySetStore(db),
                    allowance=SqlaDiscoverAllowance(db),
                )
        finally:
            await db.close()

    return request


async def daily_entries_need_their_members(engine: AsyncEngine) -> None:
    """``daily_set_entries`` names members in two columns (migration 0016's triggers, in
    place of two foreign keys): an entry naming nobody is refused, and deleting a member
    deletes every entry naming them, in either column, and nothing else."""
    requests = sql_requests(engine)
    async with requests() as r:
        me, other, third = [await seed_member(r.writers) for _ in range(3)]
        await r.transaction.commit()
    day, at = date(2026, 3, 1), datetime(2026, 3, 1, 6, tzinfo=UTC)

    def entry(candidate: UserId) -> DailySetEntry:
        return DailySetEntry(candidate, 0.5, ComponentScores(0.5, 0.5, 0.5, 0.5), ("why",))

    nobody = UserId(uuid.uuid4())
    for refused in (DailySet(me, day, (entry(nobody),), at), DailySet(nobody, day, (), at)):
        # The runs' foreign key (SQLAlchemy's error) or the entries' trigger (psycopg's
        # from the COPY on PostgreSQL, SQLAlchemy's on SQLite).
        with pytest.raises((IntegrityError, psycopg.IntegrityError)):
            async with requests() as r:
                await r.daily_sets.save_daily_sets([refused])
    sets = [
        DailySet(me, day, (entry(other), entry(third)), at),
        DailySet(other, day, (entry(me), entry(third)), at),
        DailySet(third, day, (entry(other),), at),
    ]
    async with requests() as r:
        assert await r.daily_sets.save_daily_sets(sets) == {me, other, third}
        await r.transaction.commit()
    async with engine.begin() as connection:
        await connection.execute(delete(users).where(users.c.id == other))
        left = (
            await connection.execute(
                select(daily_set_entries.c.user_id, daily_set_entries.c.candidate_id)
            )
        ).all()
        named = await connection.execute(select(func.count()).select_from(daily_set_entries))
    assert sorted((UserId(u), UserId(c)) for u, c in left) == [(me, third)]
    assert named.scalar_one() == 1
