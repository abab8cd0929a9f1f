"""Each Celery app runs its jobs with its own settings, even beside another in one process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.accounts.topics import PURGE_UNVERIFIED
from saltbitter.domain.accounts import AccountStatus
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for, close_runtimes
from saltbitter.testing.builders import a_user
from support.accounts import store_users

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _data_dir_with_stale_accounts(folder: Path, count: int) -> Settings:
    """Settings on their own data folder, whose database holds ``count`` stale sign-ups."""
    settings = Settings(data_dir=folder, broker_url="memory://", jwt_secret="x" * 48)
    upgrade(settings.effective_database_url)

    stale = [
        a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=LONG_AGO) for _ in range(count)
    ]
    store_users(settings.effective_database_url, stale)
    return settings


def test_two_apps_in_one_process_each_run_their_jobs_with_their_own_settings(
    tmp_path: Path,
) -> None:
    first = celery_app_for(_data_dir_with_stale_accounts(tmp_path / "first", 1))
    second = celery_app_for(_data_dir_with_stale_accounts(tmp_path / "second", 2))

    try:
        assert second.tasks[PURGE_UNVERIFIED].apply().get() == 2
        assert first.tasks[PURGE_UNVERIFIED].apply().get() == 1
        assert second.tasks[PURGE_UNVERIFIED].apply().get() == 0
    finally:
        close_runtimes(first)
        close_runtimes(second)


def test_job_results_are_kept_only_when_a_result_backend_is_set() -> None:
    quiet = celery_app_for(Settings(broker_url="memory://"))
    assert quiet.conf.task_ignore_result is True
    kept = celery_app_for(Settings(broker_url="memory://", result_backend="cache+memory://"))
    assert kept.conf.task_ignore_result is False
    assert kept.conf.result_backend == "cache+memory://"
