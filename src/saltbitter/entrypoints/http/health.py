"""Liveness and readiness probes."""

from __future__ import annotations

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, get
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.memory import FallbackRateLimiter
from saltbitter.adapters.sqlalchemy import ping as ping_database
from saltbitter.application.ports.cache import Cache, RateLimiter

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

    @get(
        "/ready",
        summary="Ready to serve: 503 only when the database is down",
        description=(
            "status is `ok`, `degraded` (200: Redis is down, so the cache is skipped and "
            "rate limits are counted per process; see ADR 0011) or `unavailable` (503: "
            "the database is down)."
        ),
    )
    async def ready(
        self,
        engine: FromDishka[AsyncEngine],
        cache: FromDishka[Cache],
        limiter: FromDishka[RateLimiter],
    ) -> Response[HealthStatus]:
        checks = {
            "database": "ok" if await ping_database(engine) else "down",
            "cache": "ok" if await cache.ping() else "down",
            "rate_limiter": "ok" if await _shared_limits_answer(limiter) else "in_process",
        }
        if checks["database"] != "ok":
            # Nothing can be served without it: take this instance out of rotation.
            return Response(HealthStatus("unavailable", checks), status_code=503)
        # Redis down affects every instance alike; 503 would take them all out of
        # rotation although each still serves (the cache is optional, limits fall back).
        healthy = all(state == "ok" for state in checks.values())
        return Response(HealthStatus("ok" if healthy else "degraded", checks), status_code=200)


async def _shared_limits_answer(limiter: RateLimiter) -> bool:
    """False while the limiter counts in this process only (its shared store is down)."""
    if isinstance(limiter, FallbackRateLimiter):
        return await limiter.check()
    return True
