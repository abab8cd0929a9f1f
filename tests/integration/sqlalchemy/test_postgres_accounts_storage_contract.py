from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.persistence import AccountsStorageContract, AccountsStore
from saltbitter.testing.contracts.scopes import Connect, RelayWakes
from support.accounts import sql_accounts_store

pytestmark = pytest.mark.integration


class TestPostgresAccountsStorage(AccountsStorageContract):
    @pytest.fixture
    def connect(self, engine: AsyncEngine, wakes: RelayWakes) -> Connect[AccountsStore]:
        return sql_accounts_store(engine, wakes)
