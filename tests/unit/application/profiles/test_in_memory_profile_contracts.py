from __future__ import annotations

import pytest

from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.profiles import (
    PhotoRepositoryContract,
    ProfileRepositoryContract,
)
from saltbitter.testing.fakes import InMemoryDatabase, InMemoryUnitOfWork


@pytest.fixture
def uow_factory() -> UowFactory:
    database = InMemoryDatabase()
    return lambda: InMemoryUnitOfWork(database)


class TestInMemoryProfileRepository(ProfileRepositoryContract):
    @pytest.fixture
    def uow_factory(self, uow_factory: UowFactory) -> UowFactory:
        return uow_factory


class TestInMemoryPhotoRepository(PhotoRepositoryContract):
    @pytest.fixture
    def uow_factory(self, uow_factory: UowFactory) -> UowFactory:
        return uow_factory
