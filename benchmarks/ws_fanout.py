"""WebSocket fan-out: idle connections one API process holds and their memory, and the
latency from POST to the recipient's socket across two API processes (PostgreSQL + Redis).

    python -m benchmarks.ws_fanout [--idle 10000] [--rate 200] [--seconds 10] [--pairs 20]

Not a test: it prints figures. Part 1 opens ``--idle`` sockets (one member, many devices)
on one process and reads the growth of its resident memory. Part 2 starts a second
process; recipients' sockets sit on process B while senders POST to process A at
``--rate`` messages a second, and each message's time from just before its POST to its
arrival on the recipient's socket is recorded (p50/p95/max).

Each idle socket re-checks its session every SALTBITTER_WS_SESSION_CHECK_SECONDS (one
session and one user read); part 1 sets it to 60 s so that 10,000 sockets cost about 170
reads a second rather than 3,300 (see docs/conversations.md, "Limits").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from websockets.asyncio.client import ClientConnection, connect

from saltbitter.adapters.security import Argon2PasswordHasher
from saltbitter.adapters.sqlalchemy.migrate import upgrade

from .api_load import PASSWORD, Server, _database, _process_tree, _server_env, _sign_in

__all__ = ["main"]


def _rss_kib(root: int) -> int:
    total = 0
    for pid in _process_tree(root):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def _seed(plain_url: str, pairs: int) -> tuple[list[str], list[tuple[int, int, str]]]:
    """``2 * pairs + 1`` active members (the last one holds the idle sockets) and one
    match per pair: (sender index, recipient index, match id)."""
    password_hash = asyncio.run(Argon2PasswordHasher().hash(PASSWORD))
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(2 * pairs + 1)]
    emails = [f"ws-{n}-{uuid.uuid4().hex[:6]}@example.org" for n in range(len(ids))]
    matches = []
    with psycopg.connect(plain_url) as connection:
        for user_id, email in zip(ids, emails, strict=True):
            connection.execute(
                "INSERT INTO users (id, email, display_name, birthdate, timezone, "
                "password_hash, status, tier, roles, created_at, email_verified_at) "
                "VALUES (%s, %s, 'Bench', '1995-05-17', 'Europe/Berlin', %s, 'active', "
                "'free', 'member', %s, %s)",
                (user_id, email, password_hash, now, now),
            )
        for pair in range(pairs):
            a, b = ids[2 * pair], ids[2 * pair + 1]
            match_id = uuid.uuid4()
            low, high = sorted((a, b))
            connection.execute(
                "INSERT INTO matches (id, user_low, user_high, created_at) VALUES (%s, %s, %s, %s)",
                (match_id, low, high, now),
            )
            matches.append((2 * pair, 2 * pair + 1, str(match_id)))
    return emails, matches


async def _open(url: str, token: str) -> ClientConnection:
    socket = await connect(url, open_timeout=30, ping_interval=None, max_queue=64)
    await socket.send(json.dumps({"type": "auth", "token": token}))
    ready = json.loads(await asyncio.wait_for(socket.recv(), 30))
    assert ready == {"type": "ready"}, ready
    return socket


async def _idle(server: Server, token: str, count: int) -> None:
    url = server.url.replace("http://", "ws://") + "/api/v1/ws"
    before = _rss_kib(server.pid)
    sockets: list[ClientConnection] = []
    gate = asyncio.Semaphore(50)
    started = time.perf_counter()

    async def one() -> None:
        async with gate:
            sockets.append(await _open(url, token))

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    opened = time.perf_counter() - started
    await asyncio.sleep(3)
    after = _rss_kib(server.pid)
    held = len(sockets)
    print(
        f"idle sockets: {held:,} held ({len(failed)} failed: "
        f"{type(failed[0]).__name__ if failed else '-'}) opened in {opened:.1f} s"
    )
    if held:
        print(
            f"  server RSS {before / 1024:.0f} MiB -> {after / 1024:.0f} MiB: "
            f"{(after - before) / held:.1f} KiB per connection"
        )
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


async def _latency(
    first: Server,
    second: Server,
    tokens: list[str],
    matches: list[tuple[int, int, str]],
    rate: float,
    seconds: float,
) -> None:
    url = second.url.replace("http://", "ws://") + "/api/v1/ws"
    sockets = [await _open(url, tokens[recipient]) for _, recipient, _ in matches]
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    errors = 0

    async def listen(socket: ClientConnection) -> None:
        async for raw in socket:
            event = json.loads(raw)
            if event["type"] == "message.new":
                key = event["message"]["body"]
                if key in sent_at:
                    latencies.append(time.perf_counter() - sent_at.pop(key))

    listeners = [asyncio.create_task(listen(s)) for s in sockets]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=first.url, timeout=30, limits=limits) as client:

        async def post(n: int) -> None:
            nonlocal errors
            sender, _, match_id = matches[n % len(matches)]
            key = f"bench-{n}-{uuid.uuid4().hex[:8]}"
            sent_at[key] = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/v1/matches/{match_id}/messages",
                    json={"body": key, "client_message_id": key},
                    headers={"authorization": f"Bearer {tokens[sender]}"},
                )
            except httpx.HTTPError:
                response = None
            if response is None or response.status_code != 201:
                errors += 1
                sent_at.pop(key, None)

        total = int(rate * seconds)
        started = time.perf_counter()
        posts = []
        for n in range(total):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            posts.append(asyncio.create_task(post(n)))
        await asyncio.gather(*posts)
        offered = total / (time.perf_counter() - started)
        print(f"  POSTs: {total:,} issued; the server completed them at {offered:.0f}/s")
    deadline = time.perf_counter() + 10
    while sent_at and time.perf_counter() < deadline:  # noqa: ASYNC110 - a bounded drain
        await asyncio.sleep(0.05)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    if not latencies:
        print("fan-out: no message arrived")
        return
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(0.95 * (len(ordered) - 1))] * 1000
    print(
        f"fan-out across two processes: {len(ordered):,}/{total:,} arrived "
        f"({errors} POST errors, {len(sent_at)} lost) at {rate:.0f} msg/s offered"
    )
    worst = ordered[-1] * 1000
    print(f"  POST -> recipient socket: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(f"open files: {soft} -> {hard} for this process (the server inherits it)")
    with _database() as (_name, url), tempfile.TemporaryDirectory() as folder:
        upgrade(url)
        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        emails, matches = _seed(plain, args.pairs)
        env = _server_env(url, f"bench:{uuid.uuid4().hex[:8]}:", Path(folder))
        env["SALTBITTER_WS_SESSION_CHECK_SECONDS"] = "60"
        with (
            Server(env, 1, Path(folder) / "a.log") as first,
            Server(env, 1, Path(folder) / "b.log") as second,
        ):
            tokens = asyncio.run(_sign_in(first.url, emails))
            asyncio.run(_idle(second, tokens[-1], args.idle))
            spies = []
            if args.profile:
                import subprocess

                for name, srv in (("a", first), ("b", second)):
                    spies.append(
                        subprocess.Popen(
                            [
                                "py-spy",
                                "record",
                                "--pid",
                                str(srv.pid),
                                "--subprocesses",
                                "--format",
                                "raw",
                                "-o",
                                f"{args.profile}/{name}.txt",
                                "--duration",
                                str(int(args.seconds) + 3),
                                "--rate",
                                "200",
                            ],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                    )
            asyncio.run(_latency(first, second, tokens, matches, args.rate, args.seconds))
            for spy in spies:
                spy.wait()


if __name__ == "__main__":
    main()
