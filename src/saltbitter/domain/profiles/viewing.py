"""What other members may see: who is viewable, and how far away, roughly.

Locations are stored precisely and never shown (docs/product-rules.md 3). A distance is
computed between the two members' locations snapped to a grid of 0.01 degrees (about
1.1 km north-south), then rounded to whole kilometres, and "less than 1 km" reads as 1.
Snapping first matters: with rounding alone, someone who moves their own location
around and watches the rounded distance change could trilaterate a member's home; with
the grid, the most they can learn is the grid cell.
"""

from __future__ import annotations

from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import haversine_km
from saltbitter.domain.profiles.model import Location, Profile
from saltbitter.domain.shared import UserId

__all__ = ["GRID_DEGREES", "may_view_profile", "public_distance_km", "snapped"]

GRID_DEGREES = 0.01


def snapped(location: Location) -> Location:
    """The centre-of-cell point of ``location`` on the public grid."""
    return Location(
        round(location.lat / GRID_DEGREES) * GRID_DEGREES,
        round(location.lon / GRID_DEGREES) * GRID_DEGREES,
    )


def public_distance_km(first: Location, second: Location) -> int:
    """Whole kilometres between two members as shown to them: at least 1, symmetric."""
    a, b = snapped(first), snapped(second)
    return max(1, round(haversine_km(a.lat, a.lon, b.lat, b.lon)))


def may_view_profile(
    viewer_id: UserId,
    target_id: UserId,
    *,
    target_status: AccountStatus,
    target_profile: Profile | None,
    blocked: bool,
) -> bool:
    """Whether ``viewer_id`` may see ``target_id``'s public profile.

    Members always see their own. Others only see an active member with a visible
    profile, and never across a block (either direction; docs/product-rules.md 7).
    """
    if target_profile is None:
        return False
    if viewer_id == target_id:
        return True
    return target_status is AccountStatus.ACTIVE and not target_profile.paused and not blocked
