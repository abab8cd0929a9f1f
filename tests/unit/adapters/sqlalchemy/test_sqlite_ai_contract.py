from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.ai import AiStorageContract, AiStore
from saltbitter.testing.contracts.scopes import Connect
from support.ai import sql_ai_store


class TestSqliteAiStorage(AiStorageContract):
    @pytest.fixture
    def connect(self, engine: AsyncEngine) -> Connect[AiStore]:
        return sql_ai_store(engine)
