"""Pairs per second: the scalar reference rule against the NumPy batch scorer."""

from __future__ import annotations

import time
from dataclasses import dataclass

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.domain.compatibility import ScoringPopulation, check_eligibility, compatibility

__all__ = ["Throughput", "batch_pairs_per_second", "scalar_pairs_per_second"]


@dataclass(frozen=True, slots=True)
class Throughput:
    pairs: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else float("inf")


def scalar_pairs_per_second(population: ScoringPopulation, pairs: int) -> Throughput:
    """Score and filter ``pairs`` pairs one at a time with the domain's scalar rules."""
    profiles = population.profiles
    frequencies, policy = population.frequencies, population.policy
    size = len(profiles)
    started = time.perf_counter()
    done = 0
    viewer = 0
    while done < pairs:
        me = profiles[viewer % size]
        for other in profiles[: min(size, pairs - done)]:
            compatibility(me, other, frequencies, policy, explain=False)
            check_eligibility(me, other, policy=policy)
        done += min(size, pairs - done)
        viewer += 1
    return Throughput(pairs=done, seconds=time.perf_counter() - started)


def batch_pairs_per_second(
    population: ScoringPopulation, scorer: NumpyBatchScorer, viewers: int, repeats: int = 3
) -> Throughput:
    """One viewer against the whole population, ``viewers`` times (best of ``repeats``).

    Measures ``score_one_to_many`` end to end: totals, the four components and
    eligibility for every candidate, returned through the port.
    """
    scorer.prepare(population)
    scorer.score_one_to_many(population, 0)  # warm caches and buffers
    size = len(population)
    step = max(1, size // viewers)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for index in range(viewers):
            scorer.score_one_to_many(population, (index * step + 1) % size)
        best = min(best, time.perf_counter() - started)
    return Throughput(pairs=viewers * size, seconds=best)
