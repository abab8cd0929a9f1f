"""The Litestar application factory."""

from __future__ import annotations

import gc

from dishka import Provider, Scope, provide
from dishka.integrations.litestar import DishkaRouter, LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusController

from saltbitter.application.ports.events import JobQueue
from saltbitter.entrypoints.composition import (
    create_app_scope,
    make_container,
    start_container,
    stop_container,
)
from saltbitter.entrypoints.http import (
    ai,
    assessments,
    conversations,
    events,
    matching,
    moderation,
    notifications,
    payments,
    privacy,
    profiles,
    safety,
)
from saltbitter.entrypoints.http.accounts import AuthController, MeController
from saltbitter.entrypoints.http.deletion import ROUTES as DELETION_ROUTES
from saltbitter.entrypoints.http.dependencies import HttpProvider
from saltbitter.entrypoints.http.docs_ui import docs_assets_router, docs_ui_plugins
from saltbitter.entrypoints.http.edge import ApiRequest, EdgeChecks
from saltbitter.entrypoints.http.health import HealthController
from saltbitter.entrypoints.http.middleware import RateLimitMiddleware, RequestContextMiddleware
from saltbitter.entrypoints.http.openapi import (
    ClosedStructSchemaPlugin,
    finish_openapi,
    operation_id,
)
from saltbitter.entrypoints.http.problems import PROBLEM_HANDLERS
from saltbitter.entrypoints.http.responses import ApiResponse
from saltbitter.entrypoints.jobs import InProcessJobQueue
from saltbitter.entrypoints.logging import configure_logging
from saltbitter.entrypoints.realtime import RealtimeChannels, channels_backend
from saltbitter.entrypoints.scheduler import InProcessScheduler, periodic_jobs
from saltbitter.entrypoints.settings import Settings

__all__ = ["create_app"]

API_PREFIX = "/api/v1"


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


class RealtimeProvider(Provider):
    """The channels the API's plugin runs, so that use cases publish where sockets listen."""

    def __init__(self, channels: RealtimeChannels) -> None:
        super().__init__()
        self._channels = channels

    @provide(scope=Scope.APP, override=True)
    def realtime_channels(self) -> RealtimeChannels:
        return self._channels


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> Litestar:
    """Build the API for ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_environ()
    if configure_logs:
        configure_logging(settings.log_level, json=settings.log_json)
    channels = channels_backend(settings)
    channels_plugin = ChannelsPlugin(channels.backend, arbitrary_channels_allowed=True)
    container = make_container(
        settings,
        LitestarProvider(),
        HttpProvider(),
        RealtimeProvider(channels),
    )

    schedulers: list[InProcessScheduler] = []

    async def on_startup() -> None:
        await start_container(container)
        # Before the first request: every process-wide object made, lookups lock-free.
        await create_app_scope(container)
        queue = await container.get(JobQueue)
        if isinstance(queue, InProcessJobQueue) and settings.in_process_schedule:
            scheduler = InProcessScheduler(queue, periodic_jobs())
            scheduler.start()
            schedulers.append(scheduler)
        # Everything built so far (modules, the app and its OpenAPI schema, the container)
        # lives as long as the process: out of the collector's sight, a full collection
        # no longer walks it. Those walks were the requests' tail latency (ADR 0044).
        gc.freeze()

    async def on_shutdown() -> None:
        for scheduler in schedulers:
            await scheduler.stop()
        await stop_container(container)
        await channels.stop()  # the plugin stopped the backend; this closes its client

    api = DishkaRouter(
        API_PREFIX,
        route_handlers=[
            AuthController,
            MeController,
            *profiles.ROUTES,
            *assessments.ROUTES,
            *matching.ROUTES,
            *notifications.ROUTES,
            *ai.ROUTES,
            *safety.ROUTES,
            *moderation.ROUTES,
            *conversations.ROUTES,
            *payments.ROUTES,
            *privacy.ROUTES,
            *DELETION_ROUTES,
            *events.ROUTES,
        ],
    )
    member_socket = conversations.socket_handler(
        f"{API_PREFIX}/ws", channels_plugin, channels, settings
    )
    test_mode = payments.TEST_MODE_ROUTES if settings.uses_local_payments else []
    health = DishkaRouter(
        "", route_handlers=[HealthController, *payments.WEBHOOK_ROUTES, *test_mode]
    )
    edge_checks = EdgeChecks()
    app = Litestar(
        route_handlers=[api, member_socket, health, MetricsController, docs_assets_router()],
        middleware=[DefineMiddleware(RateLimitMiddleware)],
        request_class=ApiRequest,
        response_class=ApiResponse,
        before_request=edge_checks,
        exception_handlers=PROBLEM_HANDLERS,
        plugins=[ClosedStructSchemaPlugin(), channels_plugin],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=OpenAPIConfig(
            title="SaltBitter API",
            version="1.0.0",
            description=(
                "Psychology-informed, ethical dating backend. Errors are RFC 9457 "
                "problem+json with a stable `code`."
            ),
            path="/schema",
            operation_id_creator=operation_id,
            render_plugins=docs_ui_plugins(),
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        debug=False,
        logging_config=None,  # structlog owns logging (configure_logging)
    )
    edge_checks.learn(app)
    setup_dishka(container, app)
    # Built now (Litestar caches it) so that every copy served is the corrected one.
    finish_openapi(app.openapi_schema)
    # Outermost, around routing too: Litestar's middleware runs only once a route has
    # matched, and 404/405 answers need their request id (and a count) like every other.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    return app
