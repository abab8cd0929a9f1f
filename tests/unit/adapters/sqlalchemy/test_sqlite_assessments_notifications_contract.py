from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.assessments import (
    AssessmentRepositoryContract,
    MemberBirthdatesContract,
    MemberConsentsContract,
    NormsRepositoryContract,
    ProfileValuesContract,
)
from saltbitter.testing.contracts.notifications import (
    EmailScheduleContract,
    NotificationInboxContract,
    NotificationRecipientsContract,
)
from saltbitter.testing.contracts.scopes import RequestScope
from support.scopes import sql_request_scope


@pytest.fixture
def request_scope(engine: AsyncEngine) -> RequestScope:
    return sql_request_scope(engine)


class _Sqlite:
    @pytest.fixture
    def request_scope(self, request_scope: RequestScope) -> RequestScope:
        return request_scope


class TestSqliteAssessmentRepository(_Sqlite, AssessmentRepositoryContract):
    pass


class TestSqliteNormsRepository(_Sqlite, NormsRepositoryContract):
    pass


class TestSqliteMemberConsents(_Sqlite, MemberConsentsContract):
    pass


class TestSqliteMemberBirthdates(_Sqlite, MemberBirthdatesContract):
    pass


class TestSqliteProfileValues(_Sqlite, ProfileValuesContract):
    pass


class TestSqliteNotificationInbox(_Sqlite, NotificationInboxContract):
    pass


class TestSqliteEmailSchedule(_Sqlite, EmailScheduleContract):
    pass


class TestSqliteNotificationRecipients(_Sqlite, NotificationRecipientsContract):
    pass
