"""The API on a live server, parametrised over SQLite and PostgreSQL + Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.entrypoints.settings import Settings
from support.live_api import Api, LiveServer


def _base_settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        environment="test",
        jwt_secret="test-secret-" + "x" * 40,
        tasks="in_process",
        in_process_schedule=False,  # tests run periodic jobs on purpose, not on a timer
        auth_rate_limit_per_minute=100_000,
        user_rate_limit_per_minute=100_000,
        log_json=True,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    data_dir = tmp_path_factory.mktemp(f"api-{request.param}")
    settings = _base_settings(data_dir)
    if request.param == "postgres":
        make_database: Callable[[], str] = request.getfixturevalue("postgres_databases")
        redis_url: str = request.getfixturevalue("redis_url")
        prefix: str = request.getfixturevalue("redis_prefix")
        settings = replace(
            settings,
            database_url=make_database(),
            redis_url=redis_url,
            redis_key_prefix=f"{prefix}api:",
        )
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    return settings


@pytest.fixture(scope="module")
def api(backend_settings: Settings) -> Iterator[Api]:
    with (
        LiveServer(backend_settings) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield Api(http, backend_settings.mail_folder)


@pytest.fixture
def live_server_factory(tmp_path: Path) -> Callable[..., LiveServer]:
    """For tests that need their own settings (rate limits, allow-lists)."""

    def make(**overrides: Any) -> LiveServer:
        settings = replace(_base_settings(tmp_path), **overrides)
        upgrade(settings.effective_database_url)
        return LiveServer(settings)

    return make
