"""``saltbitter matches generate`` on the embedded defaults (SQLite, in-process cache)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.matching import topics
from saltbitter.application.matching.events import GenerateDailySetsParameters
from saltbitter.application.ports.matching import DailySetStore
from saltbitter.domain.compatibility import Gender
from saltbitter.entrypoints.cli import app
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import run_job
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.matching import seed_member
from support.matching_ports import sql_requests


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALTBITTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SALTBITTER_LOG_JSON", "true")
    monkeypatch.setenv("SALTBITTER_LOG_LEVEL", "WARNING")
    for name in ("SALTBITTER_DATABASE_URL", "SALTBITTER_REDIS_URL", "SALTBITTER_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _seed(database: Path) -> None:
    async def work() -> None:
        engine = create_engine_for(f"sqlite+aiosqlite:///{database}")
        try:
            async with sql_requests(engine)() as request:
                for _ in range(3):
                    await seed_member(request.writers)
                    await seed_member(request.writers, gender=Gender.MAN, seeks=(Gender.WOMAN,))
                await request.transaction.commit()
        finally:
            await engine.dispose()

    asyncio.run(work())


def test_generate_makes_the_due_sets_once_with_a_progress_report(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(cli_env / "saltbitter.sqlite3")

    first = runner.invoke(app, ["matches", "generate", "--date", "2030-02-01", "--all-timezones"])
    assert first.exit_code == 0, first.output
    assert "daily sets" in first.output  # the progress bar's label
    assert "processed 6 member(s) of 6" in first.output
    assert "6 new set(s), 18 candidate(s), dates 2030-02-01" in first.output

    again = runner.invoke(app, ["matches", "generate", "--date", "2030-02-01", "--all-timezones"])
    assert again.exit_code == 0, again.output
    assert "processed 0 member(s) of 6" in again.output

    bad = runner.invoke(app, ["matches", "generate", "--date", "01/02/2030"])
    assert bad.exit_code != 0


def test_generate_in_forced_shards_makes_every_due_set_once(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(cli_env / "saltbitter.sqlite3")
    command = ["matches", "generate", "--date", "2030-02-01", "--all-timezones", "--shards", "2"]

    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    assert "processed 6 member(s) of 6 in 2 shard(s)" in first.output
    assert "6/6" in first.output  # one bar over both shards
    assert "6 new set(s)" in first.output

    again = runner.invoke(app, command)
    assert again.exit_code == 0, again.output
    assert "processed 0 member(s) of 6 in 0 shard(s)" in again.output

    too_many = runner.invoke(app, [*command[:-1], "31"])  # more than the exposure cap
    assert too_many.exit_code != 0


def test_the_embedded_sweep_runs_its_shards_here_one_after_the_other(tmp_path: Path) -> None:
    # The in-process job queue: the coordinator's fan-out runs every shard job before
    # it returns, through the same job table a worker uses.
    settings = Settings(
        data_dir=tmp_path,
        environment="test",
        jwt_secret="embedded-shards-" + "e" * 32,
        log_json=True,
        matching_shard_members=2,
    )
    upgrade(settings.effective_database_url)
    _seed(tmp_path / "saltbitter.sqlite3")

    async def sweep() -> tuple[object, int]:
        container = await build_container(settings)
        try:
            parameters = GenerateDailySetsParameters(date=date(2030, 2, 1), all_timezones=True)
            result = await run_job(container, topics.GENERATE_DAILY_SETS, parameters)
            async with container() as scope:
                runs = await (await scope.get(DailySetStore)).runs_on([date(2030, 2, 1)])
            return result, len(runs)
        finally:
            await stop_container(container)

    assert asyncio.run(sweep()) == ({"due": 6, "shards": 3}, 6)
