"""The request's one connection, its transaction, and the rows that ports staged."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Executable, MetaData, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from saltbitter.domain.errors import Conflict, SaltbitterError, Unavailable
from saltbitter.domain.shared import UserId

__all__ = [
    "CONFLICTS",
    "NEEDS_TRANSACTION",
    "StagedConnection",
    "conflict_for",
    "translated",
    "translating_errors",
]

Row = dict[str, Any]
Result = CursorResult[*tuple[Any, ...]]

# Unique constraints whose violation is a business conflict rather than a bug, by name:
# (message, code). Table modules of later capabilities add their own entries.
CONFLICTS: dict[str, tuple[str, str]] = {
    "uq_users_email": ("An account with this email already exists.", "email_taken"),
    "pk_users": ("The user exists already.", "user_exists"),
}

# Execution option of a SELECT that must run inside the transaction although it writes
# nothing (a transaction-scoped advisory lock): it begins one like a write does.
NEEDS_TRANSACTION = "saltbitter_needs_transaction"

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")


class StagedConnection:
    """One request's connection: checked out at its first statement, kept until ``close``.

    Every repository of a request works on it, so the request uses one pooled connection
    however many ports it touches. A statement outside a transaction begins one (as the
    driver's autobegin does), so an ``async with transaction`` after authentication's
    reads joins that transaction instead of opening a second.

    Ports stage inserts synchronously (``users.add``); running them before the next query
    and at commit means a transaction always reads its own writes, and a constraint
    violation surfaces at that point, translated into a ``Conflict`` where it means one.

    On PostgreSQL, plain SELECTs before anything else (authentication's reads, a read-only
    request's whole work) run on the connection in autocommit: no ``BEGIN`` and no
    ``ROLLBACK`` round trips (ADR 0036). Every other statement (a write, ``FOR UPDATE``, a
    ``NEEDS_TRANSACTION`` select such as an advisory lock), a staged row or ``begin``
    (``async with transaction``) leaves autocommit for the rest of the request, so writes
    still run in one transaction that commits once. Under READ COMMITTED each statement
    reads its own snapshot either way, so the earlier reads see nothing different.
    """

    __slots__ = (
        "_autocommit_reads",
        "_connection",
        "_engine",
        "_pending",
        "_reading",
        "announced",
        "changed_members",
        "changed_principals",
        "dialect_name",
    )

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._pending: list[tuple[Table, Row]] = []
        self.dialect_name = engine.dialect.name
        self.announced = 0  # outbox messages staged since the last commit or rollback
        # Members whose account or sessions this transaction changed (ADR 0032).
        self.changed_principals: set[UserId] = set()
        # Members whose matching-visible data this transaction changed (ADR 0048).
        self.changed_members: set[UserId] = set()
        # SQLite begins without a round trip: autocommit would only change its locking.
        self._autocommit_reads = self.dialect_name == "postgresql"
        self._reading = False  # the connection is in autocommit, for reads only

    @property
    def in_transaction(self) -> bool:
        connection = self._connection
        return connection is not None and not self._reading and connection.in_transaction()

    async def begin(self) -> AsyncConnection:
        """The connection, inside a transaction (checked out and begun if need be)."""
        connection = self._connection
        with translating_errors():
            if connection is None:
                connection = self._connection = await self._engine.connect()
            elif self._reading:
                # Out of autocommit (no round trip: psycopg applies it at the next BEGIN).
                self._reading = False
                if connection.in_transaction():
                    await connection.commit()  # SQLAlchemy's bookkeeping; sends nothing
                await connection.execution_options(
                    isolation_level=connection.default_isolation_level
                )
            if not connection.in_transaction():
                await connection.begin()
        return connection

    async def _reader(self) -> AsyncConnection:
        """The connection for a plain read: in autocommit unless a transaction is open."""
        connection = self._connection
        if connection is None:
            with translating_errors():
                connection = self._connection = await self._engine.connect()
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            self._reading = True
            return connection
        return connection if self._reading else await self.begin()

    def principal_changed(self, user_id: UserId) -> None:
        """``user_id``'s account or sessions change in this transaction: once it commits,
        cached principals of the member are dropped in every process. Their account is
        part of what matching shows, so it is also ``member_changed``."""
        self.changed_principals.add(user_id)
        self.changed_members.add(user_id)

    def member_changed(self, user_id: UserId) -> None:
        """What a discovery card of ``user_id`` shows or is checked by (their profile,
        photos, consent, assessment, swipes or matches) changes in this transaction: once
        it commits, their matching marker is renewed (ADR 0048)."""
        self.changed_members.add(user_id)

    def stage(self, table: Table, row: Row) -> None:
        self._pending.append((table, row))

    async def flush(self) -> None:
        if not self._pending:
            return
        connection = await self.begin()
        pending, self._pending = self._pending, []
        rank = _insert_order(pending[0][0].metadata)
        pending.sort(key=lambda item: rank[item[0]])  # stable: keeps order within a table
        with translating_errors():
            for table, group in groupby(pending, key=itemgetter(0)):
                await connection.execute(table.insert(), [row for _, row in group])

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Result:
        await self.flush()
        if self._autocommit_reads and _is_plain_read(statement):
            connection = await self._reader()
        else:
            connection = await self.begin()
        with translating_errors():
            return await connection.execute(statement, parameters)

    async def commit(self) -> int:
        """Flush and commit; returns how many outbox messages became durable."""
        await self.flush()
        if self.in_transaction:
            assert self._connection is not None
            with translating_errors():
                await self._connection.commit()
        announced, self.announced = self.announced, 0
        return announced

    async def rollback(self) -> None:
        self._pending.clear()
        self.announced = 0
        self.changed_principals.clear()
        self.changed_members.clear()
        if self.in_transaction:
            assert self._connection is not None
            with translating_errors():  # a dropped connection is Unavailable here too
                await self._connection.rollback()

    async def close(self) -> None:
        """Roll back what is left and give the connection back to the pool."""
        connection = self._connection
        try:
            await self.rollback()
        finally:
            self._connection = None
            self._reading = False
            if connection is not None:
                await connection.close()  # the pool puts its isolation level back


def _is_plain_read(statement: Executable) -> bool:
    """A SELECT that locks nothing and needs no transaction of its own."""
    return (
        getattr(statement, "is_select", False)
        and getattr(statement, "_for_update_arg", None) is None
        and not statement.get_execution_options().get(NEEDS_TRANSACTION, False)
    )


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
