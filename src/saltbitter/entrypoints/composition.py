"""The composition root: which adapter implements which port, chosen from settings.

One container per process kind (API, worker, CLI). APP scope holds engines, clients
and stateless services; REQUEST scope holds units of work and use cases. Business code
never sees the container.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from functools import partial
from typing import Any

from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from dishka.entities.factory_type import FactoryType
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.mail import FileMailer, SesMailer, ses_client
from saltbitter.adapters.memory import (
    ClosableRateLimiter,
    FallbackRateLimiter,
    InProcessCache,
    in_process_rate_limiter,
)
from saltbitter.adapters.memory.principals import LocalPrincipalCache
from saltbitter.adapters.redis import RedisCache, redis_client, redis_rate_limiter
from saltbitter.adapters.redis.principals import RedisPrincipalCache
from saltbitter.adapters.security import Argon2PasswordHasher, JwtAccessTokenCodec
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SecretsGenerator, SystemClock, UuidIdGenerator
from saltbitter.application.matching.caching import renew_member_markers
from saltbitter.application.outbox import EventHandlers, RelayOutbox
from saltbitter.application.ports.cache import Cache, RateLimiter
from saltbitter.application.ports.conversations import RealtimeFanout
from saltbitter.application.ports.events import JobQueue, Outbox
from saltbitter.application.ports.mail import Mailer
from saltbitter.application.ports.security import AccessTokenCodec, PasswordHasher, PrincipalCache
from saltbitter.application.ports.system import Clock, IdGenerator, SecretGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.capabilities.privacy import PrivacyProvider
from saltbitter.entrypoints.jobs import (
    EVENT_HANDLERS,
    EVENTS,
    JOBS_TAKEN_TOGETHER,
    RELAY_OUTBOX,
    RELAY_PACE_SECONDS,
    InProcessJobQueue,
)
from saltbitter.entrypoints.realtime import SESSION_CHANGED
from saltbitter.entrypoints.settings import Settings

__all__ = ["build_container", "make_container", "start_container", "stop_container"]


class InfrastructureProvider(Provider):
    """APP scope: one of each per process."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def events(self) -> EventCodec:
        return EVENTS

    @provide
    def event_handlers(self) -> EventHandlers:
        return EVENT_HANDLERS

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        if settings.uses_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        pool = (
            {}
            if settings.uses_sqlite
            else {
                "pool_size": settings.database_pool_size,
                "max_overflow": settings.database_pool_overflow,
            }
        )
        engine = create_engine_for(
            settings.effective_database_url,
            pool_pre_ping=settings.database_pool_pre_ping,
            **pool,
        )
        yield engine
        await engine.dispose()

    clock = provide(SystemClock, provides=Clock)
    ids = provide(UuidIdGenerator, provides=IdGenerator)
    secrets = provide(SecretsGenerator, provides=SecretGenerator)

    @provide
    def hasher(self) -> PasswordHasher:
        # OWASP's argon2id profile (19 MiB, t=2, p=1): about 25 ms per check on this
        # 2-core class of machine, where argon2-cffi's 64 MiB default costs about 170 ms
        # (ADR 0006). Stored hashes follow along through rehash-on-login.
        return Argon2PasswordHasher(time_cost=2, memory_cost_kib=19456, parallelism=1)

    @provide
    def access_tokens(self, settings: Settings) -> AccessTokenCodec:
        return JwtAccessTokenCodec(settings.effective_jwt_secret())

    @provide
    def mailer(self, settings: Settings) -> Mailer:
        if settings.ses_region:
            client = ses_client(settings.ses_region, endpoint_url=settings.ses_endpoint_url)
            return SesMailer(client, settings.mail_sender)
        return FileMailer(settings.mail_folder, settings.mail_sender)

    @provide
    async def cache(self, settings: Settings) -> AsyncIterator[Cache]:
        if settings.redis_url:
            client = redis_client(settings.redis_url)
            yield RedisCache(client, settings.redis_key_prefix)
            await client.aclose()
        else:
            yield InProcessCache()

    @provide
    async def principals(self, settings: Settings) -> AsyncIterator[PrincipalCache]:
        if settings.redis_url:
            client = redis_client(settings.redis_url)
            yield RedisPrincipalCache(
                client, settings.redis_key_prefix, settings.principal_cache_seconds
            )
            await client.aclose()
        else:
            # Embedded mode: the CLI changes members from another process, which could
            # not tell this one; without a shared stamp store nothing is kept.
            yield LocalPrincipalCache(0)

    @provide
    async def rate_limiter(self, settings: Settings) -> AsyncIterator[RateLimiter]:
        # With Redis, a Redis outage degrades to per-process counting (ADR 0011).
        limiter: ClosableRateLimiter = (
            FallbackRateLimiter(
                redis_rate_limiter(settings.redis_url, settings.redis_key_prefix),
                in_process_rate_limiter(),
            )
            if settings.redis_url
            else in_process_rate_limiter()
        )
        yield limiter
        await limiter.aclose()

    @provide
    def job_queue(self, settings: Settings) -> JobQueue:
        if settings.uses_celery:
            from saltbitter.adapters.celery import CeleryJobQueue
            from saltbitter.entrypoints.celery_config import configured_celery

            # Sending needs only the configured app, not the worker's tasks.
            return CeleryJobQueue(
                configured_celery(settings),
                together=JOBS_TAKEN_TOGETHER,
                pace_seconds=RELAY_PACE_SECONDS,
            )
        return InProcessJobQueue()


class UseCaseProvider(Provider):
    """REQUEST scope: the request's one connection, its transaction and outbox, and the
    outbox relay (capabilities provide their own ports and use cases on that connection)."""

    scope = Scope.REQUEST

    @provide
    async def connection(self, engine: AsyncEngine) -> AsyncIterator[StagedConnection]:
        """Checked out at the request's first statement, given back when the request ends."""
        connection = StagedConnection(engine)
        yield connection
        await connection.close()

    @provide
    def transaction(
        self,
        connection: StagedConnection,
        queue: JobQueue,
        principals: PrincipalCache,
        fanout: RealtimeFanout,
        cache: Cache,
    ) -> Transaction:
        return SqlaTransaction(
            connection,
            after_commit=_outbox_waker(queue),
            principals_changed=_principals_changed(principals, fanout),
            members_changed=partial(renew_member_markers, cache),
        )

    @provide
    def outbox(
        self, connection: StagedConnection, clock: Clock, ids: IdGenerator, events: EventCodec
    ) -> Outbox:
        return SqlaOutbox(connection, clock, ids, events)

    relay = provide(RelayOutbox)


def _outbox_waker(queue: JobQueue) -> Callable[[], None]:
    """After a commit with outbox messages, relay them now rather than at the next sweep."""
    if isinstance(queue, InProcessJobQueue):
        return queue.wake_relay
    from saltbitter.adapters.celery import CeleryJobQueue

    assert isinstance(queue, CeleryJobQueue)
    return partial(queue.wake, RELAY_OUTBOX)


def _principals_changed(
    principals: PrincipalCache, fanout: RealtimeFanout
) -> Callable[[Collection[UserId]], Awaitable[None]]:
    """After a commit that changed members' accounts or sessions: new stamps (every
    process re-reads them), and a nudge on their channels so that their open sockets
    re-authenticate now rather than at their next periodic check (ADR 0032)."""

    async def changed(members: Collection[UserId]) -> None:
        await principals.forget(members)
        await fanout.publish(sorted(members), SESSION_CHANGED)

    return changed


def make_container(settings: Settings, *extra: Provider) -> AsyncContainer:
    """The container of one process; call :func:`start_container` before using it."""
    capability_providers = [
        provider for capability in CAPABILITIES for provider in capability.providers(settings)
    ]
    return make_async_container(
        InfrastructureProvider(settings),
        UseCaseProvider(),
        *capability_providers,
        PrivacyProvider(),
        *extra,
    )


async def create_app_scope(container: AsyncContainer) -> int:
    """Create every process-wide (``Scope.APP``) object now, then drop the scope's lock;
    returns how many objects there are.

    dishka guards the process-wide scope with an ``asyncio.Lock`` so that two first
    lookups cannot create an object twice; every request paid a round of it for each
    process-wide object it used (~7% of a cached read's CPU, ADR 0047). Once everything
    exists, a lookup is a dictionary read and needs no lock. Call it before serving.
    """
    created = 0
    registry: Any = container.registry  # dishka's registry of the APP scope
    for key, factory in list(registry.factories.items()):
        if factory.scope is not Scope.APP or factory.type is FactoryType.CONTEXT:
            continue
        await container.get(key.type_hint, component=key.component)
        created += 1
    container.lock = None
    return created


async def start_container(container: AsyncContainer) -> None:
    """Bind the in-process job queue (embedded mode) to the container that runs its jobs."""
    queue = await container.get(JobQueue)
    if isinstance(queue, InProcessJobQueue):
        queue.bind(container)


async def stop_container(container: AsyncContainer) -> None:
    """Let in-process jobs finish, then close engines and clients."""
    queue = await container.get(JobQueue)
    if isinstance(queue, InProcessJobQueue):
        await queue.drain()
    await container.close()


async def build_container(settings: Settings, *extra: Provider) -> AsyncContainer:
    container = make_container(settings, *extra)
    await start_container(container)
    return container
