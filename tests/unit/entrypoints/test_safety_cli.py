"""The safety CLI on the embedded defaults: roles, the review queue and decisions."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

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


def _json(output: str) -> dict[str, object]:
    return dict(json.loads(output[output.index("{") :]))


def test_roles_are_granted_and_revoked_and_the_queue_is_served(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(app, ["demo", "seed", "--users", "2"])
    assert seeded.exit_code == 0, seeded.output

    granted = runner.invoke(app, ["users", "grant-role", "demo-1@saltbitter.test", "moderator"])
    assert granted.exit_code == 0, granted.output
    assert "granted moderator" in granted.output
    roles = _json(runner.invoke(app, ["users", "show", "demo-1@saltbitter.test"]).output)["roles"]
    assert roles == ["member", "moderator"]

    revoked = runner.invoke(app, ["users", "revoke-role", "demo-1@saltbitter.test", "moderator"])
    assert revoked.exit_code == 0, revoked.output
    roles = _json(runner.invoke(app, ["users", "show", "demo-1@saltbitter.test"]).output)["roles"]
    assert roles == ["member"]

    wrong = runner.invoke(app, ["users", "grant-role", "demo-1@saltbitter.test", "king"])
    assert wrong.exit_code == 1
    assert "validation_failed" in wrong.output
    nobody = runner.invoke(app, ["users", "grant-role", "nobody@example.org", "admin"])
    assert nobody.exit_code == 1
    assert "user_not_found" in nobody.output

    queue = runner.invoke(app, ["moderation", "queue"])
    assert queue.exit_code == 0, queue.output
    assert _json(queue.output) == {"items": [], "next_cursor": None}
    missing = runner.invoke(
        app, ["moderation", "resolve", str(uuid4()), "dismiss", "--note", "Nothing to see."]
    )
    assert missing.exit_code == 1
    assert "report_not_found" in missing.output
    not_an_id = runner.invoke(app, ["moderation", "resolve", "abc", "dismiss", "--note", "x"])
    assert not_an_id.exit_code == 2
    no_message = runner.invoke(
        app, ["moderation", "resolve-message", str(uuid4()), "warn", "--note", "Be kind."]
    )
    assert no_message.exit_code == 1
    assert "held_message_not_found" in no_message.output
    bad_id = runner.invoke(app, ["moderation", "resolve-message", "abc", "ban", "--note", "x"])
    assert bad_id.exit_code == 2
