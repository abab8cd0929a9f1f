from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from saltbitter.adapters.sqlalchemy import metadata, sync_url
from saltbitter.adapters.sqlalchemy.migrate import (
    current_revision,
    downgrade,
    head_revision,
    schema_differences,
    upgrade,
)

pytestmark = pytest.mark.integration


def _tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(scratch_postgres_url: str) -> None:
    url = scratch_postgres_url
    upgrade(url)
    assert current_revision(url) == head_revision()
    assert _tables(url) == set(metadata.tables)

    downgrade(url, "base")
    assert current_revision(url) is None
    assert _tables(url) == set()

    upgrade(url, "head")
    assert current_revision(url) == head_revision()
    assert _tables(url) == set(metadata.tables)


def test_the_migrated_schema_matches_the_metadata(scratch_postgres_url: str) -> None:
    upgrade(scratch_postgres_url)
    assert schema_differences(scratch_postgres_url) == []


def test_the_schema_check_notices_drift(scratch_postgres_url: str) -> None:
    upgrade(scratch_postgres_url)
    engine = create_engine(sync_url(scratch_postgres_url))
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_users_status_created_at"))
    finally:
        engine.dispose()
    differences = schema_differences(scratch_postgres_url)
    assert [difference[0] for difference in differences] == ["add_index"]
