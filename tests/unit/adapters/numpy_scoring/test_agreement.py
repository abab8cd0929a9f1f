"""The NumPy batch scorer agrees with the scalar domain rules (the reference)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from uuid import UUID

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.application.ports.batch_scoring import BatchScorer, ScalarBatchScorer
from saltbitter.domain.compatibility import (
    AttachmentScores,
    CandidateProfile,
    Gender,
    PairHistory,
    ScoringPopulation,
    check_eligibility,
    compatibility,
    public_distance_km,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import ratings_in_order
from saltbitter.testing.strategies.compatibility import populations
from support.hypothesis_budget import budget

TOLERANCE = 1e-9
COLUMNS = ("total", "attachment", "interests", "values", "demographics")
_settings = settings(
    max_examples=budget(40), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _exclusions(population: ScoringPopulation, data: st.DataObject) -> dict[int, set[int]]:
    rows = range(len(population))
    return {
        viewer: data.draw(st.sets(st.sampled_from(rows), max_size=3))
        for viewer in data.draw(st.sets(st.sampled_from(rows), max_size=3))
    }


@_settings
@given(populations(), st.data())
def test_one_to_many_agrees_with_the_scalar_rules(
    population: ScoringPopulation, data: st.DataObject
) -> None:
    viewer = data.draw(st.integers(0, len(population) - 1))
    excluded = data.draw(st.sets(st.integers(0, len(population) - 1), max_size=3))
    fast = NumpyBatchScorer().score_one_to_many(population, viewer, excluded=excluded)
    me = population.profiles[viewer]
    assert list(fast.candidates) == list(range(len(population)))
    for position, other in enumerate(population.profiles):
        expected = compatibility(me, other, population.frequencies, population.policy)
        assert fast.total[position] == pytest.approx(expected.total, abs=TOLERANCE)
        got, want = fast.components_at(position), expected.components
        for name in ("attachment", "interests", "values", "demographics"):
            assert getattr(got, name) == pytest.approx(getattr(want, name), abs=TOLERANCE)
        history = PairHistory(blocked=position in excluded)
        eligibility = check_eligibility(me, other, history, population.policy)
        assert fast.eligible[position] == eligibility.eligible, eligibility.reason


@_settings
@given(populations(), st.data())
def test_both_scorers_agree_on_chosen_candidates(
    population: ScoringPopulation, data: st.DataObject
) -> None:
    size = len(population)
    viewer = data.draw(st.integers(0, size - 1))
    candidates = data.draw(st.lists(st.integers(0, size - 1), max_size=25))
    excluded = data.draw(st.sets(st.integers(0, size - 1), max_size=2))
    scorers: list[BatchScorer] = [ScalarBatchScorer(), NumpyBatchScorer(chunk_size=256)]
    reference, fast = (
        scorer.score_one_to_many(population, viewer, candidates, excluded=excluded)
        for scorer in scorers
    )
    assert list(fast.candidates) == list(reference.candidates) == candidates
    assert list(fast.eligible) == list(reference.eligible)
    for column in COLUMNS:
        assert np.allclose(
            list(getattr(fast, column)), list(getattr(reference, column)), rtol=0, atol=TOLERANCE
        )


@settings(max_examples=budget(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(max_size=18), st.integers(0, 6), st.data())
def test_top_candidates_are_a_valid_top_k_of_the_scalar_scores(
    population: ScoringPopulation, k: int, data: st.DataObject
) -> None:
    exclusions = _exclusions(population, data)
    fast = NumpyBatchScorer().top_candidates(population, k, exclusions=exclusions)
    reference = ScalarBatchScorer().top_candidates(population, k, exclusions=exclusions)
    assert fast.user_count == reference.user_count == len(population)
    frequencies, policy = population.frequencies, population.policy
    for viewer, me in enumerate(population.profiles):
        chosen = fast.ranked(viewer)
        expected = reference.ranked(viewer)
        assert len(chosen) == len(expected) <= k
        hidden = exclusions.get(viewer, set())
        eligible = {
            row: compatibility(me, other, frequencies, policy, explain=False).total
            for row, other in enumerate(population.profiles)
            if row not in hidden and check_eligibility(me, other, policy=policy).eligible
        }
        rows = [row for row, _ in chosen]
        assert len(set(rows)) == len(rows)
        for row, score in chosen:
            assert row in eligible
            assert score == pytest.approx(eligible[row], abs=TOLERANCE)
        scores = [score for _, score in chosen]
        assert scores == sorted(scores, reverse=True)
        if chosen:
            # Nothing left out beats anything kept (up to rounding).
            worst_kept = min(scores)
            for row, score in eligible.items():
                if row not in rows:
                    assert score <= worst_kept + TOLERANCE


@settings(max_examples=budget(15), deadline=None)
@given(populations(), st.data())
def test_float32_fast_path_agrees_loosely(
    population: ScoringPopulation, data: st.DataObject
) -> None:
    viewer = data.draw(st.integers(0, len(population) - 1))
    exact = NumpyBatchScorer().score_one_to_many(population, viewer)
    quick = NumpyBatchScorer(precision="float32").score_one_to_many(population, viewer)
    for position in range(len(population)):
        if exact.eligible[position] and quick.eligible[position]:
            assert quick.total[position] == pytest.approx(exact.total[position], abs=1e-4)


def _city_population(size: int, seed: int) -> ScoringPopulation:
    rng = random.Random(seed)
    genders = list(Gender)
    profiles = []
    for number in range(size):
        age = rng.randint(20, 45)
        profiles.append(
            CandidateProfile(
                user_id=UserId(UUID(int=number + 1)),
                age=age,
                gender=genders[number % 2],
                genders_sought=frozenset({genders[(number + 1) % 2]}),
                age_min=max(18, age - rng.randint(2, 8)),
                age_max=age + rng.randint(2, 8),
                latitude=52.5 + rng.gauss(0, 0.1),
                longitude=13.4 + rng.gauss(0, 0.1),
                max_distance_km=rng.choice([10.0, 30.0, 100.0]),
                interests=frozenset(rng.sample([f"t{i}" for i in range(40)], rng.randint(3, 8))),
                values=ratings_in_order(*(rng.randint(1, 7) for _ in range(10))),
                attachment=AttachmentScores(rng.uniform(1, 7), rng.uniform(1, 7)),
            )
        )
    return ScoringPopulation.build(profiles)


_FORKED_RUN = """
import multiprocessing, sys
from test_agreement import NumpyBatchScorer, _city_population
population = _city_population(1200, seed=11)
scorer = NumpyBatchScorer(workers=2)
assert len(scorer._split(list(range(1200)))) > 1, "a single-threaded run must fork"
single = NumpyBatchScorer().top_candidates(population, 20)
forked = scorer.top_candidates(population, 20)
assert list(forked.offsets) == list(single.offsets)
assert list(forked.candidates) == list(single.candidates)
assert list(forked.scores) == list(single.scores)
assert len(single.candidates) > 0
print("forked lists agree")
"""

_FORKED_FREEZE = """
import gc
from test_agreement import NumpyBatchScorer, _city_population
population = _city_population(1200, seed=11)
scorer = NumpyBatchScorer(workers=2)
assert len(scorer._split(list(range(1200)))) > 1, "a single-threaded run must fork"
scorer.top_candidates(population, 20)
assert gc.get_freeze_count() == 0, "what the scorer froze, it unfreezes"
gc.freeze()
frozen = gc.get_freeze_count()
scorer.top_candidates(population, 20)
# The caller's frozen pool stays frozen (the daily job unfreezes it when its run ends).
assert gc.get_freeze_count() >= frozen > 0, (gc.get_freeze_count(), frozen)
print("the caller's freeze is kept")
"""


def test_worker_processes_give_the_same_lists() -> None:
    # In a fresh, single-threaded interpreter: this test process has server threads.
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parents[2])])}
    run = subprocess.run(
        [sys.executable, "-c", _FORKED_RUN], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "forked lists agree" in run.stdout


_DAEMON_RUN = """
import multiprocessing
from test_agreement import NumpyBatchScorer, _city_population

def rank(results):
    population = _city_population(1200, seed=11)
    scorer = NumpyBatchScorer(workers=2)
    tasks = len(scorer._split(list(range(1200))))
    results.put((tasks, list(scorer.top_candidates(population, 20).candidates)))

if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=rank, args=(results,), daemon=True)
    child.start()
    tasks, candidates = results.get(timeout=120)
    child.join()
    assert child.exitcode == 0, child.exitcode
    assert tasks == 1, tasks
    population = _city_population(1200, seed=11)
    assert candidates == list(NumpyBatchScorer().top_candidates(population, 20).candidates)
    print("a daemon ranks by itself")
"""


def _in_a_fresh_interpreter(script: str) -> str:
    """``script``'s output, run by a new Python (fork and freeze state of its own); it
    must exit cleanly."""
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parents[2])])}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_daemonic_process_ranks_by_itself() -> None:
    """A Celery prefork pool's children are daemonic, and a daemonic process may not
    start children: the scorer must rank in it rather than fail (regression)."""
    assert "a daemon ranks by itself" in _in_a_fresh_interpreter(_DAEMON_RUN)


def test_forking_keeps_a_callers_frozen_objects_frozen() -> None:
    """The daily job freezes its pool before it ranks: the forked ranking unfroze it,
    so the allotment's collections walked the whole pool again (regression)."""
    assert "the caller's freeze is kept" in _in_a_fresh_interpreter(_FORKED_FREEZE)


def test_a_multi_threaded_process_never_forks() -> None:
    # Forking while another thread holds a lock hangs the child (seen in a full test run,
    # whose moto servers run in threads); the scorer then works in this process.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        scorer = NumpyBatchScorer(workers=2)
        assert scorer._split(list(range(1200))) == [list(range(1200))]
        population = _city_population(1200, seed=11)
        lists = scorer.top_candidates(population, 20)
        single = NumpyBatchScorer().top_candidates(population, 20)
        assert list(lists.candidates) == list(single.candidates)
    finally:
        stop.set()
        other.join()


def test_viewers_subset_and_unavailable_viewers() -> None:
    population = _city_population(200, seed=3)
    scorer = NumpyBatchScorer()
    some = scorer.top_candidates(population, 5, viewers=[3, 7])
    assert [len(some.ranked(row)) for row in range(len(population))].count(0) >= 198
    assert some.ranked(3) == scorer.top_candidates(population, 5).ranked(3)
    assert len(scorer.top_candidates(population, 0).candidates) == 0


def test_the_prepared_layout_follows_the_population() -> None:
    first = _city_population(50, seed=1)
    second = _city_population(60, seed=2)
    scorer = NumpyBatchScorer()
    assert scorer.prepare(first) is scorer.prepare(first)
    assert len(scorer.score_one_to_many(second, 0)) == 60
    assert len(scorer.score_one_to_many(first, 0)) == 50


def test_input_validation() -> None:
    population = _city_population(10, seed=4)
    scorer = NumpyBatchScorer()
    with pytest.raises(ValidationFailed):
        scorer.score_one_to_many(population, 10)
    with pytest.raises(ValidationFailed):
        scorer.score_one_to_many(population, 0, [11])
    with pytest.raises(ValidationFailed):
        scorer.top_candidates(population, -1)
    with pytest.raises(ValidationFailed):
        scorer.top_candidates(population, 3, viewers=[12])
    with pytest.raises(ValidationFailed):
        NumpyBatchScorer(precision="float16")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        NumpyBatchScorer(workers=0)


def test_exclusions_outside_the_population_name_nobody() -> None:
    population = _city_population(120, seed=5)
    odd = {-1, 10_000}
    for scorer in (NumpyBatchScorer(), ScalarBatchScorer()):
        plain = scorer.score_one_to_many(population, 0)
        with_odd = scorer.score_one_to_many(population, 0, excluded=odd)
        assert list(with_odd.eligible) == list(plain.eligible)
        lists = scorer.top_candidates(population, 5, exclusions={0: odd})
        assert lists.ranked(0) == scorer.top_candidates(population, 5).ranked(0)


@_settings
@given(populations(), st.data())
def test_scored_pairs_agree_with_the_scalar_rule(
    population: ScoringPopulation, data: st.DataObject
) -> None:
    """``score_pairs`` (both scorers) gives what ``compatibility`` gives for each pair."""
    rows = st.integers(0, len(population) - 1)
    pairs = data.draw(st.lists(st.tuples(rows, rows), max_size=30))
    viewers = [viewer for viewer, _ in pairs]
    candidates = [candidate for _, candidate in pairs]
    for scorer in (ScalarBatchScorer(), NumpyBatchScorer(precision="float32")):
        scored = scorer.score_pairs(population, viewers, candidates)
        assert len(scored) == len(pairs)
        assert list(scored.viewers) == viewers
        assert list(scored.candidates) == candidates
        for position, (viewer, candidate) in enumerate(pairs):
            expected = compatibility(
                population.profiles[viewer],
                population.profiles[candidate],
                population.frequencies,
                population.policy,
                explain=False,
            )
            assert scored.total[position] == pytest.approx(expected.total, abs=TOLERANCE)
            got, want = scored.components_at(position), expected.components
            for name in ("attachment", "interests", "values", "demographics"):
                assert getattr(got, name) == pytest.approx(getattr(want, name), abs=TOLERANCE)
            me, other = population.profiles[viewer], population.profiles[candidate]
            assert scored.shown_distance_km[position] == public_distance_km(
                me.latitude, me.longitude, other.latitude, other.longitude
            )


@pytest.mark.parametrize("scorer", [ScalarBatchScorer(), NumpyBatchScorer()])
def test_scored_pairs_refuse_rows_outside_the_population(scorer: BatchScorer) -> None:
    population = _city_population(2, seed=3)
    with pytest.raises(ValidationFailed):
        scorer.score_pairs(population, [0, 2], [1, 0])
    with pytest.raises(ValidationFailed):
        scorer.score_pairs(population, [0], [1, 0])
