from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

import pytest

from saltbitter.application.ports.privacy import PersonalDataHolder
from saltbitter.domain.conversations import Message
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.testing.contracts.persistence import UowFactory
from saltbitter.testing.contracts.privacy import (
    HolderSession,
    MessageSeeder,
    PersonalDataContract,
    ReferenceScan,
)
from saltbitter.testing.fakes import InMemoryDatabase, InMemoryUnitOfWork
from saltbitter.testing.fakes_conversations import InMemoryMessageRepository
from saltbitter.testing.memory import InMemoryConnection, InMemoryTransaction
from saltbitter.testing.privacy import in_memory_holders
from support.privacy import memory_references


class TestInMemoryPersonalData(PersonalDataContract):
    @pytest.fixture
    def database(self) -> InMemoryDatabase:
        return InMemoryDatabase()

    @pytest.fixture
    def uow_factory(self, database: InMemoryDatabase) -> UowFactory:
        return lambda: InMemoryUnitOfWork(database)

    @pytest.fixture
    def holders(self, database: InMemoryDatabase) -> HolderSession:
        @asynccontextmanager
        async def session() -> AsyncIterator[Sequence[PersonalDataHolder]]:
            connection = InMemoryConnection(database)
            yield in_memory_holders(connection, PERSONAL_DATA)
            connection.commit()

        return session

    @pytest.fixture
    def message_seeder(self, database: InMemoryDatabase) -> MessageSeeder:
        async def seed(messages: Sequence[Message]) -> None:
            connection = InMemoryConnection(database)
            async with InMemoryTransaction(connection) as tx:
                repository = InMemoryMessageRepository(connection)
                for message in messages:
                    await repository.add_once(message)
                await tx.commit()

        return seed

    @pytest.fixture
    def references(self, database: InMemoryDatabase) -> ReferenceScan:
        async def scan(member: UUID) -> dict[str, int]:
            return memory_references(database, member)

        return scan


def test_every_declared_capability_has_an_in_memory_holder() -> None:
    holders = in_memory_holders(InMemoryConnection(InMemoryDatabase()), PERSONAL_DATA)
    assert [h.declaration for h in holders] == list(PERSONAL_DATA)
