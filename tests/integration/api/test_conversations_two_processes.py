"""Two API processes sharing PostgreSQL and Redis: a message posted through one reaches
the recipient's socket on the other, and logout-all closes the sockets on both."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from support.api_process import ApiProcess
from support.conversations_api import (
    closed_with,
    matched_pair,
    next_event,
    open_socket,
    ws_url,
)
from support.live_api import Api

pytestmark = pytest.mark.integration


@pytest.fixture
def two_processes(
    tmp_path: Path,
    postgres_databases: Callable[[], str],
    redis_url: str,
    redis_prefix: str,
) -> Iterator[tuple[ApiProcess, ApiProcess]]:
    database_url = postgres_databases()
    upgrade(database_url)
    environment = {
        "SALTBITTER_DATA_DIR": str(tmp_path),  # one mail folder for both
        "SALTBITTER_ENVIRONMENT": "test",
        "SALTBITTER_DATABASE_URL": database_url,
        "SALTBITTER_REDIS_URL": redis_url,
        "SALTBITTER_REDIS_KEY_PREFIX": f"{redis_prefix}two:",
        "SALTBITTER_TASKS": "in_process",
        "SALTBITTER_IN_PROCESS_SCHEDULE": "false",
        "SALTBITTER_JWT_SECRET": "two-processes-" + "x" * 40,
        "SALTBITTER_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
        "SALTBITTER_USER_RATE_LIMIT_PER_MINUTE": "100000",
        "SALTBITTER_WS_SESSION_CHECK_SECONDS": "1",
        "SALTBITTER_LOG_LEVEL": "WARNING",
    }
    with (
        ApiProcess(environment, tmp_path / "a.log") as first,
        ApiProcess(environment, tmp_path / "b.log") as second,
    ):
        yield first, second


def test_a_message_crosses_processes_and_logout_all_closes_sockets_on_both(
    two_processes: tuple[ApiProcess, ApiProcess], tmp_path: Path
) -> None:
    first, second = two_processes
    with httpx.Client(base_url=first.url, timeout=30) as http:
        api = Api(http, tmp_path / "mail")
        ada, bo, match_id = matched_pair(api)
        with ExitStack() as stack:
            on_second = open_socket(stack, second.url, bo.token)
            on_first = open_socket(stack, first.url, bo.token)
            sent = http.post(
                f"/api/v1/matches/{match_id}/messages",
                json={"body": "across processes", "client_message_id": uuid.uuid4().hex},
                headers=ada.headers,
            )
            assert sent.status_code == 201, sent.text
            for socket in (on_second, on_first):
                event = next_event(socket, "message.new")
                assert event["message"]["id"] == sent.json()["id"]
            out = http.post("/api/v1/auth/logout-all", headers=bo.headers)
            assert out.status_code in (200, 204), out.text
            assert closed_with(on_second) == 4401
            assert closed_with(on_first) == 4401
        # A new socket with the revoked token is refused at once.
        with ExitStack() as stack:
            socket = stack.enter_context(connect(ws_url(second.url), open_timeout=10))
            socket.send(json.dumps({"type": "auth", "token": bo.token}))
            assert closed_with(socket) == 4401
