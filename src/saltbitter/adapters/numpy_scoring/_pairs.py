"""Given (viewer, candidate) pairs scored at once, operation for operation like the scalar
rule (private).

The daily job stores the reference rule's totals and components for every delivered pair
(about 14 per member, 1.3 million at 100,000 members). Scoring them one at a time with
``compatibility`` cost more than ranking everyone; here every pair of a chunk is scored
in one pass of gathers and ufuncs. The arithmetic follows the scalar code's order of
operations, so the only differences are NumPy's own ``exp``/``sin``/``cos``/``arcsin``
and the order of the interest sums: around 1e-15, far inside the port's 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from saltbitter.domain.compatibility import (
    EARTH_RADIUS_KM,
    GRID_DEGREES,
    VALUE_DIMENSIONS,
    ScoringPopulation,
    public_distance_km,
    score_for_years_outside,
)

__all__ = ["PairColumns", "PairResult", "score_pairs"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class PairColumns:
    """The population's per-member columns as NumPy views (built once per population)."""

    latitude: Floats
    longitude: Floats
    max_distance_km: Floats
    age: Ints
    age_min: Ints
    age_max: Ints
    gender: Ints
    seeks_mask: Ints
    has_attachment: NDArray[np.bool_]
    anxiety: Floats
    avoidance: Floats
    interest_offsets: Ints
    interest_codes: Ints
    interest_count: Ints
    interest_weight_total: Floats
    vocabulary_weights: Floats
    has_values: NDArray[np.bool_]
    value_profiles: Floats
    age_scores: Floats
    """Age score by years outside a window, 0 … tolerance + 1 (the domain's own values)."""

    @classmethod
    def of(cls, population: ScoringPopulation) -> PairColumns:
        columns = population.columns
        policy = population.policy

        def floats(buffer: Any) -> Floats:
            return np.frombuffer(buffer, dtype=np.float64)

        def ints(buffer: Any) -> Ints:
            return np.frombuffer(buffer, dtype=np.int64)

        tolerance = policy.age_tolerance_years
        return cls(
            latitude=floats(columns.latitude),
            longitude=floats(columns.longitude),
            max_distance_km=floats(columns.max_distance_km),
            age=ints(columns.age),
            age_min=ints(columns.age_min),
            age_max=ints(columns.age_max),
            gender=ints(columns.gender),
            seeks_mask=ints(columns.seeks_mask),
            has_attachment=np.frombuffer(columns.has_attachment, dtype=np.int8) != 0,
            anxiety=floats(columns.anxiety_normalised),
            avoidance=floats(columns.avoidance_normalised),
            interest_offsets=ints(columns.interest_offsets),
            interest_codes=ints(columns.interest_codes),
            interest_count=ints(columns.interest_count),
            interest_weight_total=floats(columns.interest_weight_total),
            vocabulary_weights=floats(columns.vocabulary_weights),
            has_values=np.frombuffer(columns.has_values, dtype=np.int8) != 0,
            value_profiles=floats(columns.value_profiles).reshape(-1, VALUE_DIMENSIONS),
            age_scores=np.array(
                [score_for_years_outside(years, policy) for years in range(tolerance + 2)],
                dtype=np.float64,
            ),
        )


@dataclass(frozen=True, slots=True, eq=False)
class PairResult:
    total: Floats
    attachment: Floats
    interests: Floats
    values: Floats
    demographics: Floats
    shown_distance_km: Ints


def _harmonic_mean(first: Floats, second: Floats) -> Floats:
    """2ab / (a + b), and 0 where either side is 0 (``_numeric.harmonic_mean``)."""
    positive = (first > 0.0) & (second > 0.0)
    denominator = np.where(positive, first + second, 1.0)
    return np.where(positive, 2.0 * first * second / denominator, 0.0)


def _expanded(columns: PairColumns, members: Ints) -> tuple[NDArray[np.intp], Ints]:
    """Every (pair index, interest code) of the members' CSR lists, pair by pair."""
    counts = columns.interest_count[members]
    starts = columns.interest_offsets[members]
    total = int(counts.sum())
    pair = np.repeat(np.arange(len(members), dtype=np.intp), counts)
    first = np.cumsum(counts) - counts
    index = np.arange(total, dtype=np.int64) + np.repeat(starts - first, counts)
    return pair, columns.interest_codes[index]


def _shared_weights(columns: PairColumns, viewers: Ints, candidates: Ints) -> Floats:
    """Σ idf over the tags each pair shares: a tag listed by both sides appears twice
    among the pair's (pair, code) keys (a member lists each tag once)."""
    vocabulary = max(1, len(columns.vocabulary_weights))
    pair_a, codes_a = _expanded(columns, viewers)
    pair_b, codes_b = _expanded(columns, candidates)
    keys = np.concatenate((pair_a * vocabulary + codes_a, pair_b * vocabulary + codes_b))
    keys.sort()
    twice = keys[1:][keys[1:] == keys[:-1]]
    return np.bincount(
        twice // vocabulary,
        weights=columns.vocabulary_weights[twice % vocabulary],
        minlength=len(viewers),
    ).astype(np.float64)


def _directional(
    columns: PairColumns,
    population: ScoringPopulation,
    viewers: Ints,
    candidates: Ints,
    distance: Floats,
) -> Floats:
    """How each candidate fits its viewer's gender, age window and distance limit."""
    policy = population.policy
    sought = ((columns.seeks_mask[viewers] >> columns.gender[candidates]) & 1) == 1
    age = columns.age[candidates]
    outside = np.maximum(
        np.maximum(columns.age_min[viewers] - age, age - columns.age_max[viewers]), 0
    )
    age_score = columns.age_scores[np.minimum(outside, len(columns.age_scores) - 1)]
    limit = columns.max_distance_km[viewers]
    width = policy.distance_decay_width_fraction * limit
    with np.errstate(over="ignore"):
        decay = 1.0 / (1.0 + np.exp((distance - limit) / width))
    distance_score = np.where(distance > limit, 0.0, decay)
    return np.where(sought, _harmonic_mean(age_score, distance_score), 0.0)


def score_pairs(
    population: ScoringPopulation, columns: PairColumns, viewers: Ints, candidates: Ints
) -> PairResult:
    policy = population.policy
    weights = policy.attachment_weights
    # Attachment (attachment.attachment_penalty, same order of operations).
    x_a, v_a = columns.anxiety[viewers], columns.avoidance[viewers]
    x_b, v_b = columns.anxiety[candidates], columns.avoidance[candidates]
    penalty = (
        weights.anxiety * (x_a + x_b) / 2.0
        + weights.avoidance * (v_a + v_b) / 2.0
        + weights.cross * (x_a * v_b + x_b * v_a) / 2.0
        + weights.both_avoidant * (v_a * v_b)
    )
    both_attached = columns.has_attachment[viewers] & columns.has_attachment[candidates]
    attachment = np.where(
        both_attached, np.minimum(1.0, np.maximum(0.0, 1.0 - penalty)), policy.neutral_attachment
    )
    # Interests (interests.interest_similarity).
    shared = _shared_weights(columns, viewers, candidates)
    union = columns.interest_weight_total[viewers] + columns.interest_weight_total[candidates]
    union -= shared
    evidence = np.minimum(columns.interest_count[viewers], columns.interest_count[candidates])
    jaccard = shared / np.where(evidence > 0, union, 1.0)
    full = policy.interest_full_evidence
    alpha = evidence / full
    prior = policy.interest_prior
    interests = np.where(
        evidence == 0,
        prior,
        np.where(evidence >= full, jaccard, alpha * jaccard + (1.0 - alpha) * prior),
    )
    # Values (values.values_similarity): a sequential dot product, as the scalar sum.
    profiles = columns.value_profiles
    correlation = np.zeros(len(viewers), dtype=np.float64)
    for dimension in range(VALUE_DIMENSIONS):
        correlation += profiles[viewers, dimension] * profiles[candidates, dimension]
    both_valued = columns.has_values[viewers] & columns.has_values[candidates]
    values = np.where(
        both_valued,
        (1.0 + np.minimum(1.0, np.maximum(-1.0, correlation))) / 2.0,
        policy.neutral_values,
    )
    # Demographics (demographics.directional_demographics).
    latitude, longitude = columns.latitude, columns.longitude
    distance = _haversine_km(
        latitude[viewers], longitude[viewers], latitude[candidates], longitude[candidates]
    )
    forward_fit = _directional(columns, population, viewers, candidates, distance)
    backward_fit = _directional(columns, population, candidates, viewers, distance)
    demographics = _harmonic_mean(forward_fit, backward_fit)
    # The reciprocal total (scoring.compatibility).
    component = policy.weights
    common = (
        component.attachment * attachment
        + component.interests * interests
        + component.values * values
    )
    forward = common + component.demographics * forward_fit
    backward = common + component.demographics * backward_fit
    total = np.minimum(1.0, _harmonic_mean(forward, backward))
    return PairResult(
        total=total,
        attachment=attachment,
        interests=interests,
        values=values,
        demographics=demographics,
        shown_distance_km=_shown_distance_km(columns, viewers, candidates),
    )


def _haversine_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """``_numeric.haversine_km``, operation for operation."""
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    half_dphi = np.sin((phi2 - phi1) / 2.0)
    half_dlambda = np.sin(np.radians(lon2 - lon1) / 2.0)
    a = half_dphi * half_dphi + np.cos(phi1) * np.cos(phi2) * half_dlambda * half_dlambda
    distance: Floats = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return distance


def _snapped(degrees: Floats) -> Floats:
    # round() and np.rint both round half to even: the same grid cell as snap_degrees.
    snapped: Floats = np.rint(degrees / GRID_DEGREES) * GRID_DEGREES
    return snapped


def _shown_distance_km(columns: PairColumns, viewers: Ints, candidates: Ints) -> Ints:
    """``public_distance_km`` of every pair, exactly: where NumPy's trigonometry could
    round a distance to the other whole kilometre (within 1e-6 km of a half), the
    domain's scalar function decides."""
    latitude, longitude = columns.latitude, columns.longitude
    raw = _haversine_km(
        _snapped(latitude[viewers]),
        _snapped(longitude[viewers]),
        _snapped(latitude[candidates]),
        _snapped(longitude[candidates]),
    )
    shown = np.maximum(1, np.rint(raw)).astype(np.int64)
    for index in np.flatnonzero(np.abs(raw - np.floor(raw) - 0.5) < 1e-6).tolist():
        viewer, candidate = int(viewers[index]), int(candidates[index])
        shown[index] = public_distance_km(
            float(latitude[viewer]),
            float(longitude[viewer]),
            float(latitude[candidate]),
            float(longitude[candidate]),
        )
    return shown
