from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.testing.contracts.persistence import AccountsStorageContract, AccountsStore
from saltbitter.testing.contracts.scopes import Connect, RelayWakes
from support.accounts import sql_accounts_store


class TestSqliteAccountsStorage(AccountsStorageContract):
    @pytest.fixture
    async def connect(
        self, tmp_path: Path, wakes: RelayWakes
    ) -> AsyncIterator[Connect[AccountsStore]]:
        # Each test migrates its own file: the contract doubles as a migration smoke test.
        url = f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
        upgrade(url)
        engine = create_engine_for(url)
        yield sql_accounts_store(engine, wakes)
        await engine.dispose()
