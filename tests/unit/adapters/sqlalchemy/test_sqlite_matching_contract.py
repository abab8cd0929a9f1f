from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.testing.contracts.matching import MatchingRepositoryContract, UowFactory


class TestSqliteMatchingRepository(MatchingRepositoryContract):
    @pytest.fixture
    def uow_factory(self, engine: AsyncEngine) -> UowFactory:
        return lambda: SqlaUnitOfWork(engine)
