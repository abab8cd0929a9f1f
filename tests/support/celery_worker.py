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
from saltbitter.entrypoints.worker import celery_app_for


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
    if settings.result_backend:
        env["SALTBITTER_RESULT_BACKEND"] = settings.result_backend
    env.update(extra or {})
    return env


def wait_until(condition: Callable[[], bool], seconds: float, log_path: Path) -> None:
    """Poll ``condition`` (a look at rows, files or results, never at the log); the log
    only explains a timeout."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; worker log:\n{log_path.read_text(errors='replace')[-4000:]}")


def _consumes(settings: Settings) -> Callable[[], bool]:
    """Whether a worker answers remote control and consumes this test's own queue."""
    app = celery_app_for(settings)

    def ready() -> bool:
        replies = app.control.inspect(timeout=1).active_queues() or {}
        return any(
            queue.get("name") == settings.task_queue
            for queues in replies.values()
            for queue in queues
        )

    return ready


@contextmanager
def running_worker(
    settings: Settings, extra_env: Mapping[str, str] | None = None
) -> Iterator[Path]:
    """Start a worker with two prefork children; yields the path of its log.

    Give ``settings`` a ``result_backend`` to wait for jobs by their results.
    """
    log_path = settings.data_dir / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "saltbitter.entrypoints.cli", "worker", "--concurrency", "2"],
            env=worker_environment(settings, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(_consumes(settings), 60, log_path)
            yield log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # A warm shutdown waits for running jobs; past the grace period, kill and
                # reap it (an unreaped child is a ResourceWarning, an error in this suite).
                process.kill()
                process.wait(timeout=30)
