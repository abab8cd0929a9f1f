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
    "JOBS_TAKEN_TOGETHER",
    "RELAY_OUTBOX",
    "InProcessJobQueue",
    "run_encoded_job",
    "run_encoded_jobs",
    "run_job",
    "run_jobs",
]

log = structlog.get_logger(__name__)

RELAY_OUTBOX: Final = "outbox.relay"
RELAY_PACE_SECONDS: Final = 0.2
"""A process starts at most one relay pass per this interval: when commits come faster
(a load of likes making matches), each pass takes the burst's events together (ADR 0054)
instead of one pass, one notification job and one email sweep per commit. When commits
are further apart, a pass starts at once."""

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


def _decoded(job: str, payload: Mapping[str, Any] | None, event: str | None) -> JobInput | None:
    """What the queue carried (an event's tag and fields, or a job's parameters) as the
    job takes it; unknown names are a programming error."""
    spec = JOBS[job]
    fields = payload or {}
    if event is not None:
        return EVENTS.decode(event, fields)
    if spec.parameters is not None:
        return EVENTS.decode_parameters(fields, spec.parameters)
    return None


JOBS_TAKEN_TOGETHER: Final = frozenset(name for name, job in JOBS.items() if job.run_many)
"""The jobs a queue may hand several inputs at once (ADR 0054)."""


async def run_encoded_job(
    container: AsyncContainer,
    job: str,
    payload: Mapping[str, Any] | None = None,
    *,
    event: str | None = None,
) -> object:
    """Decode what the queue carried and run the job in its own request scope."""
    job_input = _decoded(job, payload, event)
    async with container() as scope:
        result = await JOBS[job].run(scope, job_input)
    log.info("job.done", job=job)
    return result


async def run_encoded_jobs(
    container: AsyncContainer, job: str, batch: Sequence[Mapping[str, Any]]
) -> object:
    """Several inputs of one job, each encoded as a task's kwargs (``payload`` and
    ``event``): one call of its batch form in one scope (ADR 0054), or, for a job
    without one, each in its own scope, one after the other."""
    run_many = JOBS[job].run_many
    if run_many is None:
        for item in batch:
            await run_encoded_job(container, job, item.get("payload"), event=item.get("event"))
        return len(batch)
    inputs = [_decoded(job, item.get("payload"), item.get("event")) for item in batch]
    async with container() as scope:
        result = await run_many(scope, inputs)
    log.info("job.done", job=job, inputs=len(inputs))
    return result


async def run_job(container: AsyncContainer, job: str, job_input: JobInput | None = None) -> object:
    """Run a job as a queue would: ``job_input`` goes through the same encoding."""
    tag, fields = EVENTS.encode(job_input)
    return await run_encoded_job(container, job, fields, event=tag)


async def run_jobs(container: AsyncContainer, job: str, job_inputs: Sequence[JobInput]) -> object:
    """Run several inputs of a job together as a queue would (``run_encoded_jobs``)."""
    return await run_encoded_jobs(container, job, [EVENTS.task_kwargs(i) for i in job_inputs])


class InProcessJobQueue(JobQueue):
    """Embedded default: jobs run as asyncio tasks in this process (ADR 0004).

    Honest about its limits: a job that fails is logged, not retried, and jobs queued
    when the process stops are lost (the outbox has marked them dispatched). Production
    uses Celery, which retries.
    """

    def __init__(self, relay_pace_seconds: float = RELAY_PACE_SECONDS) -> None:
        self._container: AsyncContainer | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._relay_requested = False
        self._relay_running = False
        self._relay_pace = relay_pace_seconds
        self._last_relay = -relay_pace_seconds  # on the loop's clock

    def bind(self, container: AsyncContainer) -> None:
        self._container = container

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        if job not in JOBS:
            raise KeyError(f"unknown job {job!r}")
        self._spawn(self._run(job, job_input))

    async def enqueue_together(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        """One task for all the inputs when the job has a batch form; else one each."""
        if job not in JOBS:
            raise KeyError(f"unknown job {job!r}")
        if len(job_inputs) > 1 and JOBS[job].run_many is not None:
            self._spawn(self._run_together(job, job_inputs))
            return
        for job_input in job_inputs:
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
        loop = asyncio.get_running_loop()
        try:
            while self._relay_requested:
                # Commits woken meanwhile join this pass (RELAY_PACE_SECONDS).
                await asyncio.sleep(max(0.0, self._last_relay + self._relay_pace - loop.time()))
                self._relay_requested = False
                self._last_relay = loop.time()
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

    async def _run_together(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        if self._container is None:
            raise RuntimeError("InProcessJobQueue used before bind()")
        try:
            await run_jobs(self._container, job, job_inputs)
        except Exception:
            log.exception("job.failed", job=job, inputs=len(job_inputs))
