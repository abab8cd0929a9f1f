"""The storage contract of accounts and the outbox: one transaction over one connection.

Subclass :class:`AccountsStorageContract` and provide a ``connect`` fixture: each call
opens a new request's connection on one empty store and yields an :class:`AccountsStore`,
accounts' ports and the outbox on that connection with its ``Transaction``, whose
``after_commit`` is the contract's ``wakes`` fixture. The in-memory fakes, SQLite and
PostgreSQL all run these same tests. SQL adapters decode the outbox with
``CONTRACT_EVENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.ports.events import Event, Outbox
from saltbitter.application.ports.transaction import Transaction
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
from saltbitter.testing.contracts.scopes import Connect, RelayWakes

__all__ = ["CONTRACT_EVENTS", "T0", "AccountsStorageContract", "AccountsStore"]

CONTRACT_EVENTS: tuple[type[Event], ...] = (ProfileChanged, MatchCreated)
"""The event types the outbox tests store; SQL fixtures hand them to their codec."""

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AccountsStore:
    """Accounts' ports and the outbox on one request's connection, and its transaction."""

    transaction: Transaction
    users: UserRepository
    sessions: SessionRepository
    codes: OneTimeCodeRepository
    consents: ConsentLedger
    outbox: Outbox


class AccountsStorageContract:
    @pytest.fixture
    def wakes(self) -> RelayWakes:
        return RelayWakes()

    @pytest.fixture
    def connect(self, wakes: RelayWakes) -> Connect[AccountsStore]:
        raise NotImplementedError("open a request's accounts ports on one empty store")

    # One transaction over every port ---------------------------------------------

    async def test_commit_publishes_every_ports_writes_together(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        session = a_session(user)
        code = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        consent = ConsentRecord(user.id, ConsentPurpose.TERMS, True, "v1", T0)
        event = ProfileChanged(user_id=user.id)
        async with connect() as db, db.transaction:
            db.users.add(user)
            db.sessions.add(session)
            await db.codes.put(code)
            db.consents.append(consent)
            db.outbox.add(event)
            await db.transaction.commit()
        async with connect() as db:
            assert await db.users.get(user.id) is not None
            assert await db.sessions.get(session.id) is not None
            assert await db.codes.get(user.id, CodePurpose.VERIFY_EMAIL) == code
            assert list(await db.consents.history(user.id)) == [consent]
            async with db.transaction:
                assert [m.event for m in await db.outbox.claim_pending(10)] == [event]

    async def test_leaving_without_commit_rolls_back_every_port(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        session = a_session(user)
        async with connect() as db:
            async with db.transaction:
                db.users.add(user)
                db.sessions.add(session)
                await db.codes.put(
                    OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
                )
                db.consents.append(ConsentRecord(user.id, ConsentPurpose.TERMS, True, "v1", T0))
                db.outbox.add(ProfileChanged(user_id=user.id))
                assert await db.users.get(user.id) is not None  # staged rows read back
            # The same connection, after the transaction: nothing of it is left.
            assert await db.users.get(user.id) is None
        async with connect() as db, db.transaction:
            assert await db.users.get(user.id) is None
            assert await db.sessions.get(session.id) is None
            assert await db.codes.get(user.id, CodePurpose.VERIFY_EMAIL) is None
            assert list(await db.consents.history(user.id)) == []
            assert await db.outbox.claim_pending(10) == []

    async def test_an_error_inside_rolls_back_and_propagates(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        with pytest.raises(LookupError):  # noqa: PT012
            async with connect() as db, db.transaction:
                db.users.add(user)
                raise LookupError
        async with connect() as db:
            assert await db.users.get(user.id) is None

    async def test_staged_inserts_are_read_back_before_commit(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user("staged@example.org")
        session = a_session(user)
        async with connect() as db, db.transaction:
            db.users.add(user)
            db.sessions.add(session)
            db.sessions.add_refresh_token(
                RefreshToken("c" * 64, session.id, T0, T0 + timedelta(days=7))
            )
            by_email = await db.users.get_by_email(user.email)
            assert by_email is not None
            assert by_email.id == user.id
            assert [s.id for s in await db.sessions.list_active(user.id)] == [session.id]
            assert await db.sessions.get_refresh_token("c" * 64) is not None

    async def test_another_request_sees_nothing_before_the_commit(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        async with connect() as writer, writer.transaction:
            writer.users.add(user)
            writer.outbox.add(ProfileChanged(user_id=user.id))
            async with connect() as reader:
                assert await reader.users.get(user.id) is None
                async with reader.transaction:
                    assert await reader.outbox.claim_pending(10) == []
            await writer.transaction.commit()
        async with connect() as reader:
            assert await reader.users.get(user.id) is not None  # outside a transaction
            async with reader.transaction:
                assert len(await reader.outbox.claim_pending(10)) == 1

    async def test_reads_outside_a_transaction_see_committed_data(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        async with connect() as db:
            assert await db.users.get(user.id) is None  # a read before any transaction
            async with db.transaction:  # joins the read's transaction
                db.users.add(user)
                await db.transaction.commit()
            assert await db.users.get(user.id) is not None
        async with connect() as other:
            assert await other.users.get(user.id) is not None

    async def test_the_transaction_is_not_reentrant_but_may_be_entered_again(
        self, connect: Connect[AccountsStore]
    ) -> None:
        first, second = a_user(), a_user()
        async with connect() as db:
            async with db.transaction:
                with pytest.raises(RuntimeError):
                    await db.transaction.__aenter__()
                db.users.add(first)
                await db.transaction.commit()
            with pytest.raises(RuntimeError):
                await db.transaction.commit()  # outside of ``async with``
            async with db.transaction:
                db.users.add(second)
                await db.transaction.commit()
        async with connect() as db:
            assert await db.users.get(first.id) is not None
            assert await db.users.get(second.id) is not None

    async def test_rollback_drops_the_changes_so_far_and_the_transaction_goes_on(
        self, connect: Connect[AccountsStore]
    ) -> None:
        dropped, kept, never = a_user(), a_user(), a_user()
        async with connect() as db, db.transaction:
            db.users.add(dropped)
            await db.users.get(dropped.id)
            await db.transaction.rollback()
            db.users.add(kept)
            await db.transaction.commit()
            db.users.add(never)  # after the commit, inside: rolled back on leaving
        async with connect() as db:
            assert await db.users.get(dropped.id) is None
            assert await db.users.get(kept.id) is not None
            assert await db.users.get(never.id) is None

    async def test_the_relay_is_woken_after_a_commit_with_outbox_messages_only(
        self, connect: Connect[AccountsStore], wakes: RelayWakes
    ) -> None:
        async with connect() as db:
            async with db.transaction:
                db.users.add(a_user())
                await db.transaction.commit()
            assert wakes.count == 0  # no message
            async with db.transaction:
                db.outbox.add(ProfileChanged(user_id=UserId(uuid4())))
            assert wakes.count == 0  # rolled back
            async with db.transaction:
                db.outbox.add(ProfileChanged(user_id=UserId(uuid4())))
                db.outbox.add(ProfileChanged(user_id=UserId(uuid4())))
                assert wakes.count == 0  # not before the commit
                await db.transaction.commit()
                assert wakes.count == 1  # once per commit, however many messages
            async with db.transaction:
                await db.transaction.commit()  # nothing new staged: no second wake
        assert wakes.count == 1

    # Accounts' ports ------------------------------------------------------------

    async def test_committed_user_is_found_by_id_and_by_case_folded_email(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user("Ada.Lovelace@Example.org", status=AccountStatus.PENDING_VERIFICATION)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            by_id = await db.users.get(user.id)
            by_email = await db.users.get_by_email(user.email)
        assert by_id is not None
        assert by_email is not None
        assert by_id.id == by_email.id == user.id
        assert by_id.email.value == "ada.lovelace@example.org"
        assert by_id.birthdate == user.birthdate
        assert by_id.status is AccountStatus.PENDING_VERIFICATION
        assert by_id.roles == frozenset({Role.MEMBER})
        assert by_id.tier is Tier.FREE

    async def test_datetimes_come_back_timezone_aware_and_equal(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user(created_at=T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            loaded = await db.users.get(user.id)
        assert loaded is not None
        assert loaded.created_at == T0
        assert loaded.created_at.utcoffset() == timedelta(0)

    async def test_leaving_without_commit_rolls_back(self, connect: Connect[AccountsStore]) -> None:
        user = a_user()
        async with connect() as db, db.transaction:
            db.users.add(user)
        async with connect() as db, db.transaction:
            assert await db.users.get(user.id) is None

    async def test_an_email_belongs_to_one_account(self, connect: Connect[AccountsStore]) -> None:
        async with connect() as db, db.transaction:
            db.users.add(a_user("twin@example.org"))
            await db.transaction.commit()
        # The conflict may surface when staging or at commit: both are allowed.
        with pytest.raises(Conflict):  # noqa: PT012
            async with connect() as db, db.transaction:
                db.users.add(a_user("TWIN@example.org"))
                await db.transaction.commit()

    async def test_saved_changes_persist(self, connect: Connect[AccountsStore]) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            loaded = await db.users.get(user.id)
            assert loaded is not None
            loaded.mark_email_verified(T0)
            loaded.password_hash = "fake-v2$new"
            loaded.roles = frozenset({Role.MEMBER, Role.MODERATOR})
            loaded.tier = Tier.PREMIUM
            await db.users.save(loaded)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            again = await db.users.get(user.id)
        assert again is not None
        assert again.status is AccountStatus.ACTIVE
        assert again.email_verified_at == T0
        assert again.password_hash == "fake-v2$new"
        assert again.roles == frozenset({Role.MEMBER, Role.MODERATOR})
        assert again.tier is Tier.PREMIUM

    async def test_sessions_list_active_newest_use_first_and_revoke_all(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user, other = a_user(), a_user()
        older = a_session(user, at=T0, device="laptop")
        newer = a_session(user, at=T0 + timedelta(hours=1), device="phone")
        theirs = a_session(other, at=T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            db.users.add(other)
            for session in (older, newer, theirs):
                db.sessions.add(session)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            listed = await db.sessions.list_active(user.id)
            assert [s.id for s in listed] == [newer.id, older.id]
            assert await db.sessions.revoke_all(user.id, T0 + timedelta(hours=2)) == 2
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert await db.sessions.list_active(user.id) == []
            revoked = await db.sessions.get(older.id)
            assert revoked is not None
            assert revoked.revoked_at == T0 + timedelta(hours=2)
            assert [s.id for s in await db.sessions.list_active(other.id)] == [theirs.id]

    async def test_a_session_is_read_with_its_owner(self, connect: Connect[AccountsStore]) -> None:
        user, other = a_user(), a_user(status=AccountStatus.PENDING_VERIFICATION)
        mine, theirs = a_session(user, at=T0, device="phone"), a_session(other, at=T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            db.users.add(other)
            db.sessions.add(mine)
            db.sessions.add(theirs)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert await db.sessions.revoke_all(other.id, T0 + timedelta(hours=1)) == 1
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            found = await db.sessions.get_with_owner(mine.id)
            assert found is not None
            assert found == (await db.sessions.get(mine.id), await db.users.get(user.id))
            revoked = await db.sessions.get_with_owner(theirs.id)
            assert revoked is not None
            assert revoked == (await db.sessions.get(theirs.id), await db.users.get(other.id))
            assert revoked[0].revoked_at == T0 + timedelta(hours=1)
            assert await db.sessions.get_with_owner(SessionId(uuid4())) is None
            unknown = SessionId(uuid4())
            many = await db.sessions.get_many_with_owner([theirs.id, unknown, mine.id, mine.id])
            assert dict(many) == {mine.id: found, theirs.id: revoked}
            assert await db.sessions.get_many_with_owner([]) == {}

    async def test_refresh_token_rotates_exactly_once(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        session = a_session(user)
        token = RefreshToken("a" * 64, session.id, T0, T0 + timedelta(days=7))
        async with connect() as db, db.transaction:
            db.users.add(user)
            db.sessions.add(session)
            db.sessions.add_refresh_token(token)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert await db.sessions.mark_rotated(token.token_hash, T0 + timedelta(minutes=1))
            assert not await db.sessions.mark_rotated(token.token_hash, T0 + timedelta(minutes=2))
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            stored = await db.sessions.get_refresh_token(token.token_hash)
            assert stored is not None
            assert stored.rotated_at == T0 + timedelta(minutes=1)
            assert stored.session_id == session.id
            assert await db.sessions.get_refresh_token("b" * 64) is None

    async def test_one_live_code_per_user_and_purpose(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        first = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        second = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "654321", T0)
        reset = OneTimeCode.issue(user.id, CodePurpose.PASSWORD_RESET, "111111", T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.codes.put(first)
            await db.codes.put(reset)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            await db.codes.put(second)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert await db.codes.get(user.id, CodePurpose.VERIFY_EMAIL) == second
            assert await db.codes.get(user.id, CodePurpose.PASSWORD_RESET) == reset

    async def test_each_attempt_at_a_code_is_taken_once_and_kept(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        code = OneTimeCode.issue(user.id, CodePurpose.PASSWORD_RESET, "123456", T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.codes.put(code)
            await db.transaction.commit()
        taken: list[int] = []
        for _ in range(MAX_CODE_ATTEMPTS + 2):
            async with connect() as db, db.transaction:
                attempt = await db.codes.take_attempt(user.id, CodePurpose.PASSWORD_RESET, T0)
                await db.transaction.commit()
            if attempt is not None:
                assert attempt.code_hash == code.code_hash
                taken.append(attempt.attempts_left)
        assert taken == list(range(MAX_CODE_ATTEMPTS - 1, -1, -1))
        async with connect() as db, db.transaction:
            stored = await db.codes.get(user.id, CodePurpose.PASSWORD_RESET)
            assert stored is not None
            assert stored.attempts_left == 0
            assert await db.codes.take_attempt(user.id, CodePurpose.VERIFY_EMAIL, T0) is None

    async def test_no_attempt_at_an_expired_or_used_code(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        code = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.codes.put(code)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            expired = await db.codes.take_attempt(user.id, code.purpose, code.expires_at)
            assert expired is None
            assert await db.codes.mark_used(user.id, code.purpose, code.code_hash, T0)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert await db.codes.take_attempt(user.id, code.purpose, T0) is None
            stored = await db.codes.get(user.id, code.purpose)
        assert stored is not None
        assert stored.used_at == T0
        assert stored.attempts_left == MAX_CODE_ATTEMPTS

    async def test_a_code_is_marked_used_once_and_only_while_it_is_live(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user(status=AccountStatus.PENDING_VERIFICATION)
        first = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
        second = OneTimeCode.issue(user.id, CodePurpose.VERIFY_EMAIL, "654321", T0)
        async with connect() as db, db.transaction:
            db.users.add(user)
            await db.codes.put(first)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            await db.codes.put(second)
            await db.transaction.commit()
        later = T0 + timedelta(minutes=1)
        async with connect() as db, db.transaction:
            # The replaced code cannot be redeemed any more.
            assert not await db.codes.mark_used(user.id, first.purpose, first.code_hash, later)
            assert await db.codes.mark_used(user.id, second.purpose, second.code_hash, later)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert not await db.codes.mark_used(user.id, second.purpose, second.code_hash, later)

    async def test_consent_ledger_keeps_every_record_in_order(
        self, connect: Connect[AccountsStore]
    ) -> None:
        user = a_user()
        records = [
            ConsentRecord(user.id, ConsentPurpose.TERMS, True, "v1", T0, "203.0.113.9", "ua"),
            ConsentRecord(user.id, ConsentPurpose.MARKETING, True, "v1", T0 + timedelta(1)),
            ConsentRecord(user.id, ConsentPurpose.MARKETING, False, "v1", T0 + timedelta(2)),
        ]
        async with connect() as db, db.transaction:
            db.users.add(user)
            for record in records:
                db.consents.append(record)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            assert list(await db.consents.history(user.id)) == records
            assert await db.consents.current(user.id, ConsentPurpose.MARKETING) == records[2]
            assert await db.consents.current(user.id, ConsentPurpose.AI_FEATURES) is None

    async def test_outbox_hands_out_each_message_until_dispatched(
        self, connect: Connect[AccountsStore]
    ) -> None:
        first = ProfileChanged(user_id=UserId(uuid4()))
        second = MatchCreated(match_id=uuid4(), user_a=UserId(uuid4()), user_b=UserId(uuid4()))
        async with connect() as db, db.transaction:
            db.outbox.add(first)
            db.outbox.add(second)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            pending = await db.outbox.claim_pending(10)
            assert [m.event for m in pending] == [first, second]
            assert [m.topic for m in pending] == [first.name, second.name]
            await db.outbox.mark_dispatched([pending[0].id], T0)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            remaining = await db.outbox.claim_pending(10)
            assert [m.event for m in remaining] == [second]

    async def test_outbox_dispatches_the_oldest_messages_once_the_transaction_commits(
        self, connect: Connect[AccountsStore]
    ) -> None:
        events = [ProfileChanged(user_id=UserId(uuid4())) for _ in range(3)]
        async with connect() as db, db.transaction:
            for event in events:
                db.outbox.add(event)
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            rolled_back = await db.outbox.dispatch_pending(2, T0)
            assert [m.event for m in rolled_back] == events[:2]
            assert [m.event for m in await db.outbox.claim_pending(10)] == events[2:]
        async with connect() as db, db.transaction:  # the rollback handed them back
            dispatched = await db.outbox.dispatch_pending(2, T0)
            assert [m.id for m in dispatched] == [m.id for m in rolled_back]
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            [last] = await db.outbox.dispatch_pending(10, T0)
            assert last.event == events[2]
            assert await db.outbox.dispatch_pending(10, T0) == []

    async def test_outbox_rolls_back_with_the_change_it_announces(
        self, connect: Connect[AccountsStore]
    ) -> None:
        async with connect() as db, db.transaction:
            db.users.add(a_user())
            db.outbox.add(ProfileChanged(user_id=UserId(uuid4())))
        async with connect() as db, db.transaction:
            assert await db.outbox.claim_pending(10) == []

    async def test_purge_deletes_only_old_pending_accounts_and_what_they_own(
        self, connect: Connect[AccountsStore]
    ) -> None:
        old_pending = a_user(status=AccountStatus.PENDING_VERIFICATION, created_at=T0)
        new_pending = a_user(
            status=AccountStatus.PENDING_VERIFICATION, created_at=T0 + timedelta(hours=30)
        )
        old_active = a_user(status=AccountStatus.ACTIVE, created_at=T0)
        session = a_session(old_pending)
        async with connect() as db, db.transaction:
            for user in (old_pending, new_pending, old_active):
                db.users.add(user)
            db.sessions.add(session)
            await db.codes.put(
                OneTimeCode.issue(old_pending.id, CodePurpose.VERIFY_EMAIL, "123456", T0)
            )
            db.consents.append(ConsentRecord(old_pending.id, ConsentPurpose.TERMS, True, "v1", T0))
            await db.transaction.commit()
        async with connect() as db, db.transaction:
            purged = await db.users.delete_unverified_created_before(T0 + timedelta(hours=24))
            await db.transaction.commit()
        assert purged == 1
        async with connect() as db, db.transaction:
            assert await db.users.get(old_pending.id) is None
            assert await db.sessions.get(session.id) is None
            assert await db.codes.get(old_pending.id, CodePurpose.VERIFY_EMAIL) is None
            assert list(await db.consents.history(old_pending.id)) == []
            assert await db.users.get(new_pending.id) is not None
            assert await db.users.get(old_active.id) is not None

    async def test_unknown_ids_are_none(self, connect: Connect[AccountsStore]) -> None:
        async with connect() as db, db.transaction:
            assert await db.users.get(UserId(uuid4())) is None
            assert await db.sessions.get(SessionId(uuid4())) is None
