"""Ports of the matching capability (issue 4)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["MatchingRepository"]


class MatchingRepository(Protocol):
    """Likes and passes, matches and daily sets (tables ``swipes``, ``matches``,
    ``daily_set_runs``, ``daily_set_entries``), plus the candidate reads scoring needs."""
