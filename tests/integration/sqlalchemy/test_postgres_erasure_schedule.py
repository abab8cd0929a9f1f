"""The erasure schedule's contract on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.erasure import ErasureScheduleContract
from saltbitter.testing.contracts.scopes import RequestScope
from support.privacy import container_scopes

pytestmark = pytest.mark.integration


class TestPostgresErasureSchedule(ErasureScheduleContract):
    @pytest.fixture
    async def request_scope(
        self, engine: AsyncEngine, migrated_postgres_url: str, tmp_path: Path
    ) -> AsyncIterator[RequestScope]:
        settings = Settings(database_url=migrated_postgres_url, data_dir=tmp_path)
        container = make_container(settings)
        yield container_scopes(container)
        await container.close()
