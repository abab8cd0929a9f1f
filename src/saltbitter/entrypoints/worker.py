"""Celery worker and Beat: the same jobs as the in-process runner, run by a real queue.

dishka's Celery integration is synchronous, and our use cases are async. The bridge
(ADR 0003): each worker process owns one event loop and one async container, created on
first use in that process; every task runs its job to completion on that loop.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

from celery import Celery

from saltbitter.application.ports.events import JsonScalar
from saltbitter.entrypoints.jobs import JOBS, run_job
from saltbitter.entrypoints.scheduler import periodic_jobs
from saltbitter.entrypoints.settings import Settings

__all__ = ["celery_app_for"]


class _ProcessRuntime:
    """One event loop and one container per worker process (never shared across fork)."""

    def __init__(self, settings: Settings) -> None:
        from saltbitter.entrypoints.composition import build_container

        self.loop = asyncio.new_event_loop()
        self.container = self.loop.run_until_complete(build_container(settings))

    def run(self, job: str, payload: Mapping[str, JsonScalar]) -> object:
        return self.loop.run_until_complete(run_job(self.container, job, payload))


_runtimes: dict[int, _ProcessRuntime] = {}


def _runtime(settings: Settings) -> _ProcessRuntime:
    pid = os.getpid()
    if pid not in _runtimes:
        _runtimes[pid] = _ProcessRuntime(settings)
    return _runtimes[pid]


def celery_app_for(settings: Settings) -> Celery:
    """The Celery app: one task per job name, Beat's schedule, JSON only, late acks."""
    broker = settings.effective_broker_url
    if broker is None:
        raise SystemExit("Set SALTBITTER_REDIS_URL (or SALTBITTER_BROKER_URL) to use Celery.")
    app = Celery("saltbitter", broker=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.task_queue,
        task_acks_late=True,  # a job lost with its worker runs again: jobs are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule=periodic_jobs(),
    )
    for job in JOBS:
        _register(app, job, settings)
    return app


def _register(app: Celery, job: str, settings: Settings) -> None:
    def run(payload: dict[str, Any] | None = None) -> object:
        return _runtime(settings).run(job, payload or {})

    run.__name__ = job.replace(".", "_")
    app.task(
        name=job,
        autoretry_for=(Exception,),
        retry_backoff=True,
        retry_backoff_max=300,
        max_retries=8,
    )(run)
