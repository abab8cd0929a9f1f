"""The daily sweep in shards (ADR 0034), through the in-memory fakes: whatever order the
shards run in and however often one is interrupted and retried, every due member gets
one set, the shards together make the sets one run would, and the cap holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.application.matching import topics
from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.application.matching.events import (
    DailySetReady,
    GenerateDailySetShardParameters,
    GenerateDailySetsParameters,
)
from saltbitter.application.matching.shards import DailyShard
from saltbitter.application.matching.sweep import PlanDailySweep
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.matching import AllocationPolicy, DailyQuotas
from saltbitter.domain.profiles import Visibility
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.jobs import run_job
from saltbitter.testing.fakes_matching import MatchingState
from support.hypothesis_budget import budget

from .conftest import MatchingWorld

DAY_ONE = date(2026, 1, 15)
DAY_TWO = date(2026, 1, 16)
CHUNK = 3


class _Interrupted(Exception):
    """A shard's attempt dies here (a killed worker), after some chunks are committed."""


def _dies_after(chunks: int) -> Callable[[int, int], None]:
    reports = 0

    def progress(_done: int, _total: int) -> None:
        nonlocal reports
        if reports == chunks:  # the first report comes before any chunk is written
            raise _Interrupted
        reports += 1

    return progress


async def _world(members: int, cap: int) -> tuple[MatchingWorld, list[UserId]]:
    world = MatchingWorld().with_policy(
        allocation=AllocationPolicy(quotas=DailyQuotas(free=3), exposure_cap=cap),
        chunk_size=CHUNK,
    )
    people = [
        await world.seed(
            display_name=f"P{n}",
            gender=Gender.WOMAN if n % 2 else Gender.MAN,
            seeks=tuple(Gender),
        )
        for n in range(members)
    ]
    return world, people


def _exposure(world: MatchingWorld) -> Counter[UserId]:
    return Counter(
        entry.candidate_id
        for daily in world.database[MatchingState].daily_sets.values()
        for entry in daily.entries
    )


@settings(max_examples=budget(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=st.integers(4, 12),
    cap=st.integers(2, 5),
    data=st.data(),
)
def test_shards_in_any_order_with_retries_give_everyone_one_set_within_the_cap(
    members: int, cap: int, data: st.DataObject
) -> None:
    count = data.draw(st.integers(1, min(cap, 4)), label="shards")
    retries = data.draw(st.lists(st.integers(0, count - 1), max_size=4), label="retried")
    order = data.draw(st.permutations([*range(count), *retries]), label="order")
    stops = data.draw(st.lists(st.integers(0, 2), min_size=len(order), max_size=len(order)))

    async def scenario() -> None:
        world, people = await _world(members, cap)
        # Yesterday's sets, made an hour ago, count towards today's cap.
        await (await world.get(GenerateDailySets))(DAY_ONE, all_timezones=True)
        world.clock.advance(timedelta(hours=1))
        plan = await (await world.get(PlanDailySweep))(DAY_TWO, all_timezones=True, shards=count)
        assert plan.due == members
        assert [shard.index for shard in plan.shards] == list(range(count))
        last = {index: position for position, index in enumerate(order)}
        for position, index in enumerate(order):
            generate = await world.get(GenerateDailySets)
            final = last[index] == position
            try:
                await generate(
                    DAY_TWO,
                    all_timezones=True,
                    shard=plan.shards[index],
                    progress=None if final else _dies_after(stops[position]),
                )
            except _Interrupted:
                assert not final
            world.clock.advance(timedelta(minutes=1))

        sets = world.database[MatchingState].daily_sets
        assert {key for key in sets if key[1] == DAY_TWO} == {(p, DAY_TWO) for p in people}
        ready = Counter(e.user_id for e in world.events(DailySetReady) if e.local_date == DAY_TWO)
        assert all(times == 1 for times in ready.values())
        for daily in sets.values():
            chosen = [entry.candidate_id for entry in daily.entries]
            assert len(chosen) == len(set(chosen))
        assert max(_exposure(world).values(), default=0) <= cap

    asyncio.run(scenario())


async def test_a_shard_makes_only_its_own_members_sets_due_at_the_sweeps_start() -> None:
    world, people = await _world(10, 4)
    as_of = world.clock.now()
    world.clock.advance(timedelta(hours=30))  # a late retry: due is still as of the sweep
    shard = DailyShard(1, 3, as_of)
    summary = await (await world.get(GenerateDailySets))(shard=shard)
    mine = {p for p in people if shard.holds(p)}
    assert summary.due == len(mine)
    assert set(world.database[MatchingState].daily_sets) == {(p, DAY_ONE) for p in mine}


async def test_one_shard_takes_the_whole_cap() -> None:
    world, people = await _world(8, 2)
    plan = await (await world.get(PlanDailySweep))(shards=1)
    await (await world.get(GenerateDailySets))(shard=plan.shards[0])
    exposure = _exposure(world)
    assert len(world.database[MatchingState].daily_sets) == len(people)
    assert max(exposure.values()) == 2  # 8 members want 24 places: the cap binds


async def test_the_plan_sizes_shards_by_members_and_caps_them_at_the_exposure_cap() -> None:
    world, _ = await _world(10, 3)
    world.with_policy(shard_members=4)
    plan = await (await world.get(PlanDailySweep))()
    assert (plan.members, plan.due, len(plan.shards)) == (10, 10, 3)  # ceil(10 / 4)
    world.with_policy(shard_members=2)
    assert len((await (await world.get(PlanDailySweep))()).shards) == 3  # not 5: cap 3
    assert len((await (await world.get(PlanDailySweep))(shards=2)).shards) == 2
    assert {shard.as_of for shard in plan.shards} == {world.clock.now()}
    with pytest.raises(ValidationFailed):
        await (await world.get(PlanDailySweep))(shards=4)
    await (await world.get(GenerateDailySets))()
    nobody = await (await world.get(PlanDailySweep))()
    assert (nobody.due, nobody.shards) == (0, ())


async def test_the_sweep_job_fans_out_one_shard_job_per_shard() -> None:
    world, people = await _world(10, 4)
    world.with_policy(shard_members=4)
    result = await run_job(
        world.container, topics.GENERATE_DAILY_SETS, GenerateDailySetsParameters()
    )
    assert result == {"due": 10, "shards": 3}
    queued = [job_input for job, job_input in world.queue.jobs]
    assert all(isinstance(i, GenerateDailySetShardParameters) for i in queued)
    assert sorted(i.index for i in queued if isinstance(i, GenerateDailySetShardParameters)) == [
        0,
        1,
        2,
    ]
    ran = await world.deliver_jobs(only={topics.GENERATE_DAILY_SET_SHARD})
    assert ran.count(topics.GENERATE_DAILY_SET_SHARD) == 3
    assert set(world.database[MatchingState].daily_sets) == {(p, DAY_ONE) for p in people}


async def test_a_retried_shard_counts_what_its_interrupted_attempt_placed() -> None:
    world, people = await _world(8, 2)  # 8 members want 24 places; the cap leaves 16
    plan = await (await world.get(PlanDailySweep))(shards=1)
    generate = await world.get(GenerateDailySets)
    with pytest.raises(_Interrupted):
        await generate(shard=plan.shards[0], progress=_dies_after(1))
    assert 0 < len(world.database[MatchingState].daily_sets) < len(people)
    world.clock.advance(timedelta(minutes=5))
    await (await world.get(GenerateDailySets))(shard=plan.shards[0])
    assert len(world.database[MatchingState].daily_sets) == len(people)
    assert max(_exposure(world).values()) <= 2


@settings(max_examples=budget(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(berlin=st.integers(1, 8), west=st.integers(0, 4), paused=st.integers(0, 2), data=st.data())
def test_the_shards_together_make_the_sets_of_exactly_the_members_one_run_would(
    berlin: int, west: int, paused: int, data: st.DataObject
) -> None:
    count = data.draw(st.integers(1, 5), label="shards")

    async def scenario() -> None:
        world, due = await _world(berlin, 5)
        for n in range(west):  # 04:00 in Los Angeles: not due yet
            await world.seed(display_name=f"W{n}", timezone="America/Los_Angeles")
        for n in range(paused):
            await world.seed(display_name=f"Q{n}", visibility=Visibility.PAUSED)
        plan = await (await world.get(PlanDailySweep))(shards=count)
        assert plan.due == berlin
        made = 0
        for shard in plan.shards:
            summary = await (await world.get(GenerateDailySets))(shard=shard)
            assert summary.due == summary.created == sum(1 for p in due if shard.holds(p))
            made += summary.created
        assert made == berlin
        assert set(world.database[MatchingState].daily_sets) == {(p, DAY_ONE) for p in due}
        again = await (await world.get(GenerateDailySets))()  # one run: nobody is left
        assert again.due == 0

    asyncio.run(scenario())
