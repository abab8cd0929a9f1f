"""Hypothesis strategies for compatibility: scores, ratings, interests, profiles, populations.

Shaped so that the interesting cases actually occur: a small tag vocabulary (overlaps),
locations clustered around a few anchors (including the date line and a pole, so that
distances are often within everyone's limit but wrap-around is exercised), ages with
windows near each other (the tolerance band is hit), missing questionnaires and flat
value profiles, suspended and paused members, and policies with non-default neutrals.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from hypothesis import strategies as st

from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    AttachmentScores,
    CandidateProfile,
    CompatibilityPolicy,
    DocumentFrequencies,
    Gender,
    SchwartzValue,
    ScoringPopulation,
    ValueRatings,
)
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "ANCHORS",
    "TAGS",
    "attachment_scores",
    "candidate_profiles",
    "compatibility_policies",
    "document_frequencies",
    "interest_sets",
    "populations",
    "user_ids",
    "value_ratings",
]

TAGS: tuple[str, ...] = tuple(f"tag-{index:02d}" for index in range(24))
"""A small vocabulary, so that random members share interests."""

ANCHORS: tuple[tuple[float, float], ...] = (
    (52.52, 13.405),  # Berlin
    (48.137, 11.575),  # Munich (about 500 km from Berlin)
    (-33.87, 151.21),  # Sydney
    (0.0, 179.99),  # on the date line
    (89.9, 0.0),  # next to the North Pole
)


def user_ids() -> st.SearchStrategy[UserId]:
    return st.uuids().map(UserId)


def attachment_scores() -> st.SearchStrategy[AttachmentScores]:
    """ECR-R-like means on the 1-7 scale, endpoints included."""
    score = st.one_of(
        st.sampled_from([1.0, 7.0, 4.0]),
        st.floats(min_value=1.0, max_value=7.0, allow_nan=False),
        st.integers(min_value=18, max_value=126).map(lambda sum18: sum18 / 18),
    )
    return st.builds(AttachmentScores, anxiety=score, avoidance=score)


def value_ratings() -> st.SearchStrategy[ValueRatings]:
    """Ten importance ratings; whole numbers mostly, flat profiles sometimes."""
    rating = st.one_of(
        st.integers(min_value=1, max_value=7).map(float),
        st.floats(min_value=1.0, max_value=7.0, allow_nan=False),
    )
    varied = st.lists(rating, min_size=10, max_size=10)
    flat = rating.map(lambda value: [value] * 10)
    return st.one_of(varied, varied, varied, flat).map(
        lambda ratings: ValueRatings.from_mapping(dict(zip(SchwartzValue, ratings, strict=True)))
    )


def interest_sets(
    vocabulary: Sequence[str] = TAGS, *, min_size: int = 0, max_size: int = 15
) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(vocabulary), min_size=min_size, max_size=max_size)


def document_frequencies(
    vocabulary: Sequence[str] = TAGS,
) -> st.SearchStrategy[DocumentFrequencies]:
    """A rarity table over ``vocabulary`` (some tags unknown to it)."""

    @st.composite
    def build(draw: st.DrawFn) -> DocumentFrequencies:
        total = draw(st.integers(min_value=0, max_value=10_000))
        known = draw(st.lists(st.sampled_from(vocabulary), unique=True))
        counts = {tag: draw(st.integers(min_value=0, max_value=total)) for tag in known}
        return DocumentFrequencies(total_users=total, counts=counts)

    return build()


def compatibility_policies() -> st.SearchStrategy[CompatibilityPolicy]:
    """The default policy mostly, sometimes other neutrals, priors and tolerances."""
    other = st.builds(
        CompatibilityPolicy,
        neutral_attachment=st.sampled_from([0.5, 0.3]),
        neutral_values=st.sampled_from([0.5, 0.4]),
        interest_prior=st.sampled_from([0.1, 0.0, 0.5]),
        age_tolerance_years=st.sampled_from([2, 0, 5]),
        distance_decay_width_fraction=st.sampled_from([0.15, 0.5]),
    )
    return st.one_of(st.just(DEFAULT_POLICY), st.just(DEFAULT_POLICY), other)


@st.composite
def _location(draw: st.DrawFn) -> tuple[float, float]:
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return (
            draw(st.floats(min_value=-90.0, max_value=90.0)),
            draw(st.floats(min_value=-180.0, max_value=180.0)),
        )
    latitude, longitude = draw(st.sampled_from(ANCHORS))
    # Offsets from metres to about 100 km; the same spot sometimes.
    offset = st.one_of(st.just(0.0), st.floats(min_value=-0.9, max_value=0.9))
    latitude = min(90.0, max(-90.0, latitude + draw(offset)))
    longitude = longitude + draw(offset)
    if longitude > 180.0:
        longitude -= 360.0
    return latitude, longitude


@st.composite
def candidate_profiles(
    draw: st.DrawFn,
    user_id: st.SearchStrategy[UserId] | None = None,
    vocabulary: Sequence[str] = TAGS,
) -> CandidateProfile:
    """One member as the scorer sees them."""
    age = draw(st.integers(min_value=18, max_value=70))
    below = draw(st.integers(min_value=0, max_value=12))
    above = draw(st.integers(min_value=0, max_value=12))
    latitude, longitude = draw(_location())
    # The window may start a little above the member's own age (people do that).
    age_min = max(18, age - below - draw(st.integers(min_value=-3, max_value=3)))
    age_max = min(120, max(age + above, age_min))
    return CandidateProfile(
        user_id=draw(user_ids() if user_id is None else user_id),
        age=age,
        gender=draw(st.sampled_from(list(Gender))),
        genders_sought=draw(st.frozensets(st.sampled_from(list(Gender)), max_size=3)),
        age_min=age_min,
        age_max=age_max,
        latitude=latitude,
        longitude=longitude,
        max_distance_km=draw(
            st.one_of(
                st.sampled_from([1.0, 10.0, 50.0, 500.0, 20_000.0]),
                st.floats(min_value=1.0, max_value=1_000.0),
            )
        ),
        interests=draw(interest_sets(vocabulary)),
        values=draw(st.none() | value_ratings()),
        attachment=draw(st.none() | attachment_scores()),
        tier=draw(st.sampled_from(list(Tier))),
        suspended=draw(st.integers(min_value=0, max_value=7)) == 0,
        paused=draw(st.integers(min_value=0, max_value=7)) == 0,
    )


@st.composite
def populations(
    draw: st.DrawFn,
    *,
    min_size: int = 1,
    max_size: int = 20,
    policies: st.SearchStrategy[CompatibilityPolicy] | None = None,
) -> ScoringPopulation:
    """A scoring population of distinct members (rarity from the population itself)."""
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    profiles = [
        draw(candidate_profiles(user_id=st.just(UserId(UUID(int=index + 1)))))
        for index in range(size)
    ]
    policy = draw(compatibility_policies() if policies is None else policies)
    return ScoringPopulation.build(profiles, policy=policy)
