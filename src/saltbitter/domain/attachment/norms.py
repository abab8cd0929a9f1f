"""Reference values that turn raw attachment scores into z-scores and percentiles.

docs/science.md 2.1: no official ECR-R norms exist, so the defaults are cold-start *priors*
recalled from student and online samples. They are marked ``is_prior=True`` until the
platform computes its own with ``psychometrics.compute_norms`` (age-banded, versioned).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed

from .instruments import Subscale

__all__ = ["DEFAULT_NORMS", "AgeBand", "Norms", "SubscaleNorm"]


class AgeBand(StrEnum):
    """Age bands for norms (docs/science.md 2.1, "[D] Norming plan")."""

    AGE_18_24 = "18-24"
    AGE_25_29 = "25-29"
    AGE_30_39 = "30-39"
    AGE_40_49 = "40-49"
    AGE_50_PLUS = "50+"

    @classmethod
    def for_age(cls, age: int) -> AgeBand:
        if age < 18:
            raise ValidationFailed.single("age", "Norms cover adults (18+) only.", "out_of_range")
        if age <= 24:
            return cls.AGE_18_24
        if age <= 29:
            return cls.AGE_25_29
        if age <= 39:
            return cls.AGE_30_39
        if age <= 49:
            return cls.AGE_40_49
        return cls.AGE_50_PLUS


@dataclass(frozen=True, slots=True)
class SubscaleNorm:
    """Mean, SD and internal consistency (Cronbach's alpha) of one subscale's scores.

    ``percentiles`` optionally lists empirical (percent, score) points for reports.
    """

    mean: float
    sd: float
    alpha: float
    percentiles: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        if not math.isfinite(self.mean):
            raise DomainRuleViolated("A norm mean must be a finite number.", code="invalid_norms")
        if not (math.isfinite(self.sd) and self.sd > 0):
            raise DomainRuleViolated("A norm SD must be positive.", code="invalid_norms")
        if not 0.0 <= self.alpha <= 1.0:
            raise DomainRuleViolated(
                "Alpha must lie in [0, 1] to define a measurement error.", code="invalid_norms"
            )

    @property
    def standard_error_of_measurement(self) -> float:
        """SEM = SD * sqrt(1 - alpha), in score units (docs/science.md 2.2, step 3)."""
        return self.sd * math.sqrt(1.0 - self.alpha)

    @property
    def standard_error_in_z(self) -> float:
        """SEM / SD = sqrt(1 - alpha): the measurement error on the z-score axis."""
        return math.sqrt(1.0 - self.alpha)

    def z_score(self, score: float) -> float:
        return (score - self.mean) / self.sd


@dataclass(frozen=True, slots=True)
class Norms:
    """Norms of one instrument (``instrument_key``), optionally for one age band."""

    instrument_key: str
    anxiety: SubscaleNorm
    avoidance: SubscaleNorm
    version: str
    source: str
    is_prior: bool
    sample_size: int | None = None
    age_band: AgeBand | None = None

    def for_subscale(self, subscale: Subscale) -> SubscaleNorm:
        return self.anxiety if subscale is Subscale.ANXIETY else self.avoidance


DEFAULT_NORMS = Norms(
    instrument_key="ecr-r",
    # docs/science.md 2.1 "Typical ECR-R means [U]": anxiety 3.5-3.7 (SD 1.1-1.3), avoidance
    # 2.9-3.2 (SD 1.0-1.2); we take the middle of each range.
    # Alphas: docs/science.md 2.4, German ECR-RD, .91 / .92 [V] (read as anxiety / avoidance).
    anxiety=SubscaleNorm(mean=3.6, sd=1.2, alpha=0.91),
    avoidance=SubscaleNorm(mean=3.05, sd=1.1, alpha=0.92),
    version="prior-1",
    source=(
        "PRIORS, not platform norms: midpoints of the unverified typical ECR-R means and "
        "SDs in docs/science.md 2.1 and alphas from docs/science.md 2.4. Replace with "
        "compute_norms() once the platform has about 1,000 complete responses per locale."
    ),
    is_prior=True,
)
"""Cold-start ECR-R priors (docs/science.md 2.1 [U], 2.4); replace with platform norms."""
