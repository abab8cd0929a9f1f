"""What other members may see: who is viewable, and how far away, roughly.

Locations are stored precisely and never shown (docs/product-rules.md 3): the distance
shown is ``domain.compatibility.public_distance_km`` (snapped to a 0.01 degree grid,
whole kilometres), the same number match reasons say.
"""

from __future__ import annotations

from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import GRID_DEGREES, snap_degrees
from saltbitter.domain.compatibility import public_distance_km as _public_km
from saltbitter.domain.profiles.model import Location, Profile
from saltbitter.domain.shared import UserId

__all__ = ["GRID_DEGREES", "may_view_profile", "public_distance_km", "snapped"]


def snapped(location: Location) -> Location:
    """The centre-of-cell point of ``location`` on the public grid."""
    return Location(snap_degrees(location.lat), snap_degrees(location.lon))


def public_distance_km(first: Location, second: Location) -> int:
    """Whole kilometres between two members as shown to them: at least 1, symmetric."""
    return _public_km(first.lat, first.lon, second.lat, second.lon)


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
