"""The conversations contract on the in-memory fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from saltbitter.testing.contracts.conversations import (
    ConversationsContract,
    ConversationStore,
    StoreFactory,
)
from saltbitter.testing.fakes import InMemoryUserRepository
from saltbitter.testing.fakes_conversations import (
    InMemoryConversationAccess,
    InMemoryMessageRepository,
)
from saltbitter.testing.fakes_matching import InMemoryMatchStore, InMemorySwipeWriter
from saltbitter.testing.fakes_safety import InMemoryBlockStore
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction


class TestInMemoryConversations(ConversationsContract):
    @pytest.fixture
    def store(self) -> StoreFactory:
        database = InMemoryDatabase()

        @asynccontextmanager
        async def store() -> AsyncIterator[ConversationStore]:
            connection = InMemoryConnection(database)
            yield ConversationStore(
                InMemoryTransaction(connection),
                InMemoryUserRepository(connection),
                InMemorySwipeWriter(connection),
                InMemoryMatchStore(connection),
                InMemoryBlockStore(connection),
                InMemoryMessageRepository(connection),
                InMemoryConversationAccess(connection),
            )

        return store
