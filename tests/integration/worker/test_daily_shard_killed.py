"""A Celery worker killed in the middle of a daily-set shard (issue 14, ADR 0034): after a
restart the shard's work completes exactly once, under the exposure cap.

The pause point is real and observed, not timed: the test holds, in an open transaction,
the ``daily_set_runs`` key of the shard's last member (its last chunk, members are
written in id order), so the shard commits its first chunks and then waits on that row
lock. The test sees both (committed rows, a backend waiting on a lock), kills the whole
worker (then starts a fresh one; the broker hands the shard out again after its
visibility timeout) or only its prefork children (the parent requeues the shard at
once), and lets the key go; the rerun skips the members who have their set and counts
what the killed attempt placed against the shard's quota.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from datetime import date

import psycopg
import pytest

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.application.matching import topics
from saltbitter.application.matching.shards import shard_of
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.contracts.matching import seed_member
from support.celery_worker import KillableWorker, wait_until
from support.matching_ports import sql_requests

pytestmark = pytest.mark.integration

MEMBERS = 160
SHARDS = 2
CHUNK = 10
CAP = 4  # tight: 160 members want ~500 places, the cap leaves 640 minus the rounding
VISIBILITY_SECONDS = 3
DAY = date(2031, 3, 1)
WORKER_ENVIRONMENT = {  # read by the killable fixture (conftest.py)
    "SALTBITTER_MATCHING_CHUNK_SIZE": str(CHUNK),
    "SALTBITTER_MATCHING_SHARD_MEMBERS": str(MEMBERS // SHARDS),
    "SALTBITTER_MATCHING_EXPOSURE_CAP": str(CAP),
}


def _seed(url: str) -> list[UserId]:
    rng = random.Random(14)

    async def work() -> list[UserId]:
        engine = create_engine_for(url)
        try:
            async with sql_requests(engine)() as request:
                people = [
                    await seed_member(
                        request.writers,
                        display_name=f"Member {index}",
                        gender=Gender.MAN if index % 2 else Gender.WOMAN,
                        seeks=(Gender.WOMAN,) if index % 2 else (Gender.MAN,),
                        at=(52.52 + rng.uniform(-0.1, 0.1), 13.40 + rng.uniform(-0.1, 0.1)),
                        interests=rng.sample(("jazz", "tea", "go", "film", "chess", "opera"), 3),
                    )
                    for index in range(MEMBERS)
                ]
                await request.transaction.commit()
        finally:
            await engine.dispose()
        return people

    return asyncio.run(work())


def _plain(settings: Settings) -> str:
    return str(settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)


def _scalar(settings: Settings, sql: str, *args: object) -> int:
    with psycopg.connect(_plain(settings)) as connection:
        row = connection.execute(sql, args).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


@pytest.mark.parametrize("kill", ["worker", "children"])
def test_a_shard_killed_between_chunks_completes_exactly_once(
    killable: KillableWorker, kill: str
) -> None:
    settings, worker = killable.settings, killable
    people = _seed(str(settings.database_url))
    mine = [p for p in people if shard_of(p, SHARDS) == 0]
    held = max(mine)  # written last: the shard's due members go in id order
    app = celery_app_for(settings)
    log = worker.log

    def made(members: list[UserId]) -> int:
        return _scalar(
            settings, "SELECT count(*) FROM daily_set_runs WHERE user_id = ANY(%s)", members
        )

    def waiting_on_a_lock() -> bool:
        return bool(
            _scalar(
                settings,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'",
            )
        )

    hold = psycopg.connect(_plain(settings))
    try:
        hold.execute(  # uncommitted: the shard's insert of this key waits for it
            "INSERT INTO daily_set_runs (user_id, local_date, size, created_at) "
            "VALUES (%s, %s, 0, now())",
            (held, DAY),
        )
        worker.start()
        app.send_task(
            topics.GENERATE_DAILY_SETS,
            kwargs={"payload": {"date": DAY.isoformat(), "all_timezones": True}},
            queue=settings.task_queue,
        )
        wait_until(lambda: made(mine) >= CHUNK and waiting_on_a_lock(), 30, log)
        if kill == "worker":  # the host is gone: redelivered after the visibility timeout
            worker.kill_everything()
        else:  # the prefork children die: the parent requeues the shard at once
            for child in worker.children():
                os.kill(child, signal.SIGKILL)
        done_at_kill = made(mine)
        hold.rollback()  # the killed attempt's open chunk then dies with its connection
    finally:
        hold.close()
    assert CHUNK <= done_at_kill < len(mine)  # killed between chunks, mid-shard

    if kill == "worker":
        worker.start()
    wait_until(lambda: made(people) == MEMBERS, 30, log)
    time.sleep(VISIBILITY_SECONDS + 1)  # a duplicate delivery would have run by now
    app.close()

    assert _scalar(settings, "SELECT count(*) FROM daily_set_runs") == MEMBERS
    entries = _scalar(settings, "SELECT count(*) FROM daily_set_entries")
    assert entries == _scalar(settings, "SELECT sum(size) FROM daily_set_runs") > MEMBERS
    assert entries == _scalar(
        settings,
        "SELECT count(*) FROM (SELECT DISTINCT user_id, local_date, candidate_id "
        "FROM daily_set_entries) AS pairs",
    )
    exposure = _scalar(
        settings,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM daily_set_entries "
        "GROUP BY candidate_id) AS placed",
    )
    assert 0 < exposure <= CAP
    ready = _scalar(
        settings, "SELECT count(*) FROM outbox WHERE topic = 'matching.daily_set_ready'"
    )
    assert ready == _scalar(settings, "SELECT count(*) FROM daily_set_runs WHERE size > 0")
