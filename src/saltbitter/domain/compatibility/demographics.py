"""Demographics component: reciprocal age windows and distance decay (docs/science.md 5.1-5.2).

Direction A→B asks how well B fits A's stated preferences:

- age: 1 inside A's window; Δ years outside it, 1/(1 + exp((Δ − 2)/1)) up to the
  tolerance (±2 years, docs/science.md 5.1), and 0 beyond it (a dealbreaker);
- distance: 1/(1 + exp((d − D)/(0.15·D))) for D = A's max distance, so about 0.5 at the
  stated limit (docs/science.md 5.2), and 0 beyond the limit (a dealbreaker);
- gender: 0 when B's gender is not one A seeks (a dealbreaker).

The direction's score is the harmonic mean of the age and distance scores, so any
dealbreaker zeroes it (docs/science.md 5.2: a single zero zeroes the component).
The two directions are combined with another harmonic mean (docs/science.md 5.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._numeric import harmonic_mean, haversine_km, logistic_decay
from .policy import DEFAULT_POLICY, CompatibilityPolicy
from .profile import CandidateProfile

__all__ = [
    "DirectionalDemographics",
    "age_window_score",
    "age_years_outside",
    "directional_demographics",
    "distance_between",
    "distance_score",
    "score_for_years_outside",
]


def age_years_outside(age: int, window_min: int, window_max: int) -> int:
    """How many years ``age`` lies outside [window_min, window_max] (0 inside)."""
    return max(window_min - age, age - window_max, 0)


def score_for_years_outside(
    years_outside: int, policy: CompatibilityPolicy = DEFAULT_POLICY
) -> float:
    """1 inside the window, the docs/science.md 5.1 logistic up to the tolerance, 0 beyond it."""
    if years_outside <= 0:
        return 1.0
    if years_outside > policy.age_tolerance_years:
        return 0.0
    return logistic_decay(
        years_outside - policy.age_decay_midpoint_years, policy.age_decay_width_years
    )


def age_window_score(
    age: int, window_min: int, window_max: int, policy: CompatibilityPolicy = DEFAULT_POLICY
) -> float:
    """How well ``age`` fits a stated window, in [0, 1] (docs/science.md 5.1)."""
    return score_for_years_outside(age_years_outside(age, window_min, window_max), policy)


def distance_score(
    distance_km: float, max_distance_km: float, policy: CompatibilityPolicy = DEFAULT_POLICY
) -> float:
    """Logistic decay around the member's own max distance, 0 beyond it (docs/science.md 5.2)."""
    if distance_km > max_distance_km:
        return 0.0
    width = policy.distance_decay_width_fraction * max_distance_km
    return logistic_decay(distance_km - max_distance_km, width)


def distance_between(first: CandidateProfile, second: CandidateProfile) -> float:
    """Haversine distance between two members in km (never shown unrounded)."""
    return haversine_km(first.latitude, first.longitude, second.latitude, second.longitude)


@dataclass(frozen=True, slots=True)
class DirectionalDemographics:
    """Both directions of the demographics component and their reciprocal combination."""

    forward: float
    backward: float
    distance_km: float

    @property
    def reciprocal(self) -> float:
        return harmonic_mean(self.forward, self.backward)


def _one_direction(
    viewer: CandidateProfile,
    candidate: CandidateProfile,
    distance_km: float,
    policy: CompatibilityPolicy,
) -> float:
    if candidate.gender not in viewer.genders_sought:
        return 0.0
    age = age_window_score(candidate.age, viewer.age_min, viewer.age_max, policy)
    distance = distance_score(distance_km, viewer.max_distance_km, policy)
    return harmonic_mean(age, distance)


def directional_demographics(
    first: CandidateProfile,
    second: CandidateProfile,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
    *,
    distance_km: float | None = None,
) -> DirectionalDemographics:
    """first→second (how second fits first's preferences) and second→first."""
    distance = distance_between(first, second) if distance_km is None else distance_km
    return DirectionalDemographics(
        forward=_one_direction(first, second, distance, policy),
        backward=_one_direction(second, first, distance, policy),
        distance_km=distance,
    )
