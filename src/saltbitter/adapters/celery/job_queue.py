"""Hands jobs to Celery by name; the worker runs them (see entrypoints.worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from celery import Celery, group
from kombu.exceptions import OperationalError

from saltbitter.adapters.events import EventCodec
from saltbitter.application.ports.events import JobInput, JobQueue
from saltbitter.domain.errors import Unavailable

__all__ = ["CeleryJobQueue"]


class CeleryJobQueue(JobQueue):
    """A task's kwargs are ``payload`` (the encoded fields) and, when an event triggered
    it, ``event`` (its tag): the worker decodes them before the job sees them."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        # send_task blocks on the broker connection, so it runs off the event loop.
        await asyncio.to_thread(self.send, job, job_input)

    async def fan_out(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        await asyncio.to_thread(self.send_group, job, job_inputs)

    def send(self, job: str, job_input: JobInput | None = None) -> None:
        try:
            self._app.send_task(job, kwargs=_task_kwargs(job_input))
        except OperationalError as error:
            raise Unavailable("The job queue is unreachable.", code="queue_unavailable") from error

    def send_group(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        """One Celery ``group``: its tasks go to whichever workers are free."""
        tasks = group(self._app.signature(job, kwargs=_task_kwargs(i)) for i in job_inputs)
        try:
            tasks.apply_async()
        except OperationalError as error:
            raise Unavailable("The job queue is unreachable.", code="queue_unavailable") from error


def _task_kwargs(job_input: JobInput | None) -> dict[str, object]:
    tag, fields = EventCodec.encode(job_input)
    kwargs: dict[str, object] = {"payload": fields}
    if tag is not None:
        kwargs["event"] = tag
    return kwargs
