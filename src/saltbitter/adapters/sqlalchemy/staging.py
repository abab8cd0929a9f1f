"""One open transaction plus the rows that the ports' synchronous ``add`` methods staged."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Executable, MetaData, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from saltbitter.domain.errors import Conflict, SaltbitterError, Unavailable

__all__ = ["CONFLICTS", "StagedConnection", "conflict_for", "translated", "translating_errors"]

Row = dict[str, Any]
Result = CursorResult[*tuple[Any, ...]]

# Unique constraints whose violation is a business conflict rather than a bug, by name:
# (message, code). Table modules of later capabilities add their own entries.
CONFLICTS: dict[str, tuple[str, str]] = {
    "uq_users_email": ("An account with this email already exists.", "email_taken"),
    "pk_users": ("The user exists already.", "user_exists"),
}

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")


class StagedConnection:
    """Writes staged rows in one batch per table, parents first, before any other statement.

    Ports stage inserts synchronously (``users.add``); running them before the next query
    and at commit means a unit of work always reads its own writes, and a constraint
    violation surfaces at that point, translated into a ``Conflict`` where it means one.
    """

    __slots__ = ("_pending", "connection")

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._pending: list[tuple[Table, Row]] = []

    def stage(self, table: Table, row: Row) -> None:
        self._pending.append((table, row))

    async def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        rank = _insert_order(pending[0][0].metadata)
        pending.sort(key=lambda item: rank[item[0]])  # stable: keeps order within a table
        with translating_errors():
            for table, group in groupby(pending, key=itemgetter(0)):
                await self.connection.execute(table.insert(), [row for _, row in group])

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Result:
        await self.flush()
        with translating_errors():
            return await self.connection.execute(statement, parameters)


_ORDER_CACHE: dict[int, tuple[int, dict[Table, int]]] = {}


def _insert_order(metadata: MetaData) -> Mapping[Table, int]:
    """Each table's position in foreign-key dependency order (parents first)."""
    cached = _ORDER_CACHE.get(id(metadata))
    if cached is None or cached[0] != len(metadata.tables):
        cached = (len(metadata.tables), {t: i for i, t in enumerate(metadata.sorted_tables)})
        _ORDER_CACHE[id(metadata)] = cached
    return cached[1]


@contextmanager
def translating_errors() -> Iterator[None]:
    """Re-raise database errors that mean something to a client as project errors."""
    try:
        yield
    except (DBAPIError, PoolTimeout) as error:
        replacement = translated(error)
        if replacement is None:
            raise
        raise replacement from error


def translated(error: DBAPIError | PoolTimeout) -> SaltbitterError | None:
    """The project error ``error`` stands for, or None when it is a bug to let through."""
    if isinstance(error, IntegrityError):
        return conflict_for(error)
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        # Down, unreachable, out of connections or (SQLite) locked past the busy timeout.
        return Unavailable(
            "The database is unavailable; try again shortly.", code="database_unavailable"
        )
    return None


def conflict_for(error: IntegrityError) -> Conflict | None:
    """The ``Conflict`` a unique-constraint violation stands for, or None for other errors."""
    name = _violated_constraint(error)
    if name is None or name not in CONFLICTS:
        return None
    message, code = CONFLICTS[name]
    return Conflict(message, code=code)


def _violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.orig, "diag", None)
    if diag is not None:  # psycopg names the constraint
        name = getattr(diag, "constraint_name", None)
        return name if isinstance(name, str) else None
    # SQLite only names the columns: find the unique or primary key constraint on them.
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    qualified = match["columns"].split(", ")
    table_name = qualified[0].partition(".")[0]
    columns = [column.partition(".")[2] for column in qualified]
    return _constraint_on(table_name, columns)


def _constraint_on(table_name: str, columns: list[str]) -> str | None:
    from saltbitter.adapters.sqlalchemy.schema import metadata

    table = metadata.tables.get(table_name)
    if table is None:
        return None
    for constraint in table.constraints:
        if (
            isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
            and [column.name for column in constraint.columns] == columns
        ):
            return str(constraint.name)
    return None
