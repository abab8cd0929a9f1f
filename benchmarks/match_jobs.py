"""``python -m benchmarks.match_jobs``: the CPU the jobs of one match cost, in process.

Seeds ``--members`` members on a fresh PostgreSQL database (as ``like_cpu`` does), then,
``--matches`` times, stores one ``matching.match_created`` event in the outbox (a plain
psycopg INSERT, as a like's commit would leave it), wakes the in-process relay and waits
until every job it triggered has finished: the relay, ``notifications.notify_new_match``
(inbox rows, scheduled emails, then the due emails built and written as ``.eml`` files)
and ``conversations.announce_match`` (a Redis publish), through the real composition root
(PostgreSQL, Redis, ``SALTBITTER_TASKS=in_process``). ``--at-once`` matches are stored
before each wake-up (1: a match at a time, as likes make them).

Prints per match: this process's CPU milliseconds (``time.process_time``, less the
synchronous INSERTs that stand in for the likes), the CPU milliseconds of the PostgreSQL
backends serving the application (the inserting connection left out), statements sent,
emails sent. Quiet hours are off unless ``--quiet-hours`` is given, so both emails of a
match leave at once. ``PYTHONPATH=/tmp/base/src`` runs another checkout's code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.ports.events import JobQueue
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import EVENTS, InProcessJobQueue
from saltbitter.entrypoints.settings import Settings

from .api_load import _database, _forget_cache, _server_env, plain_url, prepared_settings
from .bench_api import _backend_cpu, _process_cpu


def _members(url: str) -> list[UserId]:
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT id FROM users WHERE status = 'active' ORDER BY id")
        members = [UserId(row[0]) for row in rows.fetchall()]
        # The daily job's "set ready" events are not a match's work: relayed already.
        connection.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
        connection.execute("VACUUM (ANALYZE)")
    return members


async def _run(settings: Settings, database: str, args: argparse.Namespace, seed: int) -> None:
    url = plain_url(str(settings.database_url))
    members = _members(url)
    rng = random.Random(seed)
    container = await build_container(settings)
    counts = {"statements": 0}
    inserter = psycopg.connect(url, autocommit=True)
    try:
        queue = await container.get(JobQueue)
        assert isinstance(queue, InProcessJobQueue)
        engine = await container.get(AsyncEngine)

        def counted(*_args: object) -> None:
            counts["statements"] += 1

        event.listen(engine.sync_engine, "before_cursor_execute", counted)
        mail = settings.mail_folder
        insert_cpu = 0.0

        def store(how_many: int) -> None:
            nonlocal insert_cpu
            started = time.process_time()
            with inserter.cursor() as cursor:
                for _ in range(how_many):
                    a, b = rng.sample(members, 2)
                    tag, fields = EVENTS.encode(
                        MatchCreated(match_id=uuid.uuid4(), user_a=a, user_b=b)
                    )
                    cursor.execute(
                        "INSERT INTO outbox (id, topic, payload, created_at)"
                        " VALUES (%s, %s, %s, %s)",
                        (uuid.uuid4(), tag, Jsonb(fields), datetime.now(UTC)),
                    )
            insert_cpu += time.process_time() - started

        async def rounds(matches: int) -> None:
            for _ in range(0, matches, args.at_once):
                store(args.at_once)
                queue.wake_relay()
                await queue.drain()

        await rounds(args.warmup)  # the pool's connections, prepared statements
        counts["statements"] = 0
        insert_cpu = 0.0
        sent_before = len(list(mail.glob("*.eml"))) if mail.is_dir() else 0
        own = inserter.info.backend_pid
        backends = _backend_cpu(database)
        own_cpu = _process_cpu(own)
        cpu, wall = time.process_time(), time.perf_counter()
        await rounds(args.matches)
        cpu, wall = time.process_time() - cpu - insert_cpu, time.perf_counter() - wall
        after = _backend_cpu(database)
        postgres = sum(value - backends.get(pid, 0.0) for pid, value in after.items())
        postgres -= _process_cpu(own) - own_cpu
        sent = len(list(mail.glob("*.eml"))) - sent_before
        n = args.matches
        print(
            f"{n:,} matches ({args.at_once} at a time), {sent} emails sent, load "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}: process CPU "
            f"{cpu * 1e3 / n:.3f} ms/match, PostgreSQL backends {postgres * 1e3 / n:.3f} "
            f"ms/match, {counts['statements'] / n:.2f} statements/match, "
            f"wall {wall * 1e3 / n:.2f} ms/match"
        )
    finally:
        inserter.close()
        await stop_container(container)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.match_jobs", description=__doc__)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--matches", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--at-once", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="measured rounds on one database")
    parser.add_argument("--quiet-hours", action="store_true", help="keep the default quiet hours")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    prefix = f"match-jobs:{uuid.uuid4().hex[:8]}:"
    print(f"match_jobs: uptime load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch, _database() as (name, url):
        env = _server_env(url, prefix, Path(scratch))
        if not args.quiet_hours:
            env.update(SALTBITTER_QUIET_HOURS_START="00:00", SALTBITTER_QUIET_HOURS_END="00:00")
        try:
            settings = prepared_settings(env, url, args.members, args.seed)
            for round_ in range(args.repeat):
                asyncio.run(_run(settings, name, args, args.seed + round_))
        finally:
            _forget_cache(prefix)


if __name__ == "__main__":
    main()
