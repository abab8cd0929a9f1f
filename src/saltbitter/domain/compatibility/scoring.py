"""The total compatibility score, reciprocity and plain-language reasons (docs/product-rules.md 5).

For members A and B:

    S(A→B) = 0.40·attachment + 0.25·interests + 0.20·values + 0.15·demographics(A→B)
    total  = harmonic mean of S(A→B) and S(B→A)                       (docs/science.md 5.3)

Attachment, interests and values are symmetric; demographics is directional (does B
fit A's age window and distance?), so only that part differs between the directions.
The harmonic mean ranks a one-sided fit far below a mutual one (RECON, Pizzato et al.
2010). The reported demographics component is the harmonic mean of its two directions;
because the reciprocal total mixes directions, it equals the weighted sum of the reported
components only when the two directions agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from typing import TypeVar

from ._numeric import harmonic_mean
from .attachment import attachment_compatibility
from .demographics import age_years_outside, directional_demographics
from .interests import NO_FREQUENCIES, DocumentFrequencies, interest_similarity, shared_interests
from .policy import DEFAULT_POLICY, CompatibilityPolicy
from .profile import CandidateProfile
from .public_distance import distance_phrase, public_distance_km
from .values import VALUE_PHRASES, shared_value_priorities, values_similarity

_Text = TypeVar("_Text")  # a reason (MatchReason) or its text (the daily job's explainer)

__all__ = [
    "MAX_REASONS",
    "CompatibilityResult",
    "Component",
    "ComponentScores",
    "MatchReason",
    "compatibility",
    "explain",
    "explanation_is_stable",
]

MAX_REASONS = 3
# Attachment is only named as a reason when it is clearly good; the wording never
# reveals either member's own scores (docs/product-rules.md 10: special-category data).
_GOOD_ATTACHMENT_FIT = 0.75


class Component(StrEnum):
    ATTACHMENT = "attachment"
    INTERESTS = "interests"
    VALUES = "values"
    DEMOGRAPHICS = "demographics"


@dataclass(frozen=True, slots=True)
class ComponentScores:
    """The four components of a pair's score, each in [0, 1]."""

    attachment: float
    interests: float
    values: float
    demographics: float


@dataclass(frozen=True, slots=True)
class MatchReason:
    """One plain-language reason, and the component it explains."""

    component: Component
    text: str


@dataclass(frozen=True, slots=True)
class CompatibilityResult:
    """A pair's reciprocal total, its components, both directions and up to 3 reasons."""

    total: float
    components: ComponentScores
    forward: float
    """S(first→second): how well the second member fits the first member's preferences."""
    backward: float
    """S(second→first)."""
    reasons: tuple[MatchReason, ...] = ()


def _directional_total(
    components: ComponentScores, demographics: float, policy: CompatibilityPolicy
) -> float:
    weights = policy.weights
    return (
        weights.attachment * components.attachment
        + weights.interests * components.interests
        + weights.values * components.values
        + weights.demographics * demographics
    )


def compatibility(
    first: CandidateProfile,
    second: CandidateProfile,
    frequencies: DocumentFrequencies = NO_FREQUENCIES,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
    *,
    explain: bool = True,
) -> CompatibilityResult:
    """Score a pair (symmetric in its total and components) and explain it.

    ``frequencies`` count how many members list each interest, so that rare shared
    interests weigh more; without them (``NO_FREQUENCIES``) every interest weighs the
    same and none is called rare.

    This is the reference rule: the batch scorer must agree with it to 1e-9. Pass
    ``explain=False`` to skip the reasons when only numbers are needed. Eligibility is a
    separate question (``check_eligibility``): this scores any pair.
    """
    if first.attachment is None or second.attachment is None:
        attachment = policy.neutral_attachment
    else:
        attachment = attachment_compatibility(
            first.attachment, second.attachment, policy.attachment_weights
        )
    demographics = directional_demographics(first, second, policy)
    components = ComponentScores(
        attachment=attachment,
        interests=interest_similarity(first.interests, second.interests, frequencies, policy),
        values=values_similarity(first.values, second.values, policy),
        demographics=demographics.reciprocal,
    )
    forward = _directional_total(components, demographics.forward, policy)
    backward = _directional_total(components, demographics.backward, policy)
    reasons = _reasons(first, second, components, frequencies, policy) if explain else ()
    return CompatibilityResult(
        total=min(1.0, harmonic_mean(forward, backward)),
        components=components,
        forward=forward,
        backward=backward,
        reasons=reasons,
    )


# The reasons whose words never vary, made once (the daily job explains a million pairs).
_VALUE_REASONS = {
    value: MatchReason(Component.VALUES, phrase) for value, phrase in VALUE_PHRASES.items()
}
_ATTACHMENT_REASON = MatchReason(
    Component.ATTACHMENT, "your answers about closeness and independence fit well together"
)
_AGE_WINDOW_REASON = MatchReason(Component.DEMOGRAPHICS, "you are each in the other's age range")


@lru_cache(maxsize=4096)
def _distance_reason(shown_km: int) -> MatchReason:
    return MatchReason(Component.DEMOGRAPHICS, distance_phrase(shown_km))


def _interest_text(count: int, tags: tuple[str, ...], rare: int) -> str:
    if count == 1:
        return f"1 shared interest: {tags[0]}" + (", a rare one" if rare else "")
    text = f"{count} shared interests"
    if rare:
        text += f", {rare} of them rare"
    listed = ", ".join(tags[:MAX_REASONS])
    return f"{text} ({listed}{', …' if count > MAX_REASONS else ''})"


def explain(
    first: CandidateProfile,
    second: CandidateProfile,
    components: ComponentScores,
    frequencies: DocumentFrequencies = NO_FREQUENCIES,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
    *,
    shown_distance_km: int | None = None,
) -> tuple[MatchReason, ...]:
    """The reasons ``compatibility`` gives a pair, from components already computed (by a
    batch scorer, say) and optionally the pair's ``public_distance_km`` already known.

    With the pair's exact components this is exactly ``compatibility(...).reasons``.
    Components that agree to 1e-9 give the same reasons whenever
    ``explanation_is_stable`` says so for them.
    """
    return _reasons(first, second, components, frequencies, policy, shown_distance_km)


def _saliences(components: ComponentScores, policy: CompatibilityPolicy) -> tuple[float, ...]:
    """Every salience ``_reasons`` may compare, whichever reasons apply to the pair."""
    weights = policy.weights
    values = weights.values * components.values
    saliences = [
        values,
        values * 0.9,
        weights.interests * max(components.interests, 0.5),
        weights.attachment * components.attachment,
    ]
    if components.demographics > 0.0:  # exactly 0 only for a dealbreaker: no reason then
        demographics = weights.demographics * components.demographics
        saliences += [demographics, demographics * 0.9]
    return tuple(saliences)


def explanation_is_stable(
    components: ComponentScores, policy: CompatibilityPolicy = DEFAULT_POLICY, margin: float = 1e-9
) -> bool:
    """Whether components off by up to ``margin`` each still give the same reasons: no
    two saliences within a few margins of each other, and attachment not at its
    threshold. When False, recompute the pair with ``compatibility``."""
    if abs(components.attachment - _GOOD_ATTACHMENT_FIT) <= 4 * margin:
        return False
    if 0.0 < components.demographics <= 4 * margin:
        return False
    ranked = sorted(_saliences(components, policy))
    return all(high - low > 4 * margin for low, high in pairwise(ranked))


def _reasons(
    first: CandidateProfile,
    second: CandidateProfile,
    components: ComponentScores,
    frequencies: DocumentFrequencies,
    policy: CompatibilityPolicy,
    shown_distance_km: int | None = None,
) -> tuple[MatchReason, ...]:
    """Up to three reasons, the ones behind the largest weighted components first."""
    weights = policy.weights
    # (salience, tie-break order, reason): salience is the weighted component it explains.
    ranked: list[tuple[float, int, MatchReason]] = []

    priorities = shared_value_priorities(first.values, second.values)
    for rank, value in enumerate(priorities[:2]):
        salience = weights.values * components.values * (1.0 - 0.1 * rank)
        ranked.append((salience, 0, _VALUE_REASONS[value]))

    shared = shared_interests(first.interests, second.interests, frequencies, policy)
    if shared.count:
        text = _interest_text(shared.count, shared.tags, len(shared.rare_tags))
        # Even a modest Jaccard makes a good conversation starter, and perceived
        # similarity is what predicts liking (docs/science.md 4.3), so shared interests are
        # ranked as if the component were at least 0.5.
        salience = weights.interests * max(components.interests, 0.5)
        ranked.append((salience, 1, MatchReason(Component.INTERESTS, text)))

    if (
        first.attachment is not None
        and second.attachment is not None
        and components.attachment >= _GOOD_ATTACHMENT_FIT
    ):
        ranked.append((weights.attachment * components.attachment, 2, _ATTACHMENT_REASON))

    if components.demographics > 0.0:
        salience = weights.demographics * components.demographics
        # The shown distance (grid-snapped, whole km), never the precise one: the card
        # next to this reason says the same number.
        shown = shown_distance_km
        if shown is None:
            shown = public_distance_km(
                first.latitude, first.longitude, second.latitude, second.longitude
            )
        ranked.append((salience, 3, _distance_reason(shown)))
        both_in_window = (
            age_years_outside(second.age, first.age_min, first.age_max) == 0
            and age_years_outside(first.age, second.age_min, second.age_max) == 0
        )
        if both_in_window:
            ranked.append((salience * 0.9, 4, _AGE_WINDOW_REASON))

    ranked.sort(key=_most_salient_first)
    # One reason per component first, so three reasons tell three different things;
    # then fill any free slot with the next most salient reason. The tie-break order
    # names the component (3 and 4 are both demographics): an int set, not the enums'
    # Python-level hashing, since the daily job explains over a million pairs.
    return one_per_component_first(ranked)


def one_per_component_first(ranked: Sequence[tuple[float, int, _Text]]) -> tuple[_Text, ...]:
    """Up to MAX_REASONS of ``ranked`` (most salient first; the int names the component,
    3 and 4 both demographics): one per component first, then the next most salient."""
    picked: list[int] = []
    others: list[int] = []
    seen = 0
    for position, (_, order, _) in enumerate(ranked):
        component = 1 << min(order, 3)
        if seen & component:
            others.append(position)
        else:
            picked.append(position)
            seen |= component
    chosen = (picked + others)[:MAX_REASONS]
    chosen.sort()
    return tuple(ranked[position][2] for position in chosen)


def _most_salient_first(item: tuple[float, int, MatchReason]) -> tuple[float, int]:
    return -item[0], item[1]
