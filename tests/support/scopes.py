"""Request scopes for the port contracts (``saltbitter.testing.contracts``): the
production container over a test's SQL engine, or over the in-memory fakes."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.scopes import RequestScope
from support.container import FakeWorld

__all__ = ["fake_request_scope", "sql_container", "sql_request_scope"]


class _Engine(Provider):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self._engine = engine

    @provide(scope=Scope.APP, override=True)
    def engine(self) -> AsyncEngine:
        return self._engine


def sql_container(engine: AsyncEngine) -> AsyncContainer:
    """The production container on ``engine`` (which the test still owns and disposes)."""
    return make_container(Settings(), _Engine(engine))


def sql_request_scope(engine: AsyncEngine) -> RequestScope:
    return sql_container(engine)


def fake_request_scope() -> RequestScope:
    """Request scopes of a fresh in-memory world."""
    return FakeWorld().container
