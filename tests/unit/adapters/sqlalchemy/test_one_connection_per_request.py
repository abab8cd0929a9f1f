"""An authenticated request checks out one pooled connection, however many ports it uses.

Regression test for issue 9: authentication used to read in a unit of work of its own,
and the action opened another, so one request held two connections in turn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dishka import AsyncContainer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.accounts.sessions import Authenticate, GetMe, LogoutEverywhere
from saltbitter.application.ports.accounts import SessionRepository, UserRepository
from saltbitter.application.ports.security import AccessClaims, AccessTokenCodec
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import ACCESS_TOKEN_LIFETIME
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.builders import a_session, a_user


@pytest.fixture
async def container(sqlite_url: str, tmp_path: Path) -> AsyncIterator[AsyncContainer]:
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, jwt_secret="s" * 48)
    container = make_container(settings)
    yield container
    await container.close()


async def _signed_in_member(container: AsyncContainer) -> str:
    """A stored active member with a session, and an access token for it (issued now:
    a module-level time expired when the suite ran longer than a token lives)."""
    now = datetime.now(UTC)
    user = a_user(created_at=now)
    session = a_session(user, at=now)
    async with container() as request:
        transaction = await request.get(Transaction)
        async with transaction:
            (await request.get(UserRepository)).add(user)
            (await request.get(SessionRepository)).add(session)
            await transaction.commit()
    codec = await container.get(AccessTokenCodec)
    return codec.issue(AccessClaims(user.id, session.id, now, now + ACCESS_TOKEN_LIFETIME))


class Checkouts:
    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self._pool = engine.sync_engine.pool
        event.listen(self._pool, "checkout", self._checked_out)

    def _checked_out(self, *_: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._pool, "checkout", self._checked_out)


async def test_authenticating_then_reading_uses_one_connection(
    container: AsyncContainer,
) -> None:
    token = await _signed_in_member(container)
    checkouts = Checkouts(await container.get(AsyncEngine))
    try:
        async with container() as request:
            principal = await (await request.get(Authenticate))(token)
            me = await (await request.get(GetMe))(AccountOwner(principal))
    finally:
        checkouts.close()
    assert me.user_id == principal.user_id
    assert checkouts.count == 1


async def test_authenticating_then_writing_joins_the_same_connection(
    container: AsyncContainer,
) -> None:
    token = await _signed_in_member(container)
    checkouts = Checkouts(await container.get(AsyncEngine))
    try:
        async with container() as request:
            principal = await (await request.get(Authenticate))(token)
            revoked = await (await request.get(LogoutEverywhere))(principal)
    finally:
        checkouts.close()
    assert revoked == 1
    assert checkouts.count == 1
    async with container() as request:  # committed: the session is gone for the next one
        assert await (await request.get(SessionRepository)).list_active(principal.user_id) == []
