"""``python -m benchmarks.request_cpu``: the API's own CPU per request, without a server.

``make bench-api`` measures the API under a real server and wrk, where two cores are
shared by the server, the load generator, PostgreSQL and Redis, so its figures move with
everything else running on the machine. This benchmark isolates the part this code base
owns: it calls the ASGI application directly, one request at a time, in this process
(same settings as ``make bench-api``: PostgreSQL + Redis, rate limiter on, 2,000 seeded
members with today's sets stored), and reports the process's CPU microseconds per
request for the bare Litestar app and for each endpoint, with the ratio. Waiting on
PostgreSQL or Redis is not CPU of this process, so their share is left out; what remains
is the Python work per request (middleware, authentication, dependency injection, the
use case, serialisation) that bounds throughput when the cores are busy.

Run it twice for an A/B (e.g. with ``PYTHONPATH`` pointing at another checkout's
``src``): figures of one run are comparable with each other; between runs, compare ratios.
``py-spy record -o profile.txt -f raw -- python -m benchmarks.request_cpu`` shows where the
time goes without a server's frames in the way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from itertools import cycle
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar

from saltbitter.entrypoints.http.app import create_app

from .api_load import _database, _forget_cache, _server_env, plain_url, prepared_settings
from .bare_app import app as bare_app
from .bench_api import GETS, LIKES, like_blocks, mint_tokens, store_likes
from .daily_job import REDIS_URL, _redis_reachable

Asgi = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


async def _get(app: Asgi, path: str, token: str | None, body: bytes | None = None) -> int:
    """One GET (or with ``body``, a JSON POST) through the ASGI interface, as a server
    would make it; the status."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")]
    if token is not None:
        headers.append((b"authorization", b"Bearer " + token.encode()))
    if body is not None:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET" if body is None else "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50_000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": body or b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def _timed(
    client: Callable[[int], Awaitable[None]], requests: int, concurrency: int
) -> tuple[float, float]:
    """CPU and wall microseconds per request of ``requests`` shared out over
    ``concurrency`` clients running at once."""
    shares = [
        requests // concurrency + (index < requests % concurrency) for index in range(concurrency)
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    async with asyncio.TaskGroup() as clients:
        for share in shares:
            clients.create_task(client(share))
    return (
        (time.process_time() - cpu) / requests * 1e6,
        (time.perf_counter() - wall) / requests * 1e6,
    )


async def _cpu_per_request(
    app: Asgi, path: str, tokens: list[str | None], requests: int, concurrency: int = 1
) -> tuple[float, float]:
    """CPU and wall microseconds per request over ``requests`` GETs (tokens rotating),
    made by ``concurrency`` clients at once (each one request after the other), as a
    server worker sees them under load."""
    rotation = cycle(tokens)
    # Two warm-up rounds: the first requests build caches (a discovery list is ranked),
    # the second ones keep what is kept under what they read (a page under its markers).
    for _ in range(2 * len(tokens)):
        status = await _get(app, path, next(rotation))
        if status != 200:
            raise SystemExit(f"GET {path} answered {status} during the warm-up")

    async def client(share: int) -> None:
        for _ in range(share):
            status = await _get(app, path, next(rotation))
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")

    return await _timed(client, requests, concurrency)


async def _cpu_per_like(
    app: Asgi, likes: list[tuple[str, bytes]], requests: int, concurrency: int, *, cold: bool
) -> tuple[float, float, list[float]]:
    """As ``_cpu_per_request`` for ``POST /likes``: each like (token, body) once, the first
    ``concurrency`` as a warm-up (the pool's connections, prepared statements). Unless
    ``cold``, every liker first reads ``/me`` (signed in, as ``bench_api`` does). Also
    each measured like's milliseconds from call to answer: with ``concurrency`` clients in
    one event loop, what a server worker's requests wait (batches, jobs, collections)."""
    if len(likes) < requests + concurrency:
        raise SystemExit(f"only {len(likes):,} fresh pairs for {requests:,} likes")
    if not cold:
        for token in dict.fromkeys(token for token, _ in likes[: requests + concurrency]):
            if await _get(app, "/api/v1/me", token) != 200:
                raise SystemExit("GET /api/v1/me failed while signing the likers in")
    pending = iter(likes)
    latencies: list[float] = []

    async def client(share: int) -> None:
        for _ in range(share):
            token, body = next(pending)
            started = time.perf_counter()
            status = await _get(app, LIKES, token, body)
            latencies.append((time.perf_counter() - started) * 1e3)
            if status != 201:
                raise SystemExit(f"POST {LIKES} answered {status}")

    await asyncio.gather(*(client(1) for _ in range(concurrency)))
    latencies.clear()
    cpu, wall = await _timed(client, requests, concurrency)
    return cpu, wall, sorted(latencies)


async def _run(
    app: Litestar,
    tokens: list[str | None],
    requests: int,
    paths: list[str],
    concurrency: int,
    likes: list[tuple[str, bytes]],
    cold_likers: bool,
) -> None:
    bare_cpu, _ = await _cpu_per_request(bare_app, "/", [None], requests, concurrency)
    print(f"  bare GET /                {bare_cpu:8.1f} us CPU per request")
    async with app.lifespan():
        for path in paths:
            if path == LIKES:
                cpu, wall, waits = await _cpu_per_like(
                    app, likes, requests, concurrency, cold=cold_likers
                )
                p50, p95, p99 = (waits[int(len(waits) * q)] for q in (0.5, 0.95, 0.99))
                print(f"  likes answered in p50 {p50:.1f}, p95 {p95:.1f}, p99 {p99:.1f} ms")
            else:
                cpu, wall = await _cpu_per_request(app, path, tokens, requests, concurrency)
            verb = "POST" if path == LIKES else "GET"
            print(
                f"  {verb} {path.removeprefix('/api/v1'):<19} {cpu:8.1f} us CPU per request"
                f"  ({cpu / bare_cpu:5.1f} x bare; wall {wall:7.1f} us)"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--tokens", type=int, default=64, help="members the GETs rotate over")
    parser.add_argument("--requests", type=int, default=3_000, help="measured GETs per endpoint")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="requests in flight at once (32: what one of 2 workers sees at 64 connections)",
    )
    parser.add_argument(
        "--endpoints",
        default="me,daily,discover",
        help="which: me, daily, discover (GETs), likes (each a fresh pair, 10%% matching)",
    )
    parser.add_argument(
        "--cold-likers",
        action="store_true",
        help="likes from members not signed in before (token and session read afresh)",
    )
    args = parser.parse_args(argv)
    named = {path.rsplit("/", 1)[-1]: path for path in (*GETS, LIKES)}
    paths = [named[name.strip()] for name in args.endpoints.split(",") if name.strip()]
    if not _redis_reachable():
        raise SystemExit(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"request-cpu:{uuid.uuid4().hex[:8]}:"
    print(
        f"API CPU per request, in-process, {args.requests:,} GETs per endpoint over "
        f"{args.tokens} members, {args.concurrency} at a time; "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="saltbitter-bench-") as scratch,
        _database() as (_name, url),
    ):
        env = _server_env(url, prefix, Path(scratch))
        env["SALTBITTER_DATABASE_POOL_SIZE"] = str(max(args.concurrency, 20))
        try:
            settings = prepared_settings(env, url, args.members, args.seed)
            tokens, pairs = mint_tokens(plain_url(url), settings.effective_jwt_secret())
            chosen: list[str | None] = list(tokens.values())[: args.tokens]
            (fresh, *_), earlier = like_blocks(pairs, len(pairs), 0.1)  # 10% match
            store_likes(url, earlier)
            likes = [
                (tokens[liker], msgspec.json.encode({"user_id": target})) for liker, target in fresh
            ]
            app = create_app(settings, configure_logs=False)
            try:
                import uvloop  # the servers run on uvloop when it is installed

                loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
            except ImportError:
                loop_factory = None
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                runner.run(
                    _run(
                        app, chosen, args.requests, paths, args.concurrency, likes, args.cold_likers
                    )
                )
        finally:
            _forget_cache(prefix)


if __name__ == "__main__":
    main()
