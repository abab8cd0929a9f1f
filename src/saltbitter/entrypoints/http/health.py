"""Liveness and readiness probes."""

from __future__ import annotations

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, get
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import ping as ping_database
from saltbitter.application.ports.cache import Cache

__all__ = ["HealthController"]


class HealthStatus(msgspec.Struct):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    include_in_schema = True

    @get("/live", summary="The process is up")
    async def live(self) -> HealthStatus:
        return HealthStatus("ok")

    @get("/ready", summary="The database and the cache answer (503 otherwise)")
    async def ready(
        self, engine: FromDishka[AsyncEngine], cache: FromDishka[Cache]
    ) -> Response[HealthStatus]:
        checks = {
            "database": "ok" if await ping_database(engine) else "down",
            "cache": "ok" if await cache.ping() else "down",
        }
        healthy = all(state == "ok" for state in checks.values())
        return Response(
            HealthStatus("ok" if healthy else "unavailable", checks),
            status_code=200 if healthy else 503,
        )
