"""Matching's read of blocks on SQL (the safety capability owns blocks).

Kept apart from matching's other SQL ports so that the safety capability can replace it
on its own: when the blocks table lands, this selects from it on the same connection,
inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.matching import BlockedMembers
from saltbitter.domain.shared import UserId

__all__ = ["SqlaBlockedMembers"]


class SqlaBlockedMembers(BlockedMembers):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def blocked_between(
        self,
        viewer_id: UserId,  # noqa: ARG002 - read once the safety capability's table exists
        target_ids: Collection[UserId],  # noqa: ARG002
    ) -> frozenset[UserId]:
        # No blocks table yet (docs/product-rules.md 7): nobody is blocked, and no
        # statement is spent asking.
        return frozenset()
