"""A ``saltbitter worker`` process on this machine, configured from a Settings object.

The integration tests and the benchmarks drive real Celery workers on local PostgreSQL and
Redis; both start them here so that the worker's environment is written once. Not used in
production, where the worker is started by its own command line and environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from saltbitter.entrypoints.settings import Settings

__all__ = ["start_worker", "stop_worker", "worker_environment"]


def worker_environment(
    settings: Settings, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """This process's environment plus the ``SALTBITTER_*`` variables that make a worker
    read ``settings`` (the storage, the queue and key prefix, the secret); ``extra`` is
    added last (a log level, a shard size)."""
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
            "SALTBITTER_BROKER_VISIBILITY_TIMEOUT_SECONDS": str(
                settings.broker_visibility_timeout_seconds
            ),
        }
    )
    if settings.result_backend:
        env["SALTBITTER_RESULT_BACKEND"] = settings.result_backend
    env.update(extra or {})
    return env


def start_worker(
    settings: Settings,
    log_path: Path,
    extra_env: Mapping[str, str] | None = None,
    *,
    concurrency: int = 2,
    own_process_group: bool = False,
) -> subprocess.Popen[bytes]:
    """``saltbitter worker`` with ``concurrency`` prefork children, its output appended to
    ``log_path``; ``own_process_group`` lets the caller kill it with all its children."""
    with log_path.open("ab") as log:
        # Our own interpreter and command with fixed arguments: nothing untrusted runs.
        return subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "saltbitter.entrypoints.cli",
                "worker",
                "--concurrency",
                str(concurrency),
                # A node name of its own: control replies from another worker on the same
                # broker (another run's) would otherwise share "celery@host", which Celery
                # warns about, and warnings are errors in the tests.
                "--name",
                f"sbtest-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=worker_environment(settings, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_process_group,
        )


def stop_worker(process: subprocess.Popen[bytes], grace_seconds: float = 30) -> None:
    """A warm shutdown; past ``grace_seconds``, kill (the whole group when the worker has
    one of its own) and reap it: an unreaped child is a ResourceWarning."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait(timeout=30)
