"""Match reasons say the shown distance: the card's number, never the precise one."""

from __future__ import annotations

import re
from uuid import UUID

from hypothesis import assume, given
from hypothesis import strategies as st

from saltbitter.domain.compatibility import (
    GRID_DEGREES,
    CandidateProfile,
    Component,
    DocumentFrequencies,
    Gender,
    compatibility,
    distance_phrase,
    public_distance_km,
    restate_distance,
    snap_degrees,
)
from saltbitter.domain.profiles import Location
from saltbitter.domain.profiles import public_distance_km as card_distance_km
from saltbitter.domain.shared import UserId

_NOTHING_SHARED = DocumentFrequencies(total_users=0, counts={})
_NUMBER = re.compile(r"\d+")


def _member(number: int, lat: float, lon: float) -> CandidateProfile:
    woman = number % 2 == 0
    return CandidateProfile(
        user_id=UserId(UUID(int=number)),
        age=30,
        gender=Gender.WOMAN if woman else Gender.MAN,
        genders_sought=frozenset({Gender.MAN if woman else Gender.WOMAN}),
        age_min=25,
        age_max=35,
        latitude=lat,
        longitude=lon,
        max_distance_km=20_000.0,  # nobody is too far: the distance is always a reason
        interests=frozenset(),
    )


def _distance_reasons(first: CandidateProfile, second: CandidateProfile) -> list[str]:
    reasons = compatibility(first, second, _NOTHING_SHARED).reasons
    return [r.text for r in reasons if r.component is Component.DEMOGRAPHICS and "km" in r.text]


def test_the_reason_says_the_cards_number_not_the_precise_one() -> None:
    # 6.34 km apart precisely, 7 km between the grid cells: the card says 7, and the
    # reason used to say "about 6 km apart" from the precise coordinates.
    here, there = _member(2, 52.52, 13.405), _member(3, 52.577, 13.405)
    card = card_distance_km(Location(52.52, 13.405), Location(52.577, 13.405))
    assert card == 7
    assert _distance_reasons(here, there) == ["about 7 km apart"]


latitudes = st.floats(-89.9, 89.9)
longitudes = st.floats(-179.9, 179.9)
# Strictly inside a cell: the centre plus less than half a cell either way.
within_cell = st.floats(-0.49 * GRID_DEGREES, 0.49 * GRID_DEGREES)


@given(latitudes, longitudes, latitudes, longitudes, within_cell, within_cell)
def test_words_and_number_agree_and_say_no_more_than_the_grid(
    lat1: float, lon1: float, lat2: float, lon2: float, dlat: float, dlon: float
) -> None:
    first, second = _member(2, lat1, lon1), _member(3, lat2, lon2)
    shown = card_distance_km(Location(lat1, lon1), Location(lat2, lon2))
    # Near-antipodal pairs (up to ~20,015 km apart) lie past the members' 20,000 km
    # maximum, so no distance reason is given for them at all.
    assume(shown <= 19_900)
    # The words carry exactly the card's number (and only that number).
    assert _distance_reasons(first, second) == [distance_phrase(shown)]
    assert [int(n) for n in _NUMBER.findall(distance_phrase(shown))] == [shown]
    assert shown == public_distance_km(lat1, lon1, lat2, lon2) >= 1
    # Nothing finer than the grid: anywhere in the first member's cell reads the same.
    moved_lat = snap_degrees(lat1) + dlat
    moved_lon = snap_degrees(lon1) + dlon
    moved = _member(2, moved_lat, moved_lon)
    assert card_distance_km(Location(moved_lat, moved_lon), Location(lat2, lon2)) == shown
    assert _distance_reasons(moved, second) == [distance_phrase(shown)]


@given(st.integers(1, 20_000))
def test_stored_reasons_are_restated_with_the_shown_distance(shown: int) -> None:
    stored = ("3 shared interests", "less than 1 km apart", "about 25 km apart", "x km")
    assert restate_distance(stored, shown) == (
        "3 shared interests",
        distance_phrase(shown),
        distance_phrase(shown),
        "x km",
    )
    assert restate_distance(stored, None) == ("3 shared interests", "x km")
