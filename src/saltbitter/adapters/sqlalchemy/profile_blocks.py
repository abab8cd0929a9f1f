"""Blocks as profile views read them: none yet.

Blocking arrives with the safety capability (docs/product-rules.md 7); until its table
exists no pair is blocked. This module holds only this class so that the safety work can
replace it with a query of its table without touching the rest of profiles.
"""

from __future__ import annotations

from collections.abc import Collection

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.profiles import ProfileBlocks
from saltbitter.domain.shared import UserId

__all__ = ["SqlaProfileBlocks"]


class SqlaProfileBlocks(ProfileBlocks):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def blocked_between(
        self,
        viewer_id: UserId,  # noqa: ARG002 - the safety capability's table answers it
        target_ids: Collection[UserId],  # noqa: ARG002
    ) -> frozenset[UserId]:
        return frozenset()
