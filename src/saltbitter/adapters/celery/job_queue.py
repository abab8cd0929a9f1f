"""Hands jobs to Celery by name; the worker runs them (see entrypoints.worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from celery import Celery
from kombu.exceptions import OperationalError

from saltbitter.application.ports.events import JobQueue, JsonScalar
from saltbitter.domain.errors import Unavailable

__all__ = ["CeleryJobQueue"]


class CeleryJobQueue(JobQueue):
    def __init__(self, app: Celery) -> None:
        self._app = app

    async def enqueue(self, job: str, payload: Mapping[str, JsonScalar]) -> None:
        # send_task blocks on the broker connection, so it runs off the event loop.
        await asyncio.to_thread(self.send, job, payload)

    def send(self, job: str, payload: Mapping[str, JsonScalar]) -> None:
        try:
            self._app.send_task(job, kwargs={"payload": dict(payload)})
        except OperationalError as error:
            raise Unavailable("The job queue is unreachable.", code="queue_unavailable") from error
