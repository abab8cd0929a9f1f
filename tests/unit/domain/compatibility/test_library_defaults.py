"""The compatibility library is usable without reading every signature: a default for
interest frequencies, value ratings by name only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    NO_FREQUENCIES,
    CandidateProfile,
    SchwartzValue,
    ValueRatings,
    compatibility,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.testing.strategies.compatibility import candidate_profiles, value_ratings

NAMES = [value.value for value in SchwartzValue]


def test_value_ratings_cannot_be_built_positionally() -> None:
    with pytest.raises(TypeError):
        ValueRatings(7, 6, 5, 4, 3, 2, 1, 2, 3, 4)  # type: ignore[call-arg]


@given(value_ratings())
def test_value_ratings_round_trip_through_a_mapping_of_names(ratings: ValueRatings) -> None:
    by_name = ratings.as_mapping()
    assert list(by_name) == NAMES
    assert ValueRatings.from_mapping(by_name) == ratings
    assert ValueRatings(**by_name) == ratings


def test_a_mapping_with_a_missing_or_unknown_name_is_refused_field_by_field() -> None:
    ratings = dict.fromkeys(NAMES, 4.0)
    del ratings["power"]
    ratings["kindness"] = 7.0
    with pytest.raises(ValidationFailed) as invalid:
        ValueRatings.from_mapping(ratings)
    assert {(e.field, e.code) for e in invalid.value.errors} == {
        ("power", "invalid"),
        ("kindness", "unknown_value"),
    }


@given(st.tuples(candidate_profiles(), candidate_profiles()))
def test_compatibility_without_frequencies_weighs_every_interest_the_same(
    pair: tuple[CandidateProfile, CandidateProfile],
) -> None:
    first, second = pair
    result = compatibility(first, second)
    assert result == compatibility(first, second, NO_FREQUENCIES)
    if min(len(first.interests), len(second.interests)) >= DEFAULT_POLICY.interest_full_evidence:
        plain = len(first.interests & second.interests) / len(first.interests | second.interests)
        assert result.components.interests == pytest.approx(plain)
    # Nothing is known about rarity, so no reason claims a rare interest.
    assert not any("rare" in reason.text for reason in result.reasons)
