"""Hands jobs to Celery by name; the worker runs them (see entrypoints.worker)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from celery import Celery, group
from celery.result import AsyncResult
from kombu.exceptions import OperationalError

from saltbitter.adapters.events import EventCodec
from saltbitter.application.ports.events import JobInput, JobQueue
from saltbitter.domain.errors import Unavailable

__all__ = ["CeleryJobQueue"]


class CeleryJobQueue(JobQueue):
    """A task's kwargs are ``payload`` (the encoded fields) and, when an event triggered
    it, ``event`` (its tag): the worker decodes them before the job sees them. Several
    inputs of a job in ``together`` travel as one task whose ``batch`` holds each one's
    kwargs, and the worker runs them as one call of the job's batch form (ADR 0054)."""

    def __init__(
        self, app: Celery, together: frozenset[str] = frozenset(), pace_seconds: float = 0.0
    ) -> None:
        self._app = app
        self._together = together
        self._pace = pace_seconds
        self._paced_pending: set[str] = set()
        self._paced_last: dict[str, float] = {}

    def wake(self, job: str) -> None:
        """Send ``job`` (no input) soon, from the running loop's executor: at once, or
        ``pace_seconds`` after the last one; wakes meanwhile share that one task (the
        relay after commits, ADR 0054)."""
        if job in self._paced_pending:
            return
        self._paced_pending.add(job)
        delay = max(0.0, self._paced_last.get(job, -self._pace) + self._pace - time.monotonic())
        asyncio.get_running_loop().run_in_executor(None, self._send_after, job, delay)

    def _send_after(self, job: str, delay: float) -> None:
        # A thread, not the loop's timer: a worker's loop stops between its jobs.
        if delay > 0:
            time.sleep(delay)
        # Cleared before sending: a commit that saw it set is relayed by this task.
        self._paced_pending.discard(job)
        self._paced_last[job] = time.monotonic()
        self.send(job)

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        # send_task blocks on the broker connection, so it runs off the event loop.
        await asyncio.to_thread(self.send, job, job_input)

    async def fan_out(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        await asyncio.to_thread(self.send_group, job, job_inputs)

    async def enqueue_together(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        await asyncio.to_thread(self.send_together, job, job_inputs)

    def send(self, job: str, job_input: JobInput | None = None) -> None:
        try:
            self._app.send_task(job, kwargs=EventCodec.task_kwargs(job_input))
        except OperationalError as error:
            raise Unavailable("The job queue is unreachable.", code="queue_unavailable") from error

    def send_together(self, job: str, job_inputs: Sequence[JobInput]) -> list[AsyncResult[object]]:
        """One task with every input when the job takes them together; else one each.
        Returns the tasks sent."""
        batch = [EventCodec.task_kwargs(i) for i in job_inputs]
        try:
            if len(batch) > 1 and job in self._together:
                return [self._app.send_task(job, kwargs={"batch": batch})]
            return [self._app.send_task(job, kwargs=kwargs) for kwargs in batch]
        except OperationalError as error:
            raise Unavailable("The job queue is unreachable.", code="queue_unavailable") from error

    def send_group(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        """One Celery ``group``: its tasks go to whichever workers are free."""
        encoded = [EventCodec.task_kwargs(i) for i in job_inputs]
        tasks = group(self._app.signature(job, kwargs=kwargs) for kwargs in encoded)
        try:
            tasks.apply_async()
        except OperationalError as error:
            raise Unavailable("The job queue is unreachable.", code="queue_unavailable") from error
