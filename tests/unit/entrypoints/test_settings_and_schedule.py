from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab

from saltbitter.application.accounts.topics import PURGE_UNVERIFIED
from saltbitter.application.ports.events import JobInput
from saltbitter.entrypoints.jobs import JOBS, RELAY_OUTBOX, InProcessJobQueue
from saltbitter.entrypoints.scheduler import InProcessScheduler
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for


def test_settings_read_typed_values_from_the_environment() -> None:
    settings = Settings.from_environ(
        {
            "SALTBITTER_DATA_DIR": "/srv/saltbitter",
            "SALTBITTER_AUTH_RATE_LIMIT_PER_MINUTE": "5",
            "SALTBITTER_ALLOWED_EMAIL_DOMAINS": "Uni.Example.edu, college.example.edu",
            "SALTBITTER_LOG_JSON": "false",
            "SALTBITTER_REDIS_URL": "redis://cache:6379/0",
        }
    )
    assert settings.data_dir == Path("/srv/saltbitter")
    assert settings.auth_rate_limit_per_minute == 5
    assert settings.allowed_email_domains == ("uni.example.edu", "college.example.edu")
    assert settings.log_json is False
    assert settings.uses_celery
    assert settings.uses_sqlite


def test_embedded_defaults_need_no_server() -> None:
    settings = Settings.from_environ({})
    assert settings.uses_sqlite
    assert not settings.uses_celery
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")


def test_bad_settings_stop_the_process_with_a_message() -> None:
    with pytest.raises(SystemExit, match="auth_rate_limit_per_minute"):
        Settings.from_environ({"SALTBITTER_AUTH_RATE_LIMIT_PER_MINUTE": "lots"})


def test_production_requires_an_explicit_jwt_secret(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="JWT_SECRET"):
        Settings(data_dir=tmp_path, environment="production").effective_jwt_secret()
    embedded = Settings(data_dir=tmp_path)
    assert embedded.effective_jwt_secret() == embedded.effective_jwt_secret()
    assert len(embedded.effective_jwt_secret()) >= 32


def test_celery_registers_every_job_and_beat_schedules_the_sweeps() -> None:
    celery = celery_app_for(Settings(redis_url="redis://127.0.0.1:6379/0"))
    assert set(JOBS) <= set(celery.tasks)
    schedule = celery.conf.beat_schedule
    purge = next(entry for entry in schedule.values() if entry["task"] == PURGE_UNVERIFIED)
    assert purge["schedule"] == 3600.0
    relay = next(entry for entry in schedule.values() if entry["task"] == RELAY_OUTBOX)
    assert relay["schedule"] <= 60


class _RecordingQueue(InProcessJobQueue):
    def __init__(self) -> None:
        super().__init__()
        self.enqueued: list[str] = []

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        self.enqueued.append(job)


async def test_embedded_scheduler_runs_entries_at_start_then_on_their_schedule() -> None:
    now = [datetime(2026, 3, 1, 10, 30, tzinfo=UTC)]
    queue = _RecordingQueue()
    hourly = crontab(minute="0")
    scheduler = InProcessScheduler(
        queue,
        {
            "often": {"task": "a.often", "schedule": 60.0},
            "hourly": {"task": "b.hourly", "schedule": hourly},
        },
        clock=lambda: now[0],
    )
    assert await scheduler.run_due() == ["a.often", "b.hourly"]
    now[0] += timedelta(seconds=59)
    assert await scheduler.run_due() == []
    now[0] += timedelta(seconds=1)
    assert await scheduler.run_due() == ["a.often"]
    now[0] = datetime(2026, 3, 1, 11, 0, 1, tzinfo=UTC)
    assert await scheduler.run_due() == ["a.often", "b.hourly"]
