"""Profile rules: every field checked, every problem reported at once, interests normalised."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.compatibility import Gender, SchwartzValue
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.profiles import (
    INTERESTS_MAX,
    INTERESTS_MIN,
    Location,
    RelationshipGoal,
    Visibility,
    normalise_interest,
    parse_profile,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import a_profile, ratings_in_order

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
ALL_TEN = {value.value: 4 for value in SchwartzValue}


def raw(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "gender": "woman",
        "genders_sought": ["man"],
        "age_min": 25,
        "age_max": 35,
        "bio": "Hello there.",
        "interests": ["hiking", "jazz", "cooking"],
        "relationship_goal": None,
        "values": None,
        "lat": 48.8566,
        "lon": 2.3522,
        "max_distance_km": 30.0,
        "visibility": "visible",
        "now": NOW,
    }
    fields.update(overrides)
    return fields


def problems(**overrides: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_profile(UserId(uuid4()), **raw(**overrides))
    return {error.field: error.code for error in caught.value.errors}


def test_a_valid_profile_is_built_with_typed_fields() -> None:
    user_id = UserId(uuid4())
    profile = parse_profile(
        user_id,
        **raw(
            gender="nonbinary",
            genders_sought=["woman", "nonbinary", "woman"],
            bio="  Two lines\nof bio.  ",
            relationship_goal="open_to_both",
            values={**ALL_TEN, "power": 1, "benevolence": 7},
            visibility="paused",
        ),
    )
    assert profile.user_id == user_id
    assert profile.gender is Gender.NON_BINARY
    assert profile.genders_sought == frozenset({Gender.WOMAN, Gender.NON_BINARY})
    assert profile.bio == "Two lines\nof bio."
    assert profile.relationship_goal is RelationshipGoal.OPEN_TO_BOTH
    assert profile.values is not None
    assert profile.values.power == 1.0
    assert profile.values.benevolence == 7.0
    assert profile.location == Location(48.8566, 2.3522)
    assert profile.visibility is Visibility.PAUSED
    assert profile.paused
    assert profile.updated_at == NOW


def test_every_problem_is_reported_at_once_with_wire_names() -> None:
    assert problems(
        gender="robot",
        genders_sought=[],
        age_min=17,
        age_max=100,
        bio="x" * 501,
        interests=["one", "two"],
        relationship_goal="forever",
        values={"power": 9},
        lat=91.0,
        lon=-181.0,
        max_distance_km=0.5,
        visibility="hidden",
    ) == {
        "gender": "invalid_choice",
        "genders_sought": "required",
        "age_min": "out_of_range",
        "age_max": "out_of_range",
        "bio": "too_long",
        "interests": "too_few",
        "relationship_goal": "invalid_choice",
        "values.power": "out_of_range",
        **{f"values.{v.value}": "required" for v in SchwartzValue if v.value != "power"},
        "location.lat": "out_of_range",
        "location.lon": "out_of_range",
        "max_distance_km": "out_of_range",
        "visibility": "invalid_choice",
    }


@pytest.mark.parametrize(
    ("bio", "ok"),
    [("x" * 500, True), ("x" * 501, False), ("a\nb\tc", True), ("bell\x07", False), ("", True)],
)
def test_bio_limits(bio: str, ok: bool) -> None:
    if ok:
        assert parse_profile(UserId(uuid4()), **raw(bio=bio)).bio == bio.strip()
    else:
        assert set(problems(bio=bio)) == {"bio"}


def test_bio_length_counts_after_stripping_the_edges() -> None:
    assert parse_profile(UserId(uuid4()), **raw(bio="  " + "x" * 500 + "\n")).bio == "x" * 500


@pytest.mark.parametrize(
    ("interests", "expected"),
    [
        (["a", "b"], {"interests": "too_few"}),
        ([f"tag {i}" for i in range(16)], {"interests": "too_many"}),
        (["Jazz", "jazz", " JAZZ ", "tea"], {"interests": "too_few"}),
        (["ok", "fine", "x" * 41], {"interests.2": "too_long"}),
        (["ok", "  ", "fine", "good"], {"interests.1": "blank"}),
        (["ok", "fi\x00ne", "good"], {"interests.1": "invalid"}),
    ],
)
def test_interest_rules(interests: list[str], expected: dict[str, str]) -> None:
    assert problems(interests=interests) == expected


def test_interests_are_normalised_and_deduplicated_in_order() -> None:
    profile = parse_profile(
        UserId(uuid4()),
        **raw(interests=["  Rock   Climbing ", "TEA", "rock climbing", "Zoë's Café", "tea"]),
    )
    assert profile.interests == ("rock climbing", "tea", "zoë's café")


@pytest.mark.parametrize(
    ("age_min", "age_max", "expected"),
    [
        (18, 99, {}),
        (30, 30, {}),
        (17, 30, {"age_min": "out_of_range"}),
        (30, 100, {"age_max": "out_of_range"}),
        (40, 30, {"age_min": "age_range_inverted"}),
        (True, 30, {"age_min": "out_of_range"}),
        (25.5, 30, {"age_min": "out_of_range"}),
    ],
)
def test_age_range(age_min: Any, age_max: Any, expected: dict[str, str]) -> None:
    if expected:
        assert problems(age_min=age_min, age_max=age_max) == expected
    else:
        profile = parse_profile(UserId(uuid4()), **raw(age_min=age_min, age_max=age_max))
        assert (profile.age_min, profile.age_max) == (age_min, age_max)


@pytest.mark.parametrize("distance", [1, 1.0, 250.5, 500])
def test_distances_in_range_are_kept(distance: float) -> None:
    profile = parse_profile(UserId(uuid4()), **raw(max_distance_km=distance))
    assert profile.max_distance_km == float(distance)


@pytest.mark.parametrize("distance", [0, 0.99, 500.01, math.inf, math.nan, -5])
def test_distances_out_of_range_are_refused(distance: float) -> None:
    assert problems(max_distance_km=distance) == {"max_distance_km": "out_of_range"}


@pytest.mark.parametrize(
    ("lat", "lon", "fields"),
    [
        (90.0, 180.0, set()),
        (-90.0, -180.0, set()),
        (90.0001, 0.0, {"location.lat"}),
        (0.0, 180.5, {"location.lon"}),
        (math.nan, math.inf, {"location.lat", "location.lon"}),
    ],
)
def test_location_ranges(lat: float, lon: float, fields: set[str]) -> None:
    if fields:
        assert set(problems(lat=lat, lon=lon)) == fields
    else:
        assert parse_profile(UserId(uuid4()), **raw(lat=lat, lon=lon)).location == Location(
            lat, lon
        )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({**ALL_TEN, "power": 0}, {"values.power": "out_of_range"}),
        ({**ALL_TEN, "power": 8}, {"values.power": "out_of_range"}),
        ({**ALL_TEN, "power": 3.5}, {"values.power": "out_of_range"}),
        ({**ALL_TEN, "power": True}, {"values.power": "out_of_range"}),
        ({**ALL_TEN, "power": "5"}, {"values.power": "out_of_range"}),
        ({**ALL_TEN, "kindness": 5}, {"values.kindness": "unknown_value"}),
        (
            {k: v for k, v in ALL_TEN.items() if k != "tradition"},
            {"values.tradition": "required"},
        ),
    ],
)
def test_values_need_all_ten_whole_ratings_from_1_to_7(
    values: dict[str, object], expected: dict[str, str]
) -> None:
    assert problems(values=values) == expected


def test_values_may_be_left_out() -> None:
    assert parse_profile(UserId(uuid4()), **raw(values=None)).values is None


def test_an_unknown_sought_gender_is_named_by_position() -> None:
    assert problems(genders_sought=["man", "cat"]) == {"genders_sought.1": "invalid_choice"}


def test_building_a_profile_directly_checks_the_same_rules() -> None:
    with pytest.raises(ValidationFailed) as caught:
        a_profile(UserId(uuid4()), age_min=50, age_max=20, interests=("a",), bio="b" * 600)
    assert {e.field for e in caught.value.errors} == {"age_min", "interests", "bio"}
    with pytest.raises(ValueError, match="timezone-aware"):
        a_profile(UserId(uuid4()), updated_at=datetime(2026, 1, 1))


def test_the_wrong_types_in_a_direct_build_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        a_profile(
            UserId(uuid4()),
            gender="woman",
            genders_sought=frozenset(),
            visibility="visible",
            relationship_goal="long_term",
            values={"power": 3},
        )
    assert {e.field for e in caught.value.errors} == {
        "gender",
        "genders_sought",
        "visibility",
        "relationship_goal",
        "values",
    }


tags = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]), max_size=45)


@given(st.lists(tags, max_size=25))
def test_interest_normalisation_laws(interests: list[str]) -> None:
    try:
        profile = a_profile(UserId(uuid4()), interests=tuple(interests))
    except ValidationFailed:
        normalised = {normalise_interest(tag) for tag in interests}
        assert not INTERESTS_MIN <= len(normalised) <= INTERESTS_MAX or any(
            not n or len(n) > 40 or not n.isprintable() for n in normalised
        )
        return
    kept = profile.interests
    assert INTERESTS_MIN <= len(kept) <= INTERESTS_MAX
    assert len(set(kept)) == len(kept)
    assert all(normalise_interest(tag) == tag for tag in kept)  # idempotent
    assert set(kept) == {normalise_interest(tag) for tag in interests}
    # First occurrence decides the order.
    firsts = list(dict.fromkeys(normalise_interest(tag) for tag in interests))
    assert list(kept) == firsts


@given(
    st.sampled_from(Gender),
    st.sets(st.sampled_from(Gender), min_size=1),
    st.integers(18, 99),
    st.integers(18, 99),
    st.floats(-90, 90),
    st.floats(-180, 180),
    st.floats(1, 500),
    st.none() | st.sampled_from(RelationshipGoal),
    st.none() | st.lists(st.integers(1, 7), min_size=10, max_size=10),
    st.sampled_from(Visibility),
)
def test_parsing_a_profiles_own_fields_gives_it_back(
    gender: Gender,
    sought: set[Gender],
    first_age: int,
    second_age: int,
    lat: float,
    lon: float,
    distance: float,
    goal: RelationshipGoal | None,
    ratings: list[int] | None,
    visibility: Visibility,
) -> None:
    values = None if ratings is None else ratings_in_order(*map(float, ratings))
    profile = a_profile(
        UserId(uuid4()),
        gender=gender,
        genders_sought=frozenset(sought),
        age_min=min(first_age, second_age),
        age_max=max(first_age, second_age),
        location=Location(lat, lon),
        max_distance_km=distance,
        relationship_goal=goal,
        values=values,
        visibility=visibility,
    )
    parsed = parse_profile(
        profile.user_id,
        gender=profile.gender.value,
        genders_sought=[g.value for g in profile.genders_sought],
        age_min=profile.age_min,
        age_max=profile.age_max,
        bio=profile.bio,
        interests=list(profile.interests),
        relationship_goal=None if goal is None else goal.value,
        values=None
        if ratings is None
        else dict(zip((v.value for v in SchwartzValue), ratings, strict=True)),
        lat=lat,
        lon=lon,
        max_distance_km=distance,
        visibility=visibility.value,
        now=profile.updated_at,
    )
    assert parsed == profile
    assert replace(parsed, bio="changed") != profile
