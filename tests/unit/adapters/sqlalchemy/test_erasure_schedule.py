"""The erasure schedule's contract on SQLite and on the in-memory fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.erasure import ErasureScheduleContract
from saltbitter.testing.contracts.scopes import RequestScope
from support.container import FakeWorld
from support.privacy import container_scopes


class TestSqliteErasureSchedule(ErasureScheduleContract):
    @pytest.fixture
    async def request_scope(self, sqlite_url: str, tmp_path: Path) -> AsyncIterator[RequestScope]:
        container = make_container(Settings(database_url=sqlite_url, data_dir=tmp_path))
        yield container_scopes(container)
        await container.close()


class TestInMemoryErasureSchedule(ErasureScheduleContract):
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        return container_scopes(FakeWorld().container)
