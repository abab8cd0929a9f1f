"""Discovery pages of one member at the same moment, on PostgreSQL: together they never
hand out more than the tier's daily allowance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.memory import InProcessCache
from saltbitter.adapters.memory.principals import LocalPrincipalCache
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.blocked_members import SqlaBlockedMembers
from saltbitter.adapters.sqlalchemy.matching import SqlaCandidateReader, SqlaDiscoverAllowance
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables_members import discover_allotments
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock
from saltbitter.application.matching.caching import MemberMarkers
from saltbitter.application.matching.discover import Discover, KeptDiscovery
from saltbitter.application.matching.kept import KeptPages, KeptScores
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.ports.batch_scoring import ScalarBatchScorer
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.domain.subscriptions import entitlements_for
from saltbitter.testing.contracts.matching import seed_member
from saltbitter.testing.fakes_profiles import InMemoryPhotoStore
from support.matching_ports import sql_requests

pytestmark = pytest.mark.integration

ALLOWANCE = entitlements_for(Tier.FREE).discover_profiles_per_day  # 20
CONTENDERS = 8


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(migrated_url, pool_size=20, max_overflow=20)
    yield engine
    await engine.dispose()


async def _seed(engine: AsyncEngine, men: int, **where: object) -> tuple[UserId, list[UserId]]:
    async with sql_requests(engine)() as request:
        writers = request.writers
        me = await seed_member(writers, **where)  # type: ignore[arg-type]
        others = [
            await seed_member(writers, gender=Gender.MAN, seeks=(Gender.WOMAN,), **where)  # type: ignore[arg-type]
            for _ in range(men)
        ]
        await request.transaction.commit()
    return me, others


async def _allotted(engine: AsyncEngine, me: UserId) -> int:
    async with engine.connect() as connection:
        statement = select(func.count()).where(discover_allotments.c.user_id == me)
        return int((await connection.execute(statement)).scalar_one())


async def test_simultaneous_allotments_never_exceed_the_allowance(engine: AsyncEngine) -> None:
    # Each contender offers different people (as lists built at different moments
    # would): without the per-member lock each would find none handed out yet and add
    # its own ten, eighty in all.
    me, men = await _seed(engine, CONTENDERS * 10, at=(40.0, -3.7))
    day = date(2026, 3, 1)
    start = asyncio.Barrier(CONTENDERS)

    async def allot(offered: list[UserId]) -> set[UserId]:
        async with sql_requests(engine)() as request:
            await request.candidates.interest_frequencies()  # psycopg begins lazily: begin now
            await start.wait()
            allotted = await request.allowance.allot_discover(me, day, offered, ALLOWANCE)
            await request.transaction.commit()
        return allotted

    results = await asyncio.gather(*(allot(men[n * 10 : (n + 1) * 10]) for n in range(CONTENDERS)))
    assert all(len(allotted) <= ALLOWANCE for allotted in results)
    assert await _allotted(engine, me) == ALLOWANCE
    assert set().union(*results) <= set(men)


async def test_simultaneous_discover_pages_stay_within_the_allowance(
    engine: AsyncEngine,
) -> None:
    me, men = await _seed(engine, 30, at=(-12.05, -77.04))
    clock = SystemClock()
    principal = Principal(me, SessionId(me), frozenset({Role.MEMBER}), Tier.FREE, True)

    async def page() -> list[UserId]:
        # A cache of its own each, as separate API processes in embedded mode have.
        db = StagedConnection(engine)  # one request: one connection for every port
        cache, policy, scores, kept = InProcessCache(), MatchingPolicy(), KeptScores(), KeptPages()
        principals = LocalPrincipalCache(ttl_seconds=30)
        try:
            discover = Discover(
                SqlaTransaction(db),
                SqlaCandidateReader(db),
                SqlaBlockedMembers(db),
                SqlaDiscoverAllowance(db),
                clock,
                cache,
                ScalarBatchScorer(),
                policy,
                InMemoryPhotoStore(clock),
                scores,
                principals,
                kept,
                KeptDiscovery(
                    cache,
                    MemberMarkers(cache, shared=False),
                    principals,
                    kept,
                    scores,
                    policy,
                    clock,
                ),
            )
            return [item.member.user_id for item in (await discover(principal)).items]
        finally:
            await db.close()

    pages = await asyncio.gather(*(page() for _ in range(CONTENDERS)))
    shown = set().union(*pages)
    assert all(len(items) == ALLOWANCE for items in pages)
    assert len(shown) == ALLOWANCE
    assert shown <= set(men)
    assert await _allotted(engine, me) == ALLOWANCE
