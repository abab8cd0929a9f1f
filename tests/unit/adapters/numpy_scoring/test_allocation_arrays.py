"""The NumPy allocation is the domain's ``allocate_ranked``, result for result.

Lists are drawn with what the scorer never sends but the reference handles (a member
listing themselves, a candidate twice), crowded candidates (few members, small caps,
earlier exposure) and the inputs the reference refuses (the adapter must refuse them
the same way).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.adapters.numpy_scoring._allocation import allocate_ranked_arrays
from saltbitter.application.ports.batch_scoring import ScalarBatchScorer
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.matching import AllocationResult, RankedCandidateLists, allocate_ranked
from support.hypothesis_budget import budget

Case = tuple[RankedCandidateLists, list[int], int | None, dict[int, int], int]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    size = draw(st.integers(min_value=1, max_value=25))
    rows = st.integers(0, size - 1)
    lists = []
    for _ in range(size):
        # Repeats and the member themselves allowed: the reference skips them.
        chosen = draw(st.lists(rows, max_size=2 * size))
        lists.append([(row, 1.0 - index / 64) for index, row in enumerate(chosen)])
    quotas = draw(st.lists(st.integers(0, 6), min_size=size, max_size=size))
    cap = draw(st.one_of(st.none(), st.integers(1, 4)))
    earlier = draw(st.dictionaries(rows, st.integers(0, 5), max_size=size))
    return RankedCandidateLists.from_lists(lists), quotas, cap, earlier, draw(st.integers(0, 2**32))


def _plain(result: AllocationResult) -> tuple[list[int], list[int], list[float], list[int]]:
    return (
        list(result.offsets),
        list(result.candidates),
        list(result.scores),
        list(result.exposure),
    )


@settings(max_examples=budget(400))
@given(cases())
def test_the_arrays_allocate_as_the_reference_does(case: Case) -> None:
    lists, quotas, cap, earlier, seed = case
    expected = allocate_ranked(lists, quotas, cap, seed=seed, initial_exposure=earlier)
    found = allocate_ranked_arrays(lists, quotas, cap, seed=seed, initial_exposure=earlier)
    assert _plain(found) == _plain(expected)


def test_many_members_crowding_few_candidates() -> None:
    """Long rounds of turned-away members (deferred acceptance over many steps)."""
    rng = random.Random(5)
    size = 400
    popular = list(range(12))
    lists = [
        [
            (row, 1.0 - index / 512)
            for index, row in enumerate(
                rng.sample(popular, 8) + rng.sample(range(size), 40) + rng.sample(popular, 4)
            )
        ]
        for _ in range(size)
    ]
    ranked = RankedCandidateLists.from_lists(lists)
    quotas = [rng.choice((3, 10, 25)) for _ in range(size)]
    earlier = {row: rng.randint(0, 6) for row in rng.sample(range(size), 50)}
    for cap in (1, 3, 7, None):
        expected = allocate_ranked(ranked, quotas, cap, seed=11, initial_exposure=earlier)
        found = allocate_ranked_arrays(ranked, quotas, cap, seed=11, initial_exposure=earlier)
        assert _plain(found) == _plain(expected)


def test_refused_inputs_are_refused_alike() -> None:
    lists = RankedCandidateLists.from_lists([[(1, 0.9)], [(0, 0.8)]])
    outsider = RankedCandidateLists.from_lists([[(5, 0.9)], [(0, 0.8)]])
    for arguments, kwargs in (
        ((lists, [1], 3), {}),
        ((lists, [1, 1], 0), {}),
        ((lists, [-1, 1], 3), {}),
        ((outsider, [1, 1], 3), {}),
        ((lists, [1, 1], 3), {"initial_exposure": {9: 1}}),
        ((lists, [1, 1], 3), {"initial_exposure": {1: -1}}),
    ):
        with pytest.raises(ValidationFailed):
            allocate_ranked(*arguments, seed=0, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(ValidationFailed):
            allocate_ranked_arrays(*arguments, seed=0, **kwargs)  # type: ignore[arg-type]
    # A candidate outside the rows that nobody reaches is no error for either.
    unreached = RankedCandidateLists.from_lists([[(1, 0.9), (7, 0.5)], [(0, 0.8)]])
    expected = allocate_ranked(unreached, [1, 1], 3, seed=0)
    assert _plain(allocate_ranked_arrays(unreached, [1, 1], 3, seed=0)) == _plain(expected)


def test_the_scorers_allocate_alike() -> None:
    lists = RankedCandidateLists.from_lists([[(1, 0.9), (2, 0.4)], [(2, 0.8)], [(1, 0.7)]])
    results = [
        _plain(scorer.allocate(lists, [2, 1, 1], 1, seed=3, initial_exposure={2: 0}))
        for scorer in (NumpyBatchScorer(), ScalarBatchScorer())
    ]
    assert results[0] == results[1]
