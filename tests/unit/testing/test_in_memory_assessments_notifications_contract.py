from __future__ import annotations

import pytest

from saltbitter.testing.contracts.assessments import (
    AssessmentRepositoryContract,
    NormsRepositoryContract,
    UowFactory,
)
from saltbitter.testing.contracts.notifications import NotificationRepositoryContract
from saltbitter.testing.fakes import InMemoryDatabase, InMemoryUnitOfWork


@pytest.fixture
def uow_factory() -> UowFactory:
    database = InMemoryDatabase()
    return lambda: InMemoryUnitOfWork(database)


class TestInMemoryAssessmentRepository(AssessmentRepositoryContract):
    pass


class TestInMemoryNormsRepository(NormsRepositoryContract):
    pass


class TestInMemoryNotificationRepository(NotificationRepositoryContract):
    pass
