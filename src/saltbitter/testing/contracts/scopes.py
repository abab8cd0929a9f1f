"""What a contract asks its subclasses for: a way to open one request's ports.

``Connect[P]`` opens a new request's connection and yields the ports the contract tests
(``P``), all on that one connection and its ``Transaction``; each call is a new request.
``RequestScope`` does the same through a dependency container (dishka's ``AsyncContainer``
is a ``Resolver``). ``RelayWakes`` counts the relay wake-ups a transaction asks for after
a commit.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

__all__ = ["Connect", "RelayWakes", "RequestScope", "Resolver"]

P = TypeVar("P")
T = TypeVar("T")

Connect = Callable[[], AbstractAsyncContextManager[P]]


class Resolver(Protocol):
    """Gives the port registered for ``kind`` (dishka's request scope is one)."""

    async def get(self, kind: type[T], /) -> T: ...


RequestScope = Callable[[], AbstractAsyncContextManager[Resolver]]


class RelayWakes:
    """Pass as a transaction's ``after_commit``; counts its calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
