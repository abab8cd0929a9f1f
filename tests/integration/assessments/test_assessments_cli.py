"""``saltbitter assessments norms`` and ``reliability`` on the embedded defaults (SQLite)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.assessments import (
    SqlaAssessmentRepository,
    SqlaMemberConsents,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.ports.assessments import StoredAssessment
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.entrypoints.cli import app
from saltbitter.testing.builders import a_user
from saltbitter.testing.strategies.attachment import simulate_population


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALTBITTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SALTBITTER_LOG_JSON", "true")
    monkeypatch.setenv("SALTBITTER_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("SALTBITTER_NORMS_MIN_SAMPLE", "30")
    for name in ("SALTBITTER_DATABASE_URL", "SALTBITTER_REDIS_URL", "SALTBITTER_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _seed(database: Path, count: int, seed: int) -> None:
    taken_at = datetime.now(UTC) - timedelta(days=60)

    async def work() -> None:
        engine = create_engine_for(f"sqlite+aiosqlite:///{database}")
        db = StagedConnection(engine)
        users, consents = SqlaUserRepository(db), SqlaMemberConsents(db)
        taken = SqlaAssessmentRepository(db)
        try:
            async with SqlaTransaction(db) as transaction:
                for answers in simulate_population(count, seed):
                    user = a_user()
                    users.add(user)
                    consents.append(
                        ConsentRecord(user.id, ConsentPurpose.SENSITIVE_DATA, True, "p-1", taken_at)
                    )
                    taken.add(
                        StoredAssessment(
                            uuid4(), user.id, "ecr-r", "en-2013-06-05", answers, 3.0, 3.0,
                            AttachmentStyle.SECURE, False, taken_at,
                        )
                    )  # fmt: skip
                await transaction.commit()
        finally:
            await db.close()
            await engine.dispose()

    asyncio.run(work())


def test_norms_waits_for_the_minimum_sample_then_publishes_a_version(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(cli_env / "saltbitter.sqlite3", 20, seed=1)

    early = runner.invoke(app, ["assessments", "norms"])
    assert early.exit_code == 0, early.output
    assert "reading answers" in early.output  # the progress bar's label
    assert "no new norms" in early.output
    assert "published priors" in early.output

    _seed(cli_env / "saltbitter.sqlite3", 20, seed=2)
    ready = runner.invoke(app, ["assessments", "norms"])
    assert ready.exit_code == 0, ready.output
    assert "40 of 40 response(s) used" in ready.output
    assert "anxiety: alpha 0.9" in ready.output
    assert "published norms platform-" in ready.output
    assert "from 40 response(s)" in ready.output


def test_reliability_reports_alpha_its_interval_and_item_totals(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(cli_env / "saltbitter.sqlite3", 50, seed=3)

    result = runner.invoke(app, ["assessments", "reliability"])
    assert result.exit_code == 0, result.output
    assert "95% CI" in result.output
    assert "item 36:" in result.output
    assert "item-total r +0." in result.output
    assert "published" not in result.output

    unknown = runner.invoke(app, ["assessments", "reliability", "--instrument", "nope"])
    assert unknown.exit_code == 1
    assert "instrument_not_found" in unknown.output
