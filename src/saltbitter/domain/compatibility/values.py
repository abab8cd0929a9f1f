"""Values component: Schwartz's ten basic values compared as profiles (docs/science.md 4.2).

Each member rates how important each of the ten values is (1-7, higher = more
important), directly or through the PVQ-21 portraits (``ValueRatings.from_pvq21``).
Scores are centred on the member's own mean rating (the MRAT correction for individual
differences in scale use) and two members are compared by the Pearson correlation r of
their centred profiles, mapped to [0, 1] with (r + 1)/2. Profile correlation ignores
overall level differences by design (docs/science.md 4.2; Luo & Klohnen 2005, Gaunt 2006:
profile similarity beats difference scores). Unanswered or flat profiles are neutral.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from saltbitter.domain.errors import FieldError, ValidationFailed

from .policy import DEFAULT_POLICY, CompatibilityPolicy

__all__ = [
    "PVQ21_ESS_CODES",
    "PVQ21_ITEMS",
    "PVQ21_SCALE",
    "VALUE_PHRASES",
    "SchwartzValue",
    "ValueRatings",
    "shared_value_priorities",
    "values_similarity",
]

_RATING_MIN = 1.0
_RATING_MAX = 7.0
# A profile whose centred sum of squares is below this is treated as flat: its
# correlation with anything is undefined, so the component is neutral.
_FLAT_PROFILE = 1e-12
# A value counts as a shared priority when both members rate it at least this far above
# their own mean rating.
_PRIORITY_MARGIN = 0.5


class SchwartzValue(StrEnum):
    """Schwartz's ten basic human values, in the canonical order used for profiles."""

    SELF_DIRECTION = "self_direction"
    STIMULATION = "stimulation"
    HEDONISM = "hedonism"
    ACHIEVEMENT = "achievement"
    POWER = "power"
    SECURITY = "security"
    CONFORMITY = "conformity"
    TRADITION = "tradition"
    BENEVOLENCE = "benevolence"
    UNIVERSALISM = "universalism"


VALUE_PHRASES: Mapping[SchwartzValue, str] = {
    SchwartzValue.SELF_DIRECTION: "you both value independence",
    SchwartzValue.STIMULATION: "you both love novelty and adventure",
    SchwartzValue.HEDONISM: "you both make time for fun",
    SchwartzValue.ACHIEVEMENT: "you are both driven to do well",
    SchwartzValue.POWER: "you both aim high in life",
    SchwartzValue.SECURITY: "you both value a safe, stable life",
    SchwartzValue.CONFORMITY: "you both care about doing things properly",
    SchwartzValue.TRADITION: "you both honour tradition",
    SchwartzValue.BENEVOLENCE: "you both put family and friends first",
    SchwartzValue.UNIVERSALISM: "you both care about fairness and the wider world",
}
"""Plain-language phrases for a value both members rate above their own average."""

PVQ21_ITEMS: Mapping[SchwartzValue, tuple[int, ...]] = {
    SchwartzValue.SELF_DIRECTION: (1, 11),
    SchwartzValue.POWER: (2, 17),
    SchwartzValue.UNIVERSALISM: (3, 8, 19),
    SchwartzValue.ACHIEVEMENT: (4, 13),
    SchwartzValue.SECURITY: (5, 14),
    SchwartzValue.STIMULATION: (6, 15),
    SchwartzValue.CONFORMITY: (7, 16),
    SchwartzValue.TRADITION: (9, 20),
    SchwartzValue.HEDONISM: (10, 21),
    SchwartzValue.BENEVOLENCE: (12, 18),
}
"""PVQ-21 item numbers (1-21) behind each value (docs/science.md 4.2, ESS scoring)."""

PVQ21_ESS_CODES: tuple[str, ...] = (
    "ipcrtiv", "imprich", "ipeqopt", "ipshabt", "impsafe", "impdiff", "ipfrule",
    "ipudrst", "ipmodst", "ipgdtim", "impfree", "iphlppl", "ipsuces", "ipstrgv",
    "ipadvnt", "ipbhprp", "iprspot", "iplylfr", "impenv", "imptrad", "impfun",
)  # fmt: skip
"""The ESS variable name of each PVQ-21 portrait, in item order 1-21 (ESS Human Values Scale).

The portrait wording itself is not shipped: it comes in licensed male and female
versions and many languages, which the operator supplies keyed by these names.
"""

PVQ21_SCALE: tuple[tuple[int, str], ...] = (
    (1, "Very much like me"),
    (2, "Like me"),
    (3, "Somewhat like me"),
    (4, "A little like me"),
    (5, "Not like me"),
    (6, "Not like me at all"),
)
"""The six ESS answers to "How much like you is this person?" (ESS coding)."""

_ORDER = tuple(SchwartzValue)
_NAMES = tuple(value.value for value in _ORDER)
_NAME_SET = frozenset(_NAMES)


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueRatings:
    """The importance (1-7) a member gives each of Schwartz's ten values.

    Keyword-only, since ten positional numbers are easy to put in the wrong order:
    ``ValueRatings(self_direction=6, ..., universalism=5)``, or
    ``ValueRatings.from_mapping({"benevolence": 7, ...})`` with all ten names.
    """

    self_direction: float
    stimulation: float
    hedonism: float
    achievement: float
    power: float
    security: float
    conformity: float
    tradition: float
    benevolence: float
    universalism: float
    unit_profile: tuple[float, ...] | None = field(init=False, repr=False, compare=False)
    """The centred profile scaled to length 1, or None when the profile is flat."""
    centred_profile: tuple[float, ...] = field(init=False, repr=False, compare=False)
    """``centred()``, computed once: explanations compare it for every delivered pair."""
    priorities: tuple[tuple[int, float], ...] = field(init=False, repr=False, compare=False)
    """(value index, centred rating) of the values rated clearly above the member's own
    mean: the only candidates for a shared priority, so a pair compares just these."""

    def __post_init__(self) -> None:
        ratings = self.as_tuple()
        errors = [
            FieldError(value.value, "must be a number between 1 and 7")
            for value, rating in zip(_ORDER, ratings, strict=True)
            if isinstance(rating, bool)
            or not (math.isfinite(rating) and _RATING_MIN <= rating <= _RATING_MAX)
        ]
        if errors:
            raise ValidationFailed(errors, "Value ratings must lie on the 1-7 scale.")
        centred = self.centred()
        norm_squared = math.fsum(score * score for score in centred)
        unit: tuple[float, ...] | None = None
        if norm_squared > _FLAT_PROFILE:
            norm = math.sqrt(norm_squared)
            unit = tuple(score / norm for score in centred)
        object.__setattr__(self, "unit_profile", unit)
        object.__setattr__(self, "centred_profile", centred)
        object.__setattr__(
            self,
            "priorities",
            tuple((i, score) for i, score in enumerate(centred) if score >= _PRIORITY_MARGIN),
        )

    @classmethod
    def from_mapping(
        cls, ratings: Mapping[SchwartzValue, float] | Mapping[str, float]
    ) -> ValueRatings:
        """Build from a mapping that names all ten values, by ``SchwartzValue`` or by its
        string (``"self_direction"``, as in JSON); other names are refused."""
        by_name: dict[str, float] = {str(name): rating for name, rating in ratings.items()}
        if len(by_name) != len(_NAMES) or not _NAME_SET.issuperset(by_name):
            errors = [FieldError(name, "is required") for name in _NAMES if name not in by_name]
            errors.extend(
                FieldError(name, "is not one of the ten Schwartz values", "unknown_value")
                for name in by_name
                if name not in _NAME_SET
            )
            raise ValidationFailed(errors, "All ten values need a rating.")
        # Plain names, not the enum's ``.value``: every member's profile is built this way.
        return cls(**{name: float(by_name[name]) for name in _NAMES})

    @classmethod
    def from_pvq21(cls, answers: Mapping[int, int]) -> ValueRatings:
        """Score the 21 PVQ portraits, ESS-coded 1 (very much like me) … 6 (not at all).

        Answers are reversed (7 − x) so that higher means more important, then each value
        is the mean of its items (docs/science.md 4.2). All 21 answers are required.
        """
        errors = [
            FieldError(f"answers.{item}", "must be an answer from 1 to 6")
            for item in range(1, 22)
            if answers.get(item) not in range(1, 7)
        ]
        if errors:
            raise ValidationFailed(errors, "All 21 portrait answers are required.")
        return cls.from_mapping(
            {
                value: math.fsum(7 - answers[item] for item in items) / len(items)
                for value, items in PVQ21_ITEMS.items()
            }
        )

    def as_tuple(self) -> tuple[float, ...]:
        """The ten ratings in ``SchwartzValue`` order."""
        return (
            self.self_direction,
            self.stimulation,
            self.hedonism,
            self.achievement,
            self.power,
            self.security,
            self.conformity,
            self.tradition,
            self.benevolence,
            self.universalism,
        )

    def as_mapping(self) -> dict[str, float]:
        """The ten ratings by value name, as ``from_mapping`` takes them."""
        return dict(zip((value.value for value in _ORDER), self.as_tuple(), strict=True))

    def centred(self) -> tuple[float, ...]:
        """Each rating minus the member's own mean rating (the MRAT correction)."""
        ratings = self.as_tuple()
        mean = math.fsum(ratings) / len(ratings)
        return tuple(rating - mean for rating in ratings)


def _profile_correlation(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    # Unit profiles: their dot product is the Pearson r of the two centred profiles.
    correlation = sum(a * b for a, b in zip(first, second, strict=True))
    return min(1.0, max(-1.0, correlation))


def values_similarity(
    first: ValueRatings | None,
    second: ValueRatings | None,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
) -> float:
    """(r + 1)/2 of the two centred value profiles; neutral when either is missing or flat."""
    if first is None or second is None:
        return policy.neutral_values
    if first.unit_profile is None or second.unit_profile is None:
        return policy.neutral_values
    return (1.0 + _profile_correlation(first.unit_profile, second.unit_profile)) / 2.0


def shared_value_priorities(
    first: ValueRatings | None, second: ValueRatings | None
) -> tuple[SchwartzValue, ...]:
    """Values both members rate clearly above their own mean, strongest shared first."""
    if first is None or second is None or not first.priorities or not second.priorities:
        return ()
    theirs = dict(second.priorities)
    strengths = [(min(a, theirs[index]), index) for index, a in first.priorities if index in theirs]
    strengths.sort(key=lambda item: (-item[0], item[1]))
    return tuple(_ORDER[index] for _, index in strengths)
