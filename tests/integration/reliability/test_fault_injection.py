"""The real stack with its dependencies pulled out from under it.

The test starts its own PostgreSQL and Redis (never the machine's shared ones), an API
process on them, and a steady load of message sends (a write the member is told about:
201 means stored). Then it stops one dependency for ten seconds and starts it again:

- while PostgreSQL is down every request answers 503 (never a 500, never a hang), and
  readiness answers 503 naming the database; while Redis is down the API keeps serving
  (caches skipped, rate limits per process: ADR 0011) and readiness says `degraded`;
- afterwards the same process serves again without a restart;
- every message acknowledged with 201 is in the database afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from support.api_process import ApiProcess
from support.conversations_api import Member, matched_pair
from support.live_api import Api
from support.own_services import OwnPostgres, OwnRedis

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

OUTAGE_SECONDS = 10.0
REQUEST_TIMEOUT = 10.0  # a request taking longer counts as a hang
RECOVERY_SECONDS = 30.0


@dataclass
class Stack:
    postgres: OwnPostgres
    redis: OwnRedis
    api: ApiProcess
    folder: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("faults")
    postgres = OwnPostgres()
    redis_server = OwnRedis(folder / "redis")
    postgres.start()
    redis_server.start()
    try:
        upgrade(postgres.url)
        environment = {
            "SALTBITTER_DATA_DIR": str(folder),
            "SALTBITTER_ENVIRONMENT": "test",
            "SALTBITTER_DATABASE_URL": postgres.url,
            "SALTBITTER_REDIS_URL": redis_server.url,
            "SALTBITTER_TASKS": "in_process",
            "SALTBITTER_IN_PROCESS_SCHEDULE": "false",
            "SALTBITTER_JWT_SECRET": "fault-injection-" + "x" * 40,
            "SALTBITTER_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
            "SALTBITTER_USER_RATE_LIMIT_PER_MINUTE": "100000",
            "SALTBITTER_LOG_LEVEL": "WARNING",
        }
        with ApiProcess(environment, folder / "api.log") as api:
            yield Stack(postgres, redis_server, api, folder)
    finally:
        redis_server.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped by a failed test
            postgres.stop()
        postgres.remove()


@dataclass
class Outcome:
    client_message_id: str
    status: int | str  # an HTTP status, or "hang" / "connection" when none came
    message_id: str | None = None


@dataclass
class SteadySends:
    """Sends a message every ``interval`` seconds in a thread until stopped."""

    base_url: str
    sender: Member
    match_id: str
    interval: float = 0.05
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> SteadySends:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=REQUEST_TIMEOUT * 2)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT) as http:
            while not self._stop.is_set():
                client_id = uuid.uuid4().hex
                try:
                    answer = http.post(
                        f"/api/v1/matches/{self.match_id}/messages",
                        json={"body": "still there?", "client_message_id": client_id},
                        headers=self.sender.headers,
                    )
                except httpx.TimeoutException:
                    self.outcomes.append(Outcome(client_id, "hang"))
                except httpx.HTTPError:
                    self.outcomes.append(Outcome(client_id, "connection"))
                else:
                    message_id = answer.json().get("id") if answer.status_code < 300 else None
                    self.outcomes.append(Outcome(client_id, answer.status_code, message_id))
                time.sleep(self.interval)

    def statuses_since(self, start: int) -> set[int | str]:
        return {outcome.status for outcome in self.outcomes[start:]}


def _members(stack: Stack, http: httpx.Client) -> tuple[Member, str]:
    api = Api(http, stack.folder / "mail")
    sender, _, match_id = matched_pair(api)
    return sender, match_id


def _wait_until_sends_succeed(load: SteadySends) -> float:
    """Seconds from now until a send is acknowledged again."""
    started, seen = time.monotonic(), len(load.outcomes)
    while time.monotonic() - started < RECOVERY_SECONDS:
        if 201 in load.statuses_since(seen):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not recovered within {RECOVERY_SECONDS} s: {load.outcomes[-5:]}")


def _stored_message_ids(stack: Stack, match_id: str) -> set[str]:
    import psycopg

    with psycopg.connect(
        f"host=127.0.0.1 port={stack.postgres.port} user=postgres dbname=postgres"
    ) as connection:
        rows = connection.execute(
            "SELECT id FROM messages WHERE match_id = %s", (uuid.UUID(match_id),)
        ).fetchall()
    return {uuid.UUID(str(row[0])).hex for row in rows}


def _hex(identifier: str) -> str:
    return uuid.UUID(identifier).hex


def test_a_database_outage_answers_503_and_loses_no_acknowledged_write(stack: Stack) -> None:
    with httpx.Client(base_url=stack.api.url, timeout=REQUEST_TIMEOUT) as http:
        sender, match_id = _members(stack, http)
        with SteadySends(stack.api.url, sender, match_id) as load:
            time.sleep(1.5)
            before_outage = len(load.outcomes)
            stack.postgres.stop()
            stopped_at = time.monotonic()
            time.sleep(1.0)
            readiness = http.get("/health/ready")
            assert readiness.status_code == 503, readiness.text
            assert readiness.json()["checks"]["database"] != "ok"
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
            during_outage = load.statuses_since(before_outage)
            stack.postgres.start()
            recovered_after = _wait_until_sends_succeed(load)
            time.sleep(1.0)
        assert http.get("/health/ready").json()["status"] == "ok"

    statuses = [outcome.status for outcome in load.outcomes]
    assert 503 in during_outage, during_outage
    assert set(statuses) <= {201, 503}, sorted(set(map(str, statuses)))
    acknowledged = {_hex(o.message_id) for o in load.outcomes if o.status == 201 and o.message_id}
    stored = _stored_message_ids(stack, match_id)
    assert acknowledged <= stored, f"lost: {acknowledged - stored}"
    assert len(stored) <= len(load.outcomes)
    log.info(  # the figures for the note: pytest -o log_cli=true --log-cli-level=INFO
        f"database outage: {len(statuses)} sends, {statuses.count(201)} acknowledged, "
        f"{statuses.count(503)} answered 503, recovered {recovered_after:.1f} s after restart"
    )


def test_a_redis_outage_degrades_without_errors_and_recovers(stack: Stack) -> None:
    with httpx.Client(base_url=stack.api.url, timeout=REQUEST_TIMEOUT) as http:
        sender, match_id = _members(stack, http)
        with SteadySends(stack.api.url, sender, match_id) as load:
            time.sleep(1.5)
            stack.redis.stop()
            stopped_at = time.monotonic()
            time.sleep(1.0)
            readiness = http.get("/health/ready")
            assert readiness.status_code == 200, readiness.text
            assert readiness.json()["status"] == "degraded"
            assert readiness.json()["checks"]["cache"] == "down"
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
            stack.redis.start()
            deadline = time.monotonic() + RECOVERY_SECONDS
            while http.get("/health/ready").json()["status"] != "ok":
                assert time.monotonic() < deadline, "readiness still degraded"
                time.sleep(0.2)
            time.sleep(1.0)

    statuses = [outcome.status for outcome in load.outcomes]
    assert set(statuses) <= {201, 503}, sorted(set(map(str, statuses)))
    acknowledged = {_hex(o.message_id) for o in load.outcomes if o.status == 201 and o.message_id}
    assert acknowledged <= _stored_message_ids(stack, match_id)
    log.info(
        f"redis outage: {len(statuses)} sends, {statuses.count(201)} acknowledged, "
        f"{statuses.count(503)} answered 503"
    )
