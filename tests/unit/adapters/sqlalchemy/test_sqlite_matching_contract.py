from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

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
from support.matching_ports import daily_entries_need_their_members, sql_requests


class _Sqlite:
    @pytest.fixture
    def matching_request(self, engine: AsyncEngine) -> RequestFactory:
        return sql_requests(engine)


class TestSqliteBlockedMembers(_Sqlite, BlockedMembersContract):
    pass


class TestSqliteCandidateReader(_Sqlite, CandidateReaderContract):
    pass


class TestSqliteSwipeWriter(_Sqlite, SwipeWriterContract):
    pass


class TestSqliteMatchStore(_Sqlite, MatchStoreContract):
    pass


class TestSqliteReceivedLikes(_Sqlite, ReceivedLikesContract):
    pass


class TestSqliteDailySetStore(_Sqlite, DailySetStoreContract):
    pass


class TestSqliteDiscoverAllowance(_Sqlite, DiscoverAllowanceContract):
    pass


async def test_daily_set_entries_need_their_members(engine: AsyncEngine) -> None:
    await daily_entries_need_their_members(engine)
