"""Two members like each other at the same moment, on PostgreSQL, for many fresh pairs:
exactly one match per pair, and neither like fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar
from uuid import uuid4

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.memory import InProcessCache
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.matching import SqlaSwipeWriter
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import outbox
from saltbitter.adapters.sqlalchemy.tables_members import matches
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock, UuidIdGenerator
from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.swipes import DecideSwipes, LikeMember
from saltbitter.application.matching.views import SwipeResult
from saltbitter.application.ports.matching import PairDecision
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import SaltbitterError
from saltbitter.domain.matching import Decision, PairState
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.entrypoints.jobs import EVENTS
from saltbitter.testing.contracts.matching import seed_member
from support.matching_ports import sql_requests

pytestmark = pytest.mark.integration

PAIRS = 50

U = TypeVar("U", LikeMember, DecideSwipes)
R = TypeVar("R")


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(migrated_url, pool_size=20, max_overflow=20)
    yield engine
    await engine.dispose()


def _principal(user: UserId) -> Principal:
    return Principal(user, SessionId(user), frozenset({Role.MEMBER}), Tier.FREE, True)


async def _seed_pairs(engine: AsyncEngine) -> list[tuple[UserId, UserId]]:
    """``PAIRS`` pairs of a woman and a man who may like each other."""
    async with sql_requests(engine)() as request:
        pairs = [
            (
                await seed_member(request.writers),
                await seed_member(request.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,)),
            )
            for _ in range(PAIRS)
        ]
        await request.transaction.commit()
    return pairs


class _Deciding:
    """A like use case per call, as one request would have it: one connection for every
    port, shared process-wide parts."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.cache, self.clock, self.ids = InProcessCache(), SystemClock(), UuidIdGenerator()
        self.policy = MatchingPolicy()

    async def run(self, kind: type[U], call: Callable[[U], Awaitable[R]]) -> R:
        db = StagedConnection(self.engine)
        try:
            use_case = kind(
                SqlaTransaction(db),
                SqlaSwipeWriter(db),
                SqlaOutbox(db, self.clock, self.ids, EVENTS),
                self.clock,
                self.ids,
                self.cache,
                self.policy,
            )
            return await call(use_case)
        finally:
            await db.close()


async def test_crossing_likes_make_exactly_one_match_per_pair(engine: AsyncEngine) -> None:
    pairs = await _seed_pairs(engine)

    deciding = _Deciding(engine)

    async def like(actor: UserId, target: UserId) -> tuple[bool, object]:
        result = await deciding.run(LikeMember, lambda like: like(_principal(actor), target))
        return result.matched, result.match_id

    # Both likes of every pair at once: 100 transactions racing, pairwise crossing.
    results = await asyncio.gather(
        *(like(*crossing) for a, b in pairs for crossing in ((a, b), (b, a)))
    )
    forward, backward = results[0::2], results[1::2]
    for (one_matched, one_id), (other_matched, other_id) in zip(forward, backward, strict=True):
        assert one_matched != other_matched  # whichever came second made the match
        assert (one_id or other_id) is not None
    async with engine.connect() as connection:
        per_pair = (
            await connection.execute(
                select(matches.c.user_low, matches.c.user_high, func.count()).group_by(
                    matches.c.user_low, matches.c.user_high
                )
            )
        ).all()
        announced = (
            await connection.execute(
                select(func.count()).where(outbox.c.topic == MatchCreated.name)
            )
        ).scalar_one()
    assert len(per_pair) == PAIRS
    assert {count for _, _, count in per_pair} == {1}
    assert {frozenset((low, high)) for low, high, _ in per_pair} == {
        frozenset(pair) for pair in pairs
    }
    assert announced == PAIRS


async def test_batches_decide_crossing_likes_within_and_across_them_once(
    engine: AsyncEngine,
) -> None:
    """ADR 0051: likes decided in batches, four batches at once. A pair's two likes
    fall in one batch (a round each) or in two racing batches (the locks, taken in one
    order by every batch, so none waits on another in a cycle): one match per pair,
    exactly one of its likes answered "matched"."""
    pairs = await _seed_pairs(engine)

    deciding = _Deciding(engine)

    async def decide(calls: list[PairDecision]) -> list[SwipeResult | SaltbitterError]:
        return await deciding.run(DecideSwipes, lambda decide: decide(calls))

    likes = [
        PairDecision(actor, target, Decision.LIKE)
        for a, b in pairs
        for actor, target in ((a, b), (b, a))
    ]
    # Batch k holds likes k, k+4, ...: a pair's two likes (2i, 2i+1) land in two racing
    # batches; the reversed halves put some pairs' likes in one batch too.
    batches = [likes[k::4] for k in range(4)]
    batches[0] += [PairDecision(b, a, Decision.LIKE) for a, b in pairs[:5]][::-1]
    answers = await asyncio.gather(*(decide(batch) for batch in batches))
    matched: dict[frozenset[UserId], int] = {}
    refused = []
    for batch, batch_answers in zip(batches, answers, strict=True):
        for call, answer in zip(batch, batch_answers, strict=True):
            if isinstance(answer, SaltbitterError):
                refused.append(answer.code)
            elif answer.matched:
                key = frozenset((call.actor, call.target))
                matched[key] = matched.get(key, 0) + 1
    assert refused == ["already_decided"] * 5  # the five repeated likes
    assert matched == {frozenset(pair): 1 for pair in pairs}
    ours = [member for pair in pairs for member in pair]
    async with engine.connect() as connection:
        per_pair = (
            await connection.execute(
                select(func.count())
                .where(matches.c.user_low.in_(ours))
                .group_by(matches.c.user_low, matches.c.user_high)
            )
        ).scalars()
        assert sorted(per_pair) == [1] * PAIRS


async def _waiting_on_an_advisory_lock(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (
            await connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                )
            )
        ).scalar_one()


async def _until_one_waits(engine: AsyncEngine, other: asyncio.Task[object]) -> None:
    for _ in range(400):  # polled, not timed: at most ~20 s before the test fails
        if await _waiting_on_an_advisory_lock(engine) == 1:
            return
        assert not other.done(), "the second decision did not wait for the pair's lock"
        await asyncio.sleep(0.05)
    raise AssertionError("the second decision never waited for the pair's lock")


@pytest.mark.parametrize("members", [True, False], ids=["members", "neither-a-member"])
async def test_open_decisions_holds_the_pairs_lock_until_the_transaction_ends(
    engine: AsyncEngine, members: bool
) -> None:
    """``open_decisions`` takes the pair's lock in the statement that reads the members
    (ADR 0042), also when its left join finds no member: a crossing decision waits for
    it and then reads the first one's committed like."""
    if members:
        async with sql_requests(engine)() as request:
            ada = await seed_member(request.writers)
            bo = await seed_member(request.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
            await request.transaction.commit()
    else:
        ada, bo = UserId(uuid4()), UserId(uuid4())
    now = SystemClock().now()
    second_read = asyncio.Event()

    async def crossing() -> object:
        async with sql_requests(engine)() as request:
            await request.swipes.open_decisions([(bo, ada)], now)
            second_read.set()
            if not members:
                return None
            return await request.swipes.swipe([PairDecision(bo, ada, Decision.LIKE)], now)

    async with sql_requests(engine)() as first:
        (parties,) = await first.swipes.open_decisions([(ada, bo)], now)
        assert (parties.actor is not None) is members
        if members:
            like = [PairDecision(ada, bo, Decision.LIKE)]
            assert await first.swipes.swipe(like, now) == [(PairState(), True)]
        other = asyncio.create_task(crossing())
        await _until_one_waits(engine, other)
        assert not second_read.is_set()
        await first.transaction.commit()
    answer = await other
    if members:
        assert answer == [(PairState(target_decision=Decision.LIKE), True)]
