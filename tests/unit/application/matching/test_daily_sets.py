"""The daily job and today's set, through the in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.application.matching.caching import daily_key, discover_key
from saltbitter.application.matching.daily import GenerateDailySets, GetDailySet
from saltbitter.application.matching.events import DailySetReady
from saltbitter.application.matching.forget import ForgetMemberCaches
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.application.ports.matching import DailySet
from saltbitter.domain.compatibility import Gender, check_eligibility
from saltbitter.domain.errors import PermissionDenied
from saltbitter.domain.matching import AllocationPolicy, DailyQuotas, Decision
from saltbitter.domain.profiles import Visibility
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.fakes import InMemoryOutbox, OutboxState
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_blocked_members import InMemoryBlockedMembers
from saltbitter.testing.fakes_matching import (
    InMemoryCandidateReader,
    InMemoryDailySetStore,
    MatchingState,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryTransaction
from support.matching_ports import in_memory_requests

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}
LA = "America/Los_Angeles"  # 04:00 when Berlin is at 13:00 (the world's 12:00 UTC)


def _sets(world: MatchingWorld) -> dict[tuple[UserId, date], DailySet]:
    return world.database[MatchingState].daily_sets


async def _people(world: MatchingWorld, women: int, men: int, **extra: Any) -> list[UserId]:
    ids = [await world.seed(display_name=f"W{n}", **extra) for n in range(women)]
    ids += [await world.seed(display_name=f"M{n}", **MAN, **extra) for n in range(men)]
    return ids


async def test_due_members_get_one_set_of_eligible_candidates(world: MatchingWorld) -> None:
    people = await _people(world, 6, 6)
    later = await world.seed(timezone=LA, **MAN)
    paused = await world.seed(visibility=Visibility.PAUSED)
    summary = await (await world.get(GenerateDailySets))()

    today = date(2026, 1, 15)
    assert (summary.members, summary.due, summary.created) == (13, 12, 12)  # not paused
    assert summary.local_dates == [today]
    assert set(_sets(world)) == {(person, today) for person in people}
    members = {m.user_id: m for m in await _members(world)}
    for (viewer, _), daily in _sets(world).items():
        chosen = [entry.candidate_id for entry in daily.entries]
        assert len(chosen) == len(set(chosen)) <= 10
        assert viewer not in chosen
        assert later not in chosen or members[viewer].profile.gender is Gender.WOMAN
        assert paused not in chosen
        for candidate in chosen:
            assert check_eligibility(members[viewer].profile, members[candidate].profile)
        totals = [entry.total for entry in daily.entries]
        assert totals == sorted(totals, reverse=True)
        assert all(0.0 <= total <= 1.0 for total in totals)
        assert all(entry.reasons for entry in daily.entries)
    ready = world.events(DailySetReady)
    assert sorted(e.user_id for e in ready) == sorted(people)
    assert {e.local_date for e in ready} == {date(2026, 1, 15)}
    assert summary.delivered == sum(e.size for e in ready)
    # Each set is cached, ready for GET /matches/daily.
    assert await world.cache.get(daily_key(people[0])) is not None


async def test_a_second_run_changes_nothing(world: MatchingWorld) -> None:
    await _people(world, 4, 4)
    await (await world.get(GenerateDailySets))()
    before = dict(_sets(world))
    outbox = len(world.database[OutboxState].messages)
    again = await (await world.get(GenerateDailySets))()
    assert (again.due, again.created) == (0, 0)
    assert _sets(world) == before
    assert len(world.database[OutboxState].messages) == outbox


async def test_members_are_due_from_six_in_their_own_timezone(world: MatchingWorld) -> None:
    await _people(world, 2, 0)
    west = await _people(world, 0, 2, timezone=LA)
    assert (await (await world.get(GenerateDailySets))()).created == 2
    world.clock.advance(timedelta(hours=1, minutes=59))  # 05:59 in Los Angeles
    assert (await (await world.get(GenerateDailySets))()).created == 0
    world.clock.advance(timedelta(minutes=1))
    summary = await (await world.get(GenerateDailySets))()
    assert summary.created == 2
    assert {day for (who, day) in _sets(world) if who in west} == {date(2026, 1, 15)}


async def test_an_operator_can_run_every_timezone_for_a_given_date(world: MatchingWorld) -> None:
    west = await _people(world, 2, 2, timezone=LA)
    on = date(2026, 1, 16)
    summary = await (await world.get(GenerateDailySets))(on, all_timezones=True)
    assert (summary.due, summary.local_dates) == (4, [on])
    assert set(_sets(world)) == {(who, on) for who in west}


async def test_set_sizes_follow_the_tier_quotas(world: MatchingWorld) -> None:
    world.with_policy(
        allocation=AllocationPolicy(
            quotas=DailyQuotas(free=2, premium=3, elite=4), exposure_cap=None
        )
    )
    free = await world.seed(tier=Tier.FREE)
    premium = await world.seed(tier=Tier.PREMIUM)
    elite = await world.seed(tier=Tier.ELITE)
    await _people(world, 0, 8)
    await (await world.get(GenerateDailySets))()
    sizes = {who: daily.size for (who, _), daily in _sets(world).items()}
    assert (sizes[free], sizes[premium], sizes[elite]) == (2, 3, 4)


async def test_nobody_is_shown_in_more_sets_than_the_cap_across_sweeps(
    world: MatchingWorld,
) -> None:
    world.with_policy(allocation=AllocationPolicy(exposure_cap=2))
    star = await world.seed(display_name="Star")
    berlin = await _people(world, 0, 3)
    west = await _people(world, 0, 3, timezone=LA)  # living in Berlin, on LA time
    await (await world.get(GenerateDailySets))()
    world.clock.advance(timedelta(hours=2))  # 06:00 in Los Angeles
    await (await world.get(GenerateDailySets))()
    holders = [who for (who, _), daily in _sets(world).items() if star in _candidates(daily)]
    assert len(holders) == 2
    assert set(holders) <= set(berlin)  # the west coast sweep found her at the cap
    assert all(_sets(world)[(who, date(2026, 1, 15))].size == 0 for who in west)


async def test_a_later_sweep_fills_a_set_past_a_candidate_with_room_for_one(
    world: MatchingWorld,
) -> None:
    # Star is in one Berlin set already and the cap is 2: of the two west coast members
    # who both rank her first, one gets her and the other their next choice. (The sweep
    # used to give her to both and then drop one place, leaving that set empty.)
    world.with_policy(allocation=AllocationPolicy(quotas=DailyQuotas(free=1), exposure_cap=2))
    star = await world.seed(display_name="Star")
    other = await world.seed(display_name="Other", interests=("chess", "opera", "sailing"))
    berlin = await _people(world, 0, 1)
    west = await _people(world, 0, 2, timezone=LA)
    await (await world.get(GenerateDailySets))()
    assert _candidates(_sets(world)[(berlin[0], date(2026, 1, 15))]) == {star}
    world.clock.advance(timedelta(hours=2))  # 06:00 in Los Angeles
    await (await world.get(GenerateDailySets))()
    shown = [_candidates(_sets(world)[(who, date(2026, 1, 15))]) for who in west]
    assert sorted(shown, key=lambda chosen: star in chosen) == [{other}, {star}]


def _candidates(daily: DailySet) -> set[UserId]:
    return {entry.candidate_id for entry in daily.entries}


async def test_sets_leave_out_everyone_already_decided_on(world: MatchingWorld) -> None:
    ada = await world.seed()
    liked, passed, matched, passer, fresh = [
        await world.seed(display_name=name, **MAN)
        for name in ("Liked", "Passed", "Matched", "Passer", "Fresh")
    ]
    await (await world.get(LikeMember))(world.principal(ada), liked)
    await (await world.get(PassMember))(world.principal(ada), passed)
    await (await world.get(LikeMember))(world.principal(ada), matched)
    await (await world.get(LikeMember))(world.principal(matched), ada)
    await (await world.get(PassMember))(world.principal(passer), ada)
    await (await world.get(GenerateDailySets))()
    assert _candidates(_sets(world)[(ada, date(2026, 1, 15))]) == {fresh}


class _CrashingTransaction(InMemoryTransaction):
    """Loses the worker at its n-th commit, as a killed process would."""

    def __init__(self, connection: InMemoryConnection, crash_at: int) -> None:
        super().__init__(connection)
        self.crash_at = crash_at
        self.attempts = 0

    async def commit(self) -> None:
        self.attempts += 1
        if self.attempts == self.crash_at:
            raise RuntimeError("worker lost")
        await super().commit()


async def test_a_crashed_run_resumes_where_it_stopped(world: MatchingWorld) -> None:
    world.with_policy(chunk_size=3)
    people = await _people(world, 4, 4)
    connection = InMemoryConnection(world.database)
    crashing = GenerateDailySets(
        _CrashingTransaction(connection, crash_at=2),
        InMemoryCandidateReader(connection),
        InMemoryBlockedMembers(connection),
        InMemoryDailySetStore(connection),
        InMemoryOutbox(connection, world.clock, world.ids),
        world.clock,
        world.cache,
        world.scorer,
        world.matching_policy,
    )
    with pytest.raises(RuntimeError):
        await crashing()
    assert len(_sets(world)) == 3  # the first chunk is committed
    resumed = await (await world.get(GenerateDailySets))()
    assert (resumed.due, resumed.created) == (5, 5)
    assert {who for who, _ in _sets(world)} == set(people)
    ready = [e.user_id for e in world.events(DailySetReady)]
    assert len(ready) == len(set(ready))


async def test_progress_counts_only_sets_already_stored(world: MatchingWorld) -> None:
    """Chunks are scored while the previous one is written: progress still reports a
    chunk only once its sets are committed, in order, ending with all."""
    world.with_policy(chunk_size=3)
    await _people(world, 5, 5)
    reported: list[tuple[int, int]] = []

    def progress(finished: int, due: int) -> None:
        assert due == 10
        reported.append((finished, len(_sets(world))))

    summary = await (await world.get(GenerateDailySets))(progress=progress)
    assert summary.created == 10
    assert reported == [(0, 0), (3, 3), (6, 6), (9, 9), (10, 10)]


async def test_numpy_and_scalar_scorers_choose_the_same_sets() -> None:
    worlds = [MatchingWorld(), MatchingWorld(scorer=NumpyBatchScorer())]
    # Identical members in both worlds (same ids), so the seeded allocation matches.
    for n in range(10):
        options = {"display_name": f"P{n}", "at": (52.5 + n / 100, 13.4), **(MAN if n % 2 else {})}
        first = await worlds[0].seed(**options)
        async with in_memory_requests(worlds[1].database)() as request:
            user = replace(worlds[0].database[AccountsState].users[first])
            request.writers.users.add(user)
            await request.writers.profiles.save(worlds[0].profile(first))
            await request.transaction.commit()
    for each in worlds:
        await (await each.get(GenerateDailySets))()
    chosen = [
        {key: [e.candidate_id for e in daily.entries] for key, daily in _sets(each).items()}
        for each in worlds
    ]
    assert chosen[0] == chosen[1]
    assert any(chosen[0].values())


async def test_a_newcomer_gets_todays_set_on_first_request_once(world: MatchingWorld) -> None:
    await _people(world, 0, 5)
    ada = await world.seed(display_name="Ada")
    view = await (await world.get(GetDailySet))(world.principal(ada))
    assert view.local_date == date(2026, 1, 15)
    assert len(view.items) == 5
    item = view.items[0]
    assert item.member.display_name.startswith("M")
    assert item.member.distance_km == 1
    assert item.decision is None
    assert not item.matched
    components = item.compatibility.components
    assert all(
        0.0 <= value <= 1.0
        for value in (
            components.attachment,
            components.interests,
            components.values,
            components.demographics,
        )
    )
    assert item.compatibility.reasons
    # Ada is looking at her set: no "ready" notification for it.
    assert world.events(DailySetReady) == []

    # Cached, then rebuilt from the stored set: never a second set for the day.
    assert await (await world.get(GetDailySet))(world.principal(ada)) == view
    await world.cache.delete(daily_key(ada))
    assert await (await world.get(GetDailySet))(world.principal(ada)) == view
    assert len(_sets(world)) == 1
    assert (await (await world.get(GenerateDailySets))()).created == 5  # the men; Ada has hers


async def test_the_set_shows_what_the_caller_decided_and_drops_hidden_members(
    world: MatchingWorld,
) -> None:
    men = await _people(world, 0, 3)
    ada = await world.seed()
    await (await world.get(GetDailySet))(world.principal(ada))
    await (await world.get(LikeMember))(world.principal(ada), men[0])
    await (await world.get(LikeMember))(world.principal(men[0]), ada)
    await (await world.get(PassMember))(world.principal(ada), men[1])
    await world.save_profile(replace(world.profile(men[2]), visibility=Visibility.PAUSED))
    await (await world.get(ForgetMemberCaches))(men[2])

    view = await (await world.get(GetDailySet))(world.principal(ada))
    states = {item.member.user_id: (item.decision, item.matched) for item in view.items}
    assert states == {men[0]: (Decision.LIKE, True), men[1]: (Decision.PASS, False)}


async def test_before_six_the_set_of_yesterday_is_shown(world: MatchingWorld) -> None:
    await _people(world, 0, 3)
    ada = await world.seed()
    first = await (await world.get(GetDailySet))(world.principal(ada))
    world.clock.advance(timedelta(hours=16))  # 05:00 the next day in Berlin
    assert await (await world.get(GetDailySet))(world.principal(ada)) == first
    await world.cache.delete(daily_key(ada))
    assert (await (await world.get(GetDailySet))(world.principal(ada))).local_date == date(
        2026, 1, 15
    )
    world.clock.advance(timedelta(hours=1))  # 06:00
    assert (await (await world.get(GetDailySet))(world.principal(ada))).local_date == date(
        2026, 1, 16
    )


async def test_paused_members_get_no_set_and_profile_is_required(world: MatchingWorld) -> None:
    await _people(world, 0, 3)
    paused = await world.seed(visibility=Visibility.PAUSED)
    view = await (await world.get(GetDailySet))(world.principal(paused))
    assert view.items == []
    assert _sets(world) == {}
    without = await world.seed(with_profile=False)
    with pytest.raises(PermissionDenied) as refused:
        await (await world.get(GetDailySet))(world.principal(without))
    assert refused.value.code == "profile_required"


async def test_a_profile_change_drops_the_views_that_show_the_member(
    world: MatchingWorld,
) -> None:
    men = await _people(world, 0, 2)
    ada, eve = await world.seed(), await world.seed()
    for user in (ada, eve):
        await (await world.get(GetDailySet))(world.principal(user))
        await world.cache.set(discover_key(user), b"ranking", 60)
    assert await (await world.get(ForgetMemberCaches))(men[0]) == 3
    for user in (ada, eve):
        assert await world.cache.get(daily_key(user)) is None
        assert await world.cache.get(discover_key(user)) is not None  # pages recheck anyway
    assert await (await world.get(ForgetMemberCaches))(ada) == 1
    assert await world.cache.get(discover_key(ada)) is None


async def _members(world: MatchingWorld) -> list[Any]:
    async with in_memory_requests(world.database)() as request:
        return list(await request.candidates.members(world.clock.now()))
