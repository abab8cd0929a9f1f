"""The deletion rules of an account (docs/privacy.md): one date per request, cancellable
strictly before it, and only active accounts may ask."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.accounts import ERASURE_GRACE, AccountStatus
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied
from saltbitter.testing.builders import a_user

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


@given(later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=29)))
def test_asking_again_keeps_the_first_date(later: timedelta) -> None:
    user = a_user(status=AccountStatus.ACTIVE)
    first = user.request_deletion(T0)
    assert first == T0 + ERASURE_GRACE
    assert user.request_deletion(T0 + later) == first
    assert user.status is AccountStatus.PENDING_DELETION


@given(after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_cancelling_works_strictly_before_the_date(after: timedelta) -> None:
    user = a_user(status=AccountStatus.ACTIVE)
    due = user.request_deletion(T0)
    now = T0 + after
    if now < due:
        user.cancel_deletion(now)
        assert user.status is AccountStatus.ACTIVE
        assert user.erasure_due_at is None
    else:
        with pytest.raises(Conflict):
            user.cancel_deletion(now)
        assert user.status is AccountStatus.PENDING_DELETION


@pytest.mark.parametrize(
    "status",
    [AccountStatus.PENDING_VERIFICATION, AccountStatus.SUSPENDED, AccountStatus.DEACTIVATED],
)
def test_only_active_accounts_ask_and_nothing_pending_cannot_be_cancelled(
    status: AccountStatus,
) -> None:
    user = a_user(status=status)
    with pytest.raises(PermissionDenied):
        user.request_deletion(T0)
    with pytest.raises(NotFound):
        user.cancel_deletion(T0)


def test_a_pending_account_may_still_sign_in() -> None:
    user = a_user(status=AccountStatus.ACTIVE)
    user.request_deletion(T0)
    user.ensure_may_sign_in()
    assert user.deletion_pending
