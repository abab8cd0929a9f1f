"""Jobs by name: the one table that both Celery and the in-process runner execute.

Every job opens its own DI request scope, so it gets a connection and transaction of its
own, exactly as an HTTP request does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, Final

import structlog
from dishka import AsyncContainer

from saltbitter.adapters.events import EventCodec
from saltbitter.application.outbox import EventHandlers, RelayOutbox
from saltbitter.application.ports.events import JobInput, JobQueue
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.capabilities.base import Job

__all__ = [
    "EVENTS",
    "EVENT_HANDLERS",
    "JOBS",
    "RELAY_OUTBOX",
    "InProcessJobQueue",
    "run_encoded_job",
    "run_job",
]

log = structlog.get_logger(__name__)

RELAY_OUTBOX: Final = "outbox.relay"

EVENTS: Final = EventCodec(event for capability in CAPABILITIES for event in capability.events)
"""The tagged union of every registered event type (outbox rows and queued jobs)."""

EVENT_HANDLERS: Final = EventHandlers.merged(*(c.handlers for c in CAPABILITIES))
"""Which jobs each event triggers, as the relay reads it."""


async def _relay_outbox(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(RelayOutbox))()


JOBS: Final[Mapping[str, Job]] = {
    RELAY_OUTBOX: Job(_relay_outbox),
    **{name: job for capability in CAPABILITIES for name, job in capability.jobs.items()},
}


async def run_encoded_job(
    container: AsyncContainer,
    job: str,
    payload: Mapping[str, Any] | None = None,
    *,
    event: str | None = None,
) -> object:
    """Decode what the queue carried (an event's tag and fields, or a job's parameters)
    and run the job in its own request scope; unknown names are a programming error."""
    spec = JOBS[job]
    fields = payload or {}
    job_input: JobInput | None = None
    if event is not None:
        job_input = EVENTS.decode(event, fields)
    elif spec.parameters is not None:
        job_input = EVENTS.decode_parameters(fields, spec.parameters)
    async with container() as scope:
        result = await spec.run(scope, job_input)
    log.info("job.done", job=job)
    return result


async def run_job(container: AsyncContainer, job: str, job_input: JobInput | None = None) -> object:
    """Run a job as a queue would: ``job_input`` goes through the same encoding."""
    tag, fields = EVENTS.encode(job_input)
    return await run_encoded_job(container, job, fields, event=tag)


class InProcessJobQueue(JobQueue):
    """Embedded default: jobs run as asyncio tasks in this process (ADR 0004).

    Honest about its limits: a job that fails is logged, not retried, and jobs queued
    when the process stops are lost (the outbox has marked them dispatched). Production
    uses Celery, which retries.
    """

    def __init__(self) -> None:
        self._container: AsyncContainer | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._relay_requested = False
        self._relay_running = False

    def bind(self, container: AsyncContainer) -> None:
        self._container = container

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        if job not in JOBS:
            raise KeyError(f"unknown job {job!r}")
        self._spawn(self._run(job, job_input))

    async def fan_out(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        """Embedded: the jobs run here, one after the other, each in its own scope (the
        same code path a worker runs); a failure is raised to the caller."""
        if job not in JOBS:
            raise KeyError(f"unknown job {job!r}")
        if self._container is None:
            raise RuntimeError("InProcessJobQueue used before bind()")
        for job_input in job_inputs:
            await run_job(self._container, job, job_input)

    def wake_relay(self) -> None:
        """Called after a commit that wrote outbox messages; coalesces bursts."""
        self._relay_requested = True
        if not self._relay_running:
            self._relay_running = True
            self._spawn(self._relay_until_idle())

    async def drain(self) -> None:
        """Wait until every queued job (and any job they queue) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _relay_until_idle(self) -> None:
        try:
            while self._relay_requested:
                self._relay_requested = False
                await self._run(RELAY_OUTBOX, None)
        finally:
            self._relay_running = False

    async def _run(self, job: str, job_input: JobInput | None) -> None:
        if self._container is None:
            raise RuntimeError("InProcessJobQueue used before bind()")
        try:
            await run_job(self._container, job, job_input)
        except Exception:
            log.exception("job.failed", job=job)
