"""The CLI on the embedded defaults: migrate, seed, show and purge accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saltbitter.entrypoints.cli import app


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALTBITTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SALTBITTER_LOG_JSON", "true")
    for name in ("SALTBITTER_DATABASE_URL", "SALTBITTER_REDIS_URL", "SALTBITTER_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_migrate_seed_show_and_purge(cli_env: Path) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert (cli_env / "saltbitter.sqlite3").exists()

    seeded = runner.invoke(app, ["demo", "seed", "--users", "3"])
    assert seeded.exit_code == 0, seeded.output
    assert "created 3 demo member(s)" in seeded.output
    again = runner.invoke(app, ["demo", "seed", "--users", "3"])
    assert "created" not in again.output  # idempotent

    shown = runner.invoke(app, ["users", "show", "DEMO-2@saltbitter.test"])
    assert shown.exit_code == 0, shown.output
    account = json.loads(shown.output[shown.output.index("{") :])
    assert account["email"] == "demo-2@saltbitter.test"
    assert account["status"] == "active"
    # demo-2 took the assessment, which needs the sensitive-data consent.
    assert account["consents"] == {"terms": True, "privacy": True, "sensitive_data": True}
    assert "password_hash" not in account

    missing = runner.invoke(app, ["users", "show", "nobody@example.org"])
    assert missing.exit_code == 1
    assert "user_not_found" in missing.output

    purged = runner.invoke(app, ["users", "purge-unverified"])
    assert purged.exit_code == 0
    assert "purged 0 unverified account(s)" in purged.output

    down = runner.invoke(app, ["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output


def test_serve_refuses_several_workers_on_sqlite(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code != 0


def test_an_operator_erases_a_member_at_once(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "seed", "--users", "3"]).exit_code == 0

    without_now = runner.invoke(app, ["users", "erase", "demo-2@saltbitter.test"])
    assert without_now.exit_code == 2
    assert "--now" in without_now.output
    declined = runner.invoke(
        app, ["users", "erase", "demo-2@saltbitter.test", "--now"], input="n\n"
    )
    assert declined.exit_code == 1
    assert runner.invoke(app, ["users", "show", "demo-2@saltbitter.test"]).exit_code == 0

    erased = runner.invoke(app, ["users", "erase", "DEMO-2@saltbitter.test", "--now"], input="y\n")
    assert erased.exit_code == 0, erased.output
    assert "erased DEMO-2@saltbitter.test:" in erased.output
    assert "payment records kept anonymised" in erased.output
    gone = runner.invoke(app, ["users", "show", "demo-2@saltbitter.test"])
    assert gone.exit_code == 1
    assert "user_not_found" in gone.output
    again = runner.invoke(app, ["users", "erase", "demo-2@saltbitter.test", "--now", "--yes"])
    assert again.exit_code == 1
    assert "user_not_found" in again.output
    # The other members are untouched.
    assert runner.invoke(app, ["users", "show", "demo-1@saltbitter.test"]).exit_code == 0
