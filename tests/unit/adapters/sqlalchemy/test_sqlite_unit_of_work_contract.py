from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork, create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.testing.contracts.persistence import (
    CONTRACT_EVENTS,
    UnitOfWorkContract,
    UowFactory,
)


class TestSqliteUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    async def uow_factory(self, tmp_path: Path) -> AsyncIterator[UowFactory]:
        # Each test migrates its own file: the contract doubles as a migration smoke test.
        url = f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
        upgrade(url)
        engine = create_engine_for(url)
        yield lambda: SqlaUnitOfWork(engine, events=EventCodec(CONTRACT_EVENTS))
        await engine.dispose()
