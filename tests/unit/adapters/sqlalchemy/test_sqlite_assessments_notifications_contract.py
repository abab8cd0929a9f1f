from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.testing.contracts.assessments import (
    AssessmentRepositoryContract,
    NormsRepositoryContract,
    UowFactory,
)
from saltbitter.testing.contracts.notifications import NotificationRepositoryContract


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UowFactory:
    return lambda: SqlaUnitOfWork(engine)


class TestSqliteAssessmentRepository(AssessmentRepositoryContract):
    pass


class TestSqliteNormsRepository(NormsRepositoryContract):
    pass


class TestSqliteNotificationRepository(NotificationRepositoryContract):
    pass
