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

pytestmark = pytest.mark.integration


class _Postgres:
    @pytest.fixture
    def matching_request(self, engine: AsyncEngine) -> RequestFactory:
        return sql_requests(engine)


class TestPostgresBlockedMembers(_Postgres, BlockedMembersContract):
    pass


class TestPostgresCandidateReader(_Postgres, CandidateReaderContract):
    pass


class TestPostgresSwipeWriter(_Postgres, SwipeWriterContract):
    pass


class TestPostgresMatchStore(_Postgres, MatchStoreContract):
    pass


class TestPostgresReceivedLikes(_Postgres, ReceivedLikesContract):
    pass


class TestPostgresDailySetStore(_Postgres, DailySetStoreContract):
    pass


class TestPostgresDiscoverAllowance(_Postgres, DiscoverAllowanceContract):
    pass


async def test_daily_set_entries_need_their_members(engine: AsyncEngine) -> None:
    await daily_entries_need_their_members(engine)
