"""Fairness figures for daily sets (docs/science.md 5.4: log exposure inequality).

- Exposure Gini: how unequally appearances in daily sets are spread over members
  (0: everyone is shown equally often; near 1: a few members absorb all attention).
- Compatibility ratio: the compatibility actually delivered, as a fraction of what each
  member would get from their own unconstrained greedy choice (their top-quota
  candidates). It prices fairness: 0.95 means the cap costs 5% of compatibility.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FairnessReport", "compatibility_ratio", "exposure_gini"]


def exposure_gini(exposure: Iterable[float]) -> float:
    """Gini coefficient of non-negative exposure counts, in [0, 1); 0 when all are equal.

    G = Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n·Σx) over the values sorted ascending (i from 1), which
    equals the mean absolute difference over all pairs divided by twice the mean.
    Nobody exposed at all also counts as equal (0).
    """
    values = sorted(float(x) for x in exposure)
    if any(x < 0 or not math.isfinite(x) for x in values[:1] + values[-1:]):
        raise ValueError("exposure counts must be finite and non-negative")
    count = len(values)
    total = math.fsum(values)
    if count == 0 or total == 0.0:
        return 0.0
    weighted = math.fsum((2 * rank - count - 1) * x for rank, x in enumerate(values, start=1))
    return max(0.0, weighted / (count * total))


def compatibility_ratio(delivered: Iterable[float], unconstrained: Iterable[float]) -> float:
    """Σ delivered scores / Σ unconstrained scores (1.0 when there is nothing to deliver)."""
    best = math.fsum(unconstrained)
    if best <= 0.0:
        return 1.0
    return math.fsum(delivered) / best


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """What an allocation delivered and what its exposure cap cost."""

    exposure_gini: float
    """Gini of how many sets each member appears in, with the cap."""
    unconstrained_exposure_gini: float
    """The same for the unconstrained per-member greedy choice."""
    compatibility_ratio: float
    """Delivered compatibility / unconstrained greedy compatibility."""
    mean_delivered_score: float
    """Mean score of the candidates delivered."""
    fill_rate: float
    """Candidates delivered / candidates the unconstrained choice would deliver."""
