"""``make bench-api``: the API's request path against its framework's ceiling.

In one run, for each ``--servers`` entry (uvicorn, granian) with ``--workers`` worker
processes: a bare Litestar app with one JSON route (``benchmarks.bare_app``), then the real
API (``saltbitter serve --server ...``) on PostgreSQL + Redis with ``--members`` seeded
members and today's daily sets stored, rate limiter on with its limits raised. Each is
loaded with ``wrk`` (installed with apt-get when missing and allowed) at
``--connections`` keep-alive connections on loopback for ``--seconds`` per endpoint:

- ``GET /api/v1/me``, ``GET /api/v1/matches/daily`` (cached after one warm-up request per
  member), ``GET /api/v1/discover`` (four warm-up rounds: a page is kept under its
  markers from its second request in each worker, ADR 0048): requests rotate over
  ``--tokens`` members;
- ``POST /api/v1/likes`` for ``--like-seconds``: every request likes a fresh candidate
  (pairs taken from the stored daily sets, one direction each, used once), signed in as
  the liker; ``--match-share`` of them (10%) answer a like stored before the load, so
  every server makes as many matches per like (``like_blocks``). As in the app, a member
  likes from the daily set they have just read: each liker makes two ``GET /api/v1/me``
  just before the load, so their session is in the principal cache and their token
  verified in the worker that served them (``--cold-likers``: not, the worst case).

Access tokens are minted with the run's secret for sessions written straight into the
database (signing 2,000 members in through argon2 would take minutes on two cores).
Printed per endpoint: requests/s, p50/p95/p99, errors, and the ratio to the bare app.
``--profile SECONDS`` records the API's workers with py-spy during each load (the GETs
and the likes) and prints the top frames (needs root or ptrace rights); ``--endpoints
me,daily`` loads only those. Each load also prints the CPU milliseconds per request of
the PostgreSQL backends serving the benchmark's database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from saltbitter.adapters.security import JwtAccessTokenCodec
from saltbitter.application.ports.security import AccessClaims
from saltbitter.domain.shared import SessionId, UserId

from .api_load import (
    HOST,
    CpuSample,
    _cpu_note,
    _database,
    _database_counters,
    _forget_cache,
    _free_port,
    _process_cpu,
    _server_env,
    plain_url,
    prepared_settings,
)
from .daily_job import ADMIN_URL, REDIS_URL, _redis_reachable

_WRK_LINE = re.compile(r"^WRK (\w+)=(\S+)$", re.MULTILINE)
GETS = ("/api/v1/me", "/api/v1/matches/daily", "/api/v1/discover")
LIKES = "/api/v1/likes"
_BIN = Path(sys.executable).parent


@dataclass
class Figures:
    requests: int
    seconds: float
    errors: int  # answered with a status >= 400
    failures: int  # no answer: connect, read, write errors and timeouts
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# -- wrk ----------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: install it (apt-get install wrk, brew install wrk)")
    return found


# Each request is {method, path, token, body}; thread i of n takes requests i, i+n, ...
# once each (``once``) or round and round.
_SCRIPT = """
local items = {%(items)s}
local once = %(once)s
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
function init(args)
  stride = %(threads)d
  turn = offset or 0
  prepared = {}
  for i, item in ipairs(items) do
    local headers = {["Content-Type"] = "application/json"}
    if item[3] ~= "" then headers["Authorization"] = "Bearer " .. item[3] end
    local body = nil
    if item[4] ~= "" then body = item[4] end
    prepared[i] = wrk.format(item[1], item[2], headers, body)
  end
end
function request()
  if once and turn >= #prepared then wrk.thread:stop() end
  local index = (turn %% #prepared) + 1
  turn = turn + stride
  return prepared[index]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%%d\\n", summary.requests))
  io.write(string.format("WRK duration_us=%%d\\n", summary.duration))
  io.write(string.format("WRK status_errors=%%d\\n", e.status))
  io.write(string.format("WRK socket_errors=%%d\\n", e.connect + e.read + e.write + e.timeout))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("WRK p%%d_us=%%d\\n", p, latency:percentile(p)))
  end
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal here (ASCII)


def run_wrk(
    wrk: str,
    url: str,
    items: Sequence[tuple[str, str, str, str]],
    connections: int,
    seconds: float,
    *,
    once: bool = False,
    threads: int = 2,
) -> Figures:
    rows = ", ".join("{" + ", ".join(_lua(part) for part in item) + "}" for item in items)
    script_text = _SCRIPT % {
        "items": rows,
        "once": "true" if once else "false",
        "threads": threads,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(script_text)
    try:
        completed = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout=10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    figures = {name: int(value) for name, value in _WRK_LINE.findall(completed.stdout)}
    return Figures(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        errors=figures["status_errors"],
        failures=figures["socket_errors"],
        p50_ms=figures["p50_us"] / 1e3,
        p95_ms=figures["p95_us"] / 1e3,
        p99_ms=figures["p99_us"] / 1e3,
    )


# -- servers ------------------------------------------------------------------------


class Served:
    """A server process (group) on a loopback port, ready when ``ready`` answers 200."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, ready: str) -> None:
        self.command, self.env, self.port, self.ready = command, env, port, ready
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Served:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.command[0]} exited at start:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(self.ready).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.command} did not become ready:\n{self.tail()}")
                time.sleep(0.2)
        time.sleep(2.0)  # every worker, not just the first, finishes its start-up
        return self

    def __exit__(self, *_: object) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)  # the group this benchmark started, nothing else
                process.wait(timeout=10)
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.seek(0)
        return "\n".join(self.log.read().decode(errors="replace").splitlines()[-lines:])


def bare_command(server: str, port: int, workers: int) -> list[str]:
    if server == "granian":
        return [
            str(_BIN / "granian"),
            "--interface",
            "asgi",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "benchmarks.bare_app:app",
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.bare_app:app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def api_command(server: str, port: int, workers: int) -> list[str]:
    return [
        str(_BIN / "saltbitter"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--server",
        server,
    ]


# -- members and tokens -------------------------------------------------------------


def mint_tokens(plain_url: str, secret: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A session and a two-hour access token for every member with a stored daily set;
    and every (liker, candidate) pair of those sets, in a shuffled order. The seeding's
    outbox is marked relayed."""
    codec = JwtAccessTokenCodec(secret)
    now = datetime.now(UTC)
    with psycopg.connect(plain_url) as connection:
        members = [
            row[0]
            for row in connection.execute(
                """
                SELECT u.id FROM users u JOIN profiles p ON p.user_id = u.id
                WHERE u.status = 'active' AND p.visibility = 'visible'
                  AND EXISTS (SELECT 1 FROM daily_set_runs r WHERE r.user_id = u.id)
                ORDER BY md5(u.id::text)
                """
            ).fetchall()
        ]
        tokens: dict[str, str] = {}
        with connection.cursor() as cursor:
            rows = []
            for member in members:
                session = uuid.uuid4()
                rows.append((session, member, "bench-api", now, now))
                tokens[str(member)] = codec.issue(
                    AccessClaims(UserId(member), SessionId(session), now, now + timedelta(hours=2))
                )
            cursor.executemany(
                "INSERT INTO sessions (id, user_id, device, created_at, last_used_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
        pairs = [
            (str(row[0]), str(row[1]))
            for row in connection.execute(
                "SELECT e.user_id, e.candidate_id FROM daily_set_entries e"
                " JOIN users u ON u.id = e.candidate_id WHERE u.status = 'active'"
                " ORDER BY md5(e.user_id::text || e.candidate_id::text)"
            ).fetchall()
            if str(row[0]) in tokens
        ]
    with psycopg.connect(plain_url, autocommit=True) as connection:
        # The seeding daily job's "set ready" events are relayed by the worker in
        # production, right after the job; left here, the first like's commit would wake
        # the API's in-process relay for ~2,000 notification jobs during the likes' load.
        connection.execute("UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL")
        connection.execute("VACUUM (ANALYZE)")
    return tokens, pairs


def like_blocks(
    pairs: Sequence[tuple[str, str]], size: int, match_share: float
) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """The likes to load, in blocks of at most ``size`` (one per measured server), and the
    likes to store before the load so that ``match_share`` of each block's likes match.

    One direction of each pair is liked, so a like matches only when it answers one of
    the stored likes: every block makes the same share of matches (each with its
    notification and email jobs), however far a server gets through it. Liking both
    directions instead made the share grow with the progress through the pairs (9-17%)
    and charged a later server for answering an earlier server's likes.
    """
    chosen: dict[frozenset[str], tuple[str, str]] = {}
    for pair in pairs:  # in the query's pseudo-random order
        chosen.setdefault(frozenset(pair), pair)
    likes = list(chosen.values())
    blocks = [likes[start : start + size] for start in range(0, len(likes), size)]
    answered = [block[: round(match_share * len(block))] for block in blocks]
    shuffler = random.Random(len(pairs))
    for block in blocks:
        shuffler.shuffle(block)
    return blocks, [(target, liker) for block in answered for liker, target in block]


def store_likes(database_url: str, likes: Sequence[tuple[str, str]]) -> None:
    """Store (liker, target) likes as made before the load."""
    with psycopg.connect(plain_url(database_url)) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO swipes (actor_id, target_id, decision, created_at)"
            " VALUES (%s, %s, 'like', now() - interval '1 hour')",
            likes,
        )


def _matches(database_url: str) -> int:
    with psycopg.connect(plain_url(database_url)) as connection:
        row = connection.execute("SELECT count(*) FROM matches").fetchone()
    return int(row[0]) if row else 0


def _warm(url: str, path: str, tokens: Sequence[str]) -> None:
    async def run() -> None:
        gate = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:

            async def visit(token: str) -> None:
                async with gate:
                    response = await client.get(path, headers={"authorization": f"Bearer {token}"})
                    response.raise_for_status()

            await asyncio.gather(*(visit(token) for token in tokens))

    asyncio.run(run())


# -- py-spy -------------------------------------------------------------------------


@contextlib.contextmanager
def profiled(pid: int | None, seconds: float, label: str) -> Iterator[None]:
    spy = shutil.which("py-spy", path=str(_BIN)) or shutil.which("py-spy")
    if pid is None or seconds <= 0 or spy is None:
        yield
        return
    out = Path(tempfile.gettempdir()) / f"bench-api-{label}-{pid}.txt"
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(round(seconds)),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
            "--subprocesses",
            "--rate",
            "200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        recorder.wait(timeout=seconds + 60)
        if out.exists():
            print(f"      py-spy ({label}, all workers): {out}")
            for line in top_frames(out.read_text()):
                print(f"        {line}")


def _where(frame: str) -> tuple[str, str]:
    """(function, file below site-packages/ or src/) of a py-spy frame."""
    name, _, rest = frame.partition(" (")
    path = rest.rsplit(":", 1)[0].split("site-packages/")[-1].split("src/")[-1]
    return name, path


def top_frames(raw: str, count: int = 10) -> list[str]:
    """From py-spy's collapsed stacks: where the CPU itself went (by package, the
    innermost frame) and the share of samples under each of our own functions."""
    own: dict[str, int] = {}
    inside: dict[str, int] = {}
    samples = 0
    for line in raw.splitlines():
        stack, _, weight = line.rpartition(" ")
        if not weight.isdigit():
            continue
        n = int(weight)
        samples += n
        frames = [_where(frame) for frame in stack.split(";")]
        package = "/".join(frames[-1][1].split("/")[:2]) or frames[-1][0]
        own[package] = own.get(package, 0) + n
        seen = set()
        for name, path in frames:
            if path.startswith("saltbitter/") and "middleware" not in path and name not in seen:
                seen.add(name)
                inside[f"{name} ({path})"] = inside.get(f"{name} ({path})", 0) + n
    if not samples:
        return []
    lines = ["self time by package:"]
    for key, value in sorted(own.items(), key=lambda item: -item[1])[:count]:
        lines.append(f"  {value / samples:6.1%}  {key}")
    lines.append("under our functions (inclusive):")
    for key, value in sorted(inside.items(), key=lambda item: -item[1])[:count]:
        lines.append(f"  {value / samples:6.1%}  {key}")
    return lines


# -- the run ------------------------------------------------------------------------


def _row(name: str, figures: Figures, bare: Figures | None, cpu_ms: float) -> str:
    ratio = f"{figures.per_second / bare.per_second:6.1%}" if bare else "     -"
    return (
        f"    {name:<22} {figures.per_second:>7,.0f} req/s  p50 {figures.p50_ms:7.2f}  "
        f"p95 {figures.p95_ms:7.2f}  p99 {figures.p99_ms:7.2f} ms  errors "
        f"{figures.errors}+{figures.failures}  of bare {ratio}  server CPU {cpu_ms:5.2f} ms/req"
    )


def _loaded(pid: int, run: Callable[[], Figures]) -> tuple[Figures, float, str]:
    """``run``'s figures, the server's CPU milliseconds per request, and where the
    machine's CPU went meanwhile (on a shared machine the CPU per request is the figure
    least disturbed by the neighbours), with the CPU milliseconds per request of the
    PostgreSQL backends serving the benchmark's database."""
    database = _DATABASE[0]
    backends = _backend_cpu(database) if database else {}
    opened = _database_counters(database)[0] if database else 0
    before = CpuSample.take(pid)
    figures = run()
    after = CpuSample.take(pid)
    requests = max(1, figures.requests)
    cpu_ms = (after.server - before.server) * 1e3 / requests
    note = _cpu_note(before, after)
    if database:
        now = _backend_cpu(database)
        spent = sum(cpu - backends.get(backend, 0.0) for backend, cpu in now.items())
        opened = _database_counters(database)[0] - opened
        note += (
            f"; PostgreSQL backends {spent * 1e3 / requests:.2f} ms CPU/req, "
            f"{opened:,} connections opened"
        )
    return figures, cpu_ms, note


# The benchmark's database, whose backends' CPU ``_loaded`` adds up (set by ``main``).
_DATABASE: list[str] = [""]


def _backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL backend connected to ``database`` (its
    processes are on this machine: PostgreSQL runs on loopback here)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        pids = [
            row[0]
            for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
            ).fetchall()
        ]
    return {pid: _process_cpu(pid) for pid in pids}


def measure_server(
    server: str,
    label: str,
    args: argparse.Namespace,
    wrk: str,
    env: dict[str, str],
    tokens: dict[str, str],
    pairs: list[tuple[str, str]],
) -> None:
    print(
        f"\n[{label}: {server}, {args.workers} worker(s), {args.connections} connections, "
        f"{args.seconds:g} s per endpoint]  load: {os.getloadavg()[0]:.2f}"
    )
    port = _free_port()
    bare_env = {key: value for key, value in env.items() if not key.startswith("SALTBITTER_")}
    with Served(bare_command(server, port, args.workers), bare_env, port, "/") as bare_app:
        assert bare_app.process is not None
        bare, cpu_ms, note = _loaded(
            bare_app.process.pid,
            lambda: run_wrk(
                wrk, bare_app.url + "/", [("GET", "/", "", "")], args.connections, args.seconds
            ),
        )
    print(_row("bare GET /", bare, None, cpu_ms))
    print(f"      {note}")
    port = _free_port()
    readers = list(tokens.values())[: args.tokens]
    with Served(api_command(server, port, args.workers), env, port, "/health/ready") as api:
        assert api.process is not None
        root = api.process.pid
        for path in GETS:
            name = path.rsplit("/")[-1]
            if name not in args.endpoints:
                continue
            for _ in range(4 if name == "discover" else 1):
                _warm(api.url, path, readers)
            requests = [("GET", path, token, "") for token in readers]
            with profiled(root, args.profile, name):
                figures, cpu_ms, note = _loaded(
                    root,
                    lambda requests=requests, url=api.url + path: run_wrk(
                        wrk, url, requests, args.connections, args.seconds
                    ),
                )
            print(_row(f"GET {path.removeprefix('/api/v1')}", figures, bare, cpu_ms))
            print(f"      {note}")
        if "likes" in args.endpoints:
            _measure_likes(api.url, root, args, wrk, bare, tokens, pairs, env)
        tail = [line[:240] for line in api.tail(3).splitlines() if "SaltBitter API on" not in line]
        if tail:
            print("    server log (last lines):\n      " + "\n      ".join(tail))


def _measure_likes(
    url: str,
    root: int,
    args: argparse.Namespace,
    wrk: str,
    bare: Figures,
    tokens: dict[str, str],
    pairs: list[tuple[str, str]],
    env: dict[str, str],
) -> None:
    database_url = env["SALTBITTER_DATABASE_URL"]
    # Each worker's one-off start (its engine, the driver's imports) is not the likes' cost:
    # when likes are loaded alone, signed-in GETs pay it first, as the other loads do.
    _warm(url, "/api/v1/me", list(tokens.values())[: args.tokens])
    if not args.cold_likers:
        # A member likes from the daily set they just read: their session is known to the
        # principal cache (30 s) and, in the worker that served them, their token verified.
        # Two rounds, as a member's requests reach either worker.
        likers = list(dict.fromkeys(tokens[liker] for liker, _ in pairs))
        for _ in range(2):
            _warm(url, "/api/v1/me", likers)
    items = [
        ("POST", LIKES, tokens[liker], json.dumps({"user_id": target})) for liker, target in pairs
    ]
    matched_before = _matches(database_url)
    with profiled(root, args.profile, "likes"):
        figures, cpu_ms, note = _loaded(
            root,
            lambda: run_wrk(
                wrk, url + LIKES, items, args.connections, args.like_seconds, once=True
            ),
        )
    made = _matches(database_url) - matched_before
    print(_row("POST /likes (fresh)", figures, bare, cpu_ms))
    print(f"      {note}")
    print(
        f"      {made:,} matches made: {made / max(figures.requests, 1):.1%} of the likes "
        "(each with its notification and email jobs, run in the API's process here)"
    )
    if figures.requests >= len(items):
        # wrk divides by the whole duration: the rate above is then too low.
        print(
            f"      (all {len(items):,} fresh pairs used before the time was up: req/s is a "
            "floor; run with more --likes)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_api", description=__doc__)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--tokens", type=int, default=64, help="members the GETs rotate over")
    parser.add_argument(
        "--cold-likers",
        action="store_true",
        help="load the likes without first signing the likers in (each liker's first request "
        "then verifies its token and reads its session: the worst case)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument(
        "--likes",
        type=int,
        default=0,
        help="fresh likes per server (default: the ~17,800 pairs of 2,000 members shared out)",
    )
    parser.add_argument(
        "--like-seconds",
        type=float,
        default=5.0,
        help="seconds of the likes' load (fresh pairs are few: 5 s at 1,780 likes/s each)",
    )
    parser.add_argument(
        "--match-share",
        type=float,
        default=0.1,
        help="share of the loaded likes that answer a like stored before (default: 0.1)",
    )
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds (0: off)")
    parser.add_argument(
        "--endpoints",
        type=lambda value: {part.strip() for part in value.split(",") if part.strip()},
        default={"me", "daily", "discover", "likes"},
        help="which to load, e.g. me,daily (default: me,daily,discover,likes)",
    )
    parser.add_argument(
        "--before",
        action="store_true",
        help="also run the API as it was before ADR 0032 (no principal cache, pre-ping on)",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    if not _redis_reachable():
        raise SystemExit(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"bench-api:{uuid.uuid4().hex[:8]}:"
    print(
        f"SaltBitter API vs bare Litestar: {args.members:,} members, python "
        f"{platform.python_version()}, {os.cpu_count()} cores, all on {HOST}; "
        f"uptime load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    removed = 0
    with (
        tempfile.TemporaryDirectory(prefix="saltbitter-bench-") as scratch,
        _database() as (
            name,
            url,
        ),
    ):
        env = _server_env(url, prefix, Path(scratch))
        # A pool for the requests one worker has in flight: from overflow, every
        # request would open and close a PostgreSQL connection (README, pool settings).
        env["SALTBITTER_DATABASE_POOL_SIZE"] = str(-(-args.connections // args.workers))
        # benchmarks.bare_app; an inherited PYTHONPATH stays after it, so that
        # PYTHONPATH=/tmp/base/src serves another checkout's code with this venv.
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parent.parent)]
            + [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part]
        )
        try:
            settings = prepared_settings(env, url, args.members, args.seed)
            tokens, pairs = mint_tokens(plain_url(url), settings.effective_jwt_secret())
            print(f"database {name}: {len(tokens):,} members signed in, {len(pairs):,} pairs")
            runs = len([part for part in args.servers.split(",") if part.strip()]) * (
                1 + args.before
            )
            args.likes = args.likes or len({frozenset(pair) for pair in pairs}) // runs
            blocks, earlier = like_blocks(pairs, args.likes, args.match_share)
            store_likes(url, earlier)
            _DATABASE[0] = name
            before = {
                **env,
                "SALTBITTER_PRINCIPAL_CACHE_SECONDS": "0",
                "SALTBITTER_DATABASE_POOL_PRE_PING": "true",
            }
            for server in [part.strip() for part in args.servers.split(",") if part.strip()]:
                for label, server_env in [("before", before)] * args.before + [("now", env)]:
                    _forget_cache(prefix)
                    block = blocks.pop(0) if blocks else []
                    measure_server(server, label, args, wrk, server_env, tokens, block)
        finally:
            removed = _forget_cache(prefix)
    print(
        f"\ncleaned up: database dropped, {removed} Redis keys removed; "
        f"load now {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
