"""Who may see a profile, and how far away they look: rounded, on a grid, symmetric."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import haversine_km
from saltbitter.domain.profiles import (
    Location,
    Visibility,
    may_view_profile,
    public_distance_km,
    snapped,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import a_profile

locations = st.builds(Location, st.floats(-89.9, 89.9), st.floats(-179.9, 179.9))


def test_close_members_read_as_one_km() -> None:
    here = Location(52.52, 13.405)
    assert public_distance_km(here, here) == 1
    assert public_distance_km(here, Location(52.5215, 13.4062)) == 1


def test_a_known_distance_is_rounded_to_whole_km() -> None:
    berlin, hamburg = Location(52.52, 13.405), Location(53.5511, 9.9937)
    assert public_distance_km(berlin, hamburg) == 255


@given(locations, locations)
def test_public_distance_laws(first: Location, second: Location) -> None:
    shown = public_distance_km(first, second)
    true = haversine_km(first.lat, first.lon, second.lat, second.lon)
    assert isinstance(shown, int)
    assert shown >= 1
    assert shown == public_distance_km(second, first)
    # Each point moves at most half a grid cell (under 0.8 km), then rounding adds 0.5.
    assert abs(shown - true) <= 2.1 or (true < 1 and shown == 1)


@given(locations, st.floats(-0.0049, 0.0049), st.floats(-0.0049, 0.0049))
def test_moving_inside_a_grid_cell_changes_nothing(
    point: Location, dlat: float, dlon: float
) -> None:
    centre = snapped(point)
    nearby = Location(centre.lat + dlat, centre.lon + dlon)
    assert snapped(nearby) == snapped(centre)
    far = Location(10.0, 10.0)
    assert public_distance_km(nearby, far) == public_distance_km(centre, far)


VIEWER, TARGET = UserId(uuid4()), UserId(uuid4())
VISIBLE = a_profile(TARGET)
PAUSED = a_profile(TARGET, visibility=Visibility.PAUSED)


@pytest.mark.parametrize(
    ("status", "profile", "blocked", "allowed"),
    [
        (AccountStatus.ACTIVE, VISIBLE, False, True),
        (AccountStatus.ACTIVE, PAUSED, False, False),
        (AccountStatus.ACTIVE, None, False, False),
        (AccountStatus.ACTIVE, VISIBLE, True, False),
        (AccountStatus.SUSPENDED, VISIBLE, False, False),
        (AccountStatus.DEACTIVATED, VISIBLE, False, False),
        (AccountStatus.PENDING_VERIFICATION, VISIBLE, False, False),
    ],
)
def test_who_may_see_a_profile(
    status: AccountStatus, profile: object, blocked: bool, allowed: bool
) -> None:
    assert (
        may_view_profile(
            VIEWER,
            TARGET,
            target_status=status,
            target_profile=profile,  # type: ignore[arg-type]
            blocked=blocked,
        )
        is allowed
    )


def test_members_always_see_their_own_profile_even_paused() -> None:
    assert may_view_profile(
        TARGET, TARGET, target_status=AccountStatus.ACTIVE, target_profile=PAUSED, blocked=False
    )
    assert not may_view_profile(
        TARGET, TARGET, target_status=AccountStatus.ACTIVE, target_profile=None, blocked=False
    )
