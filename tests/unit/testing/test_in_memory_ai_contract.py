from __future__ import annotations

import pytest

from saltbitter.testing.contracts.ai import AiStorageContract, AiStore
from saltbitter.testing.contracts.scopes import Connect
from saltbitter.testing.memory import InMemoryDatabase
from support.ai import memory_ai_store


class TestInMemoryAiStorage(AiStorageContract):
    @pytest.fixture
    def connect(self) -> Connect[AiStore]:
        return memory_ai_store(InMemoryDatabase())
