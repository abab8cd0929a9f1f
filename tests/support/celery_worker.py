"""A real ``saltbitter worker`` process for integration tests, configured from Settings
(started and stopped by ``saltbitter.entrypoints.local_worker``, as the benchmarks do)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from saltbitter.entrypoints.local_worker import start_worker, stop_worker
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for


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


def worker_settings_for(
    database_url: str, redis_url: str, data_dir: Path, **overrides: Any
) -> Settings:
    """Settings of a test's own worker: Celery on Redis with a queue and key prefix of its
    own (tests sharing a Redis never take each other's jobs), results in Redis so tests
    wait for jobs by their results; ``overrides`` replace any of these."""
    fields: dict[str, Any] = {
        "data_dir": data_dir,
        "environment": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "redis_key_prefix": f"sbtest:{uuid.uuid4().hex[:8]}:",
        "tasks": "celery",
        "task_queue": f"saltbitter-test-{uuid.uuid4().hex[:8]}",
        "result_backend": redis_url,
        "jwt_secret": "worker-test-secret-" + "w" * 32,
    }
    return Settings(**(fields | overrides))


class KillableWorker:
    """``saltbitter worker`` (two prefork children) in a process group of its own, to be
    killed (its children, or all of it at once) and started again; ``extra_env`` is
    added to its environment (e.g. a short broker visibility timeout)."""

    def __init__(
        self, settings: Settings, log: Path, extra_env: Mapping[str, str] | None = None
    ) -> None:
        self.settings = settings
        self.log = log
        self._env = dict(extra_env or {})
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_worker(self.settings, self.log, self._env, own_process_group=True)

    def children(self) -> list[int]:
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill_everything(self) -> None:
        """SIGKILL the worker and its children at once: no warm shutdown, no requeue."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            stop_worker(self.process)


@contextmanager
def running_worker(
    settings: Settings, extra_env: Mapping[str, str] | None = None
) -> Iterator[Path]:
    """Start a worker with two prefork children; yields the path of its log.

    Give ``settings`` a ``result_backend`` to wait for jobs by their results.
    """
    log_path = settings.data_dir / "worker.log"
    process = start_worker(settings, log_path, extra_env)
    try:
        wait_until(_consumes(settings), 60, log_path)
        yield log_path
    finally:
        stop_worker(process)
