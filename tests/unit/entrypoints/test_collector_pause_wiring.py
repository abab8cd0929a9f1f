"""Who lets the daily job pause the garbage collector, and rank in forked processes: the
processes that run jobs only (a Celery worker, a CLI command), never the API, whose
embedded jobs share its process."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import pytest
from dishka import AsyncContainer

from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.entrypoints.capabilities.matching import scorer_workers
from saltbitter.entrypoints.cli import _with_container
from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import _ProcessRuntime


def _embedded(folder: Path) -> Settings:
    return Settings(data_dir=folder, tasks="in_process", jwt_secret="x" * 48)


def test_the_api_leaves_the_collector_alone(tmp_path: Path) -> None:
    app = create_app(_embedded(tmp_path), configure_logs=False)
    container: AsyncContainer = app.state.dishka_container

    async def policy() -> MatchingPolicy:
        return await container.get(MatchingPolicy)

    assert asyncio.run(policy()).pause_collector is False


def test_a_worker_process_pauses_it(tmp_path: Path) -> None:
    runtime = _ProcessRuntime(_embedded(tmp_path))
    try:
        policy = runtime.loop.run_until_complete(runtime.container.get(MatchingPolicy))
    finally:
        runtime.close()
    assert policy.pause_collector is True


def test_a_cli_command_pauses_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALTBITTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SALTBITTER_LOG_JSON", "true")
    for name in ("SALTBITTER_DATABASE_URL", "SALTBITTER_REDIS_URL", "SALTBITTER_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)

    async def policy(container: AsyncContainer) -> MatchingPolicy:
        return await container.get(MatchingPolicy)

    assert _with_container(policy).pause_collector is True


def test_the_scorer_ranks_in_one_process_in_the_api(tmp_path: Path) -> None:
    assert scorer_workers(_embedded(tmp_path)) == 1


def test_a_process_of_its_own_ranks_on_every_cpu_it_may_use(tmp_path: Path) -> None:
    dedicated = replace(_embedded(tmp_path), matching_pause_collector=True)
    assert scorer_workers(dedicated) == len(os.sched_getaffinity(0))
    # As set, wherever it runs.
    assert scorer_workers(replace(dedicated, matching_scorer_workers=3)) == 3
    assert scorer_workers(replace(_embedded(tmp_path), matching_scorer_workers=2)) == 2
