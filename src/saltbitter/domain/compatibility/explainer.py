"""``explain`` for many pairs of one population (the daily job's delivered pairs).

``explain`` recomputes every input of a pair's reasons from the two profiles: the shared
interests sorted rarest first, which of them are rare, the shared value priorities.
Over a million delivered pairs that was most of the job's reason cost. ``PairExplainer``
prepares each member's inputs once (interests already in rarest-first order with their
rare ones, value priorities as a lookup, attachment present, age window) and fuses the
stability check, so a pair costs a few set lookups, one small sort and the string
formatting. Its texts are ``explain``'s word for word (a Hypothesis law checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .interests import DocumentFrequencies
from .policy import CompatibilityPolicy
from .profile import CandidateProfile
from .public_distance import distance_phrase
from .scoring import (
    _AGE_WINDOW_REASON,
    _ATTACHMENT_REASON,
    _GOOD_ATTACHMENT_FIT,
    MAX_REASONS,
    _interest_text,
    one_per_component_first,
)
from .values import _ORDER, VALUE_PHRASES

__all__ = ["PairExplainer"]

_VALUE_TEXTS = tuple(VALUE_PHRASES[value] for value in _ORDER)
_ATTACHMENT_TEXT = _ATTACHMENT_REASON.text
_AGE_WINDOW_TEXT = _AGE_WINDOW_REASON.text
# Tie-break orders of ``scoring._reasons`` (3 and 4 both name demographics).
_VALUES, _INTERESTS, _ATTACHMENT, _DISTANCE, _AGE_WINDOW = range(5)


@dataclass(frozen=True, slots=True)
class _MemberInputs:
    rank: dict[str, int]
    """The member's interests by place in rarest-first order (the rarity table's total
    order)."""
    interests: frozenset[str]
    rare: frozenset[str]
    """The member's interests the table calls rare (none when nobody was counted)."""
    priorities: tuple[tuple[int, float], ...]
    priority_of: dict[int, float]
    has_attachment: bool
    age: int
    age_min: int
    age_max: int


class PairExplainer:
    """``explain``'s texts for pairs of ``profiles`` (by position), from given components.

    ``texts`` answers None where ``explanation_is_stable`` is False (the caller then
    asks the scalar rule); otherwise exactly ``[r.text for r in explain(...)]``.
    """

    __slots__ = ("_common", "_frequencies", "_inputs", "_margin", "_policy", "_profiles")

    def __init__(
        self,
        profiles: Sequence[CandidateProfile],
        frequencies: DocumentFrequencies,
        policy: CompatibilityPolicy,
        margin: float = 1e-9,
    ) -> None:
        self._profiles = profiles
        self._frequencies = frequencies
        self._policy = policy
        self._margin = 4 * margin
        self._common: frozenset[str] | None = (
            frequencies.common_tags(policy.rare_interest_share) if frequencies.total_users else None
        )
        self._inputs: list[_MemberInputs | None] = [None] * len(profiles)

    def _member(self, position: int) -> _MemberInputs:
        inputs = self._inputs[position]
        if inputs is None:
            profile = self._profiles[position]
            interests = profile.interests
            common = self._common
            priorities = profile.values.priorities if profile.values is not None else ()
            inputs = _MemberInputs(
                rank={
                    tag: place
                    for place, tag in enumerate(self._frequencies.rarest_first(interests))
                },
                interests=interests,
                rare=frozenset() if common is None else interests - common,
                priorities=priorities,
                priority_of=dict(priorities),
                has_attachment=profile.attachment is not None,
                age=profile.age,
                age_min=profile.age_min,
                age_max=profile.age_max,
            )
            self._inputs[position] = inputs
        return inputs

    def texts(
        self,
        first: int,
        second: int,
        attachment: float,
        interests: float,
        values: float,
        demographics: float,
        shown_distance_km: int,
    ) -> tuple[str, ...] | None:
        margin = self._margin
        # explanation_is_stable, inline (same saliences, same margins).
        if abs(attachment - _GOOD_ATTACHMENT_FIT) <= margin or 0.0 < demographics <= margin:
            return None
        weights = self._policy.weights
        value_salience = weights.values * values
        interest_salience = weights.interests * max(interests, 0.5)
        attachment_salience = weights.attachment * attachment
        demographic_salience = 0.0
        if demographics > 0.0:
            demographic_salience = weights.demographics * demographics
            saliences = [
                value_salience,
                value_salience * 0.9,
                interest_salience,
                attachment_salience,
                demographic_salience,
                demographic_salience * 0.9,
            ]
            saliences.sort()
            a, b, c, d, e, f = saliences
            if (
                b - a <= margin
                or c - b <= margin
                or d - c <= margin
                or e - d <= margin
                or f - e <= margin
            ):
                return None
        else:
            saliences = [
                value_salience,
                value_salience * 0.9,
                interest_salience,
                attachment_salience,
            ]
            saliences.sort()
            a, b, c, d = saliences
            if b - a <= margin or c - b <= margin or d - c <= margin:
                return None
        # scoring._reasons with every salience distinct: (−salience, order, text) sorts
        # as its (salience, order) key does.
        inputs = self._inputs
        mine = inputs[first] or self._member(first)
        theirs = inputs[second] or self._member(second)
        ranked: list[tuple[float, int, str]] = []
        if mine.priorities and theirs.priorities:
            other = theirs.priority_of
            strengths = [
                (-min(strength, other[index]), index)
                for index, strength in mine.priorities
                if index in other
            ]
            strengths.sort()
            for rank, (_, index) in enumerate(strengths[:2]):
                ranked.append(
                    (-(value_salience * (1.0 - 0.1 * rank)), _VALUES, _VALUE_TEXTS[index])
                )
        other_interests = theirs.interests
        shared = mine.interests & other_interests
        if shared:
            tags = (
                tuple(shared)
                if len(shared) == 1
                else tuple(sorted(shared, key=mine.rank.__getitem__))
            )
            rare = mine.rare
            rare_count = len(shared & rare) if rare else 0
            text = _interest_text(len(tags), tags, rare_count)
            ranked.append((-interest_salience, _INTERESTS, text))
        if mine.has_attachment and theirs.has_attachment and attachment >= _GOOD_ATTACHMENT_FIT:
            ranked.append((-attachment_salience, _ATTACHMENT, _ATTACHMENT_TEXT))
        if demographics > 0.0:
            ranked.append((-demographic_salience, _DISTANCE, distance_phrase(shown_distance_km)))
            if (
                mine.age_min <= theirs.age <= mine.age_max
                and theirs.age_min <= mine.age <= theirs.age_max
            ):
                ranked.append((-(demographic_salience * 0.9), _AGE_WINDOW, _AGE_WINDOW_TEXT))
        return _picked(ranked)


# The component each reason order names (``one_per_component_first``: 3 and 4 are both
# demographics), as bits.
_COMPONENT_BIT = (1, 2, 4, 8, 8)


def _picked(ranked: list[tuple[float, int, str]]) -> tuple[str, ...]:
    """One reason per component first, then the next most salient (scoring._reasons)."""
    ranked.sort()
    if len(ranked) <= MAX_REASONS:  # every reason is chosen, most salient first
        return tuple([text for _, _, text in ranked])
    # The usual case: MAX_REASONS components among them, so the chosen ones are each
    # component's most salient reason, the first MAX_REASONS components met, in order
    # (what ``one_per_component_first`` picks then).
    chosen: list[str] = []
    seen = 0
    for _, order, text in ranked:
        bit = _COMPONENT_BIT[order]
        if not seen & bit:
            seen |= bit
            chosen.append(text)
            if len(chosen) == MAX_REASONS:
                return tuple(chosen)
    return one_per_component_first(ranked)
