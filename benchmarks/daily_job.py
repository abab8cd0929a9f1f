"""``python -m benchmarks.daily_job``: the daily matching job end to end on PostgreSQL.

Seeds N synthetic members (``benchmarks.synthetic``: accounts, profiles, assessments,
consents) into a fresh PostgreSQL database, then runs ``GenerateDailySets`` exactly as
the worker does (the real composition root: PostgreSQL, Redis when reachable, the NumPy
scorer), for every timezone at once. Prints the seconds and the SQL statements issued
(counted with a ``before_cursor_execute`` listener), then the same for a rerun, which
must store nothing. The database is dropped afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import redis
from dishka import Provider, Scope, provide
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.adapters.sqlalchemy.tables import consents, users
from saltbitter.adapters.sqlalchemy.tables_members import assessments, profiles
from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.application.ports.events import JobQueue
from saltbitter.domain.compatibility import CandidateProfile, SchwartzValue
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import InProcessJobQueue
from saltbitter.entrypoints.logging import configure_logging
from saltbitter.entrypoints.settings import Settings

from .synthetic import synthetic_profiles

ADMIN_URL = os.environ.get(
    "SALTBITTER_BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SALTBITTER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
_TIMEZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
_BATCH = 2_000


def _rows(
    profile: CandidateProfile, index: int, now: datetime
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    user_id = profile.user_id
    # Born a little over ``age`` years ago: the same age on every local date today.
    birthdate = date(now.year - profile.age, 1, 1) - timedelta(days=1 + index % 300)
    if (now.date().replace(year=now.year - profile.age) - birthdate).days >= 365:
        birthdate += timedelta(days=365)
    user = {
        "id": user_id,
        "email": f"bench-{index}@example.org",
        "display_name": f"Member {index}",
        "birthdate": birthdate,
        "timezone": _TIMEZONES[index % len(_TIMEZONES)],
        "password_hash": "benchmark$not-a-hash",
        "status": "suspended" if profile.suspended else "active",
        "tier": profile.tier.value,
        "roles": "member",
        "created_at": now,
        "email_verified_at": now,
    }
    values = None
    if profile.values is not None:
        values = dict(zip((v.value for v in SchwartzValue), profile.values.as_tuple(), strict=True))
    row = {
        "user_id": user_id,
        "gender": profile.gender.value,
        "genders_sought": ",".join(sorted(g.value for g in profile.genders_sought)),
        "age_min": profile.age_min,
        "age_max": min(99, profile.age_max),
        "bio": "Synthetic member for the daily-job benchmark.",
        "interests": sorted(profile.interests),
        "relationship_goal": None,
        "values": values,
        "latitude": profile.latitude,
        "longitude": profile.longitude,
        "max_distance_km": profile.max_distance_km,
        "visibility": "paused" if profile.paused else "visible",
        "updated_at": now,
    }
    assessment = consent = None
    if profile.attachment is not None:
        assessment = {
            "id": uuid.uuid4(),
            "user_id": user_id,
            "instrument": "ecr-r",
            "instrument_version": "benchmark",
            "answers": {},
            "anxiety": profile.attachment.anxiety,
            "avoidance": profile.attachment.avoidance,
            "style": "secure",
            "near_boundary": False,
            "taken_at": now,
        }
        consent = {
            "user_id": user_id,
            "purpose": "sensitive_data",
            "granted": index % 10 != 0,  # one in ten withdrew: their scores stay out
            "policy_version": "benchmark",
            "recorded_at": now,
            "ip_address": None,
            "user_agent": None,
        }
    return user, row, assessment, consent


async def _seed(engine: AsyncEngine, members: int, seed: int) -> None:
    now = datetime.now(UTC)
    people = synthetic_profiles(members, seed=seed)
    for start in range(0, members, _BATCH):
        batch = [_rows(p, start + i, now) for i, p in enumerate(people[start : start + _BATCH])]
        async with engine.begin() as connection:
            await connection.execute(users.insert(), [b[0] for b in batch])
            await connection.execute(profiles.insert(), [b[1] for b in batch])
            assessed = [b[2] for b in batch if b[2] is not None]
            consented = [b[3] for b in batch if b[3] is not None]
            if assessed:
                await connection.execute(assessments.insert(), assessed)
            if consented:
                await connection.execute(consents.insert(), consented)


class _HeldJobQueue(InProcessJobQueue):
    """Keeps follow-up jobs (outbox relay, notifications) out of the measurement: the
    daily job's own statements are what is counted. The outbox rows are still written."""

    def __init__(self) -> None:
        super().__init__()
        self.wakes = 0

    def wake_relay(self) -> None:
        self.wakes += 1


class _HeldJobs(Provider):
    queue = provide(_HeldJobQueue, provides=JobQueue, scope=Scope.APP)


def _redis_reachable() -> bool:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


async def _run(settings: Settings, members: int, seed: int) -> None:
    engine = create_engine_for(str(settings.database_url))
    started = time.perf_counter()
    await _seed(engine, members, seed)
    await engine.dispose()
    print(f"seeded {members:,} members in {time.perf_counter() - started:.1f} s")

    container = await build_container(settings, _HeldJobs())
    try:
        job_engine = await container.get(AsyncEngine)
        statements: Counter[str] = Counter()

        @event.listens_for(job_engine.sync_engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements[statement.split(None, 1)[0].upper()] += 1

        for label in ("first run", "rerun"):
            statements.clear()
            async with container() as scope:
                generate = await scope.get(GenerateDailySets)
                load = os.getloadavg()[0]
                started, cpu = time.perf_counter(), time.process_time()
                children = _children_cpu()
                summary = await generate(all_timezones=True)
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu
                children = _children_cpu() - children
            kinds = ", ".join(f"{kind} {count}" for kind, count in statements.most_common())
            print(
                f"\n[{label}] {seconds:.2f} s wall, {cpu:.2f} s CPU in this process and "
                f"{children:.2f} s in its forked rankers (load {load:.1f} at the start), "
                f"{sum(statements.values())} SQL statements ({kinds})"
            )
            print(
                f"  members {summary.members:,}, due {summary.due:,}, sets stored "
                f"{summary.created:,}, candidates placed {summary.delivered:,}"
            )
            if summary.created:
                print(
                    f"  {summary.delivered / summary.created:.1f} per set; exposure Gini "
                    f"{summary.exposure_gini:.3f}; compatibility kept by the exposure cap "
                    f"{summary.compatibility_ratio:.1%}; {seconds / summary.created * 1e3:.2f} "
                    f"ms per member"
                )
    finally:
        await stop_container(container)


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the scorer's forked rankers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _forget_keys(prefix: str) -> int:
    if not _redis_reachable():
        return 0
    client = redis.Redis.from_url(REDIS_URL)
    try:
        removed = 0
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            batch.append(key)
            if len(batch) == 1000:
                removed += int(client.delete(*batch))
                batch = []
        if batch:
            removed += int(client.delete(*batch))
        return removed
    finally:
        client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.daily_job", description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    name = f"saltbitter_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    try:
        upgrade(url)
        with_redis = _redis_reachable()
        settings = Settings(
            data_dir=Settings().data_dir / "bench",
            environment="test",
            database_url=url,
            redis_url=REDIS_URL if with_redis else None,
            redis_key_prefix=prefix,
            tasks="in_process",
            jwt_secret="benchmark-secret-" + "b" * 32,
            log_json=True,
            log_level="WARNING",
            matching_pause_collector=True,  # as in the worker and the CLI
        )
        print(
            f"SaltBitter daily job: {args.members:,} members on PostgreSQL ({name}), "
            f"cache {'Redis' if with_redis else 'in-process'}, chunks of "
            f"{settings.matching_chunk_size}"
        )
        configure_logging(settings.log_level, json=settings.log_json)
        asyncio.run(_run(settings, args.members, args.seed))
    finally:
        if not args.keep:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            # The cached daily sets too: 100,000 members leave gigabytes in a shared Redis.
            removed = _forget_keys(prefix)
            print(f"cleaned up: database {name} dropped, {removed:,} Redis keys removed")


if __name__ == "__main__":
    main()
