"""WebSocket fan-out: idle connections one API process holds and their memory, and the
latency from POST to the recipient's socket across two API processes (PostgreSQL + Redis).

    python -m benchmarks.ws_fanout [--idle 10000] [--clients 4] [--rate 200] [--seconds 10]
        [--pairs 20] [--ws default|websockets|websockets-sansio|wsproto] [--no-deflate]
        [--compression deflate|none] [--profile DIR]

Not a test: it prints figures. Part 1 opens ``--idle`` sockets (one member, many devices)
on one process from ``--clients`` client processes (asyncio, the ``websockets`` client,
the open-files limit raised to its hard maximum in every process) and reads the growth
of the server's resident memory. Part 2 starts a second process; recipients' sockets sit
on process B while senders POST to process A at ``--rate`` messages a second, and each
message's time from just before its POST to its arrival on the recipient's socket is
recorded (p50/p95/p99/max), with the POST's own time beside it.

``--ws``: ``default`` runs ``saltbitter serve`` (uvicorn with its default WebSocket
implementation); any other value runs uvicorn directly with that ``--ws``
implementation (and ``--no-deflate`` turns permessage-deflate off on the server), to
compare them side by side. ``--compression none``: the clients do not offer
permessage-deflate (browsers do). ``--profile DIR``: py-spy records both servers during
part 2 into DIR/a.txt and DIR/b.txt (collapsed stacks).

Each idle socket re-checks its session every SALTBITTER_WS_SESSION_CHECK_SECONDS (one
session and one user read): at the default 3 s, 10,000 sockets cost 3,300 reads a
second, and even at 60 s (170 a second) a loaded two-core machine spends its time on
re-checks and opens the last thousands of sockets at a few a second. That per-socket
check is being replaced by a process-wide revocation channel (docs/conversations.md,
"Limits"), so the benchmark sets it to ``--session-check`` (3600 s) and measures what
holding sockets costs; the auth timeout is raised to 60 s so that a slow accept under
load is not counted as a failed socket.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from websockets.asyncio.client import ClientConnection, connect

from saltbitter.adapters.security import Argon2PasswordHasher
from saltbitter.adapters.sqlalchemy.migrate import upgrade

from .api_load import (
    HOST,
    PASSWORD,
    Server,
    _database,
    _process_tree,
    _server_env,
    _sign_in,
)

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


class UvicornServer(Server):
    """uvicorn started directly with a chosen WebSocket implementation (the app and
    its settings as ``saltbitter serve`` has them)."""

    def __init__(self, env: dict[str, str], log: Path, ws: str, *, deflate: bool) -> None:
        super().__init__(env, 1, log)
        self._command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "saltbitter.entrypoints.http.app:create_app",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--ws",
            ws,
            "--ws-per-message-deflate",
            "true" if deflate else "false",
            "--no-access-log",
            "--log-level",
            "warning",
        ]


def _server(env: dict[str, str], log: Path, args: argparse.Namespace) -> Server:
    if args.ws == "default" and not args.no_deflate:
        return Server(env, 1, log)
    ws = "auto" if args.ws == "default" else args.ws
    return UvicornServer(env, log, ws, deflate=not args.no_deflate)


def _raise_open_files() -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return soft, hard


_COMPRESSION: dict[str, str | None] = {"deflate": "deflate", "none": None}
_compression: str | None = "deflate"


async def _open(url: str, token: str) -> ClientConnection:
    socket = await connect(
        url,
        open_timeout=60,
        ping_interval=None,
        max_queue=64,
        compression=_compression,
    )
    await socket.send(json.dumps({"type": "auth", "token": token}))
    ready = json.loads(await asyncio.wait_for(socket.recv(), 30))
    assert ready == {"type": "ready"}, ready
    return socket


async def _hold(url: str, token: str, count: int, parallel: int) -> list[ClientConnection]:
    sockets: list[ClientConnection] = []
    gate = asyncio.Semaphore(parallel)

    async def one() -> None:
        async with gate:
            sockets.append(await _open(url, token))

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        print(f"  a client: {len(failed)} failed ({type(failed[0]).__name__}: {failed[0]})")
    return sockets


def _client(
    url: str,
    token: str,
    count: int,
    compression: str | None,
    opened: multiprocessing.Queue[int],
    release: multiprocessing.synchronize.Event,
) -> None:
    """One client process: open ``count`` sockets, report, hold them until released."""
    global _compression  # noqa: PLW0603 - this child process's own setting
    _compression = compression
    _raise_open_files()

    async def run() -> None:
        sockets = await _hold(url, token, count, parallel=25)
        opened.put(len(sockets))
        while not release.is_set():  # noqa: ASYNC110 - polling a process-shared event
            await asyncio.sleep(0.2)
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)

    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(run())


def _idle(server: Server, token: str, count: int, clients: int) -> None:
    url = server.url.replace("http://", "ws://") + "/api/v1/ws"
    time.sleep(2)
    before = _rss_kib(server.pid)
    context = multiprocessing.get_context("spawn")
    opened: multiprocessing.Queue[int] = context.Queue()
    release = context.Event()
    shares = [count // clients + (1 if n < count % clients else 0) for n in range(clients)]
    started = time.perf_counter()
    processes = [
        context.Process(
            target=_client, args=(url, token, share, _compression, opened, release), daemon=True
        )
        for share in shares
        if share
    ]
    for process in processes:
        process.start()
    held = sum(opened.get(timeout=900) for _ in processes)
    took = time.perf_counter() - started
    time.sleep(5)  # let the server settle (sockets' first tasks, allocator)
    after = _rss_kib(server.pid)
    print(
        f"idle sockets: {held:,} of {count:,} held on one process, opened in {took:.1f} s "
        f"({held / took:.0f}/s) by {len(processes)} client processes"
    )
    if held:
        print(
            f"  server RSS {before / 1024:.0f} MiB -> {after / 1024:.0f} MiB: "
            f"{(after - before) / held:.1f} KiB per connection"
        )
    release.set()
    for process in processes:
        process.join(timeout=60)


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
    post_times: list[float] = []
    arrived_at: dict[str, float] = {}
    answered_at: dict[str, float] = {}
    errors = 0

    async def listen(socket: ClientConnection) -> None:
        async for raw in socket:
            event = json.loads(raw)
            if event["type"] == "message.new":
                key = event["message"]["body"]
                if key in sent_at:
                    arrived_at[key] = now = time.perf_counter()
                    latencies.append(now - sent_at.pop(key))

    listeners = [asyncio.create_task(listen(s)) for s in sockets]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=first.url, timeout=30, limits=limits) as client:

        async def post(n: int) -> None:
            nonlocal errors
            sender, _, match_id = matches[n % len(matches)]
            key = f"bench-{n}-{uuid.uuid4().hex[:8]}"
            sent_at[key] = began = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/v1/matches/{match_id}/messages",
                    json={"body": key, "client_message_id": key},
                    headers={"authorization": f"Bearer {tokens[sender]}"},
                )
            except httpx.HTTPError:
                response = None
            answered_at[key] = time.perf_counter()
            post_times.append(answered_at[key] - began)
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
    print(
        f"fan-out across two processes: {len(latencies):,}/{total:,} arrived "
        f"({errors} POST errors, {len(sent_at)} lost) at {rate:.0f} msg/s offered"
    )
    print(f"  POST -> recipient socket: {_spread(latencies)}")
    print(f"  the POST alone:           {_spread(post_times)}")
    # From the POST's answer to the socket (negative: the push beat the answer home).
    after = [arrived_at[k] - answered_at[k] for k in arrived_at if k in answered_at]
    if after:
        print(f"  POST answered -> socket:  {_spread(after)}")


def _spread(seconds: list[float]) -> str:
    ordered = sorted(seconds)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    return (
        f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {at(0.95):.1f} ms, "
        f"p99 {at(0.99):.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def main() -> None:
    global _compression  # noqa: PLW0603 - set once from the command line
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4, help="client processes, part 1")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument(
        "--ws", choices=["default", "websockets", "websockets-sansio", "wsproto"], default="default"
    )
    parser.add_argument("--no-deflate", action="store_true", help="server: no permessage-deflate")
    parser.add_argument("--compression", choices=sorted(_COMPRESSION), default="deflate")
    parser.add_argument("--session-check", type=float, default=3600.0, help="seconds")
    parser.add_argument("--skip-idle", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy output folder")
    args = parser.parse_args()
    _compression = _COMPRESSION[args.compression]
    soft, hard = _raise_open_files()
    print(f"open files: {soft} -> {hard} for this process (the server inherits it)")
    print(
        f"server: {args.ws} WebSocket implementation, permessage-deflate "
        f"{'off' if args.no_deflate else 'on'}; clients offer {args.compression}"
    )
    with _database() as (_name, url), tempfile.TemporaryDirectory() as folder:
        upgrade(url)
        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        emails, matches = _seed(plain, args.pairs)
        env = _server_env(url, f"bench:{uuid.uuid4().hex[:8]}:", Path(folder))
        env["SALTBITTER_WS_SESSION_CHECK_SECONDS"] = str(args.session_check)
        env["SALTBITTER_WS_AUTH_TIMEOUT_SECONDS"] = "60"
        with (
            _server(env, Path(folder) / "a.log", args) as first,
            _server(env, Path(folder) / "b.log", args) as second,
        ):
            tokens = asyncio.run(_sign_in(first.url, emails))
            if not args.skip_idle:
                _idle(second, tokens[-1], args.idle, args.clients)
            if not args.skip_latency:
                with _profiling(args.profile, {"a": first, "b": second}, args.seconds + 3):
                    asyncio.run(_latency(first, second, tokens, matches, args.rate, args.seconds))


@contextlib.contextmanager
def _profiling(folder: Path | None, servers: dict[str, Server], seconds: float) -> Iterator[None]:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if folder is None or spy is None:
        if folder is not None:
            print("py-spy is not installed: no profile")
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    recorders = []
    for name, server in servers.items():
        command = [spy, "record", "--subprocesses", "--format", "raw", "--rate", "200"]
        command += ["--pid", str(server.pid), "--duration", str(int(seconds))]
        command += ["-o", str(folder / f"{name}.txt")]
        recorders.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.wait(timeout=seconds + 60)
        print(f"profiles (collapsed stacks) in {folder}")


if __name__ == "__main__":
    main()
