"""Daily sets: each member's few best candidates, with an exposure cap (docs/product-rules.md 6).

Each member gets up to their tier's quota (Free 10, Premium 25, Elite 50) from their own
ranked, eligible candidates, and nobody appears in more than ``exposure_cap`` daily sets.
Without a cap, attention piles onto a few popular members (Bruch & Newman 2018; research
5.4), and their inboxes congest while others are never seen.

Algorithm (round-based greedy, a "snake draft"):

1. Members are put in a seeded random order (``random.Random(seed)``).
2. In each round every member who still has quota left takes their best remaining
   candidate whose exposure is below the cap. A candidate found full is skipped for good
   (exposure only grows), so each member's list is walked once: the whole allocation is
   O(total list length) in the worst case and O(picks) when the cap rarely binds.
3. Odd rounds walk the order backwards, so whoever picked first in one round picks last
   in the next: no member gets first claim on every popular candidate.
4. A member drops out when their quota is met or their list is exhausted.

It is deterministic for a given input and seed. Every member gets their first choice
before anyone gets a second, which is what keeps the delivered compatibility close to
the unconstrained per-member greedy choice while the cap flattens exposure. The columnar
entry point (``allocate_ranked``) takes the lists as flat parallel sequences so that a
batch scorer can hand over 100k × 200 candidates without building 20 million tuples.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from random import Random
from types import MappingProxyType

from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import entitlements_for

from .fairness import FairnessReport, compatibility_ratio, exposure_gini

__all__ = [
    "DEFAULT_ALLOCATION_POLICY",
    "AllocationPolicy",
    "AllocationResult",
    "DailyAllocation",
    "DailyQuotas",
    "RankedCandidateLists",
    "allocate_daily_sets",
    "allocate_ranked",
    "fairness_report",
    "top_choices",
]

_MAX_QUOTA = 1000


@dataclass(frozen=True, slots=True)
class DailyQuotas:
    """How many candidates a member of each tier gets a day (docs/product-rules.md 6 and 9).

    The defaults are the subscription catalog's ``daily_matches`` (docs/entitlements.md):
    one table decides, matching types no number of its own.
    """

    free: int = entitlements_for(Tier.FREE).daily_matches
    premium: int = entitlements_for(Tier.PREMIUM).daily_matches
    elite: int = entitlements_for(Tier.ELITE).daily_matches

    def __post_init__(self) -> None:
        errors = [
            FieldError(f"quotas.{name}", f"must be a whole number from 0 to {_MAX_QUOTA}")
            for name, value in (
                ("free", self.free),
                ("premium", self.premium),
                ("elite", self.elite),
            )
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_QUOTA
        ]
        if errors:
            raise ValidationFailed(errors, "Daily quotas are invalid.")

    def for_tier(self, tier: Tier) -> int:
        if tier is Tier.ELITE:
            return self.elite
        if tier is Tier.PREMIUM:
            return self.premium
        return self.free


@dataclass(frozen=True, slots=True)
class AllocationPolicy:
    """Quotas per tier and the exposure cap (``None``: no cap, pure per-member greedy).

    The default cap of 30 sets a day is about twice the average quota of a typical tier
    mix: popular members stay visible without absorbing everybody's set.
    """

    quotas: DailyQuotas = field(default_factory=DailyQuotas)
    exposure_cap: int | None = 30

    def __post_init__(self) -> None:
        cap = self.exposure_cap
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ValidationFailed.single("exposure_cap", "must be a whole number of at least 1")


DEFAULT_ALLOCATION_POLICY = AllocationPolicy()


@dataclass(frozen=True, slots=True, eq=False)
class RankedCandidateLists:
    """Every member's eligible candidates, best first, as flat parallel sequences (CSR).

    Member ``u`` (a row index) ranks ``candidates[offsets[u]:offsets[u + 1]]`` (row
    indices of other members, best first, no repeats) with the matching ``scores``.
    Any sequences work (lists, ``array.array``, memoryviews of a batch scorer's arrays).
    """

    offsets: Sequence[int]
    candidates: Sequence[int]
    scores: Sequence[float]

    def __post_init__(self) -> None:
        offsets = self.offsets
        if len(offsets) == 0 or offsets[0] != 0:
            raise ValidationFailed.single("offsets", "must start with 0")
        if offsets[-1] != len(self.candidates) or len(self.candidates) != len(self.scores):
            raise ValidationFailed.single(
                "offsets", "must end at the number of candidates, which must equal the scores"
            )

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[tuple[int, float]]]) -> RankedCandidateLists:
        """Build from one ``[(candidate_row, score), …]`` list per member, kept in order."""
        offsets = array("q", [0])
        candidates = array("q")
        scores = array("d")
        for ranked in lists:
            for candidate, score in ranked:
                candidates.append(candidate)
                scores.append(score)
            offsets.append(len(candidates))
        return cls(offsets=offsets, candidates=candidates, scores=scores)

    @property
    def user_count(self) -> int:
        return len(self.offsets) - 1

    def ranked(self, user: int) -> tuple[tuple[int, float], ...]:
        """Member ``user``'s (candidate, score) pairs, best first."""
        start, end = self.offsets[user], self.offsets[user + 1]
        return tuple(zip(self.candidates[start:end], self.scores[start:end], strict=True))


@dataclass(frozen=True, slots=True, eq=False)
class AllocationResult:
    """Each member's daily set (row indices, in pick order) and everyone's exposure."""

    offsets: array[int]
    candidates: array[int]
    scores: array[float]
    exposure: array[int]
    """How many of these sets each member appears in (earlier sets not counted)."""

    @property
    def user_count(self) -> int:
        return len(self.offsets) - 1

    def set_of(self, user: int) -> tuple[int, ...]:
        return tuple(self.candidates[self.offsets[user] : self.offsets[user + 1]])

    def scores_of(self, user: int) -> tuple[float, ...]:
        return tuple(self.scores[self.offsets[user] : self.offsets[user + 1]])


def _earlier_exposure(initial: Mapping[int, int], user_count: int) -> list[int]:
    earlier = [0] * user_count
    for row, count in initial.items():
        if not 0 <= row < user_count:
            raise ValidationFailed.single("initial_exposure", "must be rows of members")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationFailed.single("initial_exposure", "must be whole numbers, at least 0")
        earlier[row] = count
    return earlier


def allocate_ranked(
    lists: RankedCandidateLists,
    quotas: Sequence[int],
    exposure_cap: int | None,
    *,
    seed: int,
    initial_exposure: Mapping[int, int] | None = None,
) -> AllocationResult:
    """Round-based greedy allocation over ranked lists (see the module docstring).

    ``quotas[u]`` is member u's set size. Only listed candidates are ever chosen; a
    member never receives themselves or the same candidate twice, never more than their
    quota, and no candidate appears in more than ``exposure_cap`` sets, counting the
    ``initial_exposure[c]`` sets candidate row c is already in (earlier sweeps of the
    same day): a candidate with room for only some of their places is skipped by the
    others, who take their next choice instead of coming out short.
    """
    user_count = lists.user_count
    if len(quotas) != user_count:
        raise ValidationFailed.single("quotas", "must give one quota per member")
    if exposure_cap is not None and exposure_cap < 1:
        raise ValidationFailed.single("exposure_cap", "must be at least 1")
    remaining = [int(quota) for quota in quotas]
    if any(quota < 0 for quota in remaining):
        raise ValidationFailed.single("quotas", "must not be negative")
    earlier = _earlier_exposure(initial_exposure or {}, user_count)
    # Without a cap nobody can fill up: one run adds at most user_count - 1 places each.
    cap = user_count + max(earlier, default=0) if exposure_cap is None else exposure_cap
    bounds = list(lists.offsets)
    cursor = bounds[:-1]
    ends = bounds[1:]
    candidates = lists.candidates
    exposure = earlier.copy()  # counts towards the cap; only this run's sets are reported
    picked: list[list[int]] = [[] for _ in range(user_count)]
    chosen: list[list[int]] = [[] for _ in range(user_count)]

    order = [u for u in range(user_count) if remaining[u] > 0 and cursor[u] < ends[u]]
    Random(seed).shuffle(order)  # noqa: S311 - a reproducible order, not a secret
    backwards = False
    while order:
        still_active: list[int] = []
        for user in reversed(order) if backwards else order:
            position, end = cursor[user], ends[user]
            mine = chosen[user]
            while position < end:
                candidate = candidates[position]
                position += 1
                if not 0 <= candidate < user_count:
                    raise ValidationFailed.single("candidates", "must be rows of members")
                if exposure[candidate] < cap and candidate != user and candidate not in mine:
                    exposure[candidate] += 1
                    mine.append(candidate)
                    picked[user].append(position - 1)
                    remaining[user] -= 1
                    break
            cursor[user] = position
            if remaining[user] > 0 and position < end:
                still_active.append(user)
        if backwards:
            still_active.reverse()  # keep the seeded order; only the walk alternates
        order = still_active
        backwards = not backwards

    scores = lists.scores
    out_offsets = array("q", [0])
    out_candidates = array("q")
    out_scores = array("d")
    for user in range(user_count):
        out_candidates.extend(chosen[user])
        out_scores.extend(scores[position] for position in picked[user])
        out_offsets.append(len(out_candidates))
    return AllocationResult(
        offsets=out_offsets,
        candidates=out_candidates,
        scores=out_scores,
        exposure=array(
            "q", (total - before for total, before in zip(exposure, earlier, strict=True))
        ),
    )


def top_choices(lists: RankedCandidateLists, quotas: Sequence[int]) -> AllocationResult:
    """The unconstrained per-member greedy choice: each member's first ``quota`` entries.

    The same as ``allocate_ranked`` without a cap (no order matters then), computed in a
    single pass.
    """
    user_count = lists.user_count
    if len(quotas) != user_count:
        raise ValidationFailed.single("quotas", "must give one quota per member")
    offsets, candidates, scores = lists.offsets, lists.candidates, lists.scores
    exposure = [0] * user_count
    out_offsets = array("q", [0])
    out_candidates = array("q")
    out_scores = array("d")
    for user in range(user_count):
        wanted = int(quotas[user])
        mine: list[int] = []
        for position in range(offsets[user], offsets[user + 1]):
            if len(mine) >= wanted:
                break
            candidate = candidates[position]
            if not 0 <= candidate < user_count:
                raise ValidationFailed.single("candidates", "must be rows of members")
            if candidate != user and candidate not in mine:
                mine.append(candidate)
                exposure[candidate] += 1
                out_scores.append(scores[position])
        out_candidates.extend(mine)
        out_offsets.append(len(out_candidates))
    return AllocationResult(
        offsets=out_offsets,
        candidates=out_candidates,
        scores=out_scores,
        exposure=array("q", exposure),
    )


def fairness_report(
    lists: RankedCandidateLists, quotas: Sequence[int], delivered: AllocationResult
) -> FairnessReport:
    """Compare ``delivered`` with the unconstrained per-member greedy choice."""
    unconstrained = top_choices(lists, quotas)
    delivered_count = len(delivered.scores)
    possible = len(unconstrained.scores)
    return FairnessReport(
        exposure_gini=exposure_gini(delivered.exposure),
        unconstrained_exposure_gini=exposure_gini(unconstrained.exposure),
        compatibility_ratio=compatibility_ratio(delivered.scores, unconstrained.scores),
        mean_delivered_score=(
            math.fsum(delivered.scores) / delivered_count if delivered_count else 0.0
        ),
        fill_rate=delivered_count / possible if possible else 1.0,
    )


@dataclass(frozen=True, slots=True, eq=False)
class DailyAllocation:
    """Everyone's daily set by member id, exposure per member, and fairness figures."""

    sets: Mapping[UserId, tuple[UserId, ...]]
    exposure: Mapping[UserId, int]
    report: FairnessReport


def _ranked_rows(
    viewer: UserId,
    scored: Sequence[tuple[UserId, float]],
    rows: Mapping[UserId, int],
    priority: Sequence[int],
) -> list[tuple[int, float]]:
    best: dict[int, float] = {}
    for candidate, score in scored:
        if not math.isfinite(score):
            raise ValidationFailed.single(f"scored.{viewer}", "scores must be finite numbers")
        if candidate == viewer:
            continue
        row = rows[candidate]
        if row not in best or score > best[row]:
            best[row] = score
    # Best score first; equal scores in a seeded random order (``priority``).
    return sorted(best.items(), key=lambda item: (-item[1], priority[item[0]]))


def allocate_daily_sets(
    scored: Mapping[UserId, Sequence[tuple[UserId, float]]],
    tiers: Mapping[UserId, Tier],
    policy: AllocationPolicy = DEFAULT_ALLOCATION_POLICY,
    *,
    seed: int,
) -> DailyAllocation:
    """Choose every member's daily set from their scored, eligible candidates.

    ``scored[u]`` lists (candidate id, score) pairs for member u (any order; repeats keep
    the best score; u itself is ignored); ``tiers`` gives each such member's tier.
    Deterministic for a given input and seed, whatever the mapping order.
    """
    missing = [user for user in scored if user not in tiers]
    if missing:
        raise ValidationFailed(
            [
                FieldError(f"tiers.{user}", "is required for every member with candidates")
                for user in missing
            ],
            "Every member needs a tier.",
        )
    everyone = set(scored)
    for candidates in scored.values():
        everyone.update(candidate for candidate, _ in candidates)
    # Rows in id order, so the outcome depends on the content, not on mapping order.
    members = sorted(everyone)
    rows = {member: row for row, member in enumerate(members)}
    rng = Random(seed)  # noqa: S311 - reproducible tie-breaks, not a secret
    priority = list(range(len(members)))
    rng.shuffle(priority)
    ranked = [
        _ranked_rows(member, scored[member], rows, priority) if member in scored else []
        for member in members
    ]
    lists = RankedCandidateLists.from_lists(ranked)
    quotas = [
        policy.quotas.for_tier(tiers[member]) if member in scored else 0 for member in members
    ]
    result = allocate_ranked(lists, quotas, policy.exposure_cap, seed=rng.getrandbits(64))
    sets = {member: tuple(members[row] for row in result.set_of(rows[member])) for member in scored}
    exposure = {member: result.exposure[row] for row, member in enumerate(members)}
    return DailyAllocation(
        sets=MappingProxyType(sets),
        exposure=MappingProxyType(exposure),
        report=fairness_report(lists, quotas, result),
    )
