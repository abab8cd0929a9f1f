"""The breach CLI on the embedded defaults (SQLite, in-process jobs, mail to files):
record, list with the 72-hour deadline, notify the authority, notify members exactly
once, and the append-only log (the database refuses changes to it too)."""

from __future__ import annotations

import email
import re
import sqlite3
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


def _breach_mails(data_dir: Path) -> dict[str, int]:
    """Breach notices written by the file mailer, per recipient."""
    counts: dict[str, int] = {}
    for path in (data_dir / "mail").rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        if "data breach" in str(message["Subject"]):
            recipient = str(message["To"])
            counts[recipient] = counts.get(recipient, 0) + 1
    return counts


def test_the_breach_workflow_from_record_to_member_notices(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(app, ["demo", "seed", "--users", "3"])
    assert seeded.exit_code == 0, seeded.output

    assert runner.invoke(app, ["breach", "list"]).output.strip() == "no breaches recorded"
    recorded = runner.invoke(
        app,
        [
            "breach",
            "record",
            "--scope",
            "A support export went to the wrong address",
            "--data-class",
            "email",
            "--data-class",
            "display name",
            "--email",
            "demo-1@saltbitter.test",
            "--email",
            "demo-2@saltbitter.test",
            "--email",
            "nobody@example.org",
            "--aware-at",
            "2026-01-01T08:00",
            "--by",
            "dpo",
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    breach_id = re.search(r"recorded breach (\S+)", recorded.output)
    assert breach_id is not None
    breach = breach_id.group(1)
    assert "affected members: 2" in recorded.output
    assert "authority deadline: 2026-01-04 08:00 UTC" in recorded.output
    assert "no account for nobody@example.org" in recorded.output

    listed = runner.invoke(app, ["breach", "list"])
    assert listed.exit_code == 0, listed.output
    assert breach in listed.output
    assert "2026-01-04 08:00" in listed.output
    assert "OVERDUE by" in listed.output  # that deadline has passed
    assert "0/2 told" in listed.output

    told = runner.invoke(
        app,
        ["breach", "notify-authority", breach, "--channel", "DPC portal", "--reference", "C-7"],
    )
    assert told.exit_code == 0, told.output
    assert "by DPC portal (after the 72-hour deadline" in told.output
    again = runner.invoke(app, ["breach", "notify-authority", breach, "--channel", "x"])
    assert again.exit_code == 1
    assert "authority_already_notified" in again.output
    assert "notified " in runner.invoke(app, ["breach", "list"]).output

    first = runner.invoke(app, ["breach", "notify-members", breach])
    assert first.exit_code == 0, first.output
    assert "queued 2 member notice(s)" in first.output
    second = runner.invoke(app, ["breach", "notify-members", breach])
    assert second.exit_code == 0, second.output
    assert "every affected member was told already" in second.output
    assert _breach_mails(cli_env) == {"demo-1@saltbitter.test": 1, "demo-2@saltbitter.test": 1}
    assert "2/2 told" in runner.invoke(app, ["breach", "list"]).output

    log = runner.invoke(app, ["breach", "log", breach])
    assert log.exit_code == 0, log.output
    actions = [line.split()[3] for line in log.output.strip().splitlines()]
    assert actions == ["recorded", "members_added", "authority_notified", "members_notified"]
    assert "by dpo" in log.output.splitlines()[0]
    assert "channel='DPC portal'" in log.output

    # The log refuses changes at the database as well.
    with sqlite3.connect(cli_env / "saltbitter.sqlite3") as db:
        for statement in ("UPDATE breach_log SET actor = 'x'", "DELETE FROM breach_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)


def test_record_by_query_and_refusals(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "seed", "--users", "2"]).exit_code == 0
    everyone = runner.invoke(
        app,
        ["breach", "record", "--scope", "Database dump", "--data-class", "all", "--all-members"],
    )
    assert everyone.exit_code == 0, everyone.output
    assert "affected members: 2" in everyone.output
    since = runner.invoke(
        app,
        ["breach", "record", "--scope", "s", "--data-class", "email", "--since", "2999-01-01"],
    )
    assert since.exit_code == 0, since.output
    assert "affected members: 0" in since.output
    empty = runner.invoke(app, ["breach", "record", "--scope", " ", "--data-class", "email"])
    assert empty.exit_code == 1
    assert "validation_failed" in empty.output
    assert "scope" in empty.output
    assert runner.invoke(app, ["breach", "notify-members", "abc"]).exit_code == 2
    bad_time = ["breach", "record", "--scope", "s", "--data-class", "e", "--since", "soon"]
    assert runner.invoke(app, bad_time).exit_code == 2
    missing = runner.invoke(
        app, ["breach", "notify-members", "00000000-0000-0000-0000-000000000000"]
    )
    assert missing.exit_code == 1
    assert "breach_not_found" in missing.output
    assert runner.invoke(app, ["breach", "log"]).exit_code == 0
