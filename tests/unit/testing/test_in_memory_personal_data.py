from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

import pytest

from saltbitter.application.ports.privacy import PersonalDataHolder
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.testing.contracts.matching import RequestFactory
from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.privacy import HolderSession, PersonalDataContract, ReferenceScan
from saltbitter.testing.fakes import InMemoryDatabase, InMemoryUnitOfWork
from saltbitter.testing.memory import InMemoryConnection
from saltbitter.testing.privacy import in_memory_holders
from support.matching_ports import in_memory_requests
from support.privacy import memory_references


class TestInMemoryPersonalData(PersonalDataContract):
    @pytest.fixture
    def database(self) -> InMemoryDatabase:
        return InMemoryDatabase()

    @pytest.fixture
    def uow_factory(self, database: InMemoryDatabase) -> UowFactory:
        return lambda: InMemoryUnitOfWork(database)

    @pytest.fixture
    def matching_request(self, database: InMemoryDatabase) -> RequestFactory:
        return in_memory_requests(database)

    @pytest.fixture
    def holders(self, database: InMemoryDatabase) -> HolderSession:
        @asynccontextmanager
        async def session() -> AsyncIterator[Sequence[PersonalDataHolder]]:
            connection = InMemoryConnection(database)
            yield in_memory_holders(connection, PERSONAL_DATA)
            connection.commit()

        return session

    @pytest.fixture
    def references(self, database: InMemoryDatabase) -> ReferenceScan:
        async def scan(member: UUID) -> dict[str, int]:
            return memory_references(database, member)

        return scan


def test_every_declared_capability_has_an_in_memory_holder() -> None:
    holders = in_memory_holders(InMemoryConnection(InMemoryDatabase()), PERSONAL_DATA)
    assert [h.declaration for h in holders] == list(PERSONAL_DATA)
