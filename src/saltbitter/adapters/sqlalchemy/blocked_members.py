"""Matching's read of blocks on SQL: the safety capability's ``blocks`` table, on the
request's connection (inside the caller's transaction when one is open)."""

from __future__ import annotations

from collections.abc import Collection

from saltbitter.adapters.sqlalchemy.block_reads import SqlaBlockReads, blocked_pairs
from saltbitter.application.ports.matching import BlockedMembers
from saltbitter.domain.shared import UserId

__all__ = ["SqlaBlockedMembers"]


class SqlaBlockedMembers(SqlaBlockReads, BlockedMembers):
    """Blocks in either direction hide both members from each other."""

    __slots__ = ()

    async def blocked_pairs(self, members: Collection[UserId]) -> frozenset[frozenset[UserId]]:
        if not members:
            return frozenset()
        return await blocked_pairs(self._db, members)
