from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.profiles import (
    AssessmentCompletionContract,
    PhotoRepositoryContract,
    ProfileBlocksContract,
    ProfileMembersContract,
    ProfileRepositoryContract,
)
from saltbitter.testing.contracts.scopes import RequestScope
from support.scopes import sql_request_scope


class _Sqlite:
    @pytest.fixture
    def request_scope(self, engine: AsyncEngine) -> RequestScope:
        return sql_request_scope(engine)


class TestSqliteProfileRepository(_Sqlite, ProfileRepositoryContract):
    pass


class TestSqlitePhotoRepository(_Sqlite, PhotoRepositoryContract):
    pass


class TestSqliteProfileMembers(_Sqlite, ProfileMembersContract):
    pass


class TestSqliteAssessmentCompletion(_Sqlite, AssessmentCompletionContract):
    pass


class TestSqliteProfileBlocks(_Sqlite, ProfileBlocksContract):
    pass
