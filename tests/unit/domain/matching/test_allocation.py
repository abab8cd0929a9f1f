"""Daily allocation invariants and fairness figures."""

from __future__ import annotations

import math
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.matching import (
    AllocationPolicy,
    AllocationResult,
    DailyQuotas,
    RankedCandidateLists,
    allocate_daily_sets,
    allocate_ranked,
    compatibility_ratio,
    exposure_gini,
    fairness_report,
    top_choices,
)
from saltbitter.domain.shared import Tier, UserId
from support.hypothesis_budget import budget


@st.composite
def ranked_lists(draw: st.DrawFn) -> tuple[RankedCandidateLists, list[int]]:
    """Ranked, duplicate-free candidate lists (never the member itself) and quotas."""
    size = draw(st.integers(min_value=1, max_value=30))
    lists = []
    for user in range(size):
        others = [other for other in range(size) if other != user]
        chosen = draw(st.lists(st.sampled_from(others), unique=True) if others else st.just([]))
        scores = sorted((draw(st.floats(0, 1, allow_nan=False)) for _ in chosen), reverse=True)
        lists.append(list(zip(chosen, scores, strict=True)))
    quotas = draw(st.lists(st.integers(0, 6), min_size=size, max_size=size))
    return RankedCandidateLists.from_lists(lists), quotas


def _sets(result: AllocationResult) -> list[tuple[int, ...]]:
    return [result.set_of(user) for user in range(result.user_count)]


# Generating ranked lists is slow on a busy machine; these properties are about the
# allocation, so the generation-speed health check is off for them.
@settings(max_examples=budget(100), suppress_health_check=[HealthCheck.too_slow])
@given(ranked_lists(), st.one_of(st.none(), st.integers(1, 5)), st.integers(0, 2**32))
def test_allocation_invariants(
    case: tuple[RankedCandidateLists, list[int]], cap: int | None, seed: int
) -> None:
    lists, quotas = case
    result = allocate_ranked(lists, quotas, cap, seed=seed)
    sets = _sets(result)
    exposure = [0] * lists.user_count
    for user, chosen in enumerate(sets):
        listed = [candidate for candidate, _ in lists.ranked(user)]
        assert len(chosen) <= quotas[user]  # quota respected
        assert len(set(chosen)) == len(chosen)  # no duplicates
        assert user not in chosen
        assert set(chosen) <= set(listed)  # only eligible (listed) candidates
        for candidate in chosen:
            exposure[candidate] += 1
        # Maximality: anyone left out of a short set was already at the cap.
        if len(chosen) < quotas[user]:
            for candidate in set(listed) - set(chosen):
                assert cap is not None
                assert exposure_of(result, candidate) >= cap
        # Scores travel with the candidates.
        scores = dict(lists.ranked(user))
        assert list(result.scores_of(user)) == [scores[c] for c in chosen]
    assert list(result.exposure) == exposure
    if cap is not None:
        assert max(exposure, default=0) <= cap  # exposure cap respected
    # Determinism for a seed.
    assert _sets(allocate_ranked(lists, quotas, cap, seed=seed)) == sets


def exposure_of(result: AllocationResult, candidate: int) -> int:
    return int(result.exposure[candidate])


@settings(max_examples=budget(100), suppress_health_check=[HealthCheck.too_slow])
@given(ranked_lists(), st.integers(1, 5), st.data(), st.integers(0, 2**32))
def test_initial_exposure_counts_against_the_cap_without_leaving_sets_short(
    case: tuple[RankedCandidateLists, list[int]], cap: int, data: st.DataObject, seed: int
) -> None:
    lists, quotas = case
    size = lists.user_count
    earlier = data.draw(st.dictionaries(st.integers(0, size - 1), st.integers(0, cap + 1)))
    result = allocate_ranked(lists, quotas, cap, seed=seed, initial_exposure=earlier)
    sets = _sets(result)
    exposure = [0] * size
    for chosen in sets:
        for candidate in chosen:
            exposure[candidate] += 1
    assert list(result.exposure) == exposure  # this run's places only
    for candidate in range(size):
        # Never past the cap counting earlier sets (nobody above it gets more).
        assert exposure[candidate] == 0 or earlier.get(candidate, 0) + exposure[candidate] <= cap
    for user, chosen in enumerate(sets):
        assert len(chosen) <= quotas[user]
        if len(chosen) < quotas[user]:
            # Short only when every other listed candidate was full, earlier sets included.
            for candidate, _ in lists.ranked(user):
                if candidate not in chosen and candidate != user:
                    assert earlier.get(candidate, 0) + exposure[candidate] >= cap


def test_a_candidate_with_room_for_one_more_set_does_not_cost_a_place() -> None:
    # Member 2 is already in one set today and the cap is 2: one of members 0 and 1 gets
    # them, the other their second choice (3); neither set comes out short.
    lists = RankedCandidateLists.from_lists([[(2, 0.9), (3, 0.5)], [(2, 0.9), (3, 0.5)], [], []])
    result = allocate_ranked(lists, [1, 1, 0, 0], 2, seed=0, initial_exposure={2: 1})
    assert sorted(_sets(result)[:2]) == [(2,), (3,)]
    assert list(result.exposure) == [0, 0, 1, 1]
    with pytest.raises(ValidationFailed):
        allocate_ranked(lists, [1, 1, 0, 0], 2, seed=0, initial_exposure={9: 1})
    with pytest.raises(ValidationFailed):
        allocate_ranked(lists, [1, 1, 0, 0], 2, seed=0, initial_exposure={2: -1})
    # Without a cap, earlier sets change nothing.
    uncapped = allocate_ranked(lists, [1, 1, 0, 0], None, seed=0, initial_exposure={2: 99})
    assert _sets(uncapped)[:2] == [(2,), (2,)]


@settings(max_examples=budget(100), suppress_health_check=[HealthCheck.too_slow])
@given(ranked_lists())
def test_without_a_cap_everyone_gets_their_own_top_choices(
    case: tuple[RankedCandidateLists, list[int]],
) -> None:
    lists, quotas = case
    uncapped = allocate_ranked(lists, quotas, None, seed=7)
    greedy = top_choices(lists, quotas)
    assert _sets(uncapped) == _sets(greedy)
    for user in range(lists.user_count):
        listed = [candidate for candidate, _ in lists.ranked(user)]
        assert list(greedy.set_of(user)) == listed[: quotas[user]]


@settings(max_examples=budget(100), suppress_health_check=[HealthCheck.too_slow])
@given(ranked_lists(), st.integers(1, 4), st.integers(0, 100))
def test_fairness_report_bounds(
    case: tuple[RankedCandidateLists, list[int]], cap: int, seed: int
) -> None:
    lists, quotas = case
    report = fairness_report(lists, quotas, allocate_ranked(lists, quotas, cap, seed=seed))
    assert 0.0 <= report.exposure_gini < 1.0
    assert 0.0 <= report.unconstrained_exposure_gini < 1.0
    assert 0.0 <= report.compatibility_ratio <= 1.0 + 1e-12
    assert 0.0 <= report.fill_rate <= 1.0


def test_the_cap_spreads_a_popular_candidate() -> None:
    # Everyone ranks member 0 first; with a cap of 2 only two sets contain them.
    size = 6
    lists = RankedCandidateLists.from_lists(
        [[(c, 1.0 - c / 10) for c in range(size) if c != user] for user in range(size)]
    )
    quotas = [1] * size
    capped = allocate_ranked(lists, quotas, 2, seed=3)
    assert capped.exposure[0] == 2
    assert sum(len(s) for s in _sets(capped)) == size  # everyone still gets one
    uncapped = top_choices(lists, quotas)
    assert uncapped.exposure[0] == size - 1
    report = fairness_report(lists, quotas, capped)
    assert report.exposure_gini < report.unconstrained_exposure_gini
    assert report.compatibility_ratio < 1.0


def test_every_member_gets_a_first_pick_before_anyone_gets_a_second() -> None:
    # Two members share the same two favourites, each capped at one set: round one
    # gives each member one of them, so nobody ends up with both and the other with none.
    lists = RankedCandidateLists.from_lists([[(2, 0.9), (3, 0.8)], [(2, 0.9), (3, 0.8)], [], []])
    result = allocate_ranked(lists, [2, 2, 0, 0], 1, seed=0)
    assert sorted(_sets(result)[:2]) == [(2,), (3,)]


def test_allocation_validates_its_inputs() -> None:
    lists = RankedCandidateLists.from_lists([[(1, 0.5)], []])
    with pytest.raises(ValidationFailed):
        allocate_ranked(lists, [1], 3, seed=0)
    with pytest.raises(ValidationFailed):
        allocate_ranked(lists, [1, 1], 0, seed=0)
    with pytest.raises(ValidationFailed):
        allocate_ranked(lists, [-1, 1], 3, seed=0)
    with pytest.raises(ValidationFailed):
        RankedCandidateLists(offsets=[0, 2], candidates=[1], scores=[0.5])
    outsider = RankedCandidateLists.from_lists([[(-1, 0.5)], [(5, 0.4)]])
    with pytest.raises(ValidationFailed):
        allocate_ranked(outsider, [1, 1], 3, seed=0)
    with pytest.raises(ValidationFailed):
        top_choices(outsider, [1, 1])
    with pytest.raises(ValidationFailed):
        AllocationPolicy(exposure_cap=0)
    with pytest.raises(ValidationFailed):
        DailyQuotas(free=-1)


def test_quotas_per_tier() -> None:
    quotas = DailyQuotas()
    assert [quotas.for_tier(tier) for tier in (Tier.FREE, Tier.PREMIUM, Tier.ELITE)] == [
        10,
        25,
        50,
    ]


# -- the id-level API -------------------------------------------------------------------


def _ids(count: int) -> list[UserId]:
    return [UserId(UUID(int=number + 1)) for number in range(count)]


@settings(max_examples=budget(100), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 11), st.floats(0, 1)), max_size=12),
        min_size=12,
        max_size=12,
    ),
    st.integers(0, 1000),
)
def test_daily_sets_by_id(raw: list[list[tuple[int, float]]], seed: int) -> None:
    people = _ids(12)
    scored = {
        people[user]: [(people[candidate], score) for candidate, score in entries]
        for user, entries in enumerate(raw)
    }
    tiers = dict.fromkeys(people, Tier.FREE)
    policy = AllocationPolicy(quotas=DailyQuotas(free=3), exposure_cap=2)
    allocation = allocate_daily_sets(scored, tiers, policy, seed=seed)
    for person, chosen in allocation.sets.items():
        offered = {candidate for candidate, _ in scored[person]}
        assert len(chosen) <= 3
        assert len(set(chosen)) == len(chosen)
        assert person not in chosen
        assert set(chosen) <= offered
    assert all(count <= 2 for count in allocation.exposure.values())
    # The outcome depends on the content, not on the mapping's order.
    reordered = dict(reversed(list(scored.items())))
    again = allocate_daily_sets(reordered, tiers, policy, seed=seed)
    assert dict(again.sets) == dict(allocation.sets)


def test_daily_sets_keep_the_best_score_of_repeats_and_need_tiers() -> None:
    alice, bob, carol = _ids(3)
    scored = {alice: [(bob, 0.2), (carol, 0.5), (bob, 0.9), (alice, 1.0)]}
    allocation = allocate_daily_sets(
        scored, {alice: Tier.FREE}, AllocationPolicy(quotas=DailyQuotas(free=1)), seed=1
    )
    assert allocation.sets[alice] == (bob,)
    assert allocation.exposure == {alice: 0, bob: 1, carol: 0}
    with pytest.raises(ValidationFailed):
        allocate_daily_sets(scored, {}, seed=1)
    with pytest.raises(ValidationFailed):
        allocate_daily_sets({alice: [(bob, math.nan)]}, {alice: Tier.FREE}, seed=1)


def test_daily_sets_follow_tier_quotas() -> None:
    people = _ids(60)
    viewer_free, viewer_elite = people[0], people[1]
    scored = {
        viewer: [(other, 1.0 / (i + 1)) for i, other in enumerate(people[2:])]
        for viewer in (viewer_free, viewer_elite)
    }
    tiers = {viewer_free: Tier.FREE, viewer_elite: Tier.ELITE}
    allocation = allocate_daily_sets(scored, tiers, seed=5)
    assert len(allocation.sets[viewer_free]) == 10
    assert len(allocation.sets[viewer_elite]) == 50


# -- fairness metrics ---------------------------------------------------------------------


@given(st.lists(st.integers(0, 100), max_size=50))
def test_gini_bounds(exposure: list[int]) -> None:
    assert 0.0 <= exposure_gini(exposure) < 1.0


@given(st.integers(0, 100), st.integers(1, 50))
def test_gini_is_zero_for_equal_exposure(level: int, count: int) -> None:
    assert exposure_gini([level] * count) == pytest.approx(0.0, abs=1e-12)


def test_gini_examples() -> None:
    # One member gets all attention among four: G = 3/4 (= 1 − 1/n, the maximum).
    assert exposure_gini([0, 0, 0, 1]) == pytest.approx(0.75)
    # [1, 3]: mean |xi − xj| over ordered pairs = (0 + 2 + 2 + 0)/4 = 1; G = 1/(2·2) = 1/4.
    assert exposure_gini([1, 3]) == pytest.approx(0.25)
    assert exposure_gini([]) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        exposure_gini([-1, 2])


def test_compatibility_ratio() -> None:
    assert compatibility_ratio([0.5, 0.3], [0.6, 0.4]) == pytest.approx(0.8)
    assert compatibility_ratio([], []) == 1.0
