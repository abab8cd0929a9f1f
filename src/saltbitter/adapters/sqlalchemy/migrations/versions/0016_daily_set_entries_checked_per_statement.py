"""Daily set entries name members through triggers checked once per statement, not two
foreign keys checked once per row (ADR 0053).

``daily_set_entries.user_id`` and ``candidate_id`` referenced ``users.id`` (ON DELETE
CASCADE): PostgreSQL checked each of the daily job's ~1.3 million entries twice, one
``SELECT ... FOR KEY SHARE`` per row and key, about half of its CPU for the job's COPY.
The same rule now holds per statement:

- inserting or updating entries locks every member they name ``FOR KEY SHARE`` (as the
  foreign keys' checks did, so a concurrent delete of that member waits for the commit)
  and refuses the statement with ``foreign_key_violation`` (SQLSTATE 23503, the foreign
  keys' own) if any of them is missing;
- deleting members deletes every entry naming them, in either column (the cascade).

SQLite keeps a row trigger for each (its foreign keys were row checks too).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOREIGN_KEYS = {
    "fk_daily_set_entries_candidate_id_users": "candidate_id",
    "fk_daily_set_entries_user_id_users": "user_id",
}

_POSTGRES_CHECK = """
CREATE FUNCTION daily_set_entries_name_members() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    named bigint;
    locked bigint;
BEGIN
    SELECT count(*) INTO named FROM (
        SELECT user_id FROM new_entries UNION SELECT candidate_id FROM new_entries
    ) AS members;
    PERFORM 1 FROM ONLY users AS member
    WHERE member.id IN (
        SELECT user_id FROM new_entries UNION SELECT candidate_id FROM new_entries
    )
    FOR KEY SHARE OF member;
    GET DIAGNOSTICS locked = ROW_COUNT;
    IF locked <> named THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'daily_set_entries names a member who does not exist',
            TABLE = 'daily_set_entries';
    END IF;
    RETURN NULL;
END
$$
"""

_POSTGRES_CASCADE = """
CREATE FUNCTION daily_set_entries_forget_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM daily_set_entries WHERE user_id IN (SELECT id FROM gone);
    DELETE FROM daily_set_entries WHERE candidate_id IN (SELECT id FROM gone);
    RETURN NULL;
END
$$
"""

_POSTGRES = (
    _POSTGRES_CHECK,
    _POSTGRES_CASCADE,
    # Transition tables allow one event per trigger: one trigger for each.
    "CREATE TRIGGER daily_set_entries_inserted_name_members AFTER INSERT ON"
    " daily_set_entries REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT"
    " EXECUTE FUNCTION daily_set_entries_name_members()",
    "CREATE TRIGGER daily_set_entries_updated_name_members AFTER UPDATE ON"
    " daily_set_entries REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT"
    " EXECUTE FUNCTION daily_set_entries_name_members()",
    "CREATE TRIGGER users_deleted_forget_daily_set_entries AFTER DELETE ON users"
    " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT"
    " EXECUTE FUNCTION daily_set_entries_forget_members()",
)

_POSTGRES_DROP = (
    "DROP TRIGGER users_deleted_forget_daily_set_entries ON users",
    "DROP TRIGGER daily_set_entries_updated_name_members ON daily_set_entries",
    "DROP TRIGGER daily_set_entries_inserted_name_members ON daily_set_entries",
    "DROP FUNCTION daily_set_entries_forget_members()",
    "DROP FUNCTION daily_set_entries_name_members()",
)

_SQLITE_NAMES = (
    "(SELECT 1 FROM users WHERE id = NEW.user_id) IS NULL"
    " OR (SELECT 1 FROM users WHERE id = NEW.candidate_id) IS NULL"
)

_SQLITE = (
    "CREATE TRIGGER daily_set_entries_inserted_name_members BEFORE INSERT ON"
    f" daily_set_entries FOR EACH ROW WHEN {_SQLITE_NAMES}"
    " BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END",
    "CREATE TRIGGER daily_set_entries_updated_name_members BEFORE UPDATE ON"
    f" daily_set_entries FOR EACH ROW WHEN {_SQLITE_NAMES}"
    " BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END",
    "CREATE TRIGGER users_deleted_forget_daily_set_entries AFTER DELETE ON users"
    " FOR EACH ROW BEGIN DELETE FROM daily_set_entries"
    " WHERE user_id = OLD.id OR candidate_id = OLD.id; END",
)

_SQLITE_DROP = (
    "DROP TRIGGER users_deleted_forget_daily_set_entries",
    "DROP TRIGGER daily_set_entries_updated_name_members",
    "DROP TRIGGER daily_set_entries_inserted_name_members",
)


def upgrade() -> None:
    with op.batch_alter_table("daily_set_entries") as batch:
        for name in _FOREIGN_KEYS:
            batch.drop_constraint(name, type_="foreignkey")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES_DROP if postgres else _SQLITE_DROP:
        op.execute(statement)
    # Entries naming nobody cannot be kept under the foreign keys.
    op.execute(
        "DELETE FROM daily_set_entries WHERE user_id NOT IN (SELECT id FROM users)"
        " OR candidate_id NOT IN (SELECT id FROM users)"
    )
    with op.batch_alter_table("daily_set_entries") as batch:
        for name, column in _FOREIGN_KEYS.items():
            batch.create_foreign_key(name, "users", [column], ["id"], ondelete="CASCADE")
