"""A real ``saltbitter worker`` process for integration tests, configured from Settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from saltbitter.entrypoints.settings import Settings


def worker_environment(
    settings: Settings, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SALTBITTER_DATA_DIR": str(settings.data_dir),
            "SALTBITTER_ENVIRONMENT": "test",
            "SALTBITTER_DATABASE_URL": str(settings.database_url),
            "SALTBITTER_REDIS_URL": str(settings.redis_url),
            "SALTBITTER_REDIS_KEY_PREFIX": settings.redis_key_prefix,
            "SALTBITTER_TASKS": "celery",
            "SALTBITTER_TASK_QUEUE": settings.task_queue,
            "SALTBITTER_JWT_SECRET": str(settings.jwt_secret),
            "SALTBITTER_LOG_JSON": "true",
        }
    )
    env.update(extra or {})
    return env


def wait_until(condition: Callable[[], bool], seconds: float, log_path: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; worker log:\n{log_path.read_text(errors='replace')[-4000:]}")


@contextmanager
def running_worker(
    settings: Settings, extra_env: Mapping[str, str] | None = None
) -> Iterator[Path]:
    """Start a worker with two prefork children; yields the path of its log."""
    log_path = settings.data_dir / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "saltbitter.entrypoints.cli", "worker", "--concurrency", "2"],
            env=worker_environment(settings, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: b"ready" in log_path.read_bytes(), 60, log_path)
            yield log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
