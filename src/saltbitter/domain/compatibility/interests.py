"""Interest component: IDF-weighted Jaccard with shrinkage for short lists (docs/science.md 4.1).

Each interest t weighs idf(t) = ln((N + 1)/(n_t + 1)) + 1, where N is the number of
members and n_t how many list t. docs/science.md 4.1 writes ln(N/n_t); the +1 smoothing (the
``smooth_idf`` of scikit-learn) keeps an unknown tag (n_t = 0) finite and a tag everyone
lists (n_t = N) positive, so a union is never weightless. The similarity is

    J(A, B) = Σ_{t ∈ A∩B} idf(t) / Σ_{t ∈ A∪B} idf(t)

so a rare shared interest ("competitive falconry") counts more than a common one
("hiking"). With fewer than ``interest_full_evidence`` interests on either side, the
score is shrunk toward ``interest_prior``: with m = min(|A|, |B|) and α = m/3,
score = α·J + (1 − α)·prior.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from saltbitter.domain.errors import FieldError, ValidationFailed

from .policy import DEFAULT_POLICY, CompatibilityPolicy

__all__ = [
    "NO_FREQUENCIES",
    "DocumentFrequencies",
    "SharedInterests",
    "interest_similarity",
    "shared_interests",
]


@dataclass(frozen=True, slots=True)
class DocumentFrequencies:
    """How many of ``total_users`` members list each interest tag.

    Built once per scoring run (for example from all active profiles) and shared by every
    pair, so that rarity means the same thing for everyone.
    """

    total_users: int
    counts: Mapping[str, int]
    _weights: Mapping[str, float] = field(init=False, repr=False, compare=False)
    _unknown_weight: float = field(init=False, repr=False, compare=False)
    _rarest_first_keys: Mapping[str, tuple[float, str]] = field(
        init=False, repr=False, compare=False
    )
    _common_by_share: dict[float, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.total_users, bool) or self.total_users < 0:
            raise ValidationFailed.single("total_users", "must be a non-negative integer")
        errors = [
            FieldError(f"counts.{tag}", f"must be between 0 and {self.total_users}")
            for tag, count in self.counts.items()
            if not 0 <= count <= self.total_users
        ]
        if errors:
            raise ValidationFailed(errors, "Document frequencies are inconsistent.")
        counts = MappingProxyType(dict(self.counts))
        object.__setattr__(self, "counts", counts)
        object.__setattr__(
            self,
            "_weights",
            MappingProxyType({tag: self._idf(count) for tag, count in counts.items()}),
        )
        object.__setattr__(self, "_unknown_weight", self._idf(0))
        object.__setattr__(
            self,
            "_rarest_first_keys",
            {tag: (-weight, tag) for tag, weight in self._weights.items()},
        )
        object.__setattr__(self, "_common_by_share", {})

    def _idf(self, count: int) -> float:
        return math.log((self.total_users + 1) / (count + 1)) + 1.0

    @classmethod
    def from_interest_sets(cls, interest_sets: Iterable[Iterable[str]]) -> DocumentFrequencies:
        """Count each tag once per member over the given members' interest sets."""
        counts: dict[str, int] = {}
        total = 0
        for interests in interest_sets:
            total += 1
            for tag in set(interests):
                counts[tag] = counts.get(tag, 0) + 1
        return cls(total_users=total, counts=counts)

    def weight(self, tag: str) -> float:
        """idf(tag) = ln((N + 1)/(n_t + 1)) + 1, always at least 1."""
        return self._weights.get(tag, self._unknown_weight)

    def rarest_first(self, tags: Iterable[str]) -> tuple[str, ...]:
        """``tags`` by descending weight, ties by name (sort keys made once per table)."""
        keys = self._rarest_first_keys
        try:
            return tuple(sorted(tags, key=keys.__getitem__))
        except KeyError:  # a tag nobody was counted with
            return tuple(sorted(tags, key=lambda tag: (-self.weight(tag), tag)))

    def common_tags(self, rare_share: float) -> frozenset[str]:
        """The tags listed by more than ``rare_share`` of the members (every other tag,
        uncounted ones too, is rare); made once per threshold."""
        common = self._common_by_share.get(rare_share)
        if common is None:
            common = frozenset(tag for tag in self.counts if self.share(tag) > rare_share)
            self._common_by_share[rare_share] = common
        return common

    def share(self, tag: str) -> float:
        """The share of members listing ``tag`` (0 when nobody is counted)."""
        if self.total_users == 0:
            return 0.0
        return self.counts.get(tag, 0) / self.total_users


def interest_similarity(
    first: frozenset[str],
    second: frozenset[str],
    frequencies: DocumentFrequencies,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
) -> float:
    """IDF-weighted Jaccard, shrunk toward the prior for short lists; in [0, 1], symmetric.

    Laws: turning a non-shared interest into a shared one never lowers the score, and
    (with at least ``interest_full_evidence`` interests on both sides) neither does
    adding the same new interest to both lists.
    """
    evidence = min(len(first), len(second))
    prior = policy.interest_prior
    if evidence == 0:
        return prior
    shared = math.fsum(frequencies.weight(tag) for tag in first & second)
    union = math.fsum(frequencies.weight(tag) for tag in first | second)
    jaccard = shared / union
    if evidence >= policy.interest_full_evidence:
        return jaccard
    alpha = evidence / policy.interest_full_evidence
    return alpha * jaccard + (1.0 - alpha) * prior


@dataclass(frozen=True, slots=True)
class SharedInterests:
    """The interests two members share, rarest first, for explanations."""

    tags: tuple[str, ...]
    rare_tags: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.tags)


def shared_interests(
    first: frozenset[str],
    second: frozenset[str],
    frequencies: DocumentFrequencies,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
) -> SharedInterests:
    """Shared tags ordered rarest first (ties by name), and which of them are rare."""
    common = first & second
    if not common:
        return _NOTHING_SHARED
    tags = frequencies.rarest_first(common)
    if frequencies.total_users == 0:
        # Nobody counted: rarity is unknown, so no shared interest is called rare.
        return SharedInterests(tags=tags, rare_tags=())
    common_tags = frequencies.common_tags(policy.rare_interest_share)
    if common_tags.issuperset(common):
        return SharedInterests(tags=tags, rare_tags=())
    rare = tuple(tag for tag in tags if tag not in common_tags)
    return SharedInterests(tags=tags, rare_tags=rare)


_NOTHING_SHARED = SharedInterests(tags=(), rare_tags=())

NO_FREQUENCIES = DocumentFrequencies(total_users=0, counts={})
"""No population counted: every interest weighs the same (plain Jaccard) and none is
called rare. The default of ``compatibility()`` for scoring a pair on its own; a
scoring run over many members should count them with ``from_interest_sets``."""
