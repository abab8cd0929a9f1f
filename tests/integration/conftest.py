"""Real local services for integration tests.

Each test run gets its own freshly created PostgreSQL database (dropped afterwards) and
its own Redis key prefix, so runs never see each other's data. With CI=true a service
that cannot be reached FAILS the tests; elsewhere they are skipped with a clear reason.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "SALTBITTER_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SALTBITTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def service_unavailable(what: str, error: BaseException | str) -> None:
    """Fail in CI, skip elsewhere: integration tests never pass without their service."""
    message = f"{what} is not reachable: {error}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Makes fresh, empty databases (SQLAlchemy psycopg URLs); all dropped at the end."""
    import psycopg

    created: list[str] = []

    def create() -> str:
        name = f"saltbitter_test_{uuid.uuid4().hex[:12]}"
        try:
            admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            service_unavailable("PostgreSQL", error)
            raise
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"

    yield create
    if created:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    """A fresh, empty database for this test run as a SQLAlchemy psycopg URL."""
    return postgres_databases()


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        service_unavailable("Redis", error)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    """A key prefix unique to this run; Redis has no per-run databases to create."""
    return f"sbtest:{uuid.uuid4().hex[:8]}:"
