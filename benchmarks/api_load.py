"""``python -m benchmarks.api_load``: the HTTP API under load on PostgreSQL and Redis.

Creates a fresh PostgreSQL database, migrates it, seeds ``--members`` synthetic members
(``benchmarks.daily_job``'s seeding: accounts, profiles, assessments, consents), runs the
daily job once, so that every member has today's set stored, and analyses the database.
Then, for each ``--workers`` count, it starts ``saltbitter serve`` as a separate process
on loopback (Redis cache and rate limits under a unique key prefix, in-process jobs, no
in-process schedule, rate limits out of the way), signs ``--tokens`` distinct members in
through the login endpoint, warms each endpoint with one request per member (the first
request ranks discovery and reads the stored daily set; printed as "cold"), and drives
a closed-loop load of ``--connections`` concurrent keep-alive connections against
``GET /api/v1/matches/daily`` and ``GET /api/v1/discover`` separately, each for
``--seconds`` (and at most ``--max-requests``): first with an asyncio httpx client in
this process, then with ``wrk`` and a Lua script rotating the tokens when ``wrk`` is
installed (much lighter: on two cores the Python client competes with the server for
CPU, so its throughput is a floor). After each run it prints where the CPU went (server
process tree, load generator, the rest) and how many PostgreSQL connections and
transactions the run cost (``pg_stat_database``). The server is stopped, the database
dropped and the Redis keys removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis
from dishka import AsyncContainer

from saltbitter.adapters.security import Argon2PasswordHasher
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.logging import configure_logging
from saltbitter.entrypoints.settings import Settings

from .daily_job import ADMIN_URL, REDIS_URL, _HeldJobs, _redis_reachable, _seed

HOST = "127.0.0.1"
PASSWORD = "benchmark passphrase, long enough"
ENDPOINTS = ("/api/v1/matches/daily", "/api/v1/discover")
_REQUEST_TIMEOUT = 10.0
_WRK_LINE = re.compile(r"^WRK (\w+)=(\S+)$", re.MULTILINE)


# -- figures -----------------------------------------------------------------------


@dataclass
class LoadResult:
    client: str
    requests: int
    errors: int  # answered, but not 2xx
    failures: int  # no answer: connect, read, timeout
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict[int, int] = field(default_factory=dict)
    failure_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class CpuSample:
    """CPU seconds so far: the machine (busy, all cores), the server tree, this process."""

    machine_busy: float
    machine_total: float
    server: float
    client: float

    @classmethod
    def take(cls, server_pid: int) -> CpuSample:
        ticks = os.sysconf("SC_CLK_TCK")
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        values = [int(value) for value in fields[:8]]
        idle = values[3] + values[4]
        times = os.times()
        return cls(
            machine_busy=(sum(values) - idle) / ticks,
            machine_total=sum(values) / ticks,
            server=sum(_process_cpu(pid) for pid in _process_tree(server_pid)),
            # Children too: wrk runs as a child of this process and is waited for.
            client=times.user + times.system + times.children_user + times.children_system,
        )


def _process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def _process_cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    after = stat.rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 (1-based); ``after`` starts at field 3.
    return (int(after[11]) + int(after[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_note(before: CpuSample, after: CpuSample) -> str:
    cores = os.cpu_count() or 1
    wall = (after.machine_total - before.machine_total) / cores
    busy = after.machine_busy - before.machine_busy
    server = after.server - before.server
    client = after.client - before.client
    other = max(0.0, busy - server - client)
    return (
        f"CPU {busy / wall / cores:.0%} of {cores} cores busy: server {server / wall:.2f} "
        f"cores, load generator {client / wall:.2f}, rest (PostgreSQL, Redis, ...) "
        f"{other / wall:.2f}"
    )


def _database_counters(name: str) -> tuple[int, int]:
    """Sessions opened and transactions ended so far in database ``name`` (statistics)."""
    time.sleep(1.2)  # backends report their pending statistics about once a second
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT sessions, xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            (name,),
        ).fetchone()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


def _database_note(before: tuple[int, int], after: tuple[int, int], requests: int) -> str:
    sessions, transactions = after[0] - before[0], after[1] - before[1]
    per_request = transactions / requests if requests else float("nan")
    return (
        f"PostgreSQL: {sessions:,} connections opened, {transactions:,} transactions "
        f"({per_request:.2f} per request)"
    )


def _line(result: LoadResult) -> str:
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(result.statuses.items()))
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(result.failure_kinds.items()))
    failures = f", {result.failures} without answer" if result.failures else ""
    failures += f" ({kinds})" if kinds else ""
    return (
        f"{result.client:<6} requests {result.requests:>7,}  errors {result.errors:>5,}"
        f"{failures}  {result.per_second:>8,.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p95 {result.p95_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
        + (f"  [{statuses}]" if statuses else "")
    )


# -- the server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """``saltbitter serve`` in its own process (group), on a loopback port."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = _free_port()
        self.workers = workers
        self._log_path = log
        command = shutil.which("saltbitter", path=str(Path(sys.executable).parent))
        if command is None:
            raise SystemExit("the saltbitter command is not installed next to this Python")
        self._command = [
            command,
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> Server:
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._command,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError(f"the API exited at start:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get("/health/ready").status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the API did not become ready:\n{self.log_tail()}")
                time.sleep(0.1)
        if self.workers > 1:
            time.sleep(2.0)  # let every worker finish its start-up, not just the first
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)  # the group this benchmark started, nothing else
            process.wait(timeout=10)

    def log_tail(self, lines: int = 30, skip: str | None = None) -> str:
        text = self._log_path.read_text(errors="replace") if self._log_path.exists() else ""
        kept = [line for line in text.splitlines() if skip is None or not line.startswith(skip)]
        return "\n".join(kept[-lines:])


# -- the load -----------------------------------------------------------------------


async def _sign_in(url: str, emails: Sequence[str]) -> list[str]:
    """One login per member (argon2 makes each cost tens of ms): four at a time."""
    gate = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:

        async def login(email: str) -> str:
            async with gate:
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"email": email, "password": PASSWORD},
                    headers={"user-agent": "api-load-benchmark"},
                )
            response.raise_for_status()
            return str(response.json()["access_token"])

        return list(await asyncio.gather(*(login(email) for email in emails)))


async def _warm(url: str, path: str, tokens: Sequence[str]) -> LoadResult:
    """One request per member, eight at a time: fills the caches as first visits do."""
    gate = asyncio.Semaphore(8)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(base_url=url, timeout=_REQUEST_TIMEOUT) as client:

        async def visit(token: str) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.get(path, headers={"authorization": f"Bearer {token}"})
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(visit(token) for token in tokens))
        seconds = time.perf_counter() - started
    return _result("cold", latencies, statuses, 0, seconds)


def _result(
    client: str, latencies: list[float], statuses: dict[int, int], failures: int, seconds: float
) -> LoadResult:
    ordered = sorted(latencies)
    return LoadResult(
        client=client,
        requests=len(ordered),
        errors=sum(count for code, count in statuses.items() if not 200 <= code < 300),
        failures=failures,
        seconds=seconds,
        p50_ms=_percentile(ordered, 0.50) * 1e3,
        p95_ms=_percentile(ordered, 0.95) * 1e3,
        p99_ms=_percentile(ordered, 0.99) * 1e3,
        statuses={code: n for code, n in statuses.items() if not 200 <= code < 300},
    )


async def _httpx_load(
    url: str, path: str, tokens: Sequence[str], connections: int, seconds: float, limit: int
) -> LoadResult:
    """Closed loop: each of ``connections`` tasks sends its next request on the answer."""
    headers = [{"authorization": f"Bearer {token}"} for token in tokens]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    kinds: dict[str, int] = {}
    budget = [limit]
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, timeout=_REQUEST_TIMEOUT, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def connection(index: int) -> None:
            nonlocal failures
            turn = index
            while budget[0] > 0 and time.perf_counter() < deadline:
                budget[0] -= 1
                started = time.perf_counter()
                try:
                    response = await client.get(path, headers=headers[turn % len(headers)])
                    await response.aread()
                except httpx.HTTPError as error:
                    failures += 1
                    kinds[type(error).__name__] = kinds.get(type(error).__name__, 0) + 1
                    continue
                finally:
                    turn += connections
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(connection(index) for index in range(connections)))
        elapsed = time.perf_counter() - started
    result = _result("httpx", latencies, statuses, failures, elapsed)
    result.failure_kinds = kinds
    return result


_WRK_SCRIPT = """
local tokens = {%(tokens)s}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  prepared = {}
  for i, token in ipairs(tokens) do
    prepared[i] = wrk.format("GET", nil, {["Authorization"] = "Bearer " .. token})
  end
  turn = offset or 0
end
function request()
  turn = turn + 1
  return prepared[(turn %% #prepared) + 1]
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


def _wrk_load(
    wrk: str, url: str, path: str, tokens: Sequence[str], connections: int, seconds: float
) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % {"tokens": ", ".join(f'"{token}"' for token in tokens)})
    try:
        completed = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={round(_REQUEST_TIMEOUT)}s",
                "-s",
                script.name,
                url + path,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    figures = {name: int(value) for name, value in _WRK_LINE.findall(completed.stdout)}
    return LoadResult(
        client="wrk",
        requests=figures["requests"],
        errors=figures["status_errors"],  # wrk counts answers with status >= 400
        failures=figures["socket_errors"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1e3,
        p95_ms=figures["p95_us"] / 1e3,
        p99_ms=figures["p99_us"] / 1e3,
    )


# -- the database -------------------------------------------------------------------


def prepared_settings(env: dict[str, str], url: str, members: int, seed: int) -> Settings:
    """The benchmark database at ``url`` migrated and seeded with ``members`` members and
    today's sets; the settings of ``env`` (logging configured from them)."""
    upgrade(url)
    settings = Settings.from_environ(env)
    configure_logging(settings.log_level, json=settings.log_json)
    asyncio.run(_prepare(settings, members, seed))
    return settings


def plain_url(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


async def _prepare(settings: Settings, members: int, seed: int) -> None:
    engine = create_engine_for(str(settings.database_url))
    started = time.perf_counter()
    try:
        await _seed(engine, members, seed)
    finally:
        await engine.dispose()
    print(f"seeded {members:,} members in {time.perf_counter() - started:.1f} s")
    container: AsyncContainer = await build_container(settings, _HeldJobs())
    try:
        async with container() as scope:
            generate = await scope.get(GenerateDailySets)
            started = time.perf_counter()
            summary = await generate(all_timezones=True)
        print(
            f"daily job: {summary.created:,} sets stored ({summary.delivered:,} candidates) "
            f"in {time.perf_counter() - started:.1f} s"
        )
    finally:
        await stop_container(container)


def _choose_members(plain_url: str, count: int) -> list[str]:
    """Active, visible members with a stored set; a real argon2 hash of PASSWORD each."""
    password_hash = asyncio.run(Argon2PasswordHasher().hash(PASSWORD))
    with psycopg.connect(plain_url) as connection:
        rows = connection.execute(
            """
            SELECT u.email FROM users u
            JOIN profiles p ON p.user_id = u.id
            JOIN daily_set_runs r ON r.user_id = u.id
            WHERE u.status = 'active' AND p.visibility = 'visible'
            ORDER BY md5(u.id::text) LIMIT %s
            """,
            (count,),
        ).fetchall()
        emails = [row[0] for row in rows]
        connection.execute(
            "UPDATE users SET password_hash = %s WHERE email = ANY(%s)", (password_hash, emails)
        )
    # Planner statistics, as a live database has them: otherwise autovacuum gathers them
    # at some point during the load and the plans (and figures) change mid-run.
    with psycopg.connect(plain_url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    return emails


def _forget_cache(prefix: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


@contextlib.contextmanager
def _database() -> Iterator[tuple[str, str]]:
    name = f"saltbitter_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield (
            name,
            f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1),
        )
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the run ------------------------------------------------------------------------


def _server_env(url: str, prefix: str, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SALTBITTER_")}
    env.update(
        SALTBITTER_ENVIRONMENT="test",
        SALTBITTER_DATA_DIR=str(data_dir),
        SALTBITTER_DATABASE_URL=url,
        SALTBITTER_REDIS_URL=REDIS_URL,
        SALTBITTER_REDIS_KEY_PREFIX=prefix,
        SALTBITTER_TASKS="in_process",
        SALTBITTER_IN_PROCESS_SCHEDULE="false",
        SALTBITTER_USER_RATE_LIMIT_PER_MINUTE="100000000",
        SALTBITTER_AUTH_RATE_LIMIT_PER_MINUTE="100000000",
        SALTBITTER_JWT_SECRET="api-load-benchmark-secret-" + "k" * 32,
        SALTBITTER_LOG_LEVEL="WARNING",
        SALTBITTER_LOG_JSON="true",
    )
    return env


def _measure(
    server: Server,
    database: str,
    emails: Sequence[str],
    args: argparse.Namespace,
    wrk: str | None,
) -> None:
    started = time.perf_counter()
    tokens = asyncio.run(_sign_in(server.url, emails))
    print(f"  signed in {len(tokens)} members in {time.perf_counter() - started:.1f} s")
    for path in ENDPOINTS:
        print(f"  GET {path}")
        cold = asyncio.run(_warm(server.url, path, tokens))
        print(f"    {_line(cold)}   (first request per member, 8 at a time)")
        runs = [
            lambda path=path: asyncio.run(
                _httpx_load(
                    server.url, path, tokens, args.connections, args.seconds, args.max_requests
                )
            )
        ]
        if wrk is not None:
            runs.append(
                lambda path=path, wrk=wrk: _wrk_load(
                    wrk, server.url, path, tokens, args.connections, args.seconds
                )
            )
        for run in runs:
            counters = _database_counters(database)
            before = CpuSample.take(server.pid)
            result = run()
            after = CpuSample.take(server.pid)
            print(f"    {_line(result)}")
            print(f"           {_cpu_note(before, after)}")
            note = _database_note(counters, _database_counters(database), result.requests)
            print(f"           {note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_load", description=__doc__)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0, help="per endpoint and client")
    parser.add_argument("--tokens", type=int, default=64, help="distinct signed-in members")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to try")
    parser.add_argument("--max-requests", type=int, default=500_000, help="httpx bound")
    parser.add_argument("--no-wrk", action="store_true", help="skip wrk even if installed")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    worker_counts = [int(part) for part in args.workers.split(",") if part.strip()]
    wrk = None if args.no_wrk else shutil.which("wrk")
    if not _redis_reachable():
        raise SystemExit(f"Redis is not reachable at {REDIS_URL}")

    prefix = f"bench-api:{uuid.uuid4().hex[:8]}:"
    print(
        f"SaltBitter API load: {args.members:,} members, {args.tokens} signed in, "
        f"{args.connections} connections, {args.seconds:g} s per endpoint and client"
    )
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores, httpx {httpx.__version__}"
        f", wrk {'yes' if wrk else 'not installed'}; all on {HOST}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="saltbitter-load-") as scratch,
        _database() as (
            name,
            url,
        ),
    ):
        data_dir = Path(scratch)
        env = _server_env(url, prefix, data_dir)
        try:
            print(f"database {name}, Redis key prefix {prefix}")
            prepared_settings(env, url, args.members, args.seed)
            emails = _choose_members(plain_url(url), args.tokens)
            for workers in worker_counts:
                _forget_cache(prefix)  # every configuration starts from the stored sets
                print(
                    f"\n[uvicorn, {workers} worker process(es), access log off, "
                    f"log level WARNING; cache empty at start]"
                )
                with Server(env, workers, data_dir / f"server-{workers}.log") as server:
                    _measure(server, name, emails, args, wrk)
                    tail = server.log_tail(5, skip="SaltBitter API on")
                    if tail:
                        print(f"  server log (last lines):\n{tail}")
        finally:
            removed = _forget_cache(prefix)
    print(f"\ncleaned up: database {name} dropped, {removed} Redis keys removed")


if __name__ == "__main__":
    main()
