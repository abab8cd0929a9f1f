"""`demo seed` for 1,000 members, on SQLite and on PostgreSQL, through the real pipeline.

Every member's photos are generated, re-encoded in the worker pool and screened by the
moderation stand-in exactly as uploads are; before ADR 0013 the run stopped at member
108, whose generated photo was nearly blank. Slow (minutes on a small machine), so it
runs with the integration tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.demo import plan_demo_community
from saltbitter.application.ports.system import Clock
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.demo import seed_demo_community
from saltbitter.entrypoints.settings import Settings

pytestmark = pytest.mark.integration

MEMBERS = 1_000


async def _seed_and_check(settings: Settings) -> None:
    upgrade(settings.effective_database_url)
    container = await build_container(settings)
    try:
        today = (await container.get(Clock)).now().date()
        report = await seed_demo_community(container, MEMBERS)
    finally:
        await stop_container(container)
    plan = plan_demo_community(MEMBERS, today=today)
    photos = sum(len(member.photo_seeds) for member in plan.members)
    assert report.members == report.accounts_created == report.members_set_up == MEMBERS
    assert report.photos_uploaded == photos
    files = [path for path in settings.photo_folder.rglob("*") if path.is_file()]
    assert len(files) == photos


async def test_a_thousand_members_on_sqlite(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="test", tasks="in_process")
    await _seed_and_check(settings)
    with sqlite3.connect(tmp_path / "saltbitter.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM profiles").fetchone()[0] == MEMBERS


async def test_a_thousand_members_on_postgres(
    tmp_path: Path, postgres_databases: Callable[[], str]
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        environment="test",
        tasks="in_process",
        database_url=postgres_databases(),
    )
    await _seed_and_check(settings)
