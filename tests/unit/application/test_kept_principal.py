"""``kept_principal`` (ADR 0049): what ``Authenticate`` answers without a read, asked by
the HTTP edge before it builds ``Authenticate`` on the request's connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.memory.principals import LocalPrincipalCache
from saltbitter.application.accounts.sessions import Authenticate, kept_principal
from saltbitter.application.ports.accounts import SessionOwnerReads
from saltbitter.application.ports.security import AccessClaims
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import AuthenticationFailed
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.fakes import (
    InMemoryAccessTokenCodec,
    InMemoryClock,
    InMemorySessionRepository,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@given(same_user=st.booleans(), same_session=st.booleans(), same_stamp=st.booleans())
async def test_the_kept_principal_is_authenticates_answer_without_a_read(
    same_user: bool, same_session: bool, same_stamp: bool
) -> None:
    cache = LocalPrincipalCache(30.0)
    principal = Principal(
        UserId(uuid4()), SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True, "s1"
    )
    cache.keep(principal, "s1")
    claims = AccessClaims(
        principal.user_id if same_user else UserId(uuid4()),
        principal.session_id if same_session else SessionId(uuid4()),
        NOW,
        NOW + timedelta(minutes=15),
    )
    stamp = "s1" if same_stamp else "s2"
    kept = kept_principal(cache, claims, stamp)
    # No session is stored: Authenticate can only answer from what the process keeps.
    authenticate = Authenticate(
        InMemorySessionRepository(InMemoryConnection(InMemoryDatabase())),
        InMemoryAccessTokenCodec(),
        InMemoryClock(NOW),
        cache,
        SessionOwnerReads(),
    )
    if same_user and same_session and same_stamp:
        assert kept is principal
        assert await authenticate.verified(claims, stamp) is principal
        assert (await authenticate.verified_owner(claims, stamp)).principal is principal
    else:
        assert kept is None
        with pytest.raises(AuthenticationFailed):
            await authenticate.verified(claims, stamp)
