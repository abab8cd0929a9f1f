from __future__ import annotations

from pathlib import Path

import pytest

from support.privacy import SqlPersonalDataContract, schema_gaps


class TestSqlitePersonalData(SqlPersonalDataContract):
    @pytest.fixture
    def database_url(self, sqlite_url: str) -> str:
        return sqlite_url


def _gaps(path: Path, *extra_ddl: str) -> list[str]:
    return schema_gaps(f"sqlite:///{path}", *extra_ddl)


def test_the_migrated_schema_has_every_member_reference_declared(
    migrated_template: Path,
) -> None:
    assert _gaps(migrated_template) == []


def test_an_undeclared_table_with_a_member_reference_is_reported(
    sqlite_url: str,
) -> None:
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    gaps = _gaps(
        path,
        "CREATE TABLE mutes (muter_id CHAR(32) NOT NULL REFERENCES users (id),"
        " muted_user_id CHAR(32) NOT NULL)",
        "CREATE TABLE flags (id INTEGER PRIMARY KEY, handled_by CHAR(32))",
        "CREATE TABLE chat_messages (id INTEGER PRIMARY KEY,"
        " session_id CHAR(32) REFERENCES sessions (id))",
        "ALTER TABLE photos ADD COLUMN approved_by CHAR(32)",
        "CREATE TABLE norms_copy (instrument VARCHAR(32))",
    )
    assert gaps == [
        "chat_messages: holds rows of declared sessions but is undeclared",
        "flags: refers to members (handled_by) undeclared",
        "mutes: refers to members (muted_user_id, muter_id) undeclared",
        "photos: member columns not declared: approved_by",
    ]


def test_a_declared_table_or_column_missing_from_the_schema_is_reported(
    sqlite_url: str,
) -> None:
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    gaps = _gaps(
        path,
        "ALTER TABLE swipes RENAME COLUMN target_id TO liked_id",
        "DROP TABLE scheduled_emails",
    )
    assert gaps == [
        "scheduled_emails: declared but not in the schema",
        "swipes: declared columns not in the schema: target_id",
        "swipes: member columns not declared: liked_id",
    ]
