"""In-memory blocks as profile views read them: none yet (see
``adapters/sqlalchemy/profile_blocks.py``; the safety capability replaces both)."""

from __future__ import annotations

from collections.abc import Collection

from saltbitter.application.ports.profiles import ProfileBlocks
from saltbitter.domain.shared import UserId
from saltbitter.testing.memory import InMemoryRepository

__all__ = ["InMemoryProfileBlocks"]


class InMemoryProfileBlocks(InMemoryRepository, ProfileBlocks):
    async def blocked_between(
        self,
        viewer_id: UserId,  # noqa: ARG002 - the safety capability's state answers it
        target_ids: Collection[UserId],  # noqa: ARG002
    ) -> frozenset[UserId]:
        return frozenset()
