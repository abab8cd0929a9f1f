"""Celery worker and Beat: the same jobs as the in-process runner, run by a real queue.

dishka's Celery integration is synchronous, and our use cases are async. The bridge
(ADR 0003): each worker process owns one event loop and one async container, created on
first use in that process; every task runs its job to completion on that loop.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from dataclasses import replace
from typing import Any

from celery import Celery
from celery.signals import worker_process_shutdown

from saltbitter.entrypoints.celery_config import configured_celery
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import JOBS, run_encoded_job, run_encoded_jobs
from saltbitter.entrypoints.settings import Settings

__all__ = ["celery_app_for", "close_runtimes"]


class _ProcessRuntime:
    """One event loop and one container per worker process (never shared across fork)."""

    def __init__(self, settings: Settings) -> None:
        self.loop = asyncio.new_event_loop()
        # A worker process runs jobs only: the daily job may pause its garbage collector.
        dedicated = replace(settings, matching_pause_collector=True)
        self.container = self.loop.run_until_complete(build_container(dedicated))

    def run(self, job: str, payload: dict[str, Any], event: str | None) -> object:
        return self.loop.run_until_complete(
            run_encoded_job(self.container, job, payload, event=event)
        )

    def run_together(self, job: str, batch: list[dict[str, Any]]) -> object:
        return self.loop.run_until_complete(run_encoded_jobs(self.container, job, batch))

    def close(self) -> None:
        try:
            self.loop.run_until_complete(stop_container(self.container))
        finally:
            self.loop.close()


class _AppRuntimes:
    """The runtimes of ONE app, one per process: a second app built in the same process
    (other settings, other data) gets its own, never the first app's."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._by_pid: dict[int, _ProcessRuntime] = {}

    def here(self) -> _ProcessRuntime:
        """This process's runtime, opened at its first job."""
        pid = os.getpid()
        if pid not in self._by_pid:
            self._by_pid[pid] = _ProcessRuntime(self._settings)
        return self._by_pid[pid]

    def close(self) -> None:
        """Close this process's runtime (engines, clients, loop), if it has one."""
        runtime = self._by_pid.pop(os.getpid(), None)
        if runtime is not None:
            runtime.close()


_apps: weakref.WeakKeyDictionary[Celery, _AppRuntimes] = weakref.WeakKeyDictionary()


def close_runtimes(app: Celery) -> None:
    """Release what ``app``'s jobs opened in this process; its next job opens it again."""
    runtimes = _apps.get(app)
    if runtimes is not None:
        runtimes.close()


@worker_process_shutdown.connect
def _close_on_shutdown(**_: object) -> None:
    for runtimes in list(_apps.values()):
        runtimes.close()


def celery_app_for(settings: Settings) -> Celery:
    """The worker's Celery app: ``configured_celery`` with one task per job name."""
    app = configured_celery(settings)
    runtimes = _apps[app] = _AppRuntimes(settings)
    for job in JOBS:
        _register(app, job, runtimes)
    return app


def _register(app: Celery, job: str, runtimes: _AppRuntimes) -> None:
    # ``event`` is the tag of the event that triggered the job; ``batch``, several
    # inputs' kwargs to run together (see CeleryJobQueue).
    def run(
        payload: dict[str, Any] | None = None,
        event: str | None = None,
        batch: list[dict[str, Any]] | None = None,
    ) -> object:
        if batch is not None:
            return runtimes.here().run_together(job, batch)
        return runtimes.here().run(job, payload or {}, event)

    run.__name__ = job.replace(".", "_")
    app.task(
        name=job,
        # Celery's default (shared) also hands the task to every app created later in
        # this process, where its name then keeps reaching THIS app's settings.
        shared=False,
        autoretry_for=(Exception,),
        retry_backoff=True,
        retry_backoff_max=300,
        max_retries=8,
    )(run)
