"""The transaction port: one per request, over the request's one connection.

Every role-shaped port a use case receives (``UserRepository``, ``Outbox``, ...) works on
the same request-scoped connection, so ``async with transaction:`` ... ``commit()`` makes
all of their writes (outbox messages included) durable together, and a request that
authenticates and then acts does both on one connection.

Reads made outside ``async with`` open the request's transaction implicitly (as a SQL
driver does); a later ``async with`` joins it, so authentication and the action share one
transaction. Leaving ``async with`` without ``commit()`` rolls back. A transaction may be
entered again after it was left, never while it is open.
"""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

__all__ = ["Transaction"]


class Transaction(Protocol):
    @abstractmethod
    async def __aenter__(self) -> Self:
        """Begin (or join the transaction that reads opened implicitly)."""

    @abstractmethod
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""

    @abstractmethod
    async def commit(self) -> None:
        """Make every staged change and outbox message durable together."""

    @abstractmethod
    async def rollback(self) -> None:
        """Drop every change since the last commit; the transaction stays usable."""
