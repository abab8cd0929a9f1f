"""The in-memory twin of the request's database connection and its transaction.

``InMemoryDatabase`` holds one state object per kind (each fake module defines its own
``...State`` dataclass), created on first use, so a new capability adds its state
without editing this module. An ``InMemoryConnection`` is what one request (or job)
works on: ``begin`` takes a private working copy of the database; ``commit`` publishes
the copy atomically, ``rollback`` drops it, so two requests never see each other's
uncommitted changes. Outside a transaction reads see the committed state, as a SQL
read does at READ COMMITTED (authentication reads so before the action begins).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar, cast, runtime_checkable

from saltbitter.application.ports.transaction import Transaction

__all__ = [
    "CheckedState",
    "InMemoryConnection",
    "InMemoryDatabase",
    "InMemoryRepository",
    "InMemoryTransaction",
]

S = TypeVar("S")


@runtime_checkable
class CheckedState(Protocol):
    """A state whose constraints (a unique column, say) are checked at commit."""

    def check(self) -> None:
        """Raise the error a database constraint would raise."""


@dataclass
class InMemoryDatabase:
    """The committed state that every ``InMemoryConnection`` on it shares."""

    states: dict[type[Any], Any] = field(default_factory=dict)

    def __getitem__(self, kind: type[S]) -> S:
        return self.state(kind)

    def state(self, kind: type[S]) -> S:
        """This database's ``kind`` state, created empty on first use."""
        found = self.states.get(kind)
        if found is None:
            found = self.states[kind] = kind()
        return cast(S, found)


class InMemoryConnection:
    """One request's connection: a transaction works on a private copy of the database."""

    __slots__ = ("_working", "announced", "commits", "database")

    def __init__(self, database: InMemoryDatabase) -> None:
        self.database = database
        self._working: InMemoryDatabase | None = None
        self.announced = 0  # outbox messages added since the last commit or rollback
        self.commits = 0

    @property
    def in_transaction(self) -> bool:
        return self._working is not None

    def state(self, kind: type[S]) -> S:
        """``kind`` as this transaction sees it (its own writes included), or committed."""
        return (self.database if self._working is None else self._working).state(kind)

    def begin(self) -> None:
        if self._working is None:
            self._working = copy.deepcopy(self.database)

    def commit(self) -> int:
        """Publish the working copy; returns how many outbox messages it made durable."""
        working, self._working = self._working, None
        announced, self.announced = self.announced, 0
        if working is None:
            return 0
        for state in working.states.values():
            if isinstance(state, CheckedState):
                state.check()
        # Publish by replacing the shared state's contents, as a database would.
        self.database.states = working.states
        self.commits += 1
        return announced

    def rollback(self) -> None:
        self._working = None
        self.announced = 0


class InMemoryRepository:
    """Base of the fakes: each works on the request's connection, never on a snapshot."""

    __slots__ = ("_connection",)

    def __init__(self, connection: InMemoryConnection) -> None:
        self._connection = connection


class InMemoryTransaction(Transaction):
    """The transaction port over an ``InMemoryConnection``.

    ``after_commit`` runs after a commit that made outbox messages durable (the SQL
    transaction wakes the relay there).
    """

    __slots__ = ("_after_commit", "_connection", "_open")

    def __init__(
        self, connection: InMemoryConnection, after_commit: Callable[[], None] | None = None
    ) -> None:
        self._connection = connection
        self._after_commit = after_commit
        self._open = False

    async def __aenter__(self) -> Self:
        if self._open:
            raise RuntimeError("the transaction is already open (not re-entrant)")
        self._connection.begin()
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._open = False
        self._connection.rollback()

    async def commit(self) -> None:
        if not self._open:
            raise RuntimeError("commit outside of 'async with'")
        announced = self._connection.commit()
        # Still inside ``async with``: later writes wait for another commit, as in SQL.
        self._connection.begin()
        if announced and self._after_commit is not None:
            self._after_commit()

    async def rollback(self) -> None:
        self._connection.rollback()
        if self._open:
            self._connection.begin()  # as after commit
