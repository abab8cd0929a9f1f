"""Swipes, matches, daily sets and candidate reads on SQL."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.matching import MatchingRepository

__all__ = ["SqlaMatchingRepository"]


class SqlaMatchingRepository(MatchingRepository):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db
