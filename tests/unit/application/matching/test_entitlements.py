"""Matching reads the caller's current tier on every request (docs/entitlements.md).

A daily set or discovery list chosen, stored or cached under a higher tier shrinks to
the lower tier's entitlement at once after a downgrade; the advanced discovery filters
come with Premium and Elite and only ever narrow the day's list.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.application.matching.caching import CachedDailySet, daily_key, discover_key
from saltbitter.application.matching.daily import GetDailySet
from saltbitter.application.matching.discover import Discover, DiscoverFilters
from saltbitter.application.ports.cache import Cache
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import PermissionDenied, ValidationFailed
from saltbitter.domain.profiles import RelationshipGoal
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import entitlements_for
from saltbitter.testing.fakes_accounts import AccountsState
from support.hypothesis_budget import budget

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}
TAGS = ["hiking", "jazz", "cooking", "chess", "falconry", "tea", "go", "climbing"]
GOALS = list(RelationshipGoal)


async def _men(world: MatchingWorld, count: int, **extra: Any) -> list[UserId]:
    return [
        await world.seed(
            display_name=f"M{n}",
            interests=TAGS[n % 4 : n % 4 + 3],
            relationship_goal=GOALS[n % len(GOALS)],
            **MAN,
            **extra,
        )
        for n in range(count)
    ]


def _set_tier(world: MatchingWorld, member: UserId, tier: Tier) -> None:
    """What payments does through its ``MemberTiers`` port (users.tier)."""
    world.database[AccountsState].users[member].tier = tier


async def _browse(
    world: MatchingWorld, me: UserId, filters: DiscoverFilters | None = None
) -> list[UserId]:
    discover = await world.get(Discover)
    chosen = filters or DiscoverFilters()
    page = await discover(world.principal(me), None, chosen)
    shown = [item.member.user_id for item in page.items]
    while page.next_cursor is not None:
        page = await discover(world.principal(me), page.next_cursor, chosen)
        shown.extend(item.member.user_id for item in page.items)
    return shown


@pytest.mark.parametrize("tier", list(Tier))
async def test_the_daily_set_has_the_tiers_size(world: MatchingWorld, tier: Tier) -> None:
    await _men(world, 60)
    me = await world.seed(tier=tier)
    daily = await (await world.get(GetDailySet))(world.principal(me))
    assert len(daily.items) == entitlements_for(tier).daily_matches


async def test_a_downgrade_shrinks_the_cached_daily_set_at_once(world: MatchingWorld) -> None:
    await _men(world, 60)
    me = await world.seed(tier=Tier.ELITE)
    get_daily = await world.get(GetDailySet)
    elite = await get_daily(world.principal(me))
    assert len(elite.items) == 50
    cached = await (await world.get(Cache)).get_value(daily_key(me), CachedDailySet)
    assert cached is not None
    assert len(cached.items) == 50

    _set_tier(world, me, Tier.FREE)
    free = await (await world.get(GetDailySet))(world.principal(me))
    assert [item.member.user_id for item in free.items] == [
        item.member.user_id for item in elite.items[:10]
    ]
    # Back up the same day: the set chosen under Elite is there again.
    _set_tier(world, me, Tier.PREMIUM)
    premium = await (await world.get(GetDailySet))(world.principal(me))
    assert len(premium.items) == 25


async def test_a_downgrade_cuts_the_cached_discovery_list_at_once(world: MatchingWorld) -> None:
    await _men(world, 70)
    me = await world.seed(tier=Tier.PREMIUM)
    premium = await _browse(world, me)
    assert len(premium) == 60
    assert await (await world.get(Cache)).get_value(discover_key(me), object) is not None

    _set_tier(world, me, Tier.FREE)
    free = await _browse(world, me)
    assert free == premium[:20]  # one page, the best of what was handed out


async def test_advanced_filters_need_the_entitlement(world: MatchingWorld) -> None:
    await _men(world, 10)
    me = await world.seed()
    discover = await world.get(Discover)
    for filters in (
        DiscoverFilters(min_compatibility=0.1),
        DiscoverFilters(relationship_goal="friendship"),
    ):
        with pytest.raises(PermissionDenied) as refused:
            await discover(world.principal(me), None, filters)
        assert refused.value.code == "upgrade_required"
    assert len((await discover(world.principal(me))).items) == 10  # unfiltered is fine


async def test_the_goal_filter_keeps_only_that_goal_among_those_handed_out(
    world: MatchingWorld,
) -> None:
    men = await _men(world, 30)
    goals = {man: GOALS[n % len(GOALS)] for n, man in enumerate(men)}
    me = await world.seed(tier=Tier.ELITE)
    everyone = await _browse(world, me)
    friends = await _browse(world, me, DiscoverFilters(relationship_goal="friendship"))
    assert friends == [m for m in everyone if goals[m] is RelationshipGoal.FRIENDSHIP]
    assert friends


@pytest.mark.parametrize(
    "bad",
    [
        {"min_compatibility": -0.1},
        {"min_compatibility": 1.5},
        {"min_compatibility": float("nan")},
        {"relationship_goal": "marriage"},
    ],
)
def test_bad_filters_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        DiscoverFilters(**bad)


@settings(
    max_examples=budget(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(low=st.floats(min_value=0.0, max_value=1.0))
async def test_the_score_filter_is_the_unfiltered_list_above_the_threshold(
    world: MatchingWorld, low: float
) -> None:
    """Law: filtering never adds or reorders; it keeps exactly the totals >= low."""
    if not world.database[AccountsState].users:
        await _men(world, 25)
        await world.seed(tier=Tier.PREMIUM, display_name="Me")
    me = next(
        user.id
        for user in world.database[AccountsState].users.values()
        if user.display_name == "Me"
    )
    discover = await world.get(Discover)
    everyone = (await discover(world.principal(me))).items
    chosen = (
        await discover(world.principal(me), None, DiscoverFilters(min_compatibility=low))
    ).items
    assert [i.member.user_id for i in chosen] == [
        i.member.user_id for i in everyone if i.compatibility.total >= low
    ]
