"""The orphan photo sweep as the processes run it: schedule entry, embedded run, job.

The job runs through ``run_job`` on the real composition root (SQLite, local folder);
the clock is the system's, so files are aged by their modification time.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from dishka import AsyncContainer

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.ports.events import JobInput
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.profiles import topics
from saltbitter.domain.profiles import ImageType, PhotoId, storage_key_for
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.capabilities.profiles import CAPABILITY, ORPHAN_SWEEP_SECONDS
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import JOBS, InProcessJobQueue, run_job
from saltbitter.entrypoints.scheduler import InProcessScheduler, periodic_jobs
from saltbitter.entrypoints.settings import Settings


def test_the_sweep_is_a_job_scheduled_hourly() -> None:
    # Celery registers every entry of JOBS and takes its Beat schedule from
    # periodic_jobs(), as the embedded scheduler does (test_settings_and_schedule).
    assert set(CAPABILITY.jobs) <= set(JOBS)
    assert topics.SWEEP_ORPHAN_PHOTO_FILES in JOBS
    [entry] = [e for e in periodic_jobs().values() if e["task"] == topics.SWEEP_ORPHAN_PHOTO_FILES]
    assert entry["schedule"] == ORPHAN_SWEEP_SECONDS == 3600.0


class _RecordingQueue(InProcessJobQueue):
    def __init__(self) -> None:
        super().__init__()
        self.enqueued: list[str] = []

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        self.enqueued.append(job)


async def test_the_embedded_scheduler_starts_the_sweep() -> None:
    queue = _RecordingQueue()
    await InProcessScheduler(queue, periodic_jobs()).run_due()
    assert topics.SWEEP_ORPHAN_PHOTO_FILES in queue.enqueued


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[AsyncContainer]:
    settings = Settings(
        data_dir=tmp_path, environment="test", tasks="in_process", orphan_photo_grace_seconds=600
    )
    upgrade(settings.effective_database_url)
    container = await build_container(settings)
    yield container
    await stop_container(container)


async def test_the_job_sweeps_orphans_past_the_configured_grace(
    container: AsyncContainer, tmp_path: Path
) -> None:
    store = await container.get(PhotoStore)
    member = UserId(uuid4())
    old = storage_key_for(member, PhotoId(uuid4()), ImageType.JPEG)
    young = storage_key_for(member, PhotoId(uuid4()), ImageType.JPEG)
    for key in (old, young):
        await store.put(key, b"bytes", "image/jpeg")
    eleven_minutes_ago = (datetime.now(UTC) - timedelta(minutes=11)).timestamp()
    os.utime(tmp_path / "photos" / old, (eleven_minutes_ago, eleven_minutes_ago))

    assert await run_job(container, topics.SWEEP_ORPHAN_PHOTO_FILES) == {"removed": 1}
    assert await store.get(old) is None
    assert await store.get(young) == b"bytes"
