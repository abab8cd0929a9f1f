from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import SqlaUnitOfWork
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.assessments import (
    AssessmentRepositoryContract,
    NormsRepositoryContract,
    UowFactory,
)
from saltbitter.testing.contracts.notifications import (
    T0,
    NotificationRepositoryContract,
    an_email,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UowFactory:
    return lambda: SqlaUnitOfWork(engine)


class TestPostgresAssessmentRepository(AssessmentRepositoryContract):
    pass


class TestPostgresNormsRepository(NormsRepositoryContract):
    pass


class TestPostgresNotificationRepository(NotificationRepositoryContract):
    async def test_concurrent_senders_never_claim_the_same_email(
        self, uow_factory: UowFactory
    ) -> None:
        user = a_user()
        emails = [an_email(user) for _ in range(6)]
        async with uow_factory() as uow:
            uow.users.add(user)
            for email in emails:
                await uow.notifications.schedule_email(email)
            await uow.commit()
        holding = asyncio.Event()
        release = asyncio.Event()

        async def first_sender() -> set[object]:
            async with uow_factory() as uow:
                claimed = await uow.notifications.claim_due_emails(T0, 4)
                holding.set()
                await release.wait()  # keeps its row locks until the others have claimed
                return {email.id for email in claimed}

        async def second_sender() -> set[object]:
            await holding.wait()
            async with uow_factory() as uow:
                claimed = await uow.notifications.claim_due_emails(T0, 10)
            release.set()
            return {email.id for email in claimed}

        first, second = await asyncio.wait_for(
            asyncio.gather(first_sender(), second_sender()), timeout=20
        )
        assert len(first) == 4
        assert len(second) == 2  # the locked ones are skipped, not waited for
        assert first | second == {email.id for email in emails}
