"""Edge cases of the kernel's formulation, checked against the scalar rules.

The kernel reads attachment and values as products with feature rows, the backward age
score from a table over the population's distinct windows, availability from an
eligibility limit, caps the distance decay's base-2 exponent past a distance limit, and
adds the shared interest weight from postings (rarer tags) and dense rows (very common
ones): each case below sits on one of those formulations' borders.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal
from uuid import UUID

import pytest

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    AttachmentScores,
    CandidateProfile,
    CompatibilityPolicy,
    Gender,
    ScoringPopulation,
    check_eligibility,
    compatibility,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import ratings_in_order

Precision = Literal["float64", "float32"]
# float64 agrees with the scalar rule to 1e-9; float32 is the documented ranking path.
_TOLERANCE: dict[Precision, float] = {"float64": 1e-9, "float32": 1e-4}
_COMPONENTS = ("attachment", "interests", "values", "demographics")


def _member(number: int, **overrides: Any) -> CandidateProfile:
    fields: dict[str, Any] = {
        "user_id": UserId(UUID(int=number)),
        "age": 30,
        "gender": Gender.WOMAN,
        "genders_sought": frozenset({Gender.MAN}),
        "age_min": 25,
        "age_max": 35,
        "latitude": 52.52,
        "longitude": 13.405,
        "max_distance_km": 50.0,
        "interests": frozenset({"hiking", "jazz", "baking"}),
        "values": ratings_in_order(6, 5, 4, 3, 2, 5, 3, 2, 7, 6),
        "attachment": AttachmentScores(3.5, 2.5),
    }
    fields.update(overrides)
    return CandidateProfile(**fields)


def _man(number: int, **overrides: Any) -> CandidateProfile:
    return _member(
        number, **{"gender": Gender.MAN, "genders_sought": frozenset({Gender.WOMAN}), **overrides}
    )


def _assert_agrees(
    population: ScoringPopulation, precision: Precision, viewers: range | None = None
) -> None:
    scorer = NumpyBatchScorer(precision=precision)
    tolerance = _TOLERANCE[precision]
    policy, frequencies = population.policy, population.frequencies
    for viewer in viewers or range(len(population)):
        fast = scorer.score_one_to_many(population, viewer)
        me = population.profiles[viewer]
        for position, other in enumerate(population.profiles):
            expected = compatibility(me, other, frequencies, policy)
            assert fast.total[position] == pytest.approx(expected.total, abs=tolerance)
            got = fast.components_at(position)
            for name in _COMPONENTS:
                assert getattr(got, name) == pytest.approx(
                    getattr(expected.components, name), abs=tolerance
                ), (viewer, position, name)
            eligibility = check_eligibility(me, other, policy=policy)
            assert fast.eligible[position] == (eligibility.eligible and position != viewer), (
                viewer,
                position,
                eligibility.reason,
            )


PRECISIONS: tuple[Precision, ...] = ("float64", "float32")


@pytest.mark.parametrize("precision", PRECISIONS)
def test_members_without_interests(precision: Precision) -> None:
    population = ScoringPopulation.build(
        [
            _member(1, interests=frozenset()),
            _man(2),
            _man(3, interests=frozenset()),
            _member(4, interests=frozenset({"hiking"})),  # below full evidence: shrunk
        ]
    )
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("neutral_values", [0.5, 0.3])
def test_missing_and_flat_values(precision: Precision, neutral_values: float) -> None:
    # A flat profile has no unit profile (zero row); a missing one is neutral. With a
    # neutral score other than ½ the zero rows must not be taken for "no correlation".
    policy: CompatibilityPolicy = replace(DEFAULT_POLICY, neutral_values=neutral_values)
    population = ScoringPopulation.build(
        [
            _member(1, values=None),
            _man(2),
            _man(3, values=None),
            _man(4, values=ratings_in_order(*([4] * 10))),
            _member(5),
            _man(6, values=ratings_in_order(2, 3, 4, 5, 6, 3, 5, 6, 1, 2)),
        ],
        policy=policy,
    )
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_rare_and_very_common_interests(precision: Precision) -> None:
    # More distinct tags than the kernel keeps as dense rows, so the rarer ones go
    # through the postings (float32 sums them in its own dtype) and the rest through
    # dense rows; members share none, one kind, or both.
    tags = [f"tag{number}" for number in range(40)]
    members = [
        (_member if number % 2 else _man)(
            number + 1,
            interests=frozenset(
                {"hiking", tags[number % 40], tags[(3 * number) % 40], tags[(7 * number + 1) % 40]}
            ),
        )
        for number in range(60)
    ]
    members.append(_man(61, interests=frozenset({"hiking"})))
    population = ScoringPopulation.build(members)
    _assert_agrees(population, precision, viewers=range(0, 61, 6))


@pytest.mark.parametrize("precision", PRECISIONS)
def test_missing_attachment_on_either_side(precision: Precision) -> None:
    population = ScoringPopulation.build(
        [_member(1, attachment=None), _man(2), _man(3, attachment=None), _member(4)]
    )
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_ages_at_and_around_the_window_borders(precision: Precision) -> None:
    # The viewer's window is [25, 35] with a 2-year tolerance: ages 22-38 cover inside,
    # exactly on each border, inside the tolerance and one year past it, both ways
    # (each candidate's own window is placed so the viewer, 30, sits at the same spots).
    tolerance = DEFAULT_POLICY.age_tolerance_years
    members = [_member(1)]
    for number, age in enumerate(range(25 - tolerance - 1, 35 + tolerance + 2), start=2):
        offset = age - 30
        members.append(_man(number, age=age, age_min=30 + offset, age_max=35 + offset))
    members.append(_man(50, age=30, age_min=30, age_max=30))  # a one-year window
    members.append(_member(51, age=30, age_min=30, age_max=30))
    population = ScoringPopulation.build(members)
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_zero_distance_and_the_distance_limit(precision: Precision) -> None:
    # Same point (distance 0), nearby, around a 10 km limit, and across the globe
    # (the exponent is capped there: the pair must still be ineligible and scored).
    population = ScoringPopulation.build(
        [
            _member(1, max_distance_km=10.0),
            _man(2),
            _man(3, latitude=52.52 + 1e-7),
            _man(4, latitude=52.52 + 9.0 / 111.2),
            _man(5, latitude=52.52 + 11.0 / 111.2),
            _man(6, latitude=52.52 + 30.0 / 111.2, max_distance_km=1.0),
            _man(7, latitude=-33.9, longitude=151.2),
        ]
    )
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_the_antipode_just_beyond_the_largest_limit(precision: Precision) -> None:
    # πR ≈ 20,015 km against a 20,000 km limit. float32 used to shrink the unit vectors
    # by 64 ulps so that |ΔP|² never exceeded 1, which near the antipode shortened
    # distances by tens of km (asin is steep there) and let this pair through; it now
    # clamps |ΔP|² at 1 instead (its rounding there is worth a few km).
    population = ScoringPopulation.build(
        [
            _member(1, max_distance_km=20_000.0),
            _man(2, latitude=-52.52, longitude=-166.595, max_distance_km=20_000.0),
            _man(3, latitude=-52.0, longitude=-166.595, max_distance_km=20_000.0),
        ]
    )
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_genders_not_sought_and_unavailable_members(precision: Precision) -> None:
    population = ScoringPopulation.build(
        [
            _member(1, genders_sought=frozenset({Gender.MAN, Gender.NON_BINARY})),
            _man(2),
            _man(3, genders_sought=frozenset({Gender.MAN})),  # does not seek the viewer
            _member(4),  # not sought by the viewer
            _man(5, paused=True),
            _man(6, suspended=True),
            _member(7, gender=Gender.NON_BINARY, genders_sought=frozenset(Gender)),
        ]
    )
    _assert_agrees(population, precision)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_top_candidates_leave_out_unavailable_members(precision: Precision) -> None:
    # The kernel's comparison leaves availability to its callers (once per output):
    # the top-k path must still drop paused and suspended candidates.
    population = ScoringPopulation.build(
        [_member(1), _man(2), _man(3, paused=True), _man(4, suspended=True), _man(5)]
    )
    ranked = NumpyBatchScorer(precision=precision).top_candidates(population, 10, viewers=[0])
    assert sorted(ranked.candidates) == [1, 4]
