from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

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


class TestPostgresEmailSchedule(_Postgres, EmailScheduleContract):
    async def test_concurrent_senders_never_claim_the_same_email(
        self, request_scope: RequestScope
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
                claimed = await s.emails.claim_due_emails(T0, 4)
                holding.set()
                await release.wait()  # keeps its row locks until the others have claimed
                return {email.id for email in claimed}

        async def second_sender() -> set[object]:
            await holding.wait()
            async with transaction(request_scope) as s:
                claimed = await s.emails.claim_due_emails(T0, 10)
            release.set()
            return {email.id for email in claimed}

        first, second = await asyncio.wait_for(
            asyncio.gather(first_sender(), second_sender()), timeout=20
        )
        assert len(first) == 4
        assert len(second) == 2  # the locked ones are skipped, not waited for
        assert first | second == {email.id for email in emails}

    async def test_senders_claiming_with_recipients_skip_held_emails_not_members(
        self, request_scope: RequestScope
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
                claimed = await s.emails.claim_due_with_recipients(T0, 4)
                holding.set()
                await release.wait()  # keeps its row locks until the other has claimed
                return {email.id for email, _ in claimed}

        async def second_sender() -> set[object]:
            await holding.wait()
            async with transaction(request_scope) as s:
                # The member's row is read, not locked: the same member's other emails go.
                claimed = await s.emails.claim_due_with_recipients(T0, 10)
            release.set()
            assert all(r is not None and r.user_id == user.id for _, r in claimed)
            return {email.id for email, _ in claimed}

        first, second = await asyncio.wait_for(
            asyncio.gather(first_sender(), second_sender()), timeout=20
        )
        assert (len(first), len(second)) == (4, 2)
        assert first | second == {email.id for email in emails}


class TestPostgresNotificationRecipients(_Postgres, NotificationRecipientsContract):
    pass
