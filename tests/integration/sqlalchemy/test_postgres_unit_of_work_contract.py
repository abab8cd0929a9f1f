from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.testing.contracts.persistence import (
    CONTRACT_EVENTS,
    UnitOfWorkContract,
    UowFactory,
)

pytestmark = pytest.mark.integration


class TestPostgresUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self, engine: AsyncEngine) -> UowFactory:
        return lambda: SqlaUnitOfWork(engine, events=EventCodec(CONTRACT_EVENTS))
