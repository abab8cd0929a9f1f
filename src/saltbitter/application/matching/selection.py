"""Choosing daily sets: the batch scorer ranks, the domain's fair allocation picks.

Exposure already given within the window (sets made by earlier sweeps, other timezones,
or an interrupted run) counts against the cap too: candidates at the cap are left out
of the lists, and the allocation starts from that exposure (``initial_exposure``), so a
candidate with room for only some places fills those and everyone else takes their next
choice; no set comes out short while uncapped candidates remain on its list.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.ports.batch_scoring import BatchScorer
from saltbitter.domain.compatibility import ScoringPopulation
from saltbitter.domain.matching import FairnessReport, RankedCandidateLists, fairness_report

__all__ = ["Selection", "select_daily_sets"]

_NOTHING = FairnessReport(
    exposure_gini=0.0,
    unconstrained_exposure_gini=0.0,
    compatibility_ratio=1.0,
    mean_delivered_score=0.0,
    fill_rate=1.0,
)


@dataclass(frozen=True, slots=True)
class Selection:
    """Each viewer row's chosen candidate rows (best first) and the fairness figures."""

    sets: Mapping[int, list[int]]
    report: FairnessReport


def _without(lists: RankedCandidateLists, banned: Collection[int]) -> RankedCandidateLists:
    offsets = array("q", [0])
    candidates = array("q")
    scores = array("d")
    for row in range(lists.user_count):
        start, end = lists.offsets[row], lists.offsets[row + 1]
        for candidate, score in zip(
            lists.candidates[start:end], lists.scores[start:end], strict=True
        ):
            if candidate not in banned:
                candidates.append(candidate)
                scores.append(score)
        offsets.append(len(candidates))
    return RankedCandidateLists(offsets=offsets, candidates=candidates, scores=scores)


def select_daily_sets(
    population: ScoringPopulation,
    viewers: Sequence[int],
    scorer: BatchScorer,
    policy: MatchingPolicy,
    *,
    exclusions: Mapping[int, Collection[int]],
    prior_exposure: Mapping[int, int],
    seed: int,
) -> Selection:
    """Every viewer's daily set, by tier quota and under the exposure cap."""
    size = len(population)
    quotas = [0] * size
    for row in viewers:
        quotas[row] = policy.allocation.quotas.for_tier(population.profiles[row].tier)
    longest = max((quotas[row] for row in viewers), default=0)
    depth = min(size - 1, longest * policy.candidates_per_quota)
    if not viewers or depth <= 0:
        return Selection(sets={row: [] for row in viewers}, report=_NOTHING)
    lists = scorer.top_candidates(population, depth, viewers=viewers, exclusions=exclusions)
    cap = policy.allocation.exposure_cap
    prior = {row: count for row, count in prior_exposure.items() if count > 0}
    if cap is not None and prior:
        full = {row for row, count in prior.items() if count >= cap}
        if full:
            lists = _without(lists, full)
    result = scorer.allocate(lists, quotas, cap, seed=seed, initial_exposure=prior)
    sets = {row: list(result.set_of(row)) for row in viewers}
    return Selection(sets=sets, report=fairness_report(lists, quotas, result))
