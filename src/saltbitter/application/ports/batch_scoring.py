"""Batch scoring port: one member against many, and everyone's top k (docs/product-rules.md 6).

The domain keeps the reference rule (``saltbitter.domain.compatibility``: scalar, one
pair at a time). A daily batch needs millions of pairs per second, so scoring in bulk
sits behind this port: ``ScalarBatchScorer`` (below) is the embedded default that simply
loops over the scalar rule, and ``saltbitter.adapters.numpy_scoring.NumpyBatchScorer``
is the vectorised adapter. Every implementation must agree with the scalar rule (to
1e-9 for totals and components, exactly for eligibility).

Members are addressed by their row in a ``ScoringPopulation``. Relation filters (blocks,
matches, likes and passes already given) are per pair, so the caller passes them as
``excluded`` rows (see ``exclusions_from_histories``); the profile filters (gender, age,
distance, suspended, paused, self) are applied by the scorer.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from saltbitter.domain.compatibility import (
    ComponentScores,
    PairHistory,
    ScoringPopulation,
    check_eligibility,
    compatibility,
    public_distance_km,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.matching import AllocationResult, RankedCandidateLists, allocate_ranked
from saltbitter.domain.shared import UserId

__all__ = [
    "BatchScorer",
    "OneToManyScores",
    "PairScores",
    "ScalarBatchScorer",
    "exclusions_from_histories",
]


class _ComponentColumns:
    """The four component columns of a scores struct, read back one entry at a time."""

    __slots__ = ()
    attachment: Sequence[float]
    interests: Sequence[float]
    values: Sequence[float]
    demographics: Sequence[float]

    def components_at(self, position: int) -> ComponentScores:
        return ComponentScores(
            attachment=self.attachment[position],
            interests=self.interests[position],
            values=self.values[position],
            demographics=self.demographics[position],
        )


@dataclass(frozen=True, slots=True, eq=False)
class OneToManyScores(_ComponentColumns):
    """One viewer scored against many candidates, as parallel columns.

    Entry i is about candidate row ``candidates[i]``: the reciprocal ``total``, the four
    components (``demographics`` is the reciprocal one) and whether the hard filters let
    that candidate be shown to the viewer. Columns may be any sequence (a NumPy adapter
    returns zero-copy memoryviews); treat them as read-only.
    """

    viewer: int
    candidates: Sequence[int]
    total: Sequence[float]
    attachment: Sequence[float]
    interests: Sequence[float]
    values: Sequence[float]
    demographics: Sequence[float]
    eligible: Sequence[bool]

    def __len__(self) -> int:
        return len(self.candidates)


@dataclass(frozen=True, slots=True, eq=False)
class PairScores(_ComponentColumns):
    """Given (viewer, candidate) pairs scored, as parallel columns.

    Entry i is about the pair ``(viewers[i], candidates[i])``: its reciprocal ``total``
    and the four components (``demographics`` is the reciprocal one), what the scalar
    ``compatibility`` gives for that pair (to 1e-9), and the distance the two are shown
    (``public_distance_km``, exactly). Columns may be any sequence; treat them as
    read-only.
    """

    viewers: Sequence[int]
    candidates: Sequence[int]
    total: Sequence[float]
    attachment: Sequence[float]
    interests: Sequence[float]
    values: Sequence[float]
    demographics: Sequence[float]
    shown_distance_km: Sequence[int]

    def __len__(self) -> int:
        return len(self.viewers)


class BatchScorer(Protocol):
    """Scores a viewer against many candidates, and every viewer's top k."""

    @abstractmethod
    def score_one_to_many(
        self,
        population: ScoringPopulation,
        viewer: int,
        candidates: Sequence[int] | None = None,
        *,
        excluded: Collection[int] = (),
    ) -> OneToManyScores:
        """Score row ``viewer`` against ``candidates`` (every row when None), in order.

        ``excluded`` are candidate rows the relation filters rule out for this viewer.
        The viewer's own row may be among the candidates; it is never eligible.
        """

    @abstractmethod
    def top_candidates(
        self,
        population: ScoringPopulation,
        k: int,
        *,
        viewers: Sequence[int] | None = None,
        exclusions: Mapping[int, Collection[int]] | None = None,
    ) -> RankedCandidateLists:
        """Each viewer's k best eligible candidates by reciprocal total, best first.

        One list per population row (rows not in ``viewers`` get an empty list; None
        means everyone); equal totals are ordered by lower row first. ``exclusions`` maps
        a viewer row to the candidate rows the relation filters rule out.
        """

    @abstractmethod
    def score_pairs(
        self, population: ScoringPopulation, viewers: Sequence[int], candidates: Sequence[int]
    ) -> PairScores:
        """Score each pair (``viewers[i]``, ``candidates[i]``): totals and components only,
        no eligibility (the daily job scores the pairs it has already chosen)."""

    def allocate(
        self,
        lists: RankedCandidateLists,
        quotas: Sequence[int],
        exposure_cap: int | None,
        *,
        seed: int,
        initial_exposure: Mapping[int, int] | None = None,
    ) -> AllocationResult:
        """The domain's allocation of ``lists`` (``allocate_ranked``, the reference, which
        this default runs): an adapter may run it over its own arrays, with the very same
        result, errors included (ADR 0056)."""
        return allocate_ranked(
            lists, quotas, exposure_cap, seed=seed, initial_exposure=initial_exposure
        )


def exclusions_from_histories(
    population: ScoringPopulation,
    histories: Iterable[tuple[UserId, UserId, PairHistory]],
) -> dict[int, frozenset[int]]:
    """Turn (viewer, candidate, history) facts into the ``exclusions`` a scorer takes.

    Members outside the population are ignored: they cannot be scored anyway.
    """
    rows: dict[int, set[int]] = {}
    members = {profile.user_id for profile in population.profiles}
    for viewer, candidate, history in histories:
        if history.excludes and viewer in members and candidate in members:
            rows.setdefault(population.index_of(viewer), set()).add(population.index_of(candidate))
    return {viewer: frozenset(candidates) for viewer, candidates in rows.items()}


def _check_rows(population: ScoringPopulation, rows: Iterable[int], name: str) -> None:
    size = len(population)
    if any(not 0 <= row < size for row in rows):
        raise ValidationFailed.single(name, f"rows must be between 0 and {size - 1}")


class ScalarBatchScorer(BatchScorer):
    """The embedded default: the scalar domain rules in a loop (about 10^5 pairs/s).

    Exact by construction, so it is also the reference every faster adapter is tested
    against. Fine for tests, demos and small deployments; O(n²) for ``top_candidates``.
    """

    def score_one_to_many(
        self,
        population: ScoringPopulation,
        viewer: int,
        candidates: Sequence[int] | None = None,
        *,
        excluded: Collection[int] = (),
    ) -> OneToManyScores:
        _check_rows(population, (viewer,), "viewer")
        rows = list(range(len(population)) if candidates is None else candidates)
        _check_rows(population, rows, "candidates")
        excluded_rows = frozenset(excluded)
        profiles = population.profiles
        me = profiles[viewer]
        columns: tuple[list[float], ...] = ([], [], [], [], [])
        total, attachment, interests, values, demographics = columns
        eligible: list[bool] = []
        for row in rows:
            other = profiles[row]
            result = compatibility(
                me, other, population.frequencies, population.policy, explain=False
            )
            total.append(result.total)
            attachment.append(result.components.attachment)
            interests.append(result.components.interests)
            values.append(result.components.values)
            demographics.append(result.components.demographics)
            history = PairHistory(blocked=row in excluded_rows)
            eligible.append(check_eligibility(me, other, history, population.policy).eligible)
        return OneToManyScores(
            viewer=viewer,
            candidates=rows,
            total=total,
            attachment=attachment,
            interests=interests,
            values=values,
            demographics=demographics,
            eligible=eligible,
        )

    def score_pairs(
        self, population: ScoringPopulation, viewers: Sequence[int], candidates: Sequence[int]
    ) -> PairScores:
        if len(viewers) != len(candidates):
            raise ValidationFailed.single("candidates", "must be as many as the viewers")
        _check_rows(population, viewers, "viewers")
        _check_rows(population, candidates, "candidates")
        profiles = population.profiles
        results = [
            compatibility(
                profiles[viewer],
                profiles[candidate],
                population.frequencies,
                population.policy,
                explain=False,
            )
            for viewer, candidate in zip(viewers, candidates, strict=True)
        ]
        return PairScores(
            viewers=list(viewers),
            candidates=list(candidates),
            total=[result.total for result in results],
            attachment=[result.components.attachment for result in results],
            interests=[result.components.interests for result in results],
            values=[result.components.values for result in results],
            demographics=[result.components.demographics for result in results],
            shown_distance_km=[
                public_distance_km(
                    profiles[viewer].latitude,
                    profiles[viewer].longitude,
                    profiles[candidate].latitude,
                    profiles[candidate].longitude,
                )
                for viewer, candidate in zip(viewers, candidates, strict=True)
            ],
        )

    def top_candidates(
        self,
        population: ScoringPopulation,
        k: int,
        *,
        viewers: Sequence[int] | None = None,
        exclusions: Mapping[int, Collection[int]] | None = None,
    ) -> RankedCandidateLists:
        if k < 0:
            raise ValidationFailed.single("k", "must not be negative")
        wanted = set(range(len(population)) if viewers is None else viewers)
        _check_rows(population, wanted, "viewers")
        exclusions = exclusions or {}
        lists: list[list[tuple[int, float]]] = []
        for row in range(len(population)):
            if row not in wanted or k == 0:
                lists.append([])
                continue
            scores = self.score_one_to_many(population, row, excluded=exclusions.get(row, ()))
            ranked = sorted(
                (
                    (candidate, total)
                    for candidate, total, ok in zip(
                        scores.candidates, scores.total, scores.eligible, strict=True
                    )
                    if ok
                ),
                key=lambda item: (-item[1], item[0]),
            )
            lists.append(ranked[:k])
        return RankedCandidateLists.from_lists(lists)
