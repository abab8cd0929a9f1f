"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import ping as ping_database
from saltbitter.application.ports.cache import Cache
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
        summary="The database and the cache answer (503 problem+json otherwise)",
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
    ) -> Response[HealthStatus | NotReady]:
        checks = {
            "database": "ok" if await ping_database(engine) else "down",
            "cache": "ok" if await cache.ping() else "down",
        }
        if all(state == "ok" for state in checks.values()):
            return Response(HealthStatus("ok", checks))
        down = ", ".join(name for name, state in checks.items() if state != "ok")
        problem = NotReady(
            status=503,
            title="Service unavailable",
            code="not_ready",
            detail=f"Not ready: {down} down.",
            checks=checks,
            request_id=request.scope.get("state", {}).get("request_id"),
        )
        return Response(problem, status_code=503, media_type=PROBLEM_JSON)
