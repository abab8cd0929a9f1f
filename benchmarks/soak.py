"""``python -m benchmarks.soak``: mixed traffic at a fixed rate for minutes, on PostgreSQL
and Redis with two API worker processes.

Seeds ``--members`` synthetic members (the daily job builds their sets), signs
``--tokens`` of them in, pairs them into matches and gives them the AI consent, then
sends an open-loop load of ``--rate`` requests a second for ``--minutes`` (requests are
started on schedule whether or not earlier ones answered, as real clients do) across
every capability: account, matching (daily set, discover, likes), conversations (list,
send), notifications, safety, AI practice (the local stand-in) and payments. It prints,
per endpoint group, p50/p95/p99 latency and the error rate (5xx and unanswered
requests; 4xx such as a repeated like are the product answering, counted apart), and the
memory (RSS) of each server process at the start and at the end, with the growth.

Nothing here is a test: figures depend on the machine and are read, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.entrypoints.logging import configure_logging
from saltbitter.entrypoints.settings import Settings

from .api_load import (
    Server,
    _choose_members,
    _database,
    _forget_cache,
    _percentile,
    _prepare,
    _process_tree,
    _server_env,
    _sign_in,
)
from .daily_job import _redis_reachable

_TIMEOUT = 10.0


@dataclass
class Client:
    """A signed-in member: token, id and (when paired) a match to write in."""

    token: str
    user_id: str = ""
    match_id: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass
class GroupFigures:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    unanswered: int = 0

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        answered = len(ordered)
        total = answered + self.unanswered
        errors = self.unanswered + sum(n for code, n in self.statuses.items() if code >= 500)
        refused = sum(n for code, n in self.statuses.items() if 400 <= code < 500)
        return (
            f"  {name:<14} {total:>7,} req  p50 {_percentile(ordered, 0.5) * 1e3:6.1f} ms  "
            f"p95 {_percentile(ordered, 0.95) * 1e3:6.1f} ms  "
            f"p99 {_percentile(ordered, 0.99) * 1e3:7.1f} ms  "
            f"errors {errors / total if total else 0:.2%}  4xx {refused:,}"
        )


Request = tuple[str, str, str, dict[str, object] | None]  # group, method, path, body


def _mix(clients: Sequence[Client], rng: random.Random) -> Callable[[], tuple[Client, Request]]:
    """A weighted choice of request for a random member."""
    others = [client.user_id for client in clients]

    def reads(_: Client) -> Request:
        path = rng.choice(("/api/v1/me", "/api/v1/me/profile"))
        return ("account", "GET", path, None)

    def matching(_: Client) -> Request:
        roll = rng.random()
        if roll < 0.5:
            return ("matching", "GET", "/api/v1/matches/daily", None)
        if roll < 0.8:
            return ("matching", "GET", "/api/v1/discover", None)
        return ("likes", "POST", "/api/v1/likes", {"user_id": rng.choice(others)})

    def conversations(client: Client) -> Request:
        if client.match_id and rng.random() < 0.5:
            body = {"body": "How was your day?", "client_message_id": uuid.uuid4().hex}
            return ("messages", "POST", f"/api/v1/matches/{client.match_id}/messages", body)
        return ("conversations", "GET", "/api/v1/conversations", None)

    def notifications(_: Client) -> Request:
        return ("notifications", "GET", "/api/v1/notifications", None)

    def safety(_: Client) -> Request:
        return ("safety", "GET", rng.choice(("/api/v1/blocks", "/api/v1/safety/checkins")), None)

    def ai(_: Client) -> Request:
        body = {"body": "What do I say first?"}
        return ("ai", "POST", "/api/v1/ai/practice/playful/messages", body)

    def payments(_: Client) -> Request:
        return ("payments", "GET", rng.choice(("/api/v1/plans", "/api/v1/subscriptions/me")), None)

    weighted = [
        (reads, 20),
        (matching, 30),
        (conversations, 20),
        (notifications, 10),
        (safety, 8),
        (ai, 4),
        (payments, 8),
    ]
    kinds = [kind for kind, _ in weighted]
    weights = [weight for _, weight in weighted]

    def choose() -> tuple[Client, Request]:
        client = rng.choice(clients)
        return client, rng.choices(kinds, weights)[0](client)

    return choose


async def _pair_and_consent(url: str, clients: list[Client]) -> int:
    """The AI consent for everyone, and a match for each member whose daily set holds
    another signed-in, still unmatched member (mutual likes). Returns the matches made."""
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
        for client in clients:
            me = await http.get("/api/v1/me", headers=client.headers)
            client.user_id = str(me.json()["user_id"])
            await http.put(
                "/api/v1/me/consents/ai_features", json={"granted": True}, headers=client.headers
            )
        by_id = {client.user_id: client for client in clients}
        matches = 0
        for first in clients:
            if first.match_id:
                continue
            daily = await http.get("/api/v1/matches/daily", headers=first.headers)
            for item in daily.json().get("items", []):
                second = by_id.get(str(item["member"]["user_id"]))
                if second is None or second.match_id or second is first:
                    continue
                await http.post(
                    "/api/v1/likes", json={"user_id": second.user_id}, headers=first.headers
                )
                answer = await http.post(
                    "/api/v1/likes", json={"user_id": first.user_id}, headers=second.headers
                )
                if answer.status_code < 300 and answer.json().get("match_id"):
                    first.match_id = second.match_id = str(answer.json()["match_id"])
                    matches += 1
                    break
        return matches


def _rss_by_process(root: int) -> dict[int, int]:
    """Resident memory in KiB of each process of the server's tree."""
    sizes: dict[int, int] = {}
    for pid in _process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1])
        except OSError:
            continue
    return sizes


async def _soak(
    url: str, clients: list[Client], rate: float, seconds: float, seed: int
) -> dict[str, GroupFigures]:
    choose = _mix(clients, random.Random(seed))
    figures: dict[str, GroupFigures] = defaultdict(GroupFigures)
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=url, timeout=_TIMEOUT, limits=limits) as http:

        async def one(client: Client, request: Request) -> None:
            group, method, path, body = request
            started = time.perf_counter()
            try:
                answer = await http.request(method, path, json=body, headers=client.headers)
            except httpx.HTTPError:
                figures[group].unanswered += 1
                return
            figures[group].latencies.append(time.perf_counter() - started)
            figures[group].statuses[answer.status_code] += 1

        pending: set[asyncio.Task[None]] = set()
        start = time.perf_counter()
        sent = 0
        next_report = start + 60
        while (now := time.perf_counter()) - start < seconds:
            due = int((now - start) * rate) - sent
            for _ in range(max(0, due)):
                task = asyncio.create_task(one(*choose()))
                pending.add(task)
                task.add_done_callback(pending.discard)
                sent += 1
            if now >= next_report:
                done = sum(len(f.latencies) + f.unanswered for f in figures.values())
                print(f"  {now - start:5.0f} s: {sent:,} sent, {done:,} answered")
                next_report += 60
            await asyncio.sleep(0.002)
        if pending:
            await asyncio.wait(pending, timeout=_TIMEOUT * 2)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--tokens", type=int, default=200, help="distinct signed-in members")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if not _redis_reachable():
        raise SystemExit("Redis is not reachable")
    prefix = f"bench-soak:{uuid.uuid4().hex[:8]}:"
    print(
        f"SaltBitter soak: {args.rate:g} req/s for {args.minutes:g} min, {args.workers} API "
        f"workers, {args.members:,} members ({args.tokens} signed in); python "
        f"{platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="saltbitter-soak-") as scratch,
        _database() as (name, url),
    ):
        data_dir = Path(scratch)
        env = _server_env(url, prefix, data_dir)
        try:
            upgrade(url)
            settings = Settings.from_environ(env)
            configure_logging(settings.log_level, json=settings.log_json)
            asyncio.run(_prepare(settings, args.members, args.seed))
            emails = _choose_members(
                url.replace("postgresql+psycopg://", "postgresql://", 1), args.tokens
            )
            with Server(env, args.workers, data_dir / "server.log") as server:
                tokens = asyncio.run(_sign_in(server.url, emails))
                clients = [Client(token) for token in tokens]
                matches = asyncio.run(_pair_and_consent(server.url, clients))
                print(f"  {len(clients)} members signed in, {matches} matches to write in")
                memory_start = _rss_by_process(server.pid)
                figures = asyncio.run(
                    _soak(server.url, clients, args.rate, args.minutes * 60, args.seed)
                )
                memory_end = _rss_by_process(server.pid)
                tail = server.log_tail(5, skip="SaltBitter API on")
            print("\nper endpoint group (errors: 5xx and unanswered)")
            for group in sorted(figures):
                print(figures[group].line(group))
            total = sum(len(f.latencies) + f.unanswered for f in figures.values())
            print(f"  {'all':<14} {total:>7,} req in {args.minutes:g} min")
            print("\nmemory (RSS) per server process: start -> end")
            for pid in sorted(memory_start):
                start_kib, end_kib = memory_start[pid], memory_end.get(pid, 0)
                growth = (end_kib - start_kib) / start_kib if start_kib else 0.0
                print(
                    f"  pid {pid}: {start_kib / 1024:7.1f} MiB -> {end_kib / 1024:7.1f} MiB "
                    f"({growth:+.1%})"
                )
            print(f"load average at the end: {os.getloadavg()[0]:.1f}")
            if tail:
                print(f"server log (last lines):\n{tail}")
        finally:
            _forget_cache(prefix)
    print(f"cleaned up: database {name} dropped")


if __name__ == "__main__":
    main()
