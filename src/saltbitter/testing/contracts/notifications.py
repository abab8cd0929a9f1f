"""The notifications ports' contracts, for the in-memory fakes, SQLite and PostgreSQL.

Subclass the contracts with a ``request_scope`` fixture (see ``contracts.scopes``): the
ports come from one request scope per transaction, as a use case gets them.
``transaction(request_scope)`` is public for runners that add dialect-specific tests.
"""

# The ports are Protocols: resolving them by their (abstract) class is the point.
# mypy: disable-error-code="type-abstract"

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.notifications import (
    EmailSchedule,
    EmailStatus,
    Notification,
    NotificationInbox,
    NotificationRecipients,
    PagePosition,
    ScheduledEmail,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import AccountStatus, User
from saltbitter.domain.notifications import NotificationKind
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.scopes import RequestScope

__all__ = [
    "T0",
    "EmailScheduleContract",
    "NotificationInboxContract",
    "NotificationPorts",
    "NotificationRecipientsContract",
    "a_notification",
    "an_email",
    "transaction",
]

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class NotificationPorts:
    """The ports these contracts use, on one request's connection."""

    transaction: Transaction
    users: UserRepository  # only to seed the members the rows belong to
    inbox: NotificationInbox
    emails: EmailSchedule
    recipients: NotificationRecipients

    async def commit(self) -> None:
        await self.transaction.commit()


@asynccontextmanager
async def transaction(request_scope: RequestScope) -> AsyncIterator[NotificationPorts]:
    """One request scope and its transaction; leaving without ``commit`` rolls back."""
    async with request_scope() as r:
        ports = NotificationPorts(
            await r.get(Transaction),
            await r.get(UserRepository),
            await r.get(NotificationInbox),
            await r.get(EmailSchedule),
            await r.get(NotificationRecipients),
        )
        async with ports.transaction:
            yield ports


_transaction = transaction


async def _members(request_scope: RequestScope, count: int) -> list[User]:
    users = [a_user() for _ in range(count)]
    async with _transaction(request_scope) as s:
        for user in users:
            s.users.add(user)
        await s.commit()
    return users


def a_notification(
    user: User,
    *,
    at: datetime = T0,
    notification_id: UUID | None = None,
    kind: NotificationKind = NotificationKind.NEW_MATCH,
) -> Notification:
    return Notification(
        id=notification_id or uuid4(),
        user_id=user.id,
        kind=kind,
        payload={"match_id": str(uuid4()), "size": 10, "flag": True},
        created_at=at,
    )


def an_email(
    user: User, *, send_after: datetime = T0, email_id: UUID | None = None
) -> ScheduledEmail:
    return ScheduledEmail(
        id=email_id or uuid4(),
        user_id=user.id,
        kind="new_match",
        subject="You have a new match on SaltBitter",
        body="Hi Sam,\n\nYou have a new match.\n",
        send_after=send_after,
        created_at=T0 - timedelta(hours=1),
    )


class NotificationInboxContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def _add(self, request_scope: RequestScope, *notifications: Notification) -> None:
        async with _transaction(request_scope) as s:
            for notification in notifications:
                assert await s.inbox.add(notification)
            await s.commit()

    async def test_adding_the_same_id_twice_keeps_the_first(
        self, request_scope: RequestScope
    ) -> None:
        [user] = await _members(request_scope, 1)
        original = a_notification(user)
        await self._add(request_scope, original)
        async with _transaction(request_scope) as s:
            again = a_notification(user, notification_id=original.id, at=T0 + timedelta(hours=1))
            assert await s.inbox.add(again) is False
            await s.commit()
        async with _transaction(request_scope) as s:
            page = await s.inbox.page(user.id, after=None, limit=10)
        assert page == [original]  # payload, kind and times round-trip exactly
        assert page[0].created_at.utcoffset() == timedelta(0)

    async def test_adding_several_inserts_the_new_ones_and_counts_them(
        self, request_scope: RequestScope
    ) -> None:
        [user, other] = await _members(request_scope, 2)
        existing = a_notification(user)
        await self._add(request_scope, existing)
        fresh = [a_notification(user, at=T0 + timedelta(hours=1)), a_notification(other)]
        changed = a_notification(user, notification_id=existing.id, at=T0 + timedelta(days=1))
        async with _transaction(request_scope) as s:
            assert await s.inbox.add_all([fresh[0], changed, fresh[1]]) == 2
            assert await s.inbox.add_all([]) == 0
            assert await s.inbox.add_all([existing]) == 0
            await s.commit()
        async with _transaction(request_scope) as s:
            mine = await s.inbox.page(user.id, after=None, limit=10)
            theirs = await s.inbox.page(other.id, after=None, limit=10)
        assert mine == [fresh[0], existing]  # the first of an id stays
        assert theirs == [fresh[1]]

    async def test_pages_are_newest_first_per_member_and_continue_after_a_position(
        self, request_scope: RequestScope
    ) -> None:
        [user, other] = await _members(request_scope, 2)
        same_time = [a_notification(user, at=T0 + timedelta(hours=1)) for _ in range(3)]
        older = a_notification(user, at=T0)
        newest = a_notification(user, at=T0 + timedelta(hours=2))
        await self._add(request_scope, older, *same_time, newest, a_notification(other))
        expected = [newest, *sorted(same_time, key=lambda n: n.id, reverse=True), older]
        async with _transaction(request_scope) as s:
            first = await s.inbox.page(user.id, after=None, limit=2)
            last_shown = first[-1]
            rest = await s.inbox.page(
                user.id, after=PagePosition(last_shown.created_at, last_shown.id), limit=10
            )
        assert [n.id for n in first] == [n.id for n in expected[:2]]
        assert [n.id for n in rest] == [n.id for n in expected[2:]]

    async def test_mark_read_changes_only_the_members_unread_notifications(
        self, request_scope: RequestScope
    ) -> None:
        [user, other] = await _members(request_scope, 2)
        mine, also_mine = a_notification(user), a_notification(user, at=T0 + timedelta(1))
        theirs = a_notification(other)
        await self._add(request_scope, mine, also_mine, theirs)
        read_at = T0 + timedelta(days=2)
        async with _transaction(request_scope) as s:
            changed = await s.inbox.mark_read(
                user.id, [mine.id, theirs.id, uuid4(), mine.id], read_at
            )
            await s.commit()
        assert changed == 1
        async with _transaction(request_scope) as s:
            again = await s.inbox.mark_read(user.id, [mine.id], read_at)
            assert again == 0  # already read: nothing changes, the first time stays
            assert await s.inbox.mark_read(user.id, [], read_at) == 0
            await s.commit()
        async with _transaction(request_scope) as s:
            my_page = await s.inbox.page(user.id, after=None, limit=10)
            their_page = await s.inbox.page(other.id, after=None, limit=10)
        assert {n.id: n.read_at for n in my_page} == {mine.id: read_at, also_mine.id: None}
        assert their_page[0].read_at is None


class EmailScheduleContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_scheduling_the_same_email_twice_keeps_one(
        self, request_scope: RequestScope
    ) -> None:
        [user] = await _members(request_scope, 1)
        email = an_email(user)
        async with _transaction(request_scope) as s:
            assert await s.emails.schedule_email(email)
            assert not await s.emails.schedule_email(email)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert not await s.emails.schedule_email(email)
            assert list(await s.emails.emails_for(user.id)) == [email]

    async def test_scheduling_several_inserts_the_new_ones_and_counts_them(
        self, request_scope: RequestScope
    ) -> None:
        [user, other] = await _members(request_scope, 2)
        existing = an_email(user)
        async with _transaction(request_scope) as s:
            assert await s.emails.schedule_email(existing)
            await s.commit()
        fresh = [an_email(user, send_after=T0 + timedelta(hours=2)), an_email(other)]
        changed = an_email(user, email_id=existing.id, send_after=T0 + timedelta(days=1))
        async with _transaction(request_scope) as s:
            assert await s.emails.schedule_emails([changed, *fresh]) == 2
            assert await s.emails.schedule_emails([]) == 0
            await s.commit()
        async with _transaction(request_scope) as s:
            assert list(await s.emails.emails_for(user.id)) == [existing, fresh[0]]
            assert list(await s.emails.emails_for(other.id)) == [fresh[1]]

    async def test_only_pending_emails_that_are_due_are_claimed_earliest_first(
        self, request_scope: RequestScope
    ) -> None:
        [user, other] = await _members(request_scope, 2)
        later = an_email(user, send_after=T0 + timedelta(minutes=5))
        earlier = an_email(other, send_after=T0 - timedelta(hours=3))
        exactly_now = an_email(user, send_after=T0)
        future = an_email(user, send_after=T0 + timedelta(hours=8))
        async with _transaction(request_scope) as s:
            for email in (later, earlier, exactly_now, future):
                await s.emails.schedule_email(email)
            await s.commit()
        async with _transaction(request_scope) as s:
            due = await s.emails.claim_due_emails(T0, 10)
            assert [e.id for e in due] == [earlier.id, exactly_now.id]
            assert [e.id for e in await s.emails.claim_due_emails(T0, 1)] == [earlier.id]
            await s.emails.finish_emails([earlier.id], EmailStatus.SENT, T0)
            await s.emails.finish_emails([exactly_now.id], EmailStatus.SKIPPED, T0)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert list(await s.emails.claim_due_emails(T0, 10)) == []
            due_later = await s.emails.claim_due_emails(T0 + timedelta(minutes=5), 10)
            assert [e.id for e in due_later] == [later.id]
            [sent] = await s.emails.emails_for(other.id)
        assert sent.status is EmailStatus.SENT
        assert sent.done_at == T0

    async def test_due_emails_are_claimed_with_their_members_accounts(
        self, request_scope: RequestScope
    ) -> None:
        [ada] = await _members(request_scope, 1)
        suspended = a_user(status=AccountStatus.SUSPENDED)
        async with _transaction(request_scope) as s:
            s.users.add(suspended)
            await s.commit()
        emails = [
            an_email(suspended, send_after=T0 - timedelta(hours=1)),
            an_email(ada, send_after=T0),
            an_email(ada, send_after=T0 + timedelta(hours=1)),  # not due
        ]
        async with _transaction(request_scope) as s:
            await s.emails.schedule_emails(emails)
            await s.commit()
        async with _transaction(request_scope) as s:
            due = await s.emails.claim_due_with_recipients(T0, 10)
            expected = [(e, await s.recipients.get(e.user_id)) for e in emails[:2]]
            assert [e.id for e, _ in await s.emails.claim_due_with_recipients(T0, 1)] == [
                emails[0].id
            ]
        assert list(due) == expected
        assert [r.status for _, r in due if r is not None] == [
            AccountStatus.SUSPENDED,
            AccountStatus.ACTIVE,
        ]

    async def test_finishing_twice_keeps_the_first_outcome(
        self, request_scope: RequestScope
    ) -> None:
        [user] = await _members(request_scope, 1)
        email = an_email(user)
        async with _transaction(request_scope) as s:
            await s.emails.schedule_email(email)
            await s.emails.finish_emails([email.id], EmailStatus.SENT, T0)
            await s.emails.finish_emails([], EmailStatus.SENT, T0)
            await s.commit()
        async with _transaction(request_scope) as s:
            await s.emails.finish_emails([email.id], EmailStatus.SKIPPED, T0 + timedelta(1))
            await s.commit()
        async with _transaction(request_scope) as s:
            [stored] = await s.emails.emails_for(user.id)
        assert (stored.status, stored.done_at) == (EmailStatus.SENT, T0)

    async def test_a_postponed_email_is_not_due_until_its_new_time(
        self, request_scope: RequestScope
    ) -> None:
        [user] = await _members(request_scope, 1)
        email = an_email(user, send_after=T0)
        async with _transaction(request_scope) as s:
            await s.emails.schedule_email(email)
            await s.emails.postpone_email(email.id, T0 + timedelta(hours=9))
            await s.commit()
        async with _transaction(request_scope) as s:
            assert list(await s.emails.claim_due_emails(T0 + timedelta(hours=1), 5)) == []
            [due] = await s.emails.claim_due_emails(T0 + timedelta(hours=9), 5)
        assert due.send_after == T0 + timedelta(hours=9)
        assert due.status is EmailStatus.PENDING


class NotificationRecipientsContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_a_recipient_is_read_from_the_account(self, request_scope: RequestScope) -> None:
        suspended = a_user(status=AccountStatus.SUSPENDED)
        async with _transaction(request_scope) as s:
            s.users.add(suspended)
            await s.commit()
        [ada] = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            found = await s.recipients.get(ada.id)
            other = await s.recipients.get(suspended.id)
            assert await s.recipients.get(UserId(uuid4())) is None
        assert found is not None
        assert (found.user_id, found.display_name) == (ada.id, ada.display_name)
        assert (found.email, found.timezone) == (ada.email.value, ada.timezone)
        assert found.status is AccountStatus.ACTIVE
        assert other is not None
        assert other.status is AccountStatus.SUSPENDED

    async def test_several_recipients_are_read_at_once_and_the_missing_left_out(
        self, request_scope: RequestScope
    ) -> None:
        ada, bob = await _members(request_scope, 2)
        missing = UserId(uuid4())
        async with _transaction(request_scope) as s:
            found = await s.recipients.get_many([ada.id, missing, bob.id, ada.id])
            one_by_one = {u: await s.recipients.get(u) for u in (ada.id, bob.id)}
            assert await s.recipients.get_many([]) == {}
            assert await s.recipients.get_many([missing]) == {}
        assert dict(found) == one_by_one
