"""Synthetic members with realistic shapes, for benchmarks only (needs NumPy).

- Locations: six German cities with population-like weights, members scattered around
  each centre (σ ≈ 9 km), so that most pairs in a city are within everyone's distance.
- Gender and orientation: 48% women, 48% men, 4% non-binary; mostly seeking a
  different gender, with same-gender and multi-gender seekers.
- Ages 18-75, right-skewed (median near 29). Windows follow the stated-preference shape
  of docs/science.md 5.1: men's minimum lower and maximum near their own age, women's minimum
  near their own age and maximum higher.
- Interests: 3-15 tags from a 600-tag vocabulary with Zipf popularity (a long tail).
- Values (85% answered): a personal scale-use level plus one of a few value archetypes
  plus noise, rounded to the 1-7 scale. Attachment (85% assessed): ECR-R-like anxiety
  ≈ N(3.6, 1.1) and avoidance ≈ N(2.9, 1.0), correlated 0.3, in steps of 1/18.
- Tiers: 80% Free, 15% Premium, 5% Elite; 2% paused, 0.3% suspended.
"""

from __future__ import annotations

import uuid

import numpy as np

from saltbitter.domain.compatibility import (
    AttachmentScores,
    CandidateProfile,
    Gender,
    SchwartzValue,
    ValueRatings,
)
from saltbitter.domain.shared import Tier, UserId

__all__ = ["synthetic_profiles"]

_CITIES = (
    ("Berlin", 52.520, 13.405, 0.30),
    ("Hamburg", 53.551, 9.994, 0.18),
    ("Munich", 48.137, 11.575, 0.17),
    ("Cologne", 50.938, 6.960, 0.13),
    ("Frankfurt", 50.110, 8.682, 0.12),
    ("Leipzig", 51.340, 12.375, 0.10),
)
_VOCABULARY_SIZE = 600
_GENDERS = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY)
_SEEKING = {
    Gender.WOMAN: (
        ((Gender.MAN,), 0.85),
        ((Gender.WOMAN,), 0.07),
        ((Gender.WOMAN, Gender.MAN), 0.05),
        (_GENDERS, 0.03),
    ),
    Gender.MAN: (
        ((Gender.WOMAN,), 0.88),
        ((Gender.MAN,), 0.06),
        ((Gender.WOMAN, Gender.MAN), 0.03),
        (_GENDERS, 0.03),
    ),
    Gender.NON_BINARY: (
        (_GENDERS, 0.5),
        ((Gender.WOMAN,), 0.2),
        ((Gender.MAN,), 0.2),
        ((Gender.NON_BINARY,), 0.1),
    ),
}
_ARCHETYPES = np.array(
    [
        # SD, ST, HE, AC, PO, SE, CO, TR, BE, UN
        [1.0, 0.5, 0.3, 0.2, -1.0, -0.3, -0.8, -1.0, 0.6, 0.9],  # open, universalist
        [-0.3, -0.6, -0.2, 0.2, -0.4, 1.0, 0.9, 0.8, 0.9, 0.0],  # conservation, family
        [0.3, 0.8, 1.0, 0.9, 0.5, -0.4, -0.6, -0.9, -0.1, -0.3],  # achievement, fun
        [0.5, -0.2, 0.0, 0.0, -0.8, 0.3, 0.0, -0.2, 1.0, 0.8],  # caring
    ]
)


def _interest_sets(rng: np.random.Generator, count: int) -> list[frozenset[str]]:
    vocabulary = np.array([f"interest-{rank:03d}" for rank in range(_VOCABULARY_SIZE)])
    log_popularity = -1.07 * np.log(np.arange(1, _VOCABULARY_SIZE + 1))
    sizes = np.clip(rng.poisson(5.5, count) + 3, 3, 15)
    sets: list[frozenset[str]] = []
    chunk = 5000
    for start in range(0, count, chunk):
        stop = min(start + chunk, count)
        # Gumbel top-k: sampling without replacement proportionally to popularity.
        keys = log_popularity + rng.gumbel(size=(stop - start, _VOCABULARY_SIZE))
        order = np.argsort(-keys, axis=1)[:, :15]
        for row, size in zip(order, sizes[start:stop], strict=True):
            sets.append(frozenset(vocabulary[row[:size]].tolist()))
    return sets


def synthetic_profiles(count: int, seed: int = 7) -> list[CandidateProfile]:
    """``count`` reproducible synthetic members (see the module docstring)."""
    rng = np.random.default_rng(seed)
    weights = np.array([city[3] for city in _CITIES])
    city = rng.choice(len(_CITIES), size=count, p=weights / weights.sum())
    latitude = np.array([c[1] for c in _CITIES])[city] + rng.normal(0, 0.08, count)
    longitude = np.array([c[2] for c in _CITIES])[city] + rng.normal(0, 0.12, count)
    gender_code = rng.choice(3, size=count, p=[0.48, 0.48, 0.04])
    age = np.clip(18 + np.round(rng.gamma(2.2, 6.0, count)), 18, 75).astype(int)
    low = rng.uniform(0, 1, count)
    high = rng.uniform(0, 1, count)
    max_distance = rng.choice(
        [10.0, 25.0, 50.0, 100.0, 200.0], count, p=[0.15, 0.35, 0.3, 0.15, 0.05]
    )
    interests = _interest_sets(rng, count)
    answered_values = rng.random(count) < 0.85
    level = rng.normal(4.3, 0.7, count)
    archetype = rng.integers(0, len(_ARCHETYPES), count)
    value_scores = np.clip(
        np.round(level[:, None] + 1.3 * _ARCHETYPES[archetype] + rng.normal(0, 0.9, (count, 10))),
        1,
        7,
    )
    assessed = rng.random(count) < 0.85
    z1 = rng.normal(size=count)
    z2 = 0.3 * z1 + np.sqrt(1 - 0.09) * rng.normal(size=count)
    anxiety = np.clip(np.round((3.6 + 1.1 * z1) * 18) / 18, 1, 7)
    avoidance = np.clip(np.round((2.9 + 1.0 * z2) * 18) / 18, 1, 7)
    tier = rng.choice(3, size=count, p=[0.80, 0.15, 0.05])
    paused = rng.random(count) < 0.02
    suspended = rng.random(count) < 0.003
    seeking_choice = rng.random(count)
    tiers = (Tier.FREE, Tier.PREMIUM, Tier.ELITE)

    profiles: list[CandidateProfile] = []
    for i in range(count):
        gender = _GENDERS[gender_code[i]]
        cumulative = 0.0
        sought: tuple[Gender, ...] = _GENDERS
        for option, probability in _SEEKING[gender]:
            cumulative += probability
            if seeking_choice[i] < cumulative:
                sought = option
                break
        own = int(age[i])
        if gender is Gender.MAN:
            age_min, age_max = own - 4 - int(8 * low[i]), own + int(5 * high[i])
        else:
            age_min, age_max = own - 1 - int(4 * low[i]), own + 3 + int(7 * high[i])
        profiles.append(
            CandidateProfile(
                user_id=UserId(uuid.UUID(int=seed * 10**9 + i + 1)),
                age=own,
                gender=gender,
                genders_sought=frozenset(sought),
                age_min=max(18, age_min),
                age_max=min(120, max(age_max, 18)),
                latitude=float(latitude[i]),
                longitude=float(longitude[i]),
                max_distance_km=float(max_distance[i]),
                interests=interests[i],
                values=(
                    ValueRatings.from_mapping(
                        dict(zip(SchwartzValue, value_scores[i].tolist(), strict=True))
                    )
                    if answered_values[i]
                    else None
                ),
                attachment=(
                    AttachmentScores(float(anxiety[i]), float(avoidance[i]))
                    if assessed[i]
                    else None
                ),
                tier=tiers[tier[i]],
                suspended=bool(suspended[i]),
                paused=bool(paused[i]),
            )
        )
    return profiles
