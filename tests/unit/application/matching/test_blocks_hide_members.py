"""A block hides both members from each other everywhere matching shows members.

Blocks belong to the safety capability; matching reads them through its own
``BlockedMembers`` port on every read, so a block takes effect at once, even on daily
sets already built and cached. The in-memory fake reports blocks added by the test.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.application.matching.caching import daily_key, discover_key
from saltbitter.application.matching.daily import GenerateDailySets, GetDailySet
from saltbitter.application.matching.discover import Discover
from saltbitter.application.matching.matches import ListLikesReceived, ListMatches
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import NotFound
from saltbitter.domain.matching import AllocationPolicy, DailyQuotas
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.fakes_matching import MatchingState
from support.hypothesis_budget import budget

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}


async def _ada_and_men(world: MatchingWorld, count: int = 3) -> tuple[UserId, list[UserId]]:
    ada = await world.seed(display_name="Ada", tier=Tier.PREMIUM)
    men = [await world.seed(display_name=f"M{n}", **MAN) for n in range(count)]
    return ada, men


async def _daily_ids(world: MatchingWorld, user: UserId) -> set[UserId]:
    view = await (await world.get(GetDailySet))(world.principal(user))
    return {item.member.user_id for item in view.items}


async def _discover_ids(world: MatchingWorld, user: UserId) -> set[UserId]:
    page = await (await world.get(Discover))(world.principal(user))
    return {item.member.user_id for item in page.items}


@pytest.mark.parametrize("blocker", ["viewer", "candidate"])
async def test_a_cached_daily_set_hides_a_member_blocked_after_it_was_built(
    world: MatchingWorld, blocker: str
) -> None:
    ada, men = await _ada_and_men(world)
    assert await _daily_ids(world, ada) == set(men)
    assert await world.cache.get(daily_key(ada)) is not None  # served from the cache next
    world.block(*((ada, men[0]) if blocker == "viewer" else (men[0], ada)))
    assert await _daily_ids(world, ada) == {men[1], men[2]}
    # The stored set, rendered afresh once the cache is gone, hides him too.
    await world.cache.delete(daily_key(ada))
    assert await _daily_ids(world, ada) == {men[1], men[2]}


async def test_a_set_the_sweep_cached_hides_a_blocked_member_on_both_sides(
    world: MatchingWorld,
) -> None:
    ada, men = await _ada_and_men(world)
    await (await world.get(GenerateDailySets))()
    assert await world.cache.get(daily_key(men[0])) is not None
    world.block(men[0], ada)
    assert men[0] not in await _daily_ids(world, ada)
    assert ada not in await _daily_ids(world, men[0])


@pytest.mark.parametrize("blocker", ["viewer", "candidate"])
async def test_the_sweep_allots_a_blocked_members_slot_to_someone_else(
    world: MatchingWorld, blocker: str
) -> None:
    world.with_policy(allocation=AllocationPolicy(quotas=DailyQuotas(free=2), exposure_cap=None))
    ada = await world.seed(display_name="Ada", tier=Tier.FREE)
    men = [await world.seed(display_name=f"M{n}", tier=Tier.FREE, **MAN) for n in range(3)]
    world.block(*((ada, men[0]) if blocker == "viewer" else (men[0], ada)))
    await (await world.get(GenerateDailySets))()
    stored = {who: daily for (who, _), daily in world.database[MatchingState].daily_sets.items()}
    assert {entry.candidate_id for entry in stored[ada].entries} == {men[1], men[2]}  # full
    assert ada not in {entry.candidate_id for entry in stored[men[0]].entries}
    assert await _daily_ids(world, ada) == {men[1], men[2]}  # nothing filtered on read


async def test_a_set_built_on_demand_leaves_blocked_members_out(world: MatchingWorld) -> None:
    ada, men = await _ada_and_men(world)
    world.block(ada, men[0])
    assert await _daily_ids(world, ada) == {men[1], men[2]}


async def test_discovery_hides_a_blocked_member_from_a_cached_list_and_a_fresh_one(
    world: MatchingWorld,
) -> None:
    ada, men = await _ada_and_men(world)
    assert await _discover_ids(world, ada) == set(men)
    assert await world.cache.get(discover_key(ada)) is not None
    world.block(men[1], ada)
    assert await _discover_ids(world, ada) == {men[0], men[2]}  # the cached list, rechecked
    await world.cache.delete(discover_key(ada))
    assert await _discover_ids(world, ada) == {men[0], men[2]}  # ranked without him
    assert ada not in await _discover_ids(world, men[1])


async def test_likes_received_hide_a_blocked_liker(world: MatchingWorld) -> None:
    ada, men = await _ada_and_men(world, 2)
    for man in men:
        await (await world.get(LikeMember))(world.principal(man), ada)
    listed = await (await world.get(ListLikesReceived))(world.principal(ada))
    assert {item.member.user_id for item in listed.items} == set(men)
    world.block(ada, men[0])
    listed = await (await world.get(ListLikesReceived))(world.principal(ada))
    assert [item.member.user_id for item in listed.items] == [men[1]]


async def test_matches_hide_a_blocked_member_on_both_sides(world: MatchingWorld) -> None:
    ada, men = await _ada_and_men(world, 2)
    for man in men:
        await (await world.get(LikeMember))(world.principal(man), ada)
        await (await world.get(LikeMember))(world.principal(ada), man)
    world.block(men[0], ada)
    mine = await (await world.get(ListMatches))(world.principal(ada))
    assert [item.member.user_id for item in mine.items] == [men[1]]
    theirs = await (await world.get(ListMatches))(world.principal(men[0]))
    assert theirs.items == []


@pytest.mark.parametrize("act", [LikeMember, PassMember])
async def test_a_blocked_member_cannot_be_liked_or_passed_either_way(
    world: MatchingWorld, act: type[LikeMember] | type[PassMember]
) -> None:
    ada, [bo] = await _ada_and_men(world, 1)
    world.block(ada, bo)
    for actor, target in ((ada, bo), (bo, ada)):
        with pytest.raises(NotFound) as missing:
            await (await world.get(act))(world.principal(actor), target)
        assert missing.value.code == "member_not_found"


@settings(max_examples=budget(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=6))
def test_blocks_take_out_exactly_the_blocked_members_of_what_was_shown(
    blocks: list[tuple[int, bool]],
) -> None:
    """Whoever blocked whom, a cached daily set and discovery list lose exactly the
    members blocked with the viewer, and nobody else."""

    async def play() -> None:
        world = MatchingWorld()
        ada, men = await _ada_and_men(world, 4)
        daily_before = await _daily_ids(world, ada)
        discover_before = await _discover_ids(world, ada)
        blocked: set[UserId] = set()
        for index, ada_blocks in blocks:
            world.block(*((ada, men[index]) if ada_blocks else (men[index], ada)))
            blocked.add(men[index])
        assert await _daily_ids(world, ada) == daily_before - blocked
        assert await _discover_ids(world, ada) == discover_before - blocked

    asyncio.run(play())
