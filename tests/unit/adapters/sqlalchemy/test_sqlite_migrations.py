from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from saltbitter.adapters.sqlalchemy import metadata
from saltbitter.adapters.sqlalchemy.migrate import (
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)


def _tables(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "migrations.db"
    url = f"sqlite+aiosqlite:///{path}"

    upgrade(url)
    assert current_revision(url) == head_revision()
    assert _tables(path) == set(metadata.tables)

    downgrade(url, "base")
    assert current_revision(url) is None
    assert _tables(path) == set()

    upgrade(url, "head")
    assert current_revision(url) == head_revision()
    assert _tables(path) == set(metadata.tables)


def test_upgrade_accepts_the_plain_sync_url_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    upgrade(url)
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_upgrade_creates_the_folder_of_a_fresh_checkouts_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'saltbitter.db'}"
    upgrade(url)
    assert current_revision(url) == head_revision()
