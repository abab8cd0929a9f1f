"""``python -m benchmarks.like_cpu``: the CPU one like costs, without HTTP or neighbours.

Seeds ``--members`` members on a fresh PostgreSQL database (as ``bench_api`` does: today's
daily sets stored), then runs ``LikeMember`` through the real composition root (request
scope per like, PostgreSQL, Redis, the outbox) for ``--likes`` fresh (liker, candidate)
pairs of those sets, ``--concurrency`` at a time, and prints per like: this process's CPU
milliseconds (``time.process_time``: the use case, its ports, SQLAlchemy, psycopg, Redis
client, dishka), the CPU milliseconds of the PostgreSQL backends serving the database, the
statements and round trips sent. Authentication and HTTP are left out: they are the same
for every endpoint. On a shared machine these CPU figures move far less than requests/s;
``PYTHONPATH=/tmp/base/src`` runs another checkout's code for a comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.application.matching.swipes import LikeMember
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings

from .api_load import _database, _forget_cache, _server_env, prepared_settings
from .bench_api import _backend_cpu


def _pairs(plain_url: str, offset: int, count: int) -> list[tuple[UserId, UserId]]:
    with psycopg.connect(plain_url) as connection:
        rows = connection.execute(
            "SELECT e.user_id, e.candidate_id FROM daily_set_entries e"
            " JOIN users u ON u.id = e.candidate_id WHERE u.status = 'active'"
            " ORDER BY md5(e.user_id::text || e.candidate_id::text) OFFSET %s LIMIT %s",
            (offset, count),
        ).fetchall()
    with psycopg.connect(plain_url, autocommit=True) as connection:
        # The daily job's "set ready" events are not the likes' work: relayed already.
        connection.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
        connection.execute("VACUUM (ANALYZE)")
    return [(UserId(row[0]), UserId(row[1])) for row in rows]


def _principal(user: UserId) -> Principal:
    return Principal(user, SessionId(uuid.uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)


async def _run(settings: Settings, database: str, args: argparse.Namespace, offset: int) -> None:
    plain = str(settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)
    pairs = _pairs(plain, offset, args.warmup + args.likes)
    container = await build_container(settings)
    counts = {"statements": 0}
    try:
        engine = await container.get(AsyncEngine)

        def counted(*_args: object) -> None:
            counts["statements"] += 1

        event.listen(engine.sync_engine, "before_cursor_execute", counted)

        batches = None
        if not args.one_by_one:
            # Here, not at the top: --one-by-one runs checkouts from before ADR 0051.
            from saltbitter.application.ports.matching import PairDecision
            from saltbitter.domain.matching import Decision
            from saltbitter.entrypoints.capabilities.matching import SwipeBatches

            batches = await container.get(SwipeBatches)

        async def like(liker: UserId, target: UserId) -> bool:
            if batches is not None:  # as POST /likes decides them (ADR 0051)
                return (await batches(PairDecision(liker, target, Decision.LIKE))).matched
            async with container() as scope:
                use_case = await scope.get(LikeMember)
                return (await use_case(_principal(liker), target)).matched

        async def batch(chosen: list[tuple[UserId, UserId]]) -> int:
            gate = asyncio.Semaphore(args.concurrency)

            async def one(pair: tuple[UserId, UserId]) -> bool:
                async with gate:
                    return await like(*pair)

            return sum(await asyncio.gather(*(one(pair) for pair in chosen)))

        await batch(pairs[: args.warmup])  # the pool's connections, prepared statements
        measured = pairs[args.warmup :]
        counts["statements"] = 0
        batches_before = 0 if batches is None else batches.batches_run
        backends = _backend_cpu(database)
        cpu, wall = time.process_time(), time.perf_counter()
        matched = await batch(measured)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        after = _backend_cpu(database)
        postgres = sum(value - backends.get(pid, 0.0) for pid, value in after.items())
        n = len(measured)
        if batches is not None:
            count = batches.batches_run - batches_before
            print(f"  batches: {count:,}, mean size {n / max(1, count):.1f}")
        print(
            f"{n:,} likes ({matched} matched), {args.concurrency} at a time, load "
            f"{os.getloadavg()[0]:.2f}: process CPU {cpu * 1e3 / n:.3f} ms/like, PostgreSQL "
            f"backends {postgres * 1e3 / n:.3f} ms/like, {counts['statements'] / n:.2f} "
            f"statements/like, wall {wall * 1e3 / n:.2f} ms/like"
        )
    finally:
        await stop_container(container)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.like_cpu", description=__doc__)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--likes", type=int, default=3_000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1, help="measured rounds on one database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--one-by-one",
        action="store_true",
        help="each like its own LikeMember (a checkout without SwipeBatches, ADR 0051)",
    )
    args = parser.parse_args(argv)
    prefix = f"like-cpu:{uuid.uuid4().hex[:8]}:"
    print(f"like_cpu: uptime load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch, _database() as (name, url):
        env = _server_env(url, prefix, Path(scratch))
        try:
            settings = prepared_settings(env, url, args.members, args.seed)
            for round_ in range(args.repeat):  # each round likes other pairs
                offset = round_ * (args.warmup + args.likes)
                asyncio.run(_run(settings, name, args, offset))
        finally:
            _forget_cache(prefix)


if __name__ == "__main__":
    main()
