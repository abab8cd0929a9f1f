from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest

from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, UserId
from saltbitter.testing.contracts.matching import seed_member
from saltbitter.testing.fakes_accounts import AccountsState
from support.container import FakeWorld


class MatchingWorld(FakeWorld):
    """The production container over an in-memory world, with matching's helpers."""

    async def seed(self, **options: Any) -> UserId:
        async with self.uow() as uow:
            user_id = await seed_member(uow, **options)
            await uow.commit()
        return user_id

    def principal(self, user_id: UserId) -> Principal:
        user = self.database[AccountsState].users[user_id]
        return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), user.tier, True)

    def with_policy(self, **changes: Any) -> MatchingWorld:
        self.matching_policy = replace(self.matching_policy, **changes)
        return self


@pytest.fixture
def world() -> MatchingWorld:
    return MatchingWorld()
