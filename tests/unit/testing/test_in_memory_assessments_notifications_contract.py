from __future__ import annotations

import pytest

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
from support.scopes import fake_request_scope


@pytest.fixture
def request_scope() -> RequestScope:
    return fake_request_scope()


class _InMemory:
    @pytest.fixture
    def request_scope(self, request_scope: RequestScope) -> RequestScope:
        return request_scope


class TestInMemoryAssessmentRepository(_InMemory, AssessmentRepositoryContract):
    pass


class TestInMemoryNormsRepository(_InMemory, NormsRepositoryContract):
    pass


class TestInMemoryMemberConsents(_InMemory, MemberConsentsContract):
    pass


class TestInMemoryMemberBirthdates(_InMemory, MemberBirthdatesContract):
    pass


class TestInMemoryProfileValues(_InMemory, ProfileValuesContract):
    pass


class TestInMemoryNotificationInbox(_InMemory, NotificationInboxContract):
    pass


class TestInMemoryEmailSchedule(_InMemory, EmailScheduleContract):
    pass


class TestInMemoryNotificationRecipients(_InMemory, NotificationRecipientsContract):
    pass
