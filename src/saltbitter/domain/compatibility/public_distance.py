"""The one distance members ever see, in numbers and in words (docs/product-rules.md 3).

Locations are stored precisely and never shown. The shown distance is computed between
the two locations snapped to a grid of 0.01 degrees (about 1.1 km north-south), then
rounded to whole kilometres, with "less than 1 km" reading as 1. Snapping first
matters: with rounding alone, someone who moves their own location around and watches
the rounded distance change could trilaterate a member's home; with the grid, the most
they can learn is the grid cell. Cards, public profiles and match reasons all say this
same number, so no view is more precise than another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._numeric import haversine_km

__all__ = [
    "GRID_DEGREES",
    "distance_phrase",
    "public_distance_km",
    "restate_distance",
    "snap_degrees",
]

GRID_DEGREES = 0.01

# Every wording a distance reason ever had, so stored reasons can be restated.
_DISTANCE_REASON = re.compile(r"(about \d+|less than 1) km apart")


def snap_degrees(degrees: float) -> float:
    """The centre of the grid cell holding ``degrees`` (latitude or longitude)."""
    return round(degrees / GRID_DEGREES) * GRID_DEGREES


def public_distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Whole kilometres between two grid cells: at least 1, symmetric."""
    return max(
        1,
        round(
            haversine_km(
                snap_degrees(lat1), snap_degrees(lon1), snap_degrees(lat2), snap_degrees(lon2)
            )
        ),
    )


def distance_phrase(distance_km: int) -> str:
    """The reason's words for a shown distance: the same number, nothing finer."""
    return f"about {distance_km} km apart"


def restate_distance(reasons: Iterable[str], distance_km: int | None) -> tuple[str, ...]:
    """``reasons`` with any distance reason saying ``distance_km`` (dropped when None).

    Reasons stored earlier (a daily set) may predate a move or an older wording; the
    card shown next to them carries the current shown distance, and both must agree.
    """
    restated: list[str] = []
    for reason in reasons:
        if _DISTANCE_REASON.fullmatch(reason) is None:
            restated.append(reason)
        elif distance_km is not None:
            restated.append(distance_phrase(distance_km))
    return tuple(restated)
