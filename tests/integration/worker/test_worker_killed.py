"""A Celery worker killed while it relays the outbox and runs the jobs it produced: after
the kills and a restart, every job's effect exists exactly once.

Two ways a worker dies: a prefork child is killed (out of memory, a crash), and the whole
worker is killed (the host or container is gone). The first is requeued at once (late
acks, reject on worker lost); the second comes back after the broker's visibility
timeout, set short here. Jobs are idempotent (deterministic ids), so a job run twice
has one effect, and none is lost.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import psycopg
import pytest

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock, UuidIdGenerator
from saltbitter.application.matching.events import MatchCreated
from saltbitter.entrypoints.jobs import EVENTS, RELAY_OUTBOX
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.builders import a_user
from support.celery_worker import KillableWorker, wait_until

pytestmark = pytest.mark.integration

MATCHES = 150  # 300 notification jobs' worth of effects, 2 per match
VISIBILITY_SECONDS = 5


async def _matches_in_the_outbox(settings: Settings) -> None:
    engine = create_engine_for(settings.effective_database_url)
    db = StagedConnection(engine)
    try:
        async with SqlaTransaction(db) as transaction:
            users = SqlaUserRepository(db)
            outbox = SqlaOutbox(db, SystemClock(), UuidIdGenerator(), EVENTS)
            for _ in range(MATCHES):
                first, second = a_user(), a_user()
                users.add(first)
                users.add(second)
                outbox.add(MatchCreated(match_id=uuid.uuid4(), user_a=first.id, user_b=second.id))
            await transaction.commit()
    finally:
        await db.close()
        await engine.dispose()


def _count(settings: Settings, sql: str) -> int:
    url = str(settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url) as connection:
        row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def test_jobs_survive_killed_children_and_a_killed_worker_exactly_once(
    killable: KillableWorker,
) -> None:
    settings, worker = killable.settings, killable
    asyncio.run(_matches_in_the_outbox(settings))
    app = celery_app_for(settings)
    log = worker.log
    expected = 2 * MATCHES

    def notifications() -> int:
        return _count(settings, "SELECT count(*) FROM notifications WHERE kind = 'new_match'")

    worker.start()
    wait_until(lambda: len(worker.children()) == 2, 60, log)
    app.send_task(RELAY_OUTBOX, kwargs={"payload": {}}, queue=settings.task_queue)
    # Kill prefork children while the relay and its jobs run.
    kills = 0
    deadline = time.monotonic() + 30
    while kills < 4 and notifications() < expected and time.monotonic() < deadline:
        children = worker.children()
        if children:
            os.kill(children[0], signal.SIGKILL)
            kills += 1
        time.sleep(0.15)
    # Then the whole worker, mid-way if anything is left, and a fresh one.
    worker.kill_everything()
    done_at_kill = notifications()
    pending_at_kill = _count(settings, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")
    worker.start()

    def beat_then_look() -> bool:
        # As Beat's outbox sweep does every 15 s: a relay handles at most 100 events.
        app.send_task(RELAY_OUTBOX, kwargs={"payload": {}}, queue=settings.task_queue)
        time.sleep(1.0)
        return notifications() >= expected

    try:
        wait_until(beat_then_look, 120, log)
    except AssertionError:
        pending = _count(settings, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")
        raise AssertionError(
            f"{notifications()} of {expected} notifications; {kills} children killed; "
            f"{done_at_kill} done and {pending_at_kill} events pending at the worker's kill, "
            f"{pending} pending now"
        ) from None
    time.sleep(VISIBILITY_SECONDS + 2)  # a duplicate run would have happened by now
    app.close()

    assert notifications() == expected
    assert _count(settings, "SELECT count(*) FROM scheduled_emails") == expected
    assert _count(settings, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL") == 0
    assert kills >= 1, "no child was killed: the jobs finished before the first kill"
    assert done_at_kill <= expected
