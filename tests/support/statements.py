"""Counting the SQL statements an engine runs: a query-count regression test (an N+1
creeping back) asserts on the count, never on time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["StatementCount", "counting_statements"]


class StatementCount:
    """How many statements ran on the engine since the counting began."""

    __slots__ = ("statements",)

    def __init__(self) -> None:
        self.statements = 0

    def seen(self, *_args: object) -> None:
        self.statements += 1


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[StatementCount]:
    count = StatementCount()
    event.listen(engine.sync_engine, "before_cursor_execute", count.seen)
    try:
        yield count
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count.seen)
