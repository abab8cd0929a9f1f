"""The conversations contract on PostgreSQL, and idempotent sends under concurrency."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.tables_conversations import messages
from saltbitter.testing.contracts.conversations import (
    ConversationsContract,
    StoreFactory,
    message_for,
)
from support.conversations_sql import sql_store

pytestmark = pytest.mark.integration


class TestPostgresConversations(ConversationsContract):
    @pytest.fixture
    def store(self, engine: AsyncEngine) -> StoreFactory:
        return sql_store(engine)

    async def test_twenty_concurrent_sends_with_one_key_store_one_message(
        self, store: StoreFactory, engine: AsyncEngine
    ) -> None:
        seeded = await self._seed(store)
        attempts = [
            replace(message_for(seeded, n), id=uuid4(), client_message_id="same-key")
            for n in range(20)
        ]
        results = await asyncio.gather(*(self._add(store, m) for m in attempts))
        stored = {result[0][0].id for result in results}
        assert len(stored) == 1
        assert sum(1 for result in results if result[0][1]) == 1
        async with engine.connect() as connection:
            count = await connection.scalar(
                select(func.count())
                .select_from(messages)
                .where(messages.c.client_message_id == "same-key")
            )
        assert count == 1
