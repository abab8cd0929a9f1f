"""The daily job through a real Celery worker on Redis and PostgreSQL, for a few hundred
members: the sweep fans out into shard tasks (ADR 0034), which store every set once; a
second sweep changes nothing."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from saltbitter.adapters.redis import RedisCache, redis_client
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.tables import outbox
from saltbitter.adapters.sqlalchemy.tables_members import daily_set_entries, daily_set_runs
from saltbitter.application.matching import topics
from saltbitter.application.matching.caching import CachedDailySet, daily_key
from saltbitter.application.matching.events import DailySetReady
from saltbitter.application.matching.shards import shard_of
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.shared import Tier, UserId
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.contracts.matching import seed_member
from support.celery_worker import running_worker, wait_until, worker_settings_for
from support.matching_ports import sql_requests

pytestmark = pytest.mark.integration

MEMBERS = 300
SHARD_MEMBERS = 120  # three shards
CITIES = ((52.52, 13.405), (53.55, 9.99), (48.14, 11.58))
TAGS = ("hiking", "jazz", "cooking", "chess", "tea", "go", "climbing", "opera", "film")


@pytest.fixture(scope="module")
def settings(
    migrated_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    # Results in Redis: the test waits for the job by its result.
    return worker_settings_for(
        migrated_url, redis_url, tmp_path_factory.mktemp("daily-worker"), log_json=True
    )


@pytest.fixture(scope="module")
def worker(settings: Settings) -> Iterator[Path]:
    env = {
        "SALTBITTER_MATCHING_CHUNK_SIZE": "64",
        "SALTBITTER_MATCHING_SHARD_MEMBERS": str(SHARD_MEMBERS),
    }
    with running_worker(settings, env) as log_path:
        yield log_path


def _seed(url: str) -> None:
    rng = random.Random(4)

    async def work() -> None:
        engine = create_engine_for(url)
        try:
            async with sql_requests(engine)() as request:
                for index in range(MEMBERS):
                    lat, lon = CITIES[index % len(CITIES)]
                    man = index % 2 == 1
                    await seed_member(
                        request.writers,
                        display_name=f"Member {index}",
                        tier=rng.choice((Tier.FREE, Tier.FREE, Tier.PREMIUM, Tier.ELITE)),
                        timezone=rng.choice(("Europe/Berlin", "America/New_York", "Asia/Tokyo")),
                        gender=Gender.MAN if man else Gender.WOMAN,
                        seeks=(Gender.WOMAN,) if man else (Gender.MAN,),
                        at=(lat + rng.uniform(-0.1, 0.1), lon + rng.uniform(-0.1, 0.1)),
                        interests=rng.sample(TAGS, 4),
                        attachment=(rng.uniform(1, 7), rng.uniform(1, 7)),
                        consent=rng.random() < 0.8,
                    )
                await request.transaction.commit()
        finally:
            await engine.dispose()

    asyncio.run(work())


def _snapshot(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    async def work() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
        engine = create_engine_for(url)
        try:
            async with engine.connect() as connection:
                runs = (
                    await connection.execute(
                        select(daily_set_runs).order_by(
                            daily_set_runs.c.user_id, daily_set_runs.c.local_date
                        )
                    )
                ).all()
                entries = (
                    await connection.execute(
                        select(daily_set_entries).order_by(
                            daily_set_entries.c.user_id, daily_set_entries.c.position
                        )
                    )
                ).all()
                ready = (
                    await connection.execute(
                        select(func.count()).where(outbox.c.topic == DailySetReady.name)
                    )
                ).scalar_one()
        finally:
            await engine.dispose()
        return [tuple(r) for r in runs], [tuple(e) for e in entries], int(ready)

    return asyncio.run(work())


def _cached(settings: Settings, user_id: uuid.UUID) -> CachedDailySet | None:
    async def work() -> CachedDailySet | None:
        client = redis_client(str(settings.redis_url))
        cache = RedisCache(client, settings.redis_key_prefix)
        try:
            return await cache.get_value(daily_key(UserId(user_id)), CachedDailySet)
        finally:
            await client.aclose()

    return asyncio.run(work())


def test_the_daily_job_fans_out_in_the_worker_once_per_member_and_date(
    worker: Path, settings: Settings
) -> None:
    url = str(settings.database_url)
    _seed(url)
    celery = celery_app_for(settings)
    payload = {"date": date.today().isoformat(), "all_timezones": True}

    first = celery.send_task(topics.GENERATE_DAILY_SETS, kwargs={"payload": payload})
    assert first.get(timeout=60) == {"due": MEMBERS, "shards": 3}  # ceil(300 / 120)
    # The coordinator returns once the shards are queued; they finish on their own.
    wait_until(lambda: len(_snapshot(url)[0]) == MEMBERS, 60, worker)
    runs, entries, ready = _snapshot(url)
    assert len(runs) == MEMBERS  # everyone has a set (possibly empty) for the date
    # Each shard task made its own members' sets, at its own time.
    made = {(shard_of(run[0], 3), run[3]) for run in runs}
    assert sorted(shard for shard, _ in made) == [0, 1, 2]
    assert {run[1] for run in runs} == {date.today()}
    assert sum(run[2] for run in runs) == len(entries) > MEMBERS
    assert ready == sum(1 for run in runs if run[2] > 0)
    # Sets are cached in Redis for the API.
    cached = _cached(settings, runs[0][0])
    assert cached is not None
    assert cached.local_date == date.today()

    again = celery.send_task(topics.GENERATE_DAILY_SETS, kwargs={"payload": payload})
    assert again.get(timeout=60) == {"due": 0, "shards": 0}
    assert _snapshot(url) == (runs, entries, ready)
