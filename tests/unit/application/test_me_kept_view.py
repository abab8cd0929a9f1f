"""GET /me's view is kept per process under the member's stamp (ADR 0036): served while
the stamp holds, read again the moment a committed write renewed it."""

from __future__ import annotations

from dataclasses import replace

from saltbitter.adapters.memory.principals import LocalPrincipalCache
from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.accounts.sessions import GetMe
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import SessionId, Tier
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes import InMemoryUserRepository
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase


def _owner(user_id: object, stamp: str | None) -> AccountOwner:
    principal = Principal(
        user_id,  # type: ignore[arg-type]
        SessionId(user_id),  # type: ignore[arg-type]
        frozenset(),
        Tier.FREE,
        True,
        stamp=stamp,
    )
    return AccountOwner(principal)


async def test_the_view_is_served_while_the_stamp_holds_and_reread_once_it_changes() -> None:
    users = InMemoryUserRepository(InMemoryConnection(InMemoryDatabase()))
    ada = a_user()
    users.add(ada)
    cache = LocalPrincipalCache(30.0)
    get_me = GetMe(users, cache)
    stamp = await cache.stamp(ada.id)

    first = await get_me(_owner(ada.id, stamp))
    await users.save(replace(ada, display_name="Ada"))  # a write that renewed nothing
    assert (await get_me(_owner(ada.id, stamp))).display_name == first.display_name == "Sam"

    await cache.forget([ada.id])  # what the commit of a marked write does
    renewed = await cache.stamp(ada.id)
    assert (await get_me(_owner(ada.id, renewed))).display_name == "Ada"


async def test_without_a_stamp_nothing_is_kept() -> None:
    users = InMemoryUserRepository(InMemoryConnection(InMemoryDatabase()))
    ada = a_user()
    users.add(ada)
    get_me = GetMe(users, LocalPrincipalCache(30.0))
    await get_me(_owner(ada.id, None))
    await users.save(replace(ada, display_name="Ada"))
    assert (await get_me(_owner(ada.id, None))).display_name == "Ada"


async def test_an_embedded_cache_keeps_nothing() -> None:
    # Embedded mode: the CLI writes from another process that cannot renew this one's stamps.
    users = InMemoryUserRepository(InMemoryConnection(InMemoryDatabase()))
    ada = a_user()
    users.add(ada)
    cache = LocalPrincipalCache(0)
    get_me = GetMe(users, cache)
    stamp = await cache.stamp(ada.id)
    await get_me(_owner(ada.id, stamp))
    await users.save(replace(ada, display_name="Ada"))
    assert (await get_me(_owner(ada.id, stamp))).display_name == "Ada"
