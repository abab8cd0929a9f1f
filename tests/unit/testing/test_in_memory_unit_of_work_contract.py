from __future__ import annotations

import pytest

from saltbitter.testing.contracts.persistence import UnitOfWorkContract, UowFactory
from saltbitter.testing.fakes import InMemoryDatabase, InMemoryUnitOfWork


class TestInMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        database = InMemoryDatabase()
        return lambda: InMemoryUnitOfWork(database)
