from __future__ import annotations

import pytest

from saltbitter.testing.contracts.profiles import (
    AssessmentCompletionContract,
    PhotoRepositoryContract,
    ProfileBlocksContract,
    ProfileMembersContract,
    ProfileRepositoryContract,
)
from saltbitter.testing.contracts.scopes import RequestScope
from support.scopes import fake_request_scope


class _InMemory:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        return fake_request_scope()


class TestInMemoryProfileRepository(_InMemory, ProfileRepositoryContract):
    pass


class TestInMemoryPhotoRepository(_InMemory, PhotoRepositoryContract):
    pass


class TestInMemoryProfileMembers(_InMemory, ProfileMembersContract):
    pass


class TestInMemoryAssessmentCompletion(_InMemory, AssessmentCompletionContract):
    pass


class TestInMemoryProfileBlocks(_InMemory, ProfileBlocksContract):
    pass
