"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import ping as ping_database
from saltbitter.application.ports.cache import Cache, RateLimiter
from saltbitter.entrypoints.http.problems import PROBLEM_JSON, Problem, documented_errors

__all__ = ["HealthController", "NotReady"]


class HealthStatus(msgspec.Struct):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class NotReady(Problem, kw_only=True):
    """The 503 problem of the readiness probe; ``checks`` says which dependency is down."""

    checks: dict[str, str]


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    include_in_schema = True

    @get("/live", summary="The process is up")
    async def live(self) -> HealthStatus:
        return HealthStatus("ok")

    @get(
        "/ready",
        summary="Ready to serve: 503 problem+json only when the database is down",
        description=(
            "status is `ok` or `degraded` (200: Redis is down, so the cache is skipped and "
            "rate limits are counted per process; see ADR 0011); a 503 problem "
            "(`not_ready`) when the database is down."
        ),
        responses={
            200: ResponseSpec(HealthStatus, description="Ready", generate_examples=False),
            **documented_errors(503, container=NotReady),
        },
    )
    async def ready(
        self,
        request: Request[Any, Any, Any],
        engine: FromDishka[AsyncEngine],
        cache: FromDishka[Cache],
        limiter: FromDishka[RateLimiter],
    ) -> Response[HealthStatus | NotReady]:
        checks = {
            "database": "ok" if await ping_database(engine) else "down",
            "cache": "ok" if await cache.ping() else "down",
            "rate_limiter": "ok" if await limiter.check() else "in_process",
        }
        if checks["database"] != "ok":
            # Nothing can be served without it: take this instance out of rotation.
            problem = NotReady(
                status=503,
                title="Service unavailable",
                code="not_ready",
                detail="Not ready: the database is down.",
                checks=checks,
                request_id=request.scope.get("state", {}).get("request_id"),
            )
            return Response(problem, status_code=503, media_type=PROBLEM_JSON)
        # Redis down affects every instance alike; 503 would take them all out of
        # rotation although each still serves (the cache is optional, limits fall back).
        healthy = all(state == "ok" for state in checks.values())
        return Response(HealthStatus("ok" if healthy else "degraded", checks), status_code=200)
