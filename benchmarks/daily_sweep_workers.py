"""``python -m benchmarks.daily_sweep_workers``: the hourly sweep through real Celery
workers on PostgreSQL and Redis, with 1 and then 2 worker processes (ADR 0034).

Seeds N synthetic members once (``benchmarks.daily_job``), then makes the same day's
sets three times on the same data, emptying the sets between runs:

1. the single-process allocation: ``GenerateDailySets`` without shards, in this process;
2. ``saltbitter worker --concurrency 1``: the sweep task plans S shards and hands them
   out as one Celery group; one process runs them one after the other;
3. the same with ``--concurrency 2``: the shards run side by side.

S is the same for both worker runs (``--shards``, through matching_shard_members), so
their allocation is identical and the wall-time ratio shows the parallelism alone. Wall
time is from sending the sweep until every due member has a set (rows counted in
PostgreSQL); worker CPU is the worker processes' user + system time over that span. The
exposure Gini (over every available member) and the delivered compatibility (the sum of
the stored scores) are read back from the database for every run and set against the
single-process allocation. The database and every Redis key the runs made (cache, the
queue) are removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import redis

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.matching import topics
from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.domain.matching import exposure_gini
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.local_worker import start_worker, stop_worker
from saltbitter.entrypoints.logging import configure_logging
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for

from .daily_job import ADMIN_URL, REDIS_URL, _forget_keys, _HeldJobs, _redis_reachable, _seed

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_DAY = date(2031, 6, 1)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _scalar(url: str, sql: str) -> float:
    with psycopg.connect(_plain(url)) as connection:
        row = connection.execute(sql).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def _empty_sets(url: str) -> None:
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        connection.execute("TRUNCATE daily_set_entries, daily_set_runs, outbox")


def _allocation(url: str) -> tuple[int, float, float, int]:
    """(sets, exposure Gini over every available member, delivered score sum, max exposure)."""
    with psycopg.connect(_plain(url)) as connection:
        exposure = [
            int(row[0])
            for row in connection.execute(
                "SELECT count(e.candidate_id) FROM users u "
                "JOIN profiles p ON p.user_id = u.id "
                "LEFT JOIN daily_set_entries e ON e.candidate_id = u.id "
                "WHERE u.status = 'active' AND p.visibility <> 'paused' GROUP BY u.id"
            )
        ]
        sets, delivered = connection.execute(
            "SELECT (SELECT count(*) FROM daily_set_runs), "
            "(SELECT coalesce(sum(total), 0) FROM daily_set_entries)"
        ).fetchone() or (0, 0.0)
    return int(sets), exposure_gini(exposure), float(delivered), max(exposure, default=0)


def _cpu_seconds(pids: Iterable[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _CLOCK_TICKS


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(int(child) for child in children)]


async def _single_process(settings: Settings) -> tuple[float, float, int]:
    container = await build_container(settings, _HeldJobs())
    try:
        async with container() as scope:
            generate = await scope.get(GenerateDailySets)
            started, cpu = time.perf_counter(), time.process_time()
            summary = await generate(_DAY, all_timezones=True)
            return time.perf_counter() - started, time.process_time() - cpu, summary.due
    finally:
        await stop_container(container)


def _through_workers(
    settings: Settings, workers: int, shard_members: int, due: int
) -> tuple[float, float]:
    """(wall seconds, worker CPU seconds) of one sweep through ``workers`` processes."""
    url = str(settings.database_url)
    app = celery_app_for(settings)
    process = start_worker(
        settings,
        settings.data_dir / f"worker-{workers}.log",
        {
            "SALTBITTER_LOG_LEVEL": "WARNING",
            "SALTBITTER_MATCHING_SHARD_MEMBERS": str(shard_members),
        },
        concurrency=workers,
    )
    try:
        deadline = time.monotonic() + 120
        while len(_tree(process.pid)) < workers + 1 or not (
            app.control.inspect(timeout=1).active_queues()
        ):
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not start; see its log")
            time.sleep(0.5)
        # Every process builds its container on its first job: do that before timing.
        for _ in range(workers):
            app.send_task("outbox.relay", kwargs={"payload": {}}, queue=settings.task_queue)
        time.sleep(5)
        pids = _tree(process.pid)
        cpu = _cpu_seconds(pids)
        started = time.perf_counter()
        app.send_task(
            topics.GENERATE_DAILY_SETS,
            kwargs={"payload": {"date": _DAY.isoformat(), "all_timezones": True}},
            queue=settings.task_queue,
        )
        while _scalar(url, "SELECT count(*) FROM daily_set_runs") < due:
            if time.perf_counter() - started > 1800:
                raise SystemExit("the sweep did not finish in 30 minutes")
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        return seconds, _cpu_seconds(pids) - cpu
    finally:
        stop_worker(process, grace_seconds=60)
        app.close()


def _forget_queue(queue: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
    finally:
        client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.daily_sweep_workers", description=__doc__
    )
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not _redis_reachable():
        raise SystemExit(f"Redis is needed at {REDIS_URL} (the broker)")

    name = f"saltbitter_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    queue = f"bench-sweep-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        data_dir=Settings().data_dir / "bench",
        environment="test",
        database_url=url,
        redis_url=REDIS_URL,
        redis_key_prefix=prefix,
        tasks="in_process",
        task_queue=queue,
        jwt_secret="benchmark-secret-" + "b" * 32,
        log_json=True,
        log_level="WARNING",
        matching_pause_collector=True,  # as in the worker and the CLI
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        upgrade(url)
        engine = create_engine_for(url)
        asyncio.run(_seed(engine, args.members, args.seed))
        asyncio.run(engine.dispose())
        print(
            f"daily sweep through Celery workers: {args.members:,} synthetic members on "
            f"PostgreSQL + Redis, {os.cpu_count()} CPUs (shared with other sessions)"
        )
        load = os.getloadavg()
        seconds, cpu, due = asyncio.run(_single_process(settings))
        sets, gini, delivered, top = _allocation(url)
        print(
            f"\n[single process, no shards] {seconds:.1f} s wall, {cpu:.1f} s CPU "
            f"({cpu / max(due, 1) * 1e3:.2f} ms per member), load {load[0]:.1f} -> "
            f"{os.getloadavg()[0]:.1f}\n  {sets:,} sets, Gini {gini:.3f}, delivered score "
            f"sum {delivered:,.1f}, max exposure {top}"
        )
        reference = delivered
        shard_members = math.ceil(due / args.shards)
        walls: dict[int, float] = {}
        for workers in (1, 2):
            _empty_sets(url)
            load = os.getloadavg()
            wall, cpu = _through_workers(
                replace(settings, tasks="celery"), workers, shard_members, due
            )
            walls[workers] = wall
            sets, gini, delivered, top = _allocation(url)
            print(
                f"\n[{workers} worker process(es), {args.shards} shards] {wall:.1f} s wall, "
                f"{cpu:.1f} s worker CPU ({cpu / max(due, 1) * 1e3:.2f} ms per member), load "
                f"{load[0]:.1f} -> {os.getloadavg()[0]:.1f}\n  {sets:,} sets, Gini {gini:.3f}, "
                f"delivered {delivered / reference if reference else 1.0:.4f} of the single "
                f"process's, max exposure {top}"
            )
        print(f"\nwall time, 2 workers / 1 worker: {walls[2] / walls[1]:.2f}")
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        removed = _forget_keys(prefix)
        _forget_queue(queue)
        print(f"cleaned up: database {name} dropped, {removed:,} Redis keys and the queue removed")


if __name__ == "__main__":
    main()
