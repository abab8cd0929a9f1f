from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork, create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.profiles import (
    PhotoRepositoryContract,
    ProfileRepositoryContract,
)


@pytest.fixture
async def sqlite_uow_factory(tmp_path: Path) -> AsyncIterator[UowFactory]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'profiles.db'}"
    upgrade(url)
    engine = create_engine_for(url)
    yield lambda: SqlaUnitOfWork(engine)
    await engine.dispose()


class TestSqliteProfileRepository(ProfileRepositoryContract):
    @pytest.fixture
    def uow_factory(self, sqlite_uow_factory: UowFactory) -> UowFactory:
        return sqlite_uow_factory


class TestSqlitePhotoRepository(PhotoRepositoryContract):
    @pytest.fixture
    def uow_factory(self, sqlite_uow_factory: UowFactory) -> UowFactory:
        return sqlite_uow_factory
