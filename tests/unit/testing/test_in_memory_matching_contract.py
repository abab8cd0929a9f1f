from __future__ import annotations

import pytest

from saltbitter.testing.contracts.matching import (
    BlockedMembersContract,
    CandidateReaderContract,
    DailySetStoreContract,
    DiscoverAllowanceContract,
    MatchStoreContract,
    ReceivedLikesContract,
    RequestFactory,
    SwipeWriterContract,
)
from saltbitter.testing.memory import InMemoryDatabase
from support.matching_ports import in_memory_requests


class _InMemory:
    @pytest.fixture
    def matching_request(self) -> RequestFactory:
        return in_memory_requests(InMemoryDatabase())


class TestInMemoryBlockedMembers(_InMemory, BlockedMembersContract):
    pass


class TestInMemoryCandidateReader(_InMemory, CandidateReaderContract):
    pass


class TestInMemorySwipeWriter(_InMemory, SwipeWriterContract):
    pass


class TestInMemoryMatchStore(_InMemory, MatchStoreContract):
    pass


class TestInMemoryReceivedLikes(_InMemory, ReceivedLikesContract):
    pass


class TestInMemoryDailySetStore(_InMemory, DailySetStoreContract):
    pass


class TestInMemoryDiscoverAllowance(_InMemory, DiscoverAllowanceContract):
    pass
