"""Every distance a member sees of another, in numbers or in words, is the same one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from saltbitter.application.matching.caching import daily_key
from saltbitter.application.matching.daily import GetDailySet
from saltbitter.application.matching.discover import Discover
from saltbitter.domain.compatibility import Gender
from saltbitter.testing.fakes_matching import MatchingState

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}
# 6.34 km apart precisely, 7 km between their grid cells (what cards show).
HERE, THERE = (52.52, 13.405), (52.577, 13.405)


def _distance_reasons(reasons: list[str]) -> list[str]:
    return [reason for reason in reasons if reason.endswith("km apart")]


async def test_daily_entries_say_the_cards_distance(world: MatchingWorld) -> None:
    me = await world.seed(at=HERE)
    await world.seed(at=THERE, **MAN)
    [item] = (await (await world.get(GetDailySet))(world.principal(me))).items
    assert item.member.distance_km == 7
    assert _distance_reasons(item.compatibility.reasons) == ["about 7 km apart"]


async def test_a_stored_set_is_restated_with_the_cards_distance(world: MatchingWorld) -> None:
    # A set scored before a move (or with the old precise wording) still shows one number.
    me = await world.seed(at=HERE)
    him = await world.seed(at=THERE, **MAN)
    await (await world.get(GetDailySet))(world.principal(me))
    key = (me, date(2026, 1, 15))
    stored = world.database[MatchingState].daily_sets[key]
    old = replace(stored.entries[0], reasons=("about 6 km apart", "less than 1 km apart"))
    world.database[MatchingState].daily_sets[key] = replace(stored, entries=(old,))
    await world.cache.delete(daily_key(me))
    [item] = (await (await world.get(GetDailySet))(world.principal(me))).items
    assert item.member.user_id == him
    assert item.compatibility.reasons == ["about 7 km apart", "about 7 km apart"]


async def test_discover_cards_and_reasons_agree(world: MatchingWorld) -> None:
    me = await world.seed(at=HERE)
    await world.seed(at=THERE, **MAN)
    [item] = (await (await world.get(Discover))(world.principal(me))).items
    assert item.member.distance_km == 7
    assert _distance_reasons(item.compatibility.reasons) == ["about 7 km apart"]
