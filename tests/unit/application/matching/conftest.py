from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest

from saltbitter.application.shared.identity import Principal
from saltbitter.domain.profiles import Profile
from saltbitter.domain.shared import Role, SessionId, UserId
from saltbitter.testing.contracts.matching import seed_member
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_blocked_members import InMemoryBlockedMembers
from saltbitter.testing.fakes_profiles import ProfilesState
from saltbitter.testing.memory import InMemoryConnection
from support.container import FakeWorld
from support.matching_ports import in_memory_requests


class MatchingWorld(FakeWorld):
    """The production container over an in-memory world, with matching's helpers."""

    async def seed(self, **options: Any) -> UserId:
        async with in_memory_requests(self.database)() as request:
            user_id = await seed_member(request.writers, **options)
            await request.transaction.commit()
        return user_id

    def principal(self, user_id: UserId) -> Principal:
        user = self.database[AccountsState].users[user_id]
        return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), user.tier, True)

    def with_policy(self, **changes: Any) -> MatchingWorld:
        self.matching_policy = replace(self.matching_policy, **changes)
        return self

    def profile(self, user_id: UserId) -> Profile:
        return self.database[ProfilesState].profiles[user_id]

    async def save_profile(self, profile: Profile) -> None:
        """Change a profile as the profiles capability would (committed)."""
        async with in_memory_requests(self.database)() as request:
            await request.writers.profiles.save(profile)
            await request.transaction.commit()

    def block(self, blocker: UserId, blocked: UserId) -> None:
        """One member blocks another (test-only until the safety capability lands)."""
        InMemoryBlockedMembers(InMemoryConnection(self.database)).block(blocker, blocked)


@pytest.fixture
def world() -> MatchingWorld:
    return MatchingWorld()
