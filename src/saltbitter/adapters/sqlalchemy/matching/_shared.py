"""Pieces the matching SQL ports share: chunked IN lists, ON CONFLICT inserts, rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Insert, Row
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.matching import StoredMatch
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import DELETED_MEMBER, UserId

__all__ = ["OnConnection", "chunks", "stored_match"]

# IN lists are split so no statement exceeds SQLite's bound-parameter limit.
_CHUNK = 500
_T = TypeVar("_T")


def chunks(items: Iterable[_T]) -> list[list[_T]]:
    listed = list(items)
    return [listed[start : start + _CHUNK] for start in range(0, len(listed), _CHUNK)]


def stored_match(row: Row[Any]) -> StoredMatch:
    return StoredMatch(
        id=row.id,
        # Null: an erased member, whose partner keeps the match's history (ADR 0035).
        pair=MatchPair(
            DELETED_MEMBER if row.user_low is None else UserId(row.user_low),
            DELETED_MEMBER if row.user_high is None else UserId(row.user_high),
        ),
        created_at=row.created_at,
        unmatched_at=row.unmatched_at,
        unmatched_by=None if row.unmatched_by is None else UserId(row.unmatched_by),
    )


class OnConnection:
    """Base of matching's SQL ports: each works on the request's one connection."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    @property
    def _dialect(self) -> str:
        return self._db.dialect_name

    def _insert(self, table: Any) -> Insert:
        """``INSERT ... ON CONFLICT DO NOTHING``: the database's keys decide races."""
        if self._dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if self._dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        raise NotImplementedError(f"no ON CONFLICT for the {self._dialect} dialect")
