"""The transaction port over the request's ``StagedConnection``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from types import TracebackType
from typing import Self

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.shared import UserId

__all__ = ["SqlaTransaction"]


class SqlaTransaction(Transaction):
    """``async with`` begins (or joins the request's open transaction); commit flushes.

    ``after_commit`` runs after a commit that made outbox messages durable, to wake the
    relay; it must be quick and must not raise, since the commit has already happened.
    ``principals_changed`` is awaited after a commit that changed members' accounts or
    sessions (``StagedConnection.principal_changed``), to drop their cached principals
    everywhere (ADR 0032); it must not raise either. ``members_changed`` likewise, after a
    commit that changed what matching shows of members (``StagedConnection.member_changed``),
    to renew their markers before the request answers (ADR 0048).
    """

    __slots__ = ("_after_commit", "_db", "_members_changed", "_open", "_principals_changed")

    def __init__(
        self,
        db: StagedConnection,
        after_commit: Callable[[], None] | None = None,
        principals_changed: Callable[[Collection[UserId]], Awaitable[None]] | None = None,
        members_changed: Callable[[Collection[UserId]], Awaitable[None]] | None = None,
    ) -> None:
        self._db = db
        self._after_commit = after_commit
        self._principals_changed = principals_changed
        self._members_changed = members_changed
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
        db = self._db
        changed, db.changed_principals = db.changed_principals, set()
        members, db.changed_members = db.changed_members, set()
        if announced and self._after_commit is not None:
            self._after_commit()
        if changed and self._principals_changed is not None:
            await self._principals_changed(changed)
        if members and self._members_changed is not None:
            await self._members_changed(members)

    async def rollback(self) -> None:
        await self._db.rollback()
