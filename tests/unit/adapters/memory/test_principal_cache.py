"""The per-process principal store and the embedded stamp store (ADR 0032)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.memory.principals import KeptPrincipals, LocalPrincipalCache
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import SessionId, Tier, UserId


def _principal(user: uuid.UUID | None = None) -> Principal:
    return Principal(
        UserId(user or uuid.uuid4()), SessionId(uuid.uuid4()), frozenset(), Tier.FREE, True
    )


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(
    kept_stamp=st.sampled_from(["a", "b"]),
    asked_stamp=st.sampled_from(["a", "b"]),
    age=st.floats(min_value=0, max_value=20),
)
def test_a_kept_principal_counts_only_under_its_stamp_and_within_its_lifetime(
    kept_stamp: str, asked_stamp: str, age: float
) -> None:
    clock = _Clock()
    kept = KeptPrincipals(10.0, now=clock)
    principal = _principal()
    kept.keep(principal, kept_stamp)
    clock.now = age
    found = kept.get(principal.session_id, asked_stamp)
    assert (found == principal) == (kept_stamp == asked_stamp and age < 10.0)


def test_the_store_is_bounded_oldest_out_and_off_at_zero_seconds() -> None:
    kept = KeptPrincipals(10.0, limit=2)
    first, second, third = _principal(), _principal(), _principal()
    for principal in (first, second, third):
        kept.keep(principal, "s")
    assert len(kept) == 2
    assert kept.get(first.session_id, "s") is None
    assert kept.get(third.session_id, "s") == third
    off = KeptPrincipals(0)
    off.keep(first, "s")
    assert off.get(first.session_id, "s") is None


async def test_forget_renews_the_stamp_and_drops_only_that_members_principals() -> None:
    cache = LocalPrincipalCache(30.0)
    ada, bo = _principal(), _principal()
    for principal in (ada, bo):
        cache.keep(principal, await cache.stamp(principal.user_id))
    before = await cache.stamp(ada.user_id)
    await cache.forget([ada.user_id])
    after = await cache.stamp(ada.user_id)
    assert after != before
    assert cache.get(ada.session_id, after) is None
    assert cache.get(ada.session_id, before) is None
    assert cache.get(bo.session_id, await cache.stamp(bo.user_id)) == bo
