"""Laws of the matching rules, checked with hypothesis."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.adapters.cache_values import decode_value, encode_value
from saltbitter.application.matching.caching import (
    CachedDailyItem,
    CachedDailySet,
    DiscoverRanking,
)
from saltbitter.application.matching.cards import (
    CardData,
    PhotoRef,
    compatibility_view,
    round4,
)
from saltbitter.application.matching.cursors import (
    decode_score_cursor,
    decode_time_cursor,
    encode_cursor,
)
from saltbitter.application.matching.discover import _page
from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.matching.members import daily_set_due
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.selection import select_daily_sets
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.application.ports.batch_scoring import ScalarBatchScorer
from saltbitter.domain.compatibility import (
    ComponentScores,
    Gender,
    PairHistory,
    ScoringPopulation,
    check_eligibility,
)
from saltbitter.domain.errors import Conflict, DomainRuleViolated, NotFound
from saltbitter.domain.matching import AllocationPolicy, DailyQuotas, Decision
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.strategies.compatibility import populations
from support.hypothesis_budget import budget

from .conftest import MatchingWorld

T = TypeVar("T")

ZONES = ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham", "UTC"]
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
uuids = st.uuids().map(UserId)


def _round_trip(value: T, kind: type[T]) -> T:
    """Through the encoding the cache adapters use."""
    decoded = decode_value(encode_value(value), kind)
    assert decoded is not None
    return decoded


@given(instants, st.sampled_from(ZONES))
def test_a_set_is_due_exactly_from_six_local_time(now: datetime, zone: str) -> None:
    day, due = daily_set_due(zone, now)
    wall = now.astimezone(ZoneInfo(zone))
    assert day == wall.date()
    assert due == (wall.hour >= 6)


@given(instants, st.sampled_from(ZONES), st.integers(min_value=-3, max_value=3))
def test_a_fixed_date_is_due_once_its_six_has_come(now: datetime, zone: str, shift: int) -> None:
    on = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=shift)
    day, due = daily_set_due(zone, now, on)
    assert day == on
    assert due == (shift < 0 or (shift == 0 and now.astimezone(ZoneInfo(zone)).hour >= 6))


@given(st.floats(allow_nan=False, allow_infinity=False), st.uuids())
def test_score_cursors_round_trip(total: float, last: UUID) -> None:
    assert decode_score_cursor(encode_cursor(total, last)) == (total, last)


@given(instants, st.uuids())
def test_time_cursors_round_trip(at: datetime, last: UUID) -> None:
    assert decode_time_cursor(encode_cursor(at, last)) == (at, last)


scores = st.floats(min_value=0.0, max_value=1.0)


@given(
    st.lists(st.tuples(uuids, scores), unique_by=lambda e: e[0], max_size=60),
    st.integers(min_value=1, max_value=25),
)
def test_paging_a_ranking_visits_every_entry_once_in_order(
    entries: list[tuple[UserId, float]], size: int
) -> None:
    ranking = DiscoverRanking(
        date(2026, 1, 15), tuple(sorted(entries, key=lambda e: (-e[1], e[0])))
    )
    ranking = _round_trip(ranking, DiscoverRanking)
    seen: list[tuple[UserId, float]] = []
    after = None
    while True:
        page, more = _page(ranking, after, size)
        seen.extend(page)
        if not more:
            break
        cursor = encode_cursor(page[-1][1], page[-1][0])
        total, last = decode_score_cursor(cursor)
        after = (total, UserId(last))
    assert seen == list(ranking.ranking)


cards = st.builds(
    CardData,
    user_id=uuids,
    display_name=st.text(min_size=1, max_size=20),
    age=st.integers(min_value=18, max_value=99),
    gender=st.sampled_from(list(Gender)),
    distance_km=st.none() | st.integers(min_value=1, max_value=20_000),
    bio=st.text(max_size=50),
    interests=st.lists(st.text(min_size=1, max_size=10), max_size=5).map(tuple),
    relationship_goal=st.none() | st.just("long_term"),
    photo=st.none()
    | st.builds(
        PhotoRef, st.text(min_size=1, max_size=30), st.integers(1, 4000), st.integers(1, 4000)
    ),
)
items = st.builds(
    CachedDailyItem,
    card=cards,
    compatibility=st.builds(
        compatibility_view,
        scores,
        st.builds(ComponentScores, scores, scores, scores, scores),
        st.lists(st.text(max_size=40), max_size=3),
    ),
    decision=st.none() | st.sampled_from(list(Decision)),
    matched=st.booleans(),
)


@settings(max_examples=budget(100))
@given(st.dates(), st.sampled_from(ZONES), st.lists(items, max_size=5).map(tuple))
def test_cached_daily_sets_round_trip(
    day: date, zone: str, entries: tuple[CachedDailyItem, ...]
) -> None:
    cached = CachedDailySet(day, zone, entries)
    assert _round_trip(cached, CachedDailySet) == cached


@st.composite
def selections(
    draw: st.DrawFn,
) -> tuple[ScoringPopulation, list[int], dict[int, int], MatchingPolicy, dict[int, frozenset[int]]]:
    population = draw(populations(min_size=2, max_size=14))
    size = len(population)
    viewers = sorted(draw(st.sets(st.integers(0, size - 1), min_size=1)))
    prior = draw(st.dictionaries(st.integers(0, size - 1), st.integers(0, 4), max_size=size))
    cap = draw(st.none() | st.integers(min_value=1, max_value=4))
    quotas = DailyQuotas(
        free=draw(st.integers(0, 5)), premium=draw(st.integers(0, 5)), elite=draw(st.integers(0, 5))
    )
    exclusions = {
        viewer: frozenset(draw(st.sets(st.integers(0, size - 1), max_size=3))) for viewer in viewers
    }
    policy = MatchingPolicy(
        allocation=AllocationPolicy(quotas=quotas, exposure_cap=cap),
        candidates_per_quota=draw(st.integers(1, 3)),
    )
    return population, viewers, prior, policy, exclusions


@settings(max_examples=budget(150), suppress_health_check=[HealthCheck.too_slow])
@given(selections(), st.integers(0, 2**32))
def test_daily_sets_respect_quotas_filters_and_the_exposure_cap(
    case: tuple[
        ScoringPopulation, list[int], dict[int, int], MatchingPolicy, dict[int, frozenset[int]]
    ],
    seed: int,
) -> None:
    population, viewers, prior, policy, exclusions = case
    selection = select_daily_sets(
        population,
        viewers,
        ScalarBatchScorer(),
        policy,
        exclusions=exclusions,
        prior_exposure=prior,
        seed=seed,
    )
    assert set(selection.sets) == set(viewers)
    exposure: dict[int, int] = {}
    for viewer, chosen in selection.sets.items():
        profile = population.profiles[viewer]
        assert len(chosen) <= policy.allocation.quotas.for_tier(profile.tier)
        assert len(set(chosen)) == len(chosen)
        for candidate in chosen:
            assert candidate != viewer
            assert candidate not in exclusions[viewer]
            assert check_eligibility(
                profile, population.profiles[candidate], PairHistory(), population.policy
            )
            exposure[candidate] = exposure.get(candidate, 0) + 1
    cap = policy.allocation.exposure_cap
    if cap is not None:
        for candidate, count in exposure.items():
            assert prior.get(candidate, 0) + count <= cap


@settings(max_examples=budget(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(list(Decision))),
        max_size=16,
    )
)
def test_a_match_exists_exactly_when_both_liked(
    actions: list[tuple[int, int, Decision]],
) -> None:
    async def play() -> None:
        world = MatchingWorld()
        # Everyone seeks everyone, in one place: every pair is eligible.
        people = [await world.seed(seeks=tuple(Gender)) for _ in range(4)]
        decided: dict[tuple[UserId, UserId], Decision] = {}
        for actor, target, decision in actions:
            act = await world.get(LikeMember if decision is Decision.LIKE else PassMember)
            a, b = people[actor], people[target]
            try:
                result = await act(world.principal(a), b)
            except Conflict:
                assert (a, b) in decided
                continue
            except NotFound:
                raise AssertionError("every pair is eligible here") from None
            except DomainRuleViolated:
                assert a == b
                continue
            decided[(a, b)] = decision
            mutual = decided.get((b, a)) is Decision.LIKE and decision is Decision.LIKE
            assert result.matched == mutual
        pairs = {
            frozenset((a, b))
            for (a, b), decision in decided.items()
            if decision is Decision.LIKE and decided.get((b, a)) is Decision.LIKE
        }
        stored = {
            frozenset((m.pair.first, m.pair.second))
            for m in world.database[MatchingState].matches.values()
        }
        assert stored == pairs
        assert len(world.events(MatchCreated)) == len(pairs)

    asyncio.run(play())


# Numbers right at, and a hair either side of, the halves round4 leaves to round().
_near_halves = st.builds(
    lambda k, nudge: (k + 0.5) / 10_000 + nudge,
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from([0.0, 1e-17, -1e-17, 1e-13, -1e-13, 1e-11, -1e-11, 5e-11, -5e-11]),
)


@settings(max_examples=budget(2000))
@given(
    st.floats(allow_nan=False)
    | st.floats(min_value=0.0, max_value=1.0)
    | st.floats(min_value=-2.0, max_value=2e4)
    | _near_halves
)
def test_round4_is_round_to_four_places_bit_for_bit(x: float) -> None:
    """The daily job's rounding of scores for the cached views is ``round(x, 4)``: the
    same double, sign of zero included (the encoded views must not change)."""
    assert repr(round4(x)) == repr(round(x, 4))
