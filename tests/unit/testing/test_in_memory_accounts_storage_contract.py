from __future__ import annotations

import pytest

from saltbitter.testing.contracts.persistence import AccountsStorageContract, AccountsStore
from saltbitter.testing.contracts.scopes import Connect, RelayWakes
from saltbitter.testing.memory import InMemoryDatabase
from support.accounts import memory_accounts_store


class TestInMemoryAccountsStorage(AccountsStorageContract):
    @pytest.fixture
    def connect(self, wakes: RelayWakes) -> Connect[AccountsStore]:
        return memory_accounts_store(InMemoryDatabase(), wakes)
