"""Alembic environment: the project's MetaData, any SQLAlchemy URL, sync or async.

The URL comes from ``saltbitter.adapters.sqlalchemy.migrate`` (programmatic use), else
from ``sqlalchemy.url`` in alembic.ini, else from ``SALTBITTER_DATABASE_URL``. Async URLs
are run through their blocking driver (psycopg is both; SQLite falls back to the standard
library), so migrations work the same from the CLI, a thread or a test.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import URL, create_engine, pool
from sqlalchemy.engine import Connection

from saltbitter.adapters.sqlalchemy.engine import sync_url
from saltbitter.adapters.sqlalchemy.migrate import CONTEXT_OPTIONS, URL_ATTRIBUTE

config = context.config
if config.config_file_name is not None:  # the developers' alembic.ini
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> URL:
    given = config.attributes.get(URL_ATTRIBUTE)
    if isinstance(given, URL):
        return given
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("SALTBITTER_DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: set sqlalchemy.url or SALTBITTER_DATABASE_URL")
    return sync_url(url)


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONTEXT_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **CONTEXT_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
