"""Read-only work runs in autocommit, writes still in one transaction (ADR 0036).

Proved on the wire: libpq's protocol trace of the request's connection shows every
``BEGIN``, ``COMMIT`` and ``ROLLBACK`` the server received."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.shared_reads import advisory_lock
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction

pytestmark = pytest.mark.integration


_SENT = re.compile(r'\tF\t\d+\t(?:Query\t "|Parse\t "[^"]*" ")(\w+)')


class Wire:
    """The simple-protocol commands (``BEGIN``, ``COMMIT``, ...) and extended-protocol
    statements the server received."""

    def __init__(self) -> None:
        self.trace = ""

    def lines(self) -> list[str]:
        # The first word of each: a Query carries the SQL, a Parse the statement's name first.
        return [word.upper() for word in _SENT.findall(self.trace)]

    def count(self, command: str) -> int:
        return self.lines().count(command)


@contextmanager
def on_the_wire(engine: AsyncEngine) -> Iterator[Wire]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace"
        with path.open("w") as sink:

            def checkout(dbapi_connection: Any, *_: object) -> None:
                dbapi_connection._connection.pgconn.trace(sink.fileno())

            def checkin(dbapi_connection: Any, *_: object) -> None:
                dbapi_connection._connection.pgconn.untrace()

            event.listen(engine.sync_engine.pool, "checkout", checkout)
            event.listen(engine.sync_engine.pool, "checkin", checkin)
            wire = Wire()
            try:
                yield wire
            finally:
                event.remove(engine.sync_engine.pool, "checkout", checkout)
                event.remove(engine.sync_engine.pool, "checkin", checkin)
                sink.flush()
                wire.trace = path.read_text()


async def _add_member(engine: AsyncEngine) -> uuid.UUID:
    member = uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            users.insert().values(
                id=member,
                email=f"{member.hex}@example.org",
                display_name="Ada",
                birthdate=date(1990, 1, 1),
                timezone="UTC",
                password_hash="x",
                status="active",
                tier="free",
                roles="",
                created_at=datetime.now(UTC),
            )
        )
    return member


async def _name_of(engine: AsyncEngine, member: uuid.UUID) -> str:
    async with engine.connect() as connection:
        return str(
            await connection.scalar(select(users.c.display_name).where(users.c.id == member))
        )


async def test_reads_alone_send_no_begin_and_no_rollback(engine: AsyncEngine) -> None:
    member = await _add_member(engine)
    with on_the_wire(engine) as wire:
        db = StagedConnection(engine)
        assert (await db.execute(select(users.c.id).where(users.c.id == member))).one()
        await db.execute(select(func.count()).select_from(users))
        assert not db.in_transaction
        await db.close()
    assert wire.lines() == ["SELECT", "SELECT"]


async def test_a_write_after_reads_runs_in_one_transaction_that_commits_once(
    engine: AsyncEngine,
) -> None:
    member = await _add_member(engine)
    with on_the_wire(engine) as wire:
        db = StagedConnection(engine)
        await db.execute(select(users.c.id).where(users.c.id == member))  # authentication
        transaction = SqlaTransaction(db)
        async with transaction:
            await db.execute(update(users).where(users.c.id == member).values(display_name="B"))
            await db.execute(select(users.c.display_name).where(users.c.id == member))
            await db.execute(update(users).where(users.c.id == member).values(display_name="C"))
            await transaction.commit()
        await db.close()
    assert wire.lines() == ["SELECT", "BEGIN", "UPDATE", "SELECT", "UPDATE", "COMMIT"]
    assert await _name_of(engine, member) == "C"


async def _write_then_fail(
    db: StagedConnection, transaction: SqlaTransaction, member: uuid.UUID
) -> None:
    async with transaction:
        await db.execute(update(users).where(users.c.id == member).values(display_name="Half"))
        raise RuntimeError("the use case failed")


async def test_a_failing_write_path_is_rolled_back_whole(engine: AsyncEngine) -> None:
    member = await _add_member(engine)
    with on_the_wire(engine) as wire:
        db = StagedConnection(engine)
        await db.execute(select(users.c.id).where(users.c.id == member))
        transaction = SqlaTransaction(db)
        with pytest.raises(RuntimeError, match="the use case failed"):
            await _write_then_fail(db, transaction, member)
        await db.close()
    assert wire.count("BEGIN") == 1
    assert wire.count("ROLLBACK") == 1
    assert wire.count("COMMIT") == 0
    assert await _name_of(engine, member) == "Ada"


async def test_a_write_without_a_transaction_block_still_begins_one(
    engine: AsyncEngine,
) -> None:
    # Never committed, so never durable: exactly as before autocommit reads.
    member = await _add_member(engine)
    db = StagedConnection(engine)
    await db.execute(select(users.c.id).where(users.c.id == member))
    await db.execute(update(users).where(users.c.id == member).values(display_name="Lost"))
    assert db.in_transaction
    await db.close()
    assert await _name_of(engine, member) == "Ada"


@pytest.mark.parametrize("kind", ["advisory lock", "for update"])
async def test_locks_are_taken_inside_a_transaction(engine: AsyncEngine, kind: str) -> None:
    member = await _add_member(engine)
    statement = (
        advisory_lock(b"test", member)
        if kind == "advisory lock"
        else select(users.c.id).where(users.c.id == member).with_for_update()
    )
    with on_the_wire(engine) as wire:
        db = StagedConnection(engine)
        await db.execute(select(users.c.id).where(users.c.id == member))
        await db.execute(statement)
        assert db.in_transaction  # the lock is held until the transaction ends
        await db.close()
    assert wire.lines() == ["SELECT", "BEGIN", "SELECT", "ROLLBACK"]
