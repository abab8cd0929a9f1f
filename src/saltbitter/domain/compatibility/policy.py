"""The tunable numbers of the compatibility score, as validated value objects.

Every number here is a judgment call documented in ``docs/science.md``;
they live in one frozen policy so that the scalar rules and the batch scorer read the
same configuration and an operator can change them without touching code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from saltbitter.domain.errors import FieldError, ValidationFailed

__all__ = [
    "DEFAULT_POLICY",
    "AttachmentPenaltyWeights",
    "CompatibilityPolicy",
    "ComponentWeights",
]

_SUM_TOLERANCE = 1e-9


def _check_unit_weights(prefix: str, named: dict[str, float]) -> None:
    errors = [
        FieldError(f"{prefix}.{name}", "must be a finite number between 0 and 1")
        for name, value in named.items()
        if not (math.isfinite(value) and 0.0 <= value <= 1.0)
    ]
    if errors:
        raise ValidationFailed(errors, "Weights must be finite numbers between 0 and 1.")
    total = math.fsum(named.values())
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValidationFailed.single(prefix, f"weights must sum to 1 (they sum to {total:.6g})")


@dataclass(frozen=True, slots=True)
class ComponentWeights:
    """How much each component counts in the total (docs/product-rules.md 5: 40/25/20/15).

    Each weight is in [0, 1] and they sum to 1, so the total stays in [0, 1].
    """

    attachment: float = 0.40
    interests: float = 0.25
    values: float = 0.20
    demographics: float = 0.15

    def __post_init__(self) -> None:
        _check_unit_weights(
            "weights",
            {
                "attachment": self.attachment,
                "interests": self.interests,
                "values": self.values,
                "demographics": self.demographics,
            },
        )


@dataclass(frozen=True, slots=True)
class AttachmentPenaltyWeights:
    """a, b, c, d of the continuous attachment model (docs/science.md 3.3).

    ``anxiety`` (a) and ``avoidance`` (b) weigh each partner's own insecurity (the
    additive actor/partner effects that dominate the evidence), ``cross`` (c) the
    anxious × avoidant pairing penalty, ``both_avoidant`` (d) the commitment penalty of
    two avoidant partners. They sum to 1 so that the score stays in [0, 1].
    """

    anxiety: float = 0.30
    avoidance: float = 0.35
    cross: float = 0.30
    both_avoidant: float = 0.05

    def __post_init__(self) -> None:
        _check_unit_weights(
            "attachment_weights",
            {
                "anxiety": self.anxiety,
                "avoidance": self.avoidance,
                "cross": self.cross,
                "both_avoidant": self.both_avoidant,
            },
        )


@dataclass(frozen=True, slots=True)
class CompatibilityPolicy:
    """All tunable numbers of the compatibility score in one place.

    - ``neutral_attachment`` / ``neutral_values``: the component used when either person
      has not answered (docs/science.md 4.2: a zero correlation maps to 0.5, "no information").
    - ``interest_prior`` and ``interest_full_evidence``: with fewer than
      ``interest_full_evidence`` interests on either side, the interest score is shrunk
      toward ``interest_prior`` (docs/science.md 4.1: Bayesian smoothing toward the population
      mean). The prior sits near the typical score of two members with unrelated lists,
      so that listing few interests is neither a reward nor a punishment.
    - ``age_tolerance_years``: how far outside a stated age window the soft score still
      applies before the window becomes a dealbreaker (docs/science.md 5.1: 2 years).
    - ``age_decay_midpoint_years`` / ``age_decay_width_years``: outside the window the
      age score is 1/(1 + exp((Δ − midpoint)/width)) (docs/science.md 5.1).
    - ``distance_decay_width_fraction``: the distance score is a logistic centred on each
      member's max distance with width 0.15 × that distance (docs/science.md 5.2).
    - ``rare_interest_share``: a shared interest held by at most this share of members is
      called "rare" in explanations.
    """

    weights: ComponentWeights = field(default_factory=ComponentWeights)
    attachment_weights: AttachmentPenaltyWeights = field(default_factory=AttachmentPenaltyWeights)
    neutral_attachment: float = 0.5
    neutral_values: float = 0.5
    interest_prior: float = 0.1
    interest_full_evidence: int = 3
    age_tolerance_years: int = 2
    age_decay_midpoint_years: float = 2.0
    age_decay_width_years: float = 1.0
    distance_decay_width_fraction: float = 0.15
    rare_interest_share: float = 0.05

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for name in ("neutral_attachment", "neutral_values", "interest_prior"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                errors.append(FieldError(name, "must be between 0 and 1"))
        if not 1 <= self.interest_full_evidence <= 50:
            errors.append(FieldError("interest_full_evidence", "must be between 1 and 50"))
        if not 0 <= self.age_tolerance_years <= 20:
            errors.append(FieldError("age_tolerance_years", "must be between 0 and 20"))
        if not math.isfinite(self.age_decay_midpoint_years):
            errors.append(FieldError("age_decay_midpoint_years", "must be finite"))
        if not (math.isfinite(self.age_decay_width_years) and self.age_decay_width_years > 0):
            errors.append(FieldError("age_decay_width_years", "must be positive"))
        fraction = self.distance_decay_width_fraction
        if not (math.isfinite(fraction) and 0.01 <= fraction <= 1.0):
            errors.append(FieldError("distance_decay_width_fraction", "must be in [0.01, 1]"))
        if not (math.isfinite(self.rare_interest_share) and 0 < self.rare_interest_share < 1):
            errors.append(FieldError("rare_interest_share", "must be between 0 and 1"))
        if errors:
            raise ValidationFailed(errors, "The compatibility policy is invalid.")


DEFAULT_POLICY = CompatibilityPolicy()
"""The product's defaults (docs/product-rules.md 5, docs/science.md 3.3, 4.1, 5.1-5.3)."""
