"""The API makes its process-wide objects at start-up and then looks them up without
dishka's lock (ADR 0047); the lock stays wherever that was not done."""

from __future__ import annotations

import asyncio
from itertools import count
from pathlib import Path
from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide
from litestar.testing import TestClient

from saltbitter.application.ports.cache import Cache, RateLimiter
from saltbitter.application.ports.payments import PaymentGateway
from saltbitter.application.ports.security import AccessTokenCodec, PrincipalCache
from saltbitter.entrypoints.composition import create_app_scope, make_container
from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.settings import Settings

PROCESS_WIDE = (RateLimiter, Cache, PrincipalCache, AccessTokenCodec, PaymentGateway)


class SlowlyMade:
    """A process-wide object whose factory waits (as one opening a client would)."""

    made = count()

    def __init__(self) -> None:
        self.serial = next(self.made)


class SlowProvider(Provider):
    @provide(scope=Scope.APP)
    async def slowly_made(self) -> SlowlyMade:
        await asyncio.sleep(0.01)
        return SlowlyMade()


def _settings(folder: Path) -> Settings:
    return Settings(
        data_dir=folder, tasks="in_process", in_process_schedule=False, jwt_secret="x" * 48
    )


async def _from_many_requests(container: AsyncContainer, kind: type[Any]) -> set[int]:
    async def one() -> int:
        async with container(scope=Scope.REQUEST) as request:
            return id(await request.get(kind))

    return set(await asyncio.gather(*(one() for _ in range(20))))


def test_the_api_has_made_them_all_before_its_first_request(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path), configure_logs=False)
    container: AsyncContainer = app.state.dishka_container
    assert container.lock is not None  # not started yet
    with TestClient(app) as client:
        assert container.lock is None
        for kind in PROCESS_WIDE:
            identities = client.blocking_portal.call(_from_many_requests, container, kind)
            assert len(identities) == 1


def test_after_create_app_scope_concurrent_first_requests_share_one_object(
    tmp_path: Path,
) -> None:
    async def run() -> tuple[int, set[int], object]:
        container = make_container(_settings(tmp_path), SlowProvider())
        try:
            created = await create_app_scope(container)
            return created, await _from_many_requests(container, SlowlyMade), container.lock
        finally:
            await container.close()

    created, identities, lock = asyncio.run(run())
    assert created >= len(PROCESS_WIDE) + 1
    assert len(identities) == 1
    assert lock is None


def test_without_it_the_lock_stays_and_still_makes_one(tmp_path: Path) -> None:
    async def run() -> set[int]:
        container = make_container(_settings(tmp_path), SlowProvider())
        try:
            return await _from_many_requests(container, SlowlyMade)
        finally:
            await container.close()

    assert len(asyncio.run(run())) == 1
