"""In-memory fake of ``BlockedMembers``, matching's read of blocks (safety owns blocks).

Kept apart and tiny so that the safety capability can replace it on its own. Until
blocking exists nobody is blocked; tests that prove a block hides a member everywhere
add one with ``block`` (test-only: members cannot block anyone yet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from saltbitter.application.ports.matching import BlockedMembers
from saltbitter.domain.shared import UserId
from saltbitter.testing.memory import InMemoryRepository

__all__ = ["BlockedPairsState", "InMemoryBlockedMembers"]


@dataclass
class BlockedPairsState:
    """Pairs blocked by a test; either member's block hides both from each other."""

    pairs: set[frozenset[UserId]] = field(default_factory=set)


class InMemoryBlockedMembers(InMemoryRepository, BlockedMembers):
    @property
    def _state(self) -> BlockedPairsState:
        return self._connection.state(BlockedPairsState)

    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        pairs = self._state.pairs
        return frozenset(t for t in target_ids if frozenset((viewer_id, t)) in pairs)

    def block(self, blocker: UserId, blocked: UserId) -> None:
        """Test-only: record a block (committed at once outside a transaction)."""
        self._state.pairs.add(frozenset((blocker, blocked)))
