"""The conversations contract on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.conversations import ConversationsContract, StoreFactory
from support.conversations_sql import sql_store


class TestSqliteConversations(ConversationsContract):
    @pytest.fixture
    def store(self, engine: AsyncEngine) -> StoreFactory:
        return sql_store(engine)
