from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import pytest

from saltbitter.application.ports.privacy import PersonalDataHolders
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.entrypoints.composition import make_container
from saltbitter.testing.contracts.privacy import PersonalDataContract, ReferenceScan
from saltbitter.testing.contracts.scopes import RequestScope
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase
from saltbitter.testing.privacy import in_memory_holders
from support.container import FakesProvider, FakeWorld
from support.privacy import container_scopes, memory_references
from support.storage import CAPABILITY_FAKES, InMemoryStorage


class TestInMemoryPersonalData(PersonalDataContract):
    @pytest.fixture
    def world(self) -> FakeWorld:
        return FakeWorld()

    @pytest.fixture
    async def request_scope(self, world: FakeWorld) -> AsyncIterator[RequestScope]:
        container = make_container(
            world.settings,
            FakesProvider(world),
            InMemoryStorage(world.database),
            *(fakes() for fakes in CAPABILITY_FAKES),
        )
        yield container_scopes(container)
        await container.close()

    @pytest.fixture
    def references(self, world: FakeWorld) -> ReferenceScan:
        async def scan(member: UUID) -> dict[str, int]:
            return memory_references(world.database, member)

        return scan


def test_every_declared_capability_has_an_in_memory_holder() -> None:
    holders = in_memory_holders(InMemoryConnection(InMemoryDatabase()), PERSONAL_DATA)
    assert [h.declaration for h in holders] == list(PERSONAL_DATA)


async def test_the_world_gives_the_in_memory_holders_on_its_database() -> None:
    world = FakeWorld()
    holders = (await world.get(PersonalDataHolders)).holders
    assert [h.declaration for h in holders] == list(PERSONAL_DATA)
