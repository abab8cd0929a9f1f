"""The unit-of-work contract: what every persistence adapter must guarantee.

Subclass :class:`UnitOfWorkContract` and provide a ``uow_factory`` fixture that returns a
callable making a fresh unit of work on one empty store. The in-memory fake, SQLite and
PostgreSQL all run these same tests. SQL adapters decode the outbox with ``CONTRACT_EVENTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.ports.events import Event
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.domain.accounts import (
    MAX_CODE_ATTEMPTS,
    AccountStatus,
    CodePurpose,
    ConsentPurpose,
    ConsentRecord,
    OneTimeCode,
    RefreshToken,
)
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.builders import a_session, a_user

__all__ = ["CONTRACT_EVENTS", "UnitOfWorkContract"]

CONTRACT_EVENTS: tuple[type[Event], ...] = (ProfileChanged, MatchCreated)
"""The event types the outbox tests store; SQL fixtures hand them to their codec."""

UowFactory = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class UnitOfWorkContract:
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        raise NotImplementedError("provide a factory of units of work on one empty store")

    async def test_committed_user_is_found_by_id_and_by_case_folded_email(
        self, uow_factory: UowFactory
    ) -> None:
        user = a_user("Ada.Lovelace@Example.org", status=AccountStatus.PENDING_VERIFICATION)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.commit()
        async with uow_factory() as uow:
            by_id = await uow.users.get(user.id)
            by_email = await uow.users.get_by_email(user.email)
        assert by_id is not None
        assert by_email is not None
        assert by_id.id == by_email.id == user.id
        assert by_id.email.value == "ada.lovelace@example.org"
        assert by_id.birthdate == user.birthdate
        assert by_id.status is AccountStatus.PENDING_VERIFICATION
        assert by_id.roles == frozenset({Role.MEMBER})
        assert by_id.tier is Tier.FREE

    async def test_datetimes_come_back_timezone_aware_and_equal(
        self, uow_factory: UowFactory
    ) -> None:
        user = a_user(created_at=T0)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.users.get(user.id)
        assert loaded is not None
        assert loaded.created_at == T0
        assert loaded.created_at.utcoffset() == timedelta(0)

    async def test_leaving_without_commit_rolls_back(self, uow_factory: UowFactory) -> None:
        user = a_user()
        async with uow_factory() as uow:
            uow.users.add(user)
        async with uow_factory() as uow:
            assert await uow.users.get(user.id) is None

    async def test_an_email_belongs_to_one_account(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            uow.users.add(a_user("twin@example.org"))
            await uow.commit()
        # The conflict may surface when staging or at commit: both are allowed.
        with pytest.raises(Conflict):  # noqa: PT012
            async with uow_factory() as uow:
                uow.users.add(a_user("TWIN@example.org"))
                await uow.commit()

    async def test_saved_changes_persist(self, uow_factory: UowFactory) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.users.get(user.id)
            assert loaded is not None
            loaded.mark_email_verified(T0)
            loaded.password_hash = "fake-v2$new"
            loaded.roles = frozenset({Role.MEMBER, Role.MODERATOR})
            loaded.tier = Tier.PREMIUM
            await uow.users.save(loaded)
            await uow.commit()
        async with uow_factory() as uow:
            again = await uow.users.get(user.id)
        assert again is not None
        assert again.status is AccountStatus.ACTIVE
        assert again.email_verified_at == T0
        assert again.password_hash == "fake-v2$new"
        assert again.roles == frozenset({Role.MEMBER, Role.MODERATOR})
        assert again.tier is Tier.PREMIUM

    async def test_sessions_list_active_newest_use_first_and_revoke_all(
        self, uow_factory: UowFactory
    ) -> None:
        user, other = a_user(), a_user()
        older = a_session(user, at=T0, device="laptop")
        newer = a_session(user, at=T0 + timedelta(hours=1), device="phone")
        theirs = a_session(other, at=T0)
        async with uow_factory() as uow:
            uow.users.add(user)
            uow.users.add(other)
            for session in (older, newer, theirs):
                uow.sessions.add(session)
            await uow.commit()
        async with uow_factory() as uow:
            listed = await uow.sessions.list_active(user.id)
            assert [s.id for s in listed] == [newer.id, older.id]
            assert await uow.sessions.revoke_all(user.id, T0 + timedelta(hours=2)) == 2
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.list_active(user.id) == []
            revoked = await uow.sessions.get(older.id)
            assert revoked is not None
            assert revoked.revoked_at == T0 + timedelta(hours=2)
            assert [s.id for s in await uow.sessions.list_active(other.id)] == [theirs.id]

    async def test_refresh_token_rotates_exactly_once(self, uow_factory: UowFactory) -> None:
        user = a_user()
        session = a_session(user)
        token = RefreshToken("a" * 64, session.id, T0, T0 + timedelta(days=7))
        async with uow_factory() as uow:
            uow.users.add(user)
            uow.sessions.add(session)
            uow.sessions.add_refresh_token(token)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.sessions.mark_rotated(token.token_hash, T0 + timedelta(minutes=1))
            assert not await uow.sessions.mark_rotated(token.token_hash, T0 + timedelta(minutes=2))
            await uow.commit()
        async with uow_factory() as uow:
            stored = await uow.sessions.get_refresh_token(token.token_hash)
            assert stored is not None
            assert stored.rotated_at == T0 + timedelta(minutes=1)
            assert stored.session_id == session.id
            assert await uow.sessions.get_refresh_token("b" * 64) is None

    async def test_one_live_code_per_user_and_purpose(self, uow_factory: UowFactory) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        first = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        second = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "654321", T0)
        reset = OneTimeCode.issue(user.id, CodePurpose.PASSWORD_RESET, "111111", T0)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.codes.put(first)
            await uow.codes.put(reset)
            await uow.commit()
        async with uow_factory() as uow:
            await uow.codes.put(second)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.codes.get(user.id, CodePurpose.VERIFY_EMAIL) == second
            assert await uow.codes.get(user.id, CodePurpose.PASSWORD_RESET) == reset

    async def test_each_attempt_at_a_code_is_taken_once_and_kept(
        self, uow_factory: UowFactory
    ) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        code = OneTimeCode.issue(user.id, CodePurpose.PASSWORD_RESET, "123456", T0)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.codes.put(code)
            await uow.commit()
        taken: list[int] = []
        for _ in range(MAX_CODE_ATTEMPTS + 2):
            async with uow_factory() as uow:
                attempt = await uow.codes.take_attempt(user.id, CodePurpose.PASSWORD_RESET, T0)
                await uow.commit()
            if attempt is not None:
                assert attempt.code_hash == code.code_hash
                taken.append(attempt.attempts_left)
        assert taken == list(range(MAX_CODE_ATTEMPTS - 1, -1, -1))
        async with uow_factory() as uow:
            stored = await uow.codes.get(user.id, CodePurpose.PASSWORD_RESET)
            assert stored is not None
            assert stored.attempts_left == 0
            assert await uow.codes.take_attempt(user.id, CodePurpose.VERIFY_EMAIL, T0) is None

    async def test_no_attempt_at_an_expired_or_used_code(self, uow_factory: UowFactory) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        code = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.codes.put(code)
            await uow.commit()
        async with uow_factory() as uow:
            expired = await uow.codes.take_attempt(user.id, code.purpose, code.expires_at)
            assert expired is None
            assert await uow.codes.mark_used(user.id, code.purpose, code.code_hash, T0)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.codes.take_attempt(user.id, code.purpose, T0) is None
            stored = await uow.codes.get(user.id, code.purpose)
        assert stored is not None
        assert stored.used_at == T0
        assert stored.attempts_left == MAX_CODE_ATTEMPTS

    async def test_a_code_is_marked_used_once_and_only_while_it_is_live(
        self, uow_factory: UowFactory
    ) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        first = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        second = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "654321", T0)
        async with uow_factory() as uow:
            uow.users.add(user)
            await uow.codes.put(first)
            await uow.commit()
        async with uow_factory() as uow:
            await uow.codes.put(second)
            await uow.commit()
        later = T0 + timedelta(minutes=1)
        async with uow_factory() as uow:
            # The replaced code cannot be redeemed any more.
            assert not await uow.codes.mark_used(user.id, first.purpose, first.code_hash, later)
            assert await uow.codes.mark_used(user.id, second.purpose, second.code_hash, later)
            await uow.commit()
        async with uow_factory() as uow:
            assert not await uow.codes.mark_used(user.id, second.purpose, second.code_hash, later)

    async def test_consent_ledger_keeps_every_record_in_order(
        self, uow_factory: UowFactory
    ) -> None:
        user = a_user()
        records = [
            ConsentRecord(user.id, ConsentPurpose.TERMS, True, "v1", T0, "203.0.113.9", "ua"),
            ConsentRecord(user.id, ConsentPurpose.MARKETING, True, "v1", T0 + timedelta(1)),
            ConsentRecord(user.id, ConsentPurpose.MARKETING, False, "v1", T0 + timedelta(2)),
        ]
        async with uow_factory() as uow:
            uow.users.add(user)
            for record in records:
                uow.consents.append(record)
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.consents.history(user.id)) == records
            assert await uow.consents.current(user.id, ConsentPurpose.MARKETING) == records[2]
            assert await uow.consents.current(user.id, ConsentPurpose.AI_FEATURES) is None

    async def test_outbox_hands_out_each_message_until_dispatched(
        self, uow_factory: UowFactory
    ) -> None:
        first = ProfileChanged(user_id=UserId(uuid4()))
        second = MatchCreated(match_id=uuid4(), user_a=UserId(uuid4()), user_b=UserId(uuid4()))
        async with uow_factory() as uow:
            uow.outbox.add(first)
            uow.outbox.add(second)
            await uow.commit()
        async with uow_factory() as uow:
            pending = await uow.outbox.claim_pending(10)
            assert [m.event for m in pending] == [first, second]
            assert [m.topic for m in pending] == [first.name, second.name]
            await uow.outbox.mark_dispatched([pending[0].id], T0)
            await uow.commit()
        async with uow_factory() as uow:
            remaining = await uow.outbox.claim_pending(10)
            assert [m.event for m in remaining] == [second]

    async def test_outbox_rolls_back_with_the_change_it_announces(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            uow.users.add(a_user())
            uow.outbox.add(ProfileChanged(user_id=UserId(uuid4())))
        async with uow_factory() as uow:
            assert await uow.outbox.claim_pending(10) == []

    async def test_purge_deletes_only_old_pending_accounts_and_what_they_own(
        self, uow_factory: UowFactory
    ) -> None:
        old_pending = a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=T0)
        new_pending = a_user(
            status=AccountStatus.PENDING_VERIFICATION, created_at=T0 + timedelta(hours=30)
        )
        old_active = a_user(status=AccountStatus.ACTIVE, created_at=T0)
        session = a_session(old_pending)
        async with uow_factory() as uow:
            for user in (old_pending, new_pending, old_active):
                uow.users.add(user)
            uow.sessions.add(session)
            await uow.codes.put(
                OneTimeCode.issue(old_pending.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
            )
            uow.consents.append(ConsentRecord(old_pending.id, ConsentPurpose.TERMS, True, "v1", T0))
            await uow.commit()
        async with uow_factory() as uow:
            purged = await uow.users.delete_unverified_created_before(T0 + timedelta(hours=24))
            await uow.commit()
        assert purged == 1
        async with uow_factory() as uow:
            assert await uow.users.get(old_pending.id) is None
            assert await uow.sessions.get(session.id) is None
            assert await uow.codes.get(old_pending.id, CodePurpose.VERIFY_EMAIL) is None
            assert list(await uow.consents.history(old_pending.id)) == []
            assert await uow.users.get(new_pending.id) is not None
            assert await uow.users.get(old_active.id) is not None

    async def test_unknown_ids_are_none(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            assert await uow.users.get(UserId(uuid4())) is None
            assert await uow.sessions.get(SessionId(uuid4())) is None
