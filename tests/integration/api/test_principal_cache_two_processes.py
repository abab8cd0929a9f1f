"""The principal cache (ADR 0032) across two API processes sharing PostgreSQL and Redis.

Each process keeps principals for five minutes here and never re-checks open sockets on
its own (the periodic check is an hour away), so whatever is refused or closed below was
refused or closed by the revocation itself, with both caches warm.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.safety.moderation import ResolveReport
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from support.api_process import ApiProcess
from support.conversations_api import closed_with, matched_pair, member, open_socket, ws_url
from support.live_api import Api

pytestmark = pytest.mark.integration


@pytest.fixture
def environment(
    tmp_path: Path, postgres_databases: Callable[[], str], redis_url: str, redis_prefix: str
) -> dict[str, str]:
    database_url = postgres_databases()
    upgrade(database_url)
    return {
        "SALTBITTER_DATA_DIR": str(tmp_path),
        "SALTBITTER_ENVIRONMENT": "test",
        "SALTBITTER_DATABASE_URL": database_url,
        "SALTBITTER_REDIS_URL": redis_url,
        "SALTBITTER_REDIS_KEY_PREFIX": f"{redis_prefix}principals:",
        "SALTBITTER_TASKS": "in_process",
        "SALTBITTER_IN_PROCESS_SCHEDULE": "false",
        "SALTBITTER_JWT_SECRET": "principal-cache-" + "x" * 40,
        "SALTBITTER_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
        "SALTBITTER_USER_RATE_LIMIT_PER_MINUTE": "100000",
        "SALTBITTER_PRINCIPAL_CACHE_SECONDS": "300",
        "SALTBITTER_WS_SESSION_CHECK_SECONDS": "3600",
        "SALTBITTER_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def two_processes(
    environment: dict[str, str], tmp_path: Path
) -> Iterator[tuple[ApiProcess, ApiProcess]]:
    with (
        ApiProcess(environment, tmp_path / "a.log") as first,
        ApiProcess(environment, tmp_path / "b.log") as second,
    ):
        yield first, second


def _warm(urls: list[str], headers: dict[str, str]) -> None:
    for url in urls:
        for _ in range(3):
            assert httpx.get(f"{url}/api/v1/me", headers=headers, timeout=30).status_code == 200


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


def test_logout_all_refuses_the_token_on_the_next_request_in_every_process(
    two_processes: tuple[ApiProcess, ApiProcess], tmp_path: Path
) -> None:
    first, second = two_processes
    with httpx.Client(base_url=first.url, timeout=30) as http:
        api = Api(http, tmp_path / "mail")
        email = api.verified_member()
        kept, other = api.bearer(api.login(email)), api.bearer(api.login(email, device="b"))
        _warm([first.url, second.url], kept)
        _warm([first.url, second.url], other)
        assert http.post("/api/v1/auth/logout-all", headers=other).status_code in (200, 204)
    for url in (second.url, first.url):
        for headers in (kept, other):
            refused = httpx.get(f"{url}/api/v1/me", headers=headers, timeout=30)
            assert refused.status_code == 401, refused.text
            assert _code(refused) == "session_revoked"


def test_revoking_one_session_leaves_the_others_cached_and_valid(
    two_processes: tuple[ApiProcess, ApiProcess], tmp_path: Path
) -> None:
    first, second = two_processes
    with httpx.Client(base_url=first.url, timeout=30) as http:
        api = Api(http, tmp_path / "mail")
        email = api.verified_member()
        kept, lost = api.bearer(api.login(email)), api.bearer(api.login(email, device="b"))
        _warm([first.url, second.url], kept)
        _warm([first.url, second.url], lost)
        sessions = http.get("/api/v1/auth/sessions", headers=lost).json()
        current = next(s["session_id"] for s in sessions["items"] if s["current"])
        gone = http.delete(f"/api/v1/auth/sessions/{current}", headers=kept)
        assert gone.status_code in (200, 204), gone.text
    refused = httpx.get(f"{second.url}/api/v1/me", headers=lost, timeout=30)
    assert refused.status_code == 401, refused.text
    assert httpx.get(f"{second.url}/api/v1/me", headers=kept, timeout=30).status_code == 200


@pytest.mark.parametrize("action", ["suspend", "ban"])
def test_a_moderation_decision_elsewhere_refuses_the_member_at_once_and_closes_sockets(
    two_processes: tuple[ApiProcess, ApiProcess],
    environment: dict[str, str],
    tmp_path: Path,
    action: str,
) -> None:
    """Decided in a third process (the CLI's container), as an operator would."""
    first, second = two_processes
    with httpx.Client(base_url=first.url, timeout=30) as http:
        api = Api(http, tmp_path / "mail")
        reporter, target = member(api, "woman", "man"), member(api, "man", "woman")
        _warm([first.url, second.url], target.headers)
        report = http.post(
            "/api/v1/reports",
            json={"user_id": target.user_id, "reason": "harassment", "details": "Rude again."},
            headers=reporter.headers,
        )
        assert report.status_code == 201, report.text
        report_id = uuid.UUID(report.json()["id"])
        with ExitStack() as stack:
            sockets = [open_socket(stack, url, target.token) for url in (first.url, second.url)]
            settings = Settings.from_environ(environment)

            async def decide() -> None:
                container = await build_container(settings)
                try:
                    async with container() as scope:
                        resolve = await scope.get(ResolveReport)
                        days = 3 if action == "suspend" else None
                        await resolve(None, report_id, action, days, "test decision")
                finally:
                    await stop_container(container)

            asyncio.run(decide())
            for url in (second.url, first.url):
                refused = httpx.get(f"{url}/api/v1/me", headers=target.headers, timeout=30)
                assert refused.status_code in (401, 403), refused.text
            for socket in sockets:
                assert closed_with(socket, timeout=10) == 4401


def test_logout_all_closes_sockets_on_both_processes_without_the_periodic_check(
    two_processes: tuple[ApiProcess, ApiProcess], tmp_path: Path
) -> None:
    first, second = two_processes
    with httpx.Client(base_url=first.url, timeout=30) as http:
        api = Api(http, tmp_path / "mail")
        _, bo, _ = matched_pair(api)
        with ExitStack() as stack:
            on_second = open_socket(stack, second.url, bo.token)
            on_first = open_socket(stack, first.url, bo.token)
            out = http.post("/api/v1/auth/logout-all", headers=bo.headers)
            assert out.status_code in (200, 204), out.text
            # Within seconds, though the sockets' own check is an hour away.
            assert closed_with(on_second, timeout=10) == 4401
            assert closed_with(on_first, timeout=10) == 4401
        with ExitStack() as stack:
            socket = stack.enter_context(connect(ws_url(second.url), open_timeout=10))
            socket.send(json.dumps({"type": "auth", "token": bo.token}))
            assert closed_with(socket) == 4401
