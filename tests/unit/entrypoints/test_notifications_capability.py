"""The notifications capability as the worker runs it: job table, Beat sweep, settings.

Jobs run through ``run_job`` on the real composition root (SQLite, .eml mail folder),
with only the clock replaced, so quiet hours are exercised at a chosen moment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from dishka import AsyncContainer, Provider, Scope, provide

from saltbitter.adapters.mail import read_eml
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.matching.events import DailySetReady, MatchCreated
from saltbitter.application.notifications import topics
from saltbitter.application.notifications.dto import NotificationsPolicy
from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.events import JobInput, JobQueue, Outbox
from saltbitter.application.ports.notifications import EmailSchedule, EmailStatus, NotificationInbox
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import User
from saltbitter.entrypoints.capabilities.notifications import CAPABILITY
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import (
    JOBS,
    JOBS_TAKEN_TOGETHER,
    InProcessJobQueue,
    run_job,
    run_jobs,
)
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes import InMemoryClock

NIGHT_IN_BERLIN = datetime(2026, 1, 15, 22, 30, tzinfo=UTC)  # 23:30 CET
EIGHT_IN_BERLIN = datetime(2026, 1, 16, 7, 0, tzinfo=UTC)


class _Clock(Provider):
    def __init__(self, clock: InMemoryClock) -> None:
        super().__init__()
        self._clock = clock

    @provide(scope=Scope.APP, override=True)
    def clock(self) -> Clock:
        return self._clock


@pytest.fixture
def clock() -> InMemoryClock:
    return InMemoryClock(NIGHT_IN_BERLIN)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path, environment="test", tasks="in_process")
    upgrade(settings.effective_database_url)
    return settings


@pytest.fixture
async def container(settings: Settings, clock: InMemoryClock) -> AsyncIterator[AsyncContainer]:
    container = await build_container(settings, _Clock(clock))
    yield container
    await stop_container(container)


async def _members(container: AsyncContainer, count: int) -> list[User]:
    users = [a_user() for _ in range(count)]  # Europe/Berlin
    async with container() as scope:
        transaction, accounts = await scope.get(Transaction), await scope.get(UserRepository)
        async with transaction:
            for user in users:
                accounts.add(user)
            await transaction.commit()
    return users


def _mails(settings: Settings) -> list[str]:
    return [read_eml(path).to for path in sorted(settings.mail_folder.glob("*.eml"))]


def test_every_job_is_registered_and_beat_sweeps_due_emails_every_minute() -> None:
    assert set(CAPABILITY.jobs) <= set(JOBS)
    celery = celery_app_for(Settings(redis_url="redis://127.0.0.1:6379/0"))
    [entry] = [e for e in celery.conf.beat_schedule.values() if e["task"] == topics.SEND_DUE_EMAILS]
    assert entry["schedule"] <= 60
    assert topics.SEND_DUE_EMAILS in celery.tasks


async def test_a_night_time_match_email_waits_in_the_database_until_eight(
    container: AsyncContainer, clock: InMemoryClock, settings: Settings
) -> None:
    ada, bo = await _members(container, 2)
    payload = MatchCreated(match_id=uuid4(), user_a=ada.id, user_b=bo.id)
    assert await run_job(container, topics.NOTIFY_NEW_MATCH, payload) == 2
    assert await run_job(container, topics.NOTIFY_NEW_MATCH, payload) == 0  # redelivered
    assert _mails(settings) == []

    clock.current = EIGHT_IN_BERLIN - timedelta(minutes=1)
    assert await run_job(container, topics.SEND_DUE_EMAILS) == 0
    clock.current = EIGHT_IN_BERLIN
    assert await run_job(container, topics.SEND_DUE_EMAILS) == 2
    assert sorted(_mails(settings)) == sorted([ada.email.value, bo.email.value])
    assert await run_job(container, topics.SEND_DUE_EMAILS) == 0  # nothing twice

    async with container() as scope:
        emails, inbox = await scope.get(EmailSchedule), await scope.get(NotificationInbox)
        [email] = await emails.emails_for(ada.id)
        page = await inbox.page(ada.id, after=None, limit=5)
    assert (email.status, email.done_at) == (EmailStatus.SENT, EIGHT_IN_BERLIN)
    assert len(page) == 1


class _RunsRecorded(InProcessJobQueue):
    """The in-process queue, recording each job run and how many inputs it took."""

    def __init__(self, relay_pace_seconds: float = 0.0) -> None:
        super().__init__(relay_pace_seconds)
        self.runs: list[tuple[str, int]] = []

    async def _run(self, job: str, job_input: JobInput | None) -> None:
        self.runs.append((job, 1))
        await super()._run(job, job_input)

    async def _run_together(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        self.runs.append((job, len(job_inputs)))
        await super()._run_together(job, job_inputs)


async def test_a_burst_of_matches_runs_as_one_job_that_tells_and_mails_everyone(
    container: AsyncContainer, clock: InMemoryClock, settings: Settings
) -> None:
    clock.current = EIGHT_IN_BERLIN
    ada, bo, cy = await _members(container, 3)
    burst = [
        MatchCreated(match_id=uuid4(), user_a=ada.id, user_b=bo.id),
        MatchCreated(match_id=uuid4(), user_a=cy.id, user_b=ada.id),
    ]
    assert topics.NOTIFY_NEW_MATCH in JOBS_TAKEN_TOGETHER
    queue = _RunsRecorded()
    queue.bind(container)
    await queue.enqueue_together(topics.NOTIFY_NEW_MATCH, burst)
    await queue.drain()
    # One job for the burst, one sweep after it: both members of each match mailed.
    assert queue.runs == [(topics.NOTIFY_NEW_MATCH, 2)]
    assert sorted(_mails(settings)) == sorted(u.email.value for u in (ada, ada, bo, cy))
    assert await run_jobs(container, topics.NOTIFY_NEW_MATCH, burst) == 0  # redelivered


async def test_a_ready_daily_set_becomes_one_notification(container: AsyncContainer) -> None:
    [ada] = await _members(container, 1)
    payload = DailySetReady(user_id=ada.id, local_date=date(2026, 1, 16), size=10)
    assert await run_job(container, topics.NOTIFY_DAILY_SET_READY, payload) is True
    assert await run_job(container, topics.NOTIFY_DAILY_SET_READY, payload) is False


async def test_quiet_hours_come_from_settings_and_bad_ones_stop_the_process(
    tmp_path: Path,
) -> None:
    custom = await build_container(
        Settings(data_dir=tmp_path, quiet_hours_start="21:30", quiet_hours_end="07:15")
    )
    try:
        policy = await custom.get(NotificationsPolicy)
    finally:
        await stop_container(custom)
    assert (policy.quiet_hours.start.isoformat(), policy.quiet_hours.end.isoformat()) == (
        "21:30:00",
        "07:15:00",
    )
    environ = {"SALTBITTER_QUIET_HOURS_START": "23:00"}
    assert Settings.from_environ(environ).quiet_hours_start == "23:00"
    broken = await build_container(Settings(data_dir=tmp_path, quiet_hours_end="8 am"))
    try:
        with pytest.raises(SystemExit, match="quiet_hours_end"):
            await broken.get(NotificationsPolicy)
    finally:
        await stop_container(broken)


async def _commit_match(container: AsyncContainer, a: User, b: User) -> MatchCreated:
    event = MatchCreated(match_id=uuid4(), user_a=a.id, user_b=b.id)
    async with container() as scope:
        transaction, outbox = await scope.get(Transaction), await scope.get(Outbox)
        async with transaction:
            outbox.add(event)
            await transaction.commit()
    return event


class _PacedQueue(Provider):
    """The container's own queue is a recorded one, its relay paced at 0.5 s."""

    def __init__(self, queue: _RunsRecorded) -> None:
        super().__init__()
        self._queue = queue

    @provide(scope=Scope.APP, override=True)
    def queue(self) -> JobQueue:
        return self._queue


async def test_commits_within_the_relays_pace_are_relayed_in_one_pass(
    settings: Settings, clock: InMemoryClock
) -> None:
    clock.current = EIGHT_IN_BERLIN
    queue = _RunsRecorded(relay_pace_seconds=0.5)
    container = await build_container(settings, _Clock(clock), _PacedQueue(queue))
    try:
        ada, bo, cy = await _members(container, 3)
        await _commit_match(container, ada, bo)  # its commit wakes the relay
        await queue.drain()
        # Two more commits right after that pass: the next pass waits for its pace and
        # takes both, so their notifications are one job.
        await _commit_match(container, bo, cy)
        await _commit_match(container, cy, ada)
        await queue.drain()
    finally:
        await stop_container(container)
    notify = [inputs for job, inputs in queue.runs if job == topics.NOTIFY_NEW_MATCH]
    assert notify == [1, 2]
