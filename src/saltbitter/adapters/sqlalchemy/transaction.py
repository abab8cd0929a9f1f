"""The transaction port over the request's ``StagedConnection``."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.transaction import Transaction

__all__ = ["SqlaTransaction"]


class SqlaTransaction(Transaction):
    """``async with`` begins (or joins the request's open transaction); commit flushes.

    ``after_commit`` runs after a commit that made outbox messages durable, to wake the
    relay; it must be quick and must not raise, since the commit has already happened.
    """

    __slots__ = ("_after_commit", "_db", "_open")

    def __init__(
        self, db: StagedConnection, after_commit: Callable[[], None] | None = None
    ) -> None:
        self._db = db
        self._after_commit = after_commit
        self._open = False

    async def __aenter__(self) -> Self:
        if self._open:
            raise RuntimeError("the transaction is already open (not re-entrant)")
        await self._db.begin()
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._open = False
        await self._db.rollback()  # a no-op after commit; staged rows just go

    async def commit(self) -> None:
        if not self._open:
            raise RuntimeError("commit outside of 'async with'")
        announced = await self._db.commit()
        if announced and self._after_commit is not None:
            self._after_commit()

    async def rollback(self) -> None:
        await self._db.rollback()
