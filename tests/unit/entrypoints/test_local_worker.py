"""The environment a local ``saltbitter worker`` is started with (tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

from saltbitter.entrypoints.local_worker import worker_environment
from saltbitter.entrypoints.settings import PREFIX, Settings


def test_the_worker_reads_back_the_settings_it_was_started_for(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        environment="test",
        database_url="postgresql+psycopg://postgres@127.0.0.1:5432/elsewhere",
        redis_url="redis://127.0.0.1:6379/10",
        redis_key_prefix="sbtest:abc:",
        tasks="celery",
        task_queue="saltbitter-test-abc",
        result_backend="redis://127.0.0.1:6379/10",
        jwt_secret="worker-test-secret-" + "w" * 32,
        broker_visibility_timeout_seconds=45,
    )
    env = worker_environment(settings, {"SALTBITTER_MATCHING_SHARD_MEMBERS": "250"})
    read = Settings.from_environ({k: v for k, v in env.items() if k.startswith(PREFIX)})

    def seen(s: Settings) -> tuple[object, ...]:
        return (
            s.data_dir, s.environment, s.database_url, s.redis_url, s.redis_key_prefix, s.tasks,
            s.task_queue, s.result_backend, s.jwt_secret, s.broker_visibility_timeout_seconds,
        )  # fmt: skip

    assert seen(read) == seen(settings)
    assert read.matching_shard_members == 250
    assert read.log_json is True
