"""A Redis of the test's own, stopped and started under a live API (ADR 0011)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from support.live_api import LiveServer

pytestmark = pytest.mark.integration

PREFIX = "sbtest-outage:"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnRedis:
    """A throwaway redis-server without persistence; ``stop`` is a real outage."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary = binary
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        arguments = [part for name, value in options.items() for part in (f"--{name}", value)]
        self.process = subprocess.Popen(
            [self.binary, *arguments, "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_until(lambda: self.client().ping())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    @staticmethod
    def wait_until(condition: Callable[[], Any], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except redis.RedisError:
                pass
            time.sleep(0.05)
        pytest.fail("the condition never held")


def test_the_api_serves_through_a_redis_outage_and_counts_in_redis_again_after(
    live_server_factory: Callable[..., LiveServer], tmp_path: Path
) -> None:
    own = OwnRedis(tmp_path)
    own.start()
    login = {"email": "nobody@example.org", "password": "not the password"}
    try:
        with (
            live_server_factory(
                redis_url=own.url, redis_key_prefix=PREFIX, auth_rate_limit_per_minute=3
            ) as server,
            httpx.Client(base_url=server.url) as http,
        ):
            assert http.get("/health/ready").json()["status"] == "ok"

            own.stop()
            assert http.get("/api/v1/me").status_code == 401  # not 503
            outage = http.get("/health/ready")
            assert (outage.status_code, outage.json()["status"]) == (200, "degraded")
            statuses = [http.post("/api/v1/auth/login", json=login).status_code for _ in range(4)]
            assert statuses == [401, 401, 401, 429]  # limited in this process meanwhile

            own.start()
            own.wait_until(lambda: http.get("/health/ready").json()["status"] == "ok")
            # The fresh Redis holds no count yet: this process's refusal is left behind.
            assert http.post("/api/v1/auth/login", json=login).status_code == 401
            keys = own.client().keys(f"{PREFIX}ratelimit*")
            assert keys, "the limiter counts in Redis again"
    finally:
        own.stop()
