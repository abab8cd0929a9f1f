"""In-memory fake of ``BlockedMembers``, matching's read of blocks: the fakes' safety
state (``SafetyState.blocks``), either direction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from saltbitter.application.ports.matching import BlockedMembers
from saltbitter.application.ports.safety import Block
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_safety import InMemoryBlockReads

__all__ = ["InMemoryBlockedMembers"]


class InMemoryBlockedMembers(InMemoryBlockReads, BlockedMembers):
    async def blocked_pairs(self, members: Collection[UserId]) -> frozenset[frozenset[UserId]]:
        wanted = set(members)
        return frozenset(
            frozenset((blocker, blocked))
            for blocker, blocked in self._state.blocks
            if blocker in wanted or blocked in wanted
        )

    def block(self, blocker: UserId, blocked: UserId) -> None:
        """Test-only shortcut: record a block as safety's store would (committed at once
        outside a transaction)."""
        at = datetime(2026, 1, 1, tzinfo=UTC)
        self._state.blocks[(blocker, blocked)] = Block(blocker, blocked, at)
