"""Jobs by name: the one table that both Celery and the in-process runner execute.

Every job opens its own DI request scope, so it gets a fresh unit of work, exactly as an
HTTP request does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from typing import Any, Final

import structlog
from dishka import AsyncContainer

from saltbitter.application.accounts import topics
from saltbitter.application.accounts.passwords import SendPasswordResetCode
from saltbitter.application.accounts.purge import PurgeUnverifiedAccounts
from saltbitter.application.accounts.registration import (
    SendRegistrationNotice,
    SendVerificationCode,
)
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.ports.events import JobQueue
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.capabilities.base import Job, Payload, payload_user_id

__all__ = ["JOBS", "PURGE_UNVERIFIED", "RELAY_OUTBOX", "InProcessJobQueue", "run_job"]

log = structlog.get_logger(__name__)

RELAY_OUTBOX: Final = "outbox.relay"
PURGE_UNVERIFIED: Final = "accounts.purge_unverified"


async def _send_verification_code(scope: AsyncContainer, payload: Payload) -> object:
    return await (await scope.get(SendVerificationCode))(payload_user_id(payload))


async def _send_password_reset_code(scope: AsyncContainer, payload: Payload) -> object:
    return await (await scope.get(SendPasswordResetCode))(payload_user_id(payload))


async def _send_registration_notice(scope: AsyncContainer, payload: Payload) -> object:
    return await (await scope.get(SendRegistrationNotice))(payload_user_id(payload))


async def _purge_unverified(scope: AsyncContainer, _payload: Payload) -> object:
    return await (await scope.get(PurgeUnverifiedAccounts))()


async def _relay_outbox(scope: AsyncContainer, _payload: Payload) -> object:
    return await (await scope.get(RelayOutbox))()


JOBS: Final[Mapping[str, Job]] = {
    topics.SEND_VERIFICATION_CODE: _send_verification_code,
    topics.SEND_PASSWORD_RESET_CODE: _send_password_reset_code,
    topics.SEND_REGISTRATION_NOTICE: _send_registration_notice,
    PURGE_UNVERIFIED: _purge_unverified,
    RELAY_OUTBOX: _relay_outbox,
    **{name: job for capability in CAPABILITIES for name, job in capability.jobs.items()},
}


async def run_job(container: AsyncContainer, job: str, payload: Payload) -> object:
    """Run one job in its own request scope; unknown names are a programming error."""
    handler = JOBS[job]
    async with container() as scope:
        result = await handler(scope, payload)
    log.info("job.done", job=job)
    return result


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

    async def enqueue(self, job: str, payload: Payload) -> None:
        if job not in JOBS:
            raise KeyError(f"unknown job {job!r}")
        self._spawn(self._run(job, dict(payload)))

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
                await self._run(RELAY_OUTBOX, {})
        finally:
            self._relay_running = False

    async def _run(self, job: str, payload: Payload) -> None:
        if self._container is None:
            raise RuntimeError("InProcessJobQueue used before bind()")
        try:
            await run_job(self._container, job, payload)
        except Exception:
            log.exception("job.failed", job=job)
