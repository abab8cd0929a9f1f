from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.testing.contracts.persistence import AccountsStorageContract, AccountsStore
from saltbitter.testing.contracts.scopes import Connect, RelayWakes
from support.accounts import sql_accounts_store


class TestSqliteAccountsStorage(AccountsStorageContract):
    @pytest.fixture
    async def connect(
        self, sqlite_url: str, wakes: RelayWakes
    ) -> AsyncIterator[Connect[AccountsStore]]:
        # A copy of the run's migrated template (conftest): the migrations have tests of
        # their own (test_sqlite_migrations), and migrating per test cost a second each.
        engine = create_engine_for(sqlite_url)
        yield sql_accounts_store(engine, wakes)
        await engine.dispose()
