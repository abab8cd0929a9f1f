from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.application.ports.notifications import EmailSchedule
from saltbitter.domain.accounts import User
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.assessments import (
    AssessmentRepositoryContract,
    MemberBirthdatesContract,
    MemberConsentsContract,
    NormsRepositoryContract,
    ProfileValuesContract,
)
from saltbitter.testing.contracts.notifications import (
    T0,
    EmailScheduleContract,
    NotificationInboxContract,
    NotificationRecipientsContract,
    an_email,
    transaction,
)
from saltbitter.testing.contracts.scopes import RequestScope
from support.scopes import sql_request_scope

pytestmark = pytest.mark.integration


@pytest.fixture
def request_scope(engine: AsyncEngine) -> RequestScope:
    return sql_request_scope(engine)


class _Postgres:
    @pytest.fixture
    def request_scope(self, request_scope: RequestScope) -> RequestScope:
        return request_scope


class TestPostgresAssessmentRepository(_Postgres, AssessmentRepositoryContract):
    pass


class TestPostgresNormsRepository(_Postgres, NormsRepositoryContract):
    pass


class TestPostgresMemberConsents(_Postgres, MemberConsentsContract):
    pass


class TestPostgresMemberBirthdates(_Postgres, MemberBirthdatesContract):
    pass


class TestPostgresProfileValues(_Postgres, ProfileValuesContract):
    pass


class TestPostgresNotificationInbox(_Postgres, NotificationInboxContract):
    pass


async def _claimed(emails: EmailSchedule, limit: int, _user: User) -> set[object]:
    return {email.id for email in await emails.claim_due_emails(T0, limit)}


async def _claimed_with_recipients(emails: EmailSchedule, limit: int, user: User) -> set[object]:
    claimed = await emails.claim_due_with_recipients(T0, limit)
    # The member's row is read, not locked: a sender still takes their other emails.
    assert all(r is not None and r.user_id == user.id for _, r in claimed)
    return {email.id for email, _ in claimed}


class TestPostgresEmailSchedule(_Postgres, EmailScheduleContract):
    @pytest.mark.parametrize(
        "claim", [_claimed, _claimed_with_recipients], ids=["emails", "with-recipients"]
    )
    async def test_concurrent_senders_never_claim_the_same_email(
        self,
        request_scope: RequestScope,
        claim: Callable[[EmailSchedule, int, User], Awaitable[set[object]]],
    ) -> None:
        user = a_user()
        emails = [an_email(user) for _ in range(6)]
        async with transaction(request_scope) as s:
            s.users.add(user)
            for email in emails:
                await s.emails.schedule_email(email)
            await s.commit()
        holding = asyncio.Event()
        release = asyncio.Event()

        async def first_sender() -> set[object]:
            async with transaction(request_scope) as s:
                claimed = await claim(s.emails, 4, user)
                holding.set()
                await release.wait()  # keeps its row locks until the other has claimed
                return claimed

        async def second_sender() -> set[object]:
            await holding.wait()
            async with transaction(request_scope) as s:
                claimed = await claim(s.emails, 10, user)
            release.set()
            return claimed

        first, second = await asyncio.wait_for(
            asyncio.gather(first_sender(), second_sender()), timeout=20
        )
        assert len(first) == 4
        assert len(second) == 2  # the locked ones are skipped, not waited for
        assert first | second == {email.id for email in emails}


class TestPostgresNotificationRecipients(_Postgres, NotificationRecipientsContract):
    pass
