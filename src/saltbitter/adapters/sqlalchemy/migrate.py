"""Run the Alembic migrations from Python, without an alembic.ini.

``upgrade(url)`` and ``downgrade(url, revision)`` take the application's async URL
(``sqlite+aiosqlite:///...`` or ``postgresql+psycopg://...``) and migrate through the
matching blocking driver, so they never need, or clash with, an event loop. They block:
from async code call them with ``await asyncio.to_thread(upgrade, url)``.

Migrations get their own plain connection on purpose: on SQLite, Alembic's batch mode
rebuilds tables, which with the application's ``PRAGMA foreign_keys=ON`` would cascade
deletes into every referencing table.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, create_engine, pool

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.engine import make_sqlite_folder, sync_url
from saltbitter.adapters.sqlalchemy.schema import metadata

__all__ = [
    "CONTEXT_OPTIONS",
    "SCRIPT_LOCATION",
    "alembic_config",
    "current_revision",
    "downgrade",
    "schema_differences",
    "upgrade",
]

SCRIPT_LOCATION = "saltbitter.adapters.sqlalchemy:migrations"
URL_ATTRIBUTE = "saltbitter.database_url"


def _render_item(
    type_: str,
    obj: Any,
    autogen_context: AutogenContext,  # noqa: ARG001
) -> str | bool:
    # Migrations are frozen history: spell project types as plain SQLAlchemy so an old
    # revision never imports (and breaks with) today's application code.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Shared by env.py and ``schema_differences`` so autogenerate and the check agree.
CONTEXT_OPTIONS: dict[str, Any] = {
    "target_metadata": metadata,
    "compare_type": True,
    "compare_server_default": True,
    "render_as_batch": True,  # ALTERs that SQLite can only do by rebuilding the table
    "render_item": _render_item,
}


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic ``Config`` pointing at the packaged migrations, for ``alembic.command``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        # Passed as an attribute, not an ini option, so a password's '%' needs no escaping.
        config.attributes[URL_ATTRIBUTE] = sync_url(url)
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    make_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` empties it)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(url: str | URL) -> str | None:
    """The revision the database is at, or None before the first migration."""
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def schema_differences(url: str | URL) -> list[Any]:
    """Alembic's diff between the database and ``metadata``: empty when they agree."""
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    options = {key: value for key, value in CONTEXT_OPTIONS.items() if key != "target_metadata"}
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=options)
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()
