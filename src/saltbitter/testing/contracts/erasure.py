"""The erasure schedule's contract (docs/privacy.md): reminders and claims come back
once, on the fakes, SQLite and PostgreSQL. Subclasses bring ``request_scope``: request
scopes of the production container over one empty store.
"""

# Ports are resolved by their (abstract) protocol type, as dishka resolves them:
# mypy: disable-error-code="type-abstract"

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.erasure import ErasureSchedule
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.scopes import RequestScope

__all__ = ["ErasureScheduleContract"]

T0 = datetime(2026, 5, 1, 8, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def _member(request_scope: RequestScope, *, deleting_at: datetime | None) -> UserId:
    user = a_user(status=AccountStatus.ACTIVE)
    async with request_scope() as r:
        transaction, users = await r.get(Transaction), await r.get(UserRepository)
        async with transaction:
            users.add(user)
            await transaction.commit()
        if deleting_at is not None:
            async with transaction:
                stored = await users.get(user.id)
                assert stored is not None
                stored.request_deletion(deleting_at)
                await users.save(stored)
                await transaction.commit()
    return user.id


async def _remind(request_scope: RequestScope, now: datetime, days: int) -> list[UserId]:
    async with request_scope() as r:
        transaction, schedule = await r.get(Transaction), await r.get(ErasureSchedule)
        async with transaction:
            marked = await schedule.mark_reminders(now, days)
            await transaction.commit()
    return [reminder.user_id for reminder in marked]


async def _claim(request_scope: RequestScope, now: datetime) -> list[UserId]:
    async with request_scope() as r:
        transaction, schedule = await r.get(Transaction), await r.get(ErasureSchedule)
        async with transaction:
            claimed = await schedule.claim_due(now, HOUR)
            await transaction.commit()
    return list(claimed)


class ErasureScheduleContract:
    async def test_each_reminder_is_marked_once_nearest_first(
        self, request_scope: RequestScope
    ) -> None:
        member = await _member(request_scope, deleting_at=T0)
        await _member(request_scope, deleting_at=None)  # never asked: never reminded
        due = T0 + timedelta(days=30)
        five_before = due - timedelta(days=5)
        assert await _remind(request_scope, five_before, 1) == []
        assert await _remind(request_scope, five_before, 3) == []
        assert await _remind(request_scope, five_before, 7) == [member]
        assert await _remind(request_scope, five_before, 7) == []
        two_before = due - timedelta(days=2)
        assert await _remind(request_scope, two_before, 1) == []
        assert await _remind(request_scope, two_before, 3) == [member]
        assert await _remind(request_scope, two_before, 7) == []  # 3 is nearer than 7
        assert await _remind(request_scope, due - HOUR, 1) == [member]
        assert await _remind(request_scope, due - HOUR, 1) == []
        assert await _remind(request_scope, due, 1) == []  # the erasure's turn now

    async def test_a_cancelled_and_renewed_request_is_reminded_afresh(
        self, request_scope: RequestScope
    ) -> None:
        member = await _member(request_scope, deleting_at=T0)
        due = T0 + timedelta(days=30)
        assert await _remind(request_scope, due - timedelta(days=6), 7) == [member]
        async with request_scope() as r:
            transaction, users = await r.get(Transaction), await r.get(UserRepository)
            async with transaction:
                user = await users.get(member)
                assert user is not None
                user.cancel_deletion(T0 + timedelta(days=1))
                await users.save(user)
                await transaction.commit()
            async with transaction:
                user = await users.get(member)
                assert user is not None
                assert user.status is AccountStatus.ACTIVE
                user.request_deletion(T0 + timedelta(days=2))
                await users.save(user)
                await transaction.commit()
        renewed = T0 + timedelta(days=32)
        assert await _remind(request_scope, renewed - timedelta(days=6), 7) == [member]

    async def test_due_accounts_are_claimed_once_until_the_lease_lapses(
        self, request_scope: RequestScope
    ) -> None:
        member = await _member(request_scope, deleting_at=T0)
        due = T0 + timedelta(days=30)
        assert await _claim(request_scope, due - timedelta(seconds=1)) == []
        assert await _claim(request_scope, due) == [member]
        assert await _claim(request_scope, due + timedelta(minutes=59)) == []
        later = due + HOUR + timedelta(seconds=1)
        assert await _claim(request_scope, later) == [member]
        async with request_scope() as r:
            schedule = await r.get(ErasureSchedule)
            assert await schedule.holds_claim(member, later)
            assert not await schedule.holds_claim(member, due)

    async def test_an_operator_claims_any_account_at_once(
        self, request_scope: RequestScope
    ) -> None:
        member = await _member(request_scope, deleting_at=None)
        async with request_scope() as r:
            transaction, schedule = await r.get(Transaction), await r.get(ErasureSchedule)
            async with transaction:
                assert await schedule.claim_now(member, T0)
                assert not await schedule.claim_now(UserId(a_user().id), T0)
                await transaction.commit()
            users = await r.get(UserRepository)
            user = await users.get(member)
            assert user is not None
            assert user.status is AccountStatus.PENDING_DELETION
            assert await schedule.holds_claim(member, T0)
