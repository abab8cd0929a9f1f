"""The assessments capability as the worker and the embedded scheduler run it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from celery.schedules import crontab
from dishka import AsyncContainer

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.assessments import topics
from saltbitter.application.assessments.events import ComputeNormsParameters
from saltbitter.application.assessments.norms import NormsPolicy
from saltbitter.entrypoints.capabilities.assessments import CAPABILITY, norms_policy_for
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import JOBS, run_job
from saltbitter.entrypoints.scheduler import periodic_jobs
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[AsyncContainer]:
    settings = Settings(data_dir=tmp_path, environment="test", tasks="in_process")
    upgrade(settings.effective_database_url)
    container = await build_container(settings)
    yield container
    await stop_container(container)


def test_norms_are_recomputed_nightly_by_beat_and_by_the_embedded_scheduler() -> None:
    [entry] = CAPABILITY.beat_schedule.values()
    assert entry["task"] == topics.COMPUTE_NORMS
    assert isinstance(entry["schedule"], crontab)
    assert (entry["schedule"].minute, entry["schedule"].hour) == ({30}, {3})
    assert topics.COMPUTE_NORMS in JOBS
    assert any(e["task"] == topics.COMPUTE_NORMS for e in periodic_jobs().values())
    celery = celery_app_for(Settings(redis_url="redis://127.0.0.1:6379/0"))
    assert topics.COMPUTE_NORMS in celery.tasks
    assert any(e["task"] == topics.COMPUTE_NORMS for e in celery.conf.beat_schedule.values())


def test_the_minimum_sample_is_a_setting() -> None:
    assert norms_policy_for(Settings()) == NormsPolicy(300)
    read = Settings.from_environ({"SALTBITTER_NORMS_MIN_SAMPLE": "1000"})
    assert norms_policy_for(read).min_sample == 1000
    with pytest.raises(SystemExit, match="norms_min_sample"):
        Settings.from_environ({"SALTBITTER_NORMS_MIN_SAMPLE": "1"})


async def test_the_job_runs_on_an_empty_platform_and_keeps_the_priors(
    container: AsyncContainer,
) -> None:
    result = await run_job(container, topics.COMPUTE_NORMS, ComputeNormsParameters())
    assert result == {"instrument": "ecr-r", "samples": 0, "published": None}
