"""What the matching use cases answer (plain dataclasses, encoded at the edge).

A member card shows what any member allowed to see them may know: display name, age,
gender, bio, interests, goal, the main photo and a rounded distance. Never coordinates,
the birthdate, the genders sought, values ratings or attachment results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from saltbitter.domain.compatibility import ComponentScores, Gender
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId

__all__ = [
    "CompatibilityView",
    "DailyRunSummary",
    "DailySetItem",
    "DailySetView",
    "DiscoverItem",
    "DiscoverPage",
    "LikeReceivedView",
    "LikesReceivedPage",
    "MainPhoto",
    "MatchView",
    "MatchesPage",
    "MemberCard",
    "SwipeResult",
]


@dataclass(frozen=True, slots=True)
class MainPhoto:
    """The member's main photo behind a short-lived signed URL."""

    url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class MemberCard:
    user_id: UserId
    display_name: str
    age: int
    gender: Gender
    distance_km: int | None
    """Whole kilometres on a coarse grid (never the coordinates); None without a location."""
    bio: str
    interests: list[str]
    relationship_goal: str | None
    photo: MainPhoto | None


@dataclass(frozen=True, slots=True)
class CompatibilityView:
    """The reciprocal total, its four components (each in [0, 1]) and plain reasons."""

    total: float
    components: ComponentScores
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class DailySetItem:
    member: MemberCard
    compatibility: CompatibilityView
    decision: Decision | None
    """What the caller decided on this member so far (None: not yet)."""
    matched: bool


@dataclass(frozen=True, slots=True)
class DailySetView:
    """Today's set in the caller's timezone, best first."""

    local_date: date
    items: list[DailySetItem]


@dataclass(frozen=True, slots=True)
class DiscoverItem:
    member: MemberCard
    compatibility: CompatibilityView


@dataclass(frozen=True, slots=True)
class DiscoverPage:
    items: list[DiscoverItem]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class MatchView:
    match_id: UUID
    member: MemberCard
    matched_at: datetime


@dataclass(frozen=True, slots=True)
class MatchesPage:
    items: list[MatchView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class LikeReceivedView:
    member: MemberCard
    liked_at: datetime


@dataclass(frozen=True, slots=True)
class LikesReceivedPage:
    items: list[LikeReceivedView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class SwipeResult:
    decision: Decision
    matched: bool
    match_id: UUID | None


@dataclass(frozen=True, slots=True)
class DailyRunSummary:
    """What one run of the daily job did."""

    members: int
    """Members considered (available, with a profile)."""
    due: int
    """Members whose 06:00 had come and who had no set for their date yet."""
    created: int
    """Sets this run stored (another run may have stored some of the due ones first)."""
    delivered: int
    """Candidates placed in those sets."""
    local_dates: list[date]
    exposure_gini: float
    compatibility_ratio: float
