"""The one SQL read of blocks that other capabilities wire behind their own ports
(matching's ``BlockedMembers``, profiles' block check): blocks in either direction."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, or_, select, union

from saltbitter.adapters.sqlalchemy.shared_reads import among
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables_safety import blocks
from saltbitter.application.ports.safety import BlockReads
from saltbitter.domain.shared import UserId

__all__ = ["SqlaBlockReads", "blocked_between", "blocked_pairs"]

# Bound parameter lists above this size are split (SQLite's variable limit is 32766).
_CHUNK = 5000


async def blocked_between(
    db: StagedConnection, viewer_id: UserId, target_ids: Collection[UserId]
) -> frozenset[UserId]:
    """The targets that ``viewer_id`` blocked or was blocked by, on the caller's
    connection (inside its transaction when one is open)."""
    wanted = list(dict.fromkeys(target_ids))
    found: set[UserId] = set()
    dialect = db.dialect_name
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        statement = union(
            select(blocks.c.blocked_id.label("member")).where(
                and_(
                    blocks.c.blocker_id == viewer_id,
                    among(blocks.c.blocked_id, chunk, dialect),
                )
            ),
            select(blocks.c.blocker_id.label("member")).where(
                and_(
                    blocks.c.blocked_id == viewer_id,
                    among(blocks.c.blocker_id, chunk, dialect),
                )
            ),
        )
        found.update(UserId(row.member) for row in await db.execute(statement))
    return frozenset(found)


async def blocked_pairs(
    db: StagedConnection, members: Collection[UserId]
) -> frozenset[frozenset[UserId]]:
    """Every block, either direction, with ``members`` on at least one side, as pairs;
    one statement per chunk of members."""
    wanted = list(dict.fromkeys(members))
    found: set[frozenset[UserId]] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        statement = select(blocks.c.blocker_id, blocks.c.blocked_id).where(
            or_(
                among(blocks.c.blocker_id, chunk, db.dialect_name),
                among(blocks.c.blocked_id, chunk, db.dialect_name),
            )
        )
        found.update(
            frozenset((UserId(row.blocker_id), UserId(row.blocked_id)))
            for row in await db.execute(statement)
        )
    return frozenset(found)


class SqlaBlockReads(BlockReads):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        if not target_ids:
            return frozenset()
        return await blocked_between(self._db, viewer_id, target_ids)
