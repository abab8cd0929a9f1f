"""The four components: laws with hypothesis, numbers reasoned out independently."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    AttachmentPenaltyWeights,
    AttachmentScores,
    CompatibilityPolicy,
    DocumentFrequencies,
    SchwartzValue,
    ValueRatings,
    age_window_score,
    attachment_compatibility,
    distance_score,
    haversine_km,
    interest_similarity,
    shared_interests,
    shared_value_priorities,
    values_similarity,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.testing.builders_profiles import ratings_in_order
from saltbitter.testing.strategies.compatibility import (
    TAGS,
    attachment_scores,
    document_frequencies,
    interest_sets,
    value_ratings,
)

# -- attachment (docs/science.md 3.3) -------------------------------------------------------


@given(attachment_scores(), attachment_scores())
def test_attachment_is_symmetric_and_bounded(a: AttachmentScores, b: AttachmentScores) -> None:
    score = attachment_compatibility(a, b)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(attachment_compatibility(b, a), abs=1e-15)


def test_attachment_endpoints() -> None:
    assert attachment_compatibility(AttachmentScores(1, 1), AttachmentScores(1, 1)) == 1.0
    assert attachment_compatibility(AttachmentScores(7, 7), AttachmentScores(7, 7)) == 0.0


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # The reference table of docs/science.md 3.3.
        ((3.5, 3.0), (3.5, 3.0), 0.71),
        ((4, 4), (4, 4), 0.59),
        ((6, 1.5), (1.5, 6), 0.59),
        ((6, 1.5), (6, 1.5), 0.70),
        ((1.5, 6), (1.5, 6), 0.63),
        # The 4×4 matrix of docs/science.md 3.2 at the style prototypes.
        ((2, 2), (2, 2), 0.88),
        ((2, 2), (5.5, 2), 0.78),
        ((5.5, 2), (2, 5.5), 0.61),
        ((5.5, 5.5), (5.5, 5.5), 0.32),
    ],
)
def test_attachment_matches_the_research_tables(
    first: tuple[float, float], second: tuple[float, float], expected: float
) -> None:
    score = attachment_compatibility(AttachmentScores(*first), AttachmentScores(*second))
    assert score == pytest.approx(expected, abs=0.006)


def test_attachment_example_worked_by_hand() -> None:
    # (4, 1) with (1, 4): x̂A = 0.5, v̂A = 0, x̂B = 0, v̂B = 0.5.
    # penalty = .30·.25 + .35·.25 + .30·(.25 + 0)/2 + .05·0 = .075 + .0875 + .0375 = .2
    score = attachment_compatibility(AttachmentScores(4, 1), AttachmentScores(1, 4))
    assert score == pytest.approx(0.8, abs=1e-12)


@given(attachment_scores(), attachment_scores(), st.floats(0.0, 3.0), st.booleans())
def test_more_insecurity_never_raises_the_score(
    a: AttachmentScores, b: AttachmentScores, step: float, on_anxiety: bool
) -> None:
    before = attachment_compatibility(a, b)
    if on_anxiety:
        worse = AttachmentScores(min(7.0, a.anxiety + step), a.avoidance)
    else:
        worse = AttachmentScores(a.anxiety, min(7.0, a.avoidance + step))
    assert attachment_compatibility(worse, b) <= before + 1e-12


@pytest.mark.parametrize("value", [0.99, 7.01, math.nan, math.inf])
def test_attachment_scores_must_be_on_the_scale(value: float) -> None:
    with pytest.raises(ValidationFailed):
        AttachmentScores(anxiety=value, avoidance=3.0)


def test_attachment_weights_must_sum_to_one() -> None:
    with pytest.raises(ValidationFailed):
        AttachmentPenaltyWeights(anxiety=0.5, avoidance=0.35, cross=0.3, both_avoidant=0.05)


# -- interests (docs/science.md 4.1) --------------------------------------------------------

_FREQUENCIES = DocumentFrequencies(
    total_users=1000, counts={"hiking": 400, "jazz": 100, "chess": 100, "falconry": 2}
)


@given(interest_sets(), interest_sets(), document_frequencies())
def test_interest_similarity_is_symmetric_and_bounded(
    a: frozenset[str], b: frozenset[str], frequencies: DocumentFrequencies
) -> None:
    score = interest_similarity(a, b, frequencies)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(interest_similarity(b, a, frequencies), abs=1e-15)


@given(interest_sets(min_size=3), document_frequencies())
def test_identical_lists_score_one(tags: frozenset[str], frequencies: DocumentFrequencies) -> None:
    assert interest_similarity(tags, tags, frequencies) == pytest.approx(1.0)


@given(interest_sets(min_size=3), interest_sets(min_size=3), document_frequencies())
def test_adding_a_shared_interest_never_lowers_the_score(
    a: frozenset[str], b: frozenset[str], frequencies: DocumentFrequencies
) -> None:
    """With at least three interests each (no shrinkage) and a fixed rarity table."""
    for extra in ("brand-new-tag", *TAGS):
        before = interest_similarity(a, b, frequencies)
        after = interest_similarity(a | {extra}, b | {extra}, frequencies)
        assert after >= before - 1e-12


@given(interest_sets(min_size=1), interest_sets(min_size=1), document_frequencies(), st.data())
def test_turning_an_interest_into_a_shared_one_never_lowers_the_score(
    a: frozenset[str], b: frozenset[str], frequencies: DocumentFrequencies, data: st.DataObject
) -> None:
    """Holds at any list length, shrinkage included: list sizes stay the same."""
    own = sorted(a - b)
    theirs = sorted(b - a)
    if not own or not theirs:
        return
    dropped = data.draw(st.sampled_from(own))
    adopted = data.draw(st.sampled_from(theirs))
    before = interest_similarity(a, b, frequencies)
    after = interest_similarity((a - {dropped}) | {adopted}, b, frequencies)
    assert after >= before - 1e-12


def test_a_rare_shared_interest_counts_more_than_a_common_one() -> None:
    rare = interest_similarity(
        frozenset({"falconry", "jazz", "chess"}), frozenset({"falconry", "a", "b"}), _FREQUENCIES
    )
    common = interest_similarity(
        frozenset({"hiking", "jazz", "chess"}), frozenset({"hiking", "a", "b"}), _FREQUENCIES
    )
    assert rare > common


def test_idf_weighted_jaccard_by_hand() -> None:
    # idf = ln((N + 1)/(n + 1)) + 1 with N = 1000.
    def idf(count: int) -> float:
        return math.log(1001 / (count + 1)) + 1

    a = frozenset({"hiking", "jazz", "chess"})
    b = frozenset({"hiking", "jazz", "falconry"})
    shared = idf(400) + idf(100)
    union = idf(400) + idf(100) + idf(100) + idf(2)
    assert interest_similarity(a, b, _FREQUENCIES) == pytest.approx(shared / union, rel=1e-12)


def test_short_lists_are_shrunk_toward_the_prior() -> None:
    one = frozenset({"falconry"})
    prior = DEFAULT_POLICY.interest_prior
    # One interest each, shared: J = 1, α = 1/3.
    assert interest_similarity(one, one, _FREQUENCIES) == pytest.approx(1 / 3 + 2 / 3 * prior)
    assert interest_similarity(frozenset(), one, _FREQUENCIES) == prior
    assert interest_similarity(frozenset(), frozenset(), _FREQUENCIES) == prior


def test_shared_interests_are_listed_rarest_first() -> None:
    shared = shared_interests(
        frozenset({"hiking", "falconry", "jazz"}),
        frozenset({"jazz", "falconry", "hiking"}),
        _FREQUENCIES,
    )
    assert shared.tags == ("falconry", "jazz", "hiking")
    assert shared.rare_tags == ("falconry",)


def test_document_frequencies_validate_and_count() -> None:
    with pytest.raises(ValidationFailed):
        DocumentFrequencies(total_users=3, counts={"x": 4})
    counted = DocumentFrequencies.from_interest_sets([{"a", "b"}, {"a"}, set()])
    assert counted.total_users == 3
    assert dict(counted.counts) == {"a": 2, "b": 1}
    assert counted.weight("unknown") == pytest.approx(math.log(4) + 1)
    assert counted.weight("a") >= 1.0


# -- values (docs/science.md 4.2) -----------------------------------------------------------


@given(value_ratings(), value_ratings())
def test_values_similarity_is_symmetric_and_bounded(a: ValueRatings, b: ValueRatings) -> None:
    score = values_similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(values_similarity(b, a), abs=1e-15)


@given(value_ratings(), st.floats(-0.5, 0.5))
def test_values_ignore_each_persons_scale_use(ratings: ValueRatings, shift: float) -> None:
    """Centring on the person's own mean (MRAT) makes a uniform shift irrelevant."""
    raw = ratings.as_tuple()
    if min(raw) + shift < 1 or max(raw) + shift > 7 or ratings.unit_profile is None:
        return
    shifted = ratings_in_order(*(value + shift for value in raw))
    partner = ratings_in_order(7, 6, 5, 4, 3, 2, 1, 2, 3, 4)
    assert values_similarity(shifted, partner) == pytest.approx(
        values_similarity(ratings, partner), abs=1e-9
    )


def test_values_examples() -> None:
    a = ratings_in_order(7, 6, 5, 4, 3, 2, 1, 2, 3, 4)
    mirrored = ratings_in_order(*(8 - value for value in a.as_tuple()))
    assert values_similarity(a, a) == pytest.approx(1.0)
    assert values_similarity(a, mirrored) == pytest.approx(0.0, abs=1e-12)
    assert values_similarity(a, None) == 0.5
    flat = ratings_in_order(*(4.0,) * 10)
    assert flat.unit_profile is None
    assert values_similarity(a, flat) == 0.5
    policy = CompatibilityPolicy(neutral_values=0.4)
    assert values_similarity(None, a, policy) == 0.4


def test_shared_priorities_name_values_both_put_first() -> None:
    family = ratings_in_order(4, 3, 3, 3, 2, 5, 4, 4, 7, 5)
    also_family = ratings_in_order(5, 4, 2, 3, 2, 4, 4, 3, 7, 6)
    priorities = shared_value_priorities(family, also_family)
    assert priorities[0] is SchwartzValue.BENEVOLENCE


def test_pvq21_scoring_reverses_and_averages() -> None:
    # Everything "a little like me" (4 → 7 − 4 = 3) except item 12 and 18 (benevolence),
    # "very much like me" (1 → 6).
    answers = dict.fromkeys(range(1, 22), 4) | {12: 1, 18: 1}
    ratings = ValueRatings.from_pvq21(answers)
    assert ratings.benevolence == 6.0
    assert ratings.universalism == 3.0
    with pytest.raises(ValidationFailed):
        ValueRatings.from_pvq21({1: 3})


def test_value_ratings_validate() -> None:
    with pytest.raises(ValidationFailed):
        ratings_in_order(0, 1, 1, 1, 1, 1, 1, 1, 1, 1)
    with pytest.raises(ValidationFailed):
        ValueRatings.from_mapping({SchwartzValue.POWER: 3})


# -- demographics (docs/science.md 5.1-5.2) -------------------------------------------------


def test_age_window_score_inside_the_tolerance_and_beyond() -> None:
    assert age_window_score(30, 25, 35) == 1.0
    # Δ = 1: 1/(1 + e^(−1)); Δ = 2: 1/2; Δ = 3 is past the ±2 year tolerance.
    assert age_window_score(36, 25, 35) == pytest.approx(1 / (1 + math.exp(-1)))
    assert age_window_score(23, 25, 35) == pytest.approx(0.5)
    assert age_window_score(38, 25, 35) == 0.0


def test_distance_score_is_half_at_the_limit_and_zero_beyond() -> None:
    assert distance_score(50.0, 50.0) == pytest.approx(0.5)
    assert distance_score(0.0, 50.0) == pytest.approx(1 / (1 + math.exp(-1 / 0.15)))
    assert distance_score(50.0001, 50.0) == 0.0


@given(st.floats(0, 20_000), st.floats(1, 20_000), st.floats(0, 100))
def test_distance_score_never_rises_with_distance(d: float, limit: float, more: float) -> None:
    assert distance_score(d + more, limit) <= distance_score(d, limit)


def test_haversine_known_distances() -> None:
    berlin, munich = (52.52, 13.405), (48.137, 11.575)
    assert haversine_km(*berlin, *munich) == pytest.approx(504.4, abs=1.0)
    assert haversine_km(*berlin, *berlin) == 0.0
    # A quarter of a great circle.
    assert haversine_km(0, 0, 0, 90) == pytest.approx(math.pi / 2 * 6371.0)
    # Across the date line.
    assert haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.2, abs=0.1)


@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_haversine_is_symmetric_and_bounded(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    d = haversine_km(lat1, lon1, lat2, lon2)
    assert 0.0 <= d <= math.pi * 6371.0 + 1e-9
    assert d == pytest.approx(haversine_km(lat2, lon2, lat1, lon1), abs=1e-9)


@given(value_ratings())
def test_the_kept_centred_profile_is_the_centred_ratings(ratings: ValueRatings) -> None:
    assert ratings.centred_profile == ratings.centred()
