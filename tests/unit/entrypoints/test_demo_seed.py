"""`saltbitter demo seed` on the embedded defaults: a living community, made once.

The seed runs through the real CLI on a temporary SQLite database; then demo-1 signs in
to the real API (uvicorn on a loopback port) and sees daily matches with explanations.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from saltbitter.application.accounts.admin import DEMO_PASSWORD
from saltbitter.application.demo import demo_email, plan_demo_community
from saltbitter.entrypoints.cli import app
from saltbitter.entrypoints.settings import Settings
from support.live_api import LiveServer

MEMBERS = 12
_TABLES = (
    "users",
    "consents",
    "profiles",
    "photos",
    "assessments",
    "swipes",
    "matches",
    "daily_set_runs",
    "daily_set_entries",
    "notifications",
    "outbox",
)
_COMPONENTS = {"attachment", "interests", "values", "demographics"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALTBITTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SALTBITTER_LOG_JSON", "true")
    for name in (
        "SALTBITTER_DATABASE_URL",
        "SALTBITTER_REDIS_URL",
        "SALTBITTER_BROKER_URL",
        "SALTBITTER_S3_BUCKET",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _state(data_dir: Path) -> dict[str, int]:
    """Row counts of every table the seed touches, and the photo files on disk."""
    with sqlite3.connect(data_dir / "saltbitter.sqlite3") as db:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in _TABLES
        }
    counts["photo files"] = sum(1 for path in (data_dir / "photos").rglob("*") if path.is_file())
    return counts


def test_seed_makes_a_living_community_once_and_demo_1_sees_daily_matches(
    data_dir: Path,
) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output

    seeded = runner.invoke(app, ["demo", "seed", "--users", str(MEMBERS)])
    assert seeded.exit_code == 0, seeded.output
    assert f"created {MEMBERS} demo member(s)" in seeded.output
    assert f"demo login: {demo_email(1)} / {DEMO_PASSWORD}" in seeded.output

    plan = plan_demo_community(MEMBERS, today=datetime.now(UTC).date())
    state = _state(data_dir)
    assert state["users"] == state["profiles"] == state["daily_set_runs"] == MEMBERS
    assert state["photos"] == state["photo files"] == sum(len(m.photo_seeds) for m in plan.members)
    assert state["assessments"] == sum(m.answers is not None for m in plan.members) > 0
    assert 0 < state["matches"] < state["swipes"]  # some mutual likes, some one-way
    assert state["daily_set_entries"] > 0

    again = runner.invoke(app, ["demo", "seed", "--users", str(MEMBERS)])
    assert again.exit_code == 0, again.output
    assert f"all {MEMBERS} demo members were there already" in again.output
    assert _state(data_dir) == state

    with (
        LiveServer(Settings.from_environ()) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        login = http.post(
            "/api/v1/auth/login", json={"email": demo_email(1), "password": DEMO_PASSWORD}
        )
        assert login.status_code == 200, login.text
        auth = {"authorization": f"Bearer {login.json()['access_token']}"}

        daily = http.get("/api/v1/matches/daily", headers=auth)
        assert daily.status_code == 200, daily.text
        items = daily.json()["items"]
        assert items, "demo-1 has daily matches"
        for item in items:
            compatibility = item["compatibility"]
            assert set(compatibility["components"]) == _COMPONENTS
            assert 0.0 < compatibility["total"] <= 1.0
            assert item["member"]["photo"] is not None  # every demo member has a photo
        assert all(item["compatibility"]["reasons"] for item in items)
        photo = http.get(items[0]["member"]["photo"]["url"])
        assert photo.status_code == 200
        assert photo.headers["content-type"] == "image/jpeg"

        matches = http.get("/api/v1/matches", headers=auth)
        assert matches.status_code == 200, matches.text
        assert len(matches.json()["items"]) == 1  # with demo-2
        received = http.get("/api/v1/likes/received", headers=auth)  # demo-1 is Premium
        assert received.status_code == 200, received.text
        assert len(received.json()["items"]) == 2  # from demo-3 and demo-4
