"""Attachment component: the continuous model of docs/science.md 3.3.

Each member's ECR-R means (anxiety x, avoidance v, both on the 1-7 scale) are normalised
to [0, 1] and the pair's insecurity is turned into a penalty:

    penalty = a·(x̂A + x̂B)/2 + b·(v̂A + v̂B)/2 + c·(x̂A·v̂B + x̂B·v̂A)/2 + d·v̂A·v̂B
    score   = 1 − penalty

The additive terms carry the actor and partner effects that dominate the evidence
(Joel et al. 2020; Lozano et al. 2021); the two interaction terms carry the only pairings
with published support (anxious × avoidant, and both avoidant). Scores are never shown to
the other member: only this derived number is used for matching (docs/product-rules.md 10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from saltbitter.domain.errors import FieldError, ValidationFailed

from .policy import AttachmentPenaltyWeights

__all__ = ["SCALE_MAX", "SCALE_MIN", "AttachmentScores", "attachment_compatibility"]

SCALE_MIN = 1.0
SCALE_MAX = 7.0
_SCALE_SPAN = SCALE_MAX - SCALE_MIN

_DEFAULT_WEIGHTS = AttachmentPenaltyWeights()


@dataclass(frozen=True, slots=True)
class AttachmentScores:
    """A member's two attachment dimensions, each an ECR-R mean on the 1-7 scale."""

    anxiety: float
    avoidance: float

    def __post_init__(self) -> None:
        errors = [
            FieldError(name, "must be a number between 1 and 7")
            for name, value in (("anxiety", self.anxiety), ("avoidance", self.avoidance))
            if isinstance(value, bool)
            or not (math.isfinite(value) and SCALE_MIN <= value <= SCALE_MAX)
        ]
        if errors:
            raise ValidationFailed(errors, "Attachment scores must lie on the 1-7 scale.")

    @property
    def normalised_anxiety(self) -> float:
        """x̂ = (x − 1)/6, in [0, 1] (docs/science.md 3.3)."""
        return (self.anxiety - SCALE_MIN) / _SCALE_SPAN

    @property
    def normalised_avoidance(self) -> float:
        """v̂ = (v − 1)/6, in [0, 1] (docs/science.md 3.3)."""
        return (self.avoidance - SCALE_MIN) / _SCALE_SPAN


def attachment_penalty(
    anxiety_a: float,
    avoidance_a: float,
    anxiety_b: float,
    avoidance_b: float,
    weights: AttachmentPenaltyWeights = _DEFAULT_WEIGHTS,
) -> float:
    """The section 3.3 penalty from already normalised scores (each in [0, 1])."""
    return (
        weights.anxiety * (anxiety_a + anxiety_b) / 2.0
        + weights.avoidance * (avoidance_a + avoidance_b) / 2.0
        + weights.cross * (anxiety_a * avoidance_b + anxiety_b * avoidance_a) / 2.0
        + weights.both_avoidant * (avoidance_a * avoidance_b)
    )


def attachment_compatibility(
    first: AttachmentScores,
    second: AttachmentScores,
    weights: AttachmentPenaltyWeights = _DEFAULT_WEIGHTS,
) -> float:
    """AttachCompat(A, B) = 1 − penalty (docs/science.md 3.3), symmetric, in [0, 1].

    1.0 for two people at (1, 1), 0.0 for two people at (7, 7); (4, 4) with (4, 4) gives
    about 0.59 and the strong anxious-avoidant pair (6, 1.5) with (1.5, 6) about 0.59.
    """
    penalty = attachment_penalty(
        first.normalised_anxiety,
        first.normalised_avoidance,
        second.normalised_anxiety,
        second.normalised_avoidance,
        weights,
    )
    # The weights sum to 1, so only rounding can push the score a hair outside [0, 1].
    return min(1.0, max(0.0, 1.0 - penalty))
