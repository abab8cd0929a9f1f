from __future__ import annotations

import pytest

from saltbitter.testing.contracts.matching import MatchingRepositoryContract, UowFactory
from saltbitter.testing.fakes import InMemoryDatabase, InMemoryUnitOfWork


class TestInMemoryMatchingRepository(MatchingRepositoryContract):
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        database = InMemoryDatabase()
        return lambda: InMemoryUnitOfWork(database)
