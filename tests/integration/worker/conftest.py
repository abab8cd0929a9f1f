"""One real ``saltbitter worker`` per test module, on a fresh PostgreSQL database and its
own Redis queue and key prefix: ``worker_settings`` and ``worker`` (the path of its log).

A module that needs other settings overrides ``worker_settings`` (built with
``worker_settings_for``). One that must kill or restart its worker takes ``killable``:
settings of its own per test (the module's ``VISIBILITY_SECONDS`` as the broker's
visibility timeout, no result backend: effects are counted in the database) and a
``KillableWorker`` it starts itself, stopped after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.entrypoints.settings import Settings
from support.celery_worker import KillableWorker, running_worker, worker_settings_for


@pytest.fixture(scope="module")
def worker_settings(
    postgres_databases: Callable[[], str],
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Settings:
    data_dir = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    settings = worker_settings_for(postgres_databases(), redis_url, data_dir)
    upgrade(settings.effective_database_url)
    return settings


@pytest.fixture(scope="module")
def worker(worker_settings: Settings) -> Iterator[Path]:
    """``saltbitter worker`` as its own process, with two prefork children, consuming the
    module's queue; stopped (and reaped) after the module's tests."""
    with running_worker(worker_settings) as log_path:
        yield log_path


@pytest.fixture
def killable(
    postgres_databases: Callable[[], str],
    redis_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[KillableWorker]:
    settings = worker_settings_for(
        postgres_databases(),
        redis_url,
        tmp_path,
        result_backend=None,
        broker_visibility_timeout_seconds=request.module.VISIBILITY_SECONDS,
    )
    upgrade(settings.effective_database_url)
    worker = KillableWorker(
        settings, tmp_path / "worker.log", getattr(request.module, "WORKER_ENVIRONMENT", None)
    )
    yield worker
    worker.stop()
