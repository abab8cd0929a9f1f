"""The in-memory database's matching state (its own module: the safety fakes read the
matches, and matching's swipe fake reads the blocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from saltbitter.application.ports.matching import DailySet, StoredMatch
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId

__all__ = ["MatchingState"]


@dataclass
class MatchingState:
    """Committed swipes, matches and daily sets of one in-memory database."""

    swipes: dict[tuple[UserId, UserId], tuple[Decision, datetime]] = field(default_factory=dict)
    matches: dict[UUID, StoredMatch] = field(default_factory=dict)
    daily_sets: dict[tuple[UserId, date], DailySet] = field(default_factory=dict)
    discover_allotments: dict[tuple[UserId, date], list[UserId]] = field(default_factory=dict)
