"""Matching's role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.matching import (
    BlockedMembers,
    CandidateReader,
    DailySetStore,
    DiscoverAllowance,
    MatchStore,
    ReceivedLikes,
    SwipeWriter,
)
from saltbitter.testing.fakes_blocked_members import InMemoryBlockedMembers
from saltbitter.testing.fakes_matching import (
    InMemoryCandidateReader,
    InMemoryDailySetStore,
    InMemoryDiscoverAllowance,
    InMemoryMatchStore,
    InMemoryReceivedLikes,
    InMemorySwipeWriter,
)

__all__ = ["MatchingFakes"]


class MatchingFakes(Provider):
    scope = Scope.REQUEST

    candidates = provide(InMemoryCandidateReader, provides=CandidateReader, override=True)
    blocked = provide(InMemoryBlockedMembers, provides=BlockedMembers, override=True)
    swipes = provide(InMemorySwipeWriter, provides=SwipeWriter, override=True)
    matches = provide(InMemoryMatchStore, provides=MatchStore, override=True)
    likes = provide(InMemoryReceivedLikes, provides=ReceivedLikes, override=True)
    daily_sets = provide(InMemoryDailySetStore, provides=DailySetStore, override=True)
    allowance = provide(InMemoryDiscoverAllowance, provides=DiscoverAllowance, override=True)
