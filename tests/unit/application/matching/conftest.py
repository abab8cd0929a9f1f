from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from uuid import uuid4

import pytest

from saltbitter.adapters.memory import InProcessCache
from saltbitter.application.matching.daily import GenerateDailySets, GetDailySet
from saltbitter.application.matching.discover import Discover
from saltbitter.application.matching.forget import ForgetMemberCaches
from saltbitter.application.matching.matches import ListLikesReceived, ListMatches, Unmatch
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.application.ports.batch_scoring import BatchScorer, ScalarBatchScorer
from saltbitter.application.ports.events import Event
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, UserId
from saltbitter.testing.contracts.matching import seed_member
from saltbitter.testing.fakes import (
    InMemoryClock,
    InMemoryDatabase,
    InMemoryIdGenerator,
    InMemoryUnitOfWork,
)
from saltbitter.testing.fakes_profiles import InMemoryPhotoStore

E = TypeVar("E", bound=Event)


@dataclass
class MatchingWorld:
    """The matching use cases over one in-memory world, wired as the composition root does."""

    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    clock: InMemoryClock = field(default_factory=InMemoryClock)  # 2026-01-15 12:00 UTC
    ids: InMemoryIdGenerator = field(default_factory=InMemoryIdGenerator)
    cache: InProcessCache = field(default_factory=InProcessCache)
    scorer: BatchScorer = field(default_factory=ScalarBatchScorer)
    policy: MatchingPolicy = field(default_factory=MatchingPolicy)

    def __post_init__(self) -> None:
        self.store = InMemoryPhotoStore(self.clock)

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.database, self.clock, self.ids)

    async def member(self, **options: Any) -> UserId:
        async with self.uow() as uow:
            user_id = await seed_member(uow, **options)
            await uow.commit()
        return user_id

    def principal(self, user_id: UserId) -> Principal:
        user = self.database.users[user_id]
        return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), user.tier, True)

    def events(self, kind: type[E]) -> list[E]:
        return [m.event for m in self.database.outbox if isinstance(m.event, kind)]

    def with_policy(self, **changes: Any) -> MatchingWorld:
        self.policy = replace(self.policy, **changes)
        return self

    # Use cases, as dishka builds them.

    def like(self) -> LikeMember:
        return LikeMember(self.uow(), self.clock, self.ids, self.cache, self.policy)

    def pass_(self) -> PassMember:
        return PassMember(self.uow(), self.clock, self.ids, self.cache, self.policy)

    def matches(self) -> ListMatches:
        return ListMatches(self.uow(), self.clock, self.policy, self.store)

    def unmatch(self) -> Unmatch:
        return Unmatch(self.uow(), self.clock, self.cache)

    def likes_received(self) -> ListLikesReceived:
        return ListLikesReceived(self.uow(), self.clock, self.policy, self.store)

    def daily(self) -> GetDailySet:
        return GetDailySet(self.uow(), self.clock, self.cache, self.scorer, self.policy, self.store)

    def generate(self) -> GenerateDailySets:
        return GenerateDailySets(self.uow(), self.clock, self.cache, self.scorer, self.policy)

    def discover(self) -> Discover:
        return Discover(self.uow(), self.clock, self.cache, self.scorer, self.policy, self.store)

    def forget(self) -> ForgetMemberCaches:
        return ForgetMemberCaches(self.uow(), self.clock, self.cache)


@pytest.fixture
def world() -> MatchingWorld:
    return MatchingWorld()
