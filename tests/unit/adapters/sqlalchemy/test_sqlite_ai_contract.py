from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.ai import AiStorageContract, AiStore
from saltbitter.testing.contracts.scopes import Connect
from support.ai import check_sql_reads, sql_ai_store


class TestSqliteAiStorage(AiStorageContract):
    @pytest.fixture
    def connect(self, engine: AsyncEngine) -> Connect[AiStore]:
        return sql_ai_store(engine)


async def test_sqlite_match_and_assessment_reads(engine: AsyncEngine) -> None:
    await check_sql_reads(engine)
