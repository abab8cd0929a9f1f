"""In-memory fake of the matching repository (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.matching import MatchingRepository

__all__ = ["InMemoryMatchingRepository", "MatchingState"]


@dataclass
class MatchingState:
    """Committed swipes, matches and daily sets of one in-memory database."""


class InMemoryMatchingRepository(MatchingRepository):
    """Reads profiles and assessments from the same database for candidate queries."""

    def __init__(self, state: MatchingState, database: object) -> None:
        self._state = state
        self._database = database
