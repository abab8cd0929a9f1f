"""The notification repository contract, for the in-memory fake, SQLite and PostgreSQL.

Subclass :class:`NotificationRepositoryContract` and provide a ``uow_factory`` fixture
that returns a callable making a fresh unit of work on one empty store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from saltbitter.application.ports.notifications import (
    EmailStatus,
    Notification,
    PagePosition,
    ScheduledEmail,
)
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import User
from saltbitter.domain.notifications import NotificationKind
from saltbitter.testing.builders import a_user

__all__ = ["NotificationRepositoryContract", "a_notification", "an_email"]

UowFactory = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


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


class NotificationRepositoryContract:
    uow_factory: UowFactory  # a pytest fixture in subclasses

    async def _members(self, uow_factory: UowFactory, count: int) -> list[User]:
        users = [a_user() for _ in range(count)]
        async with uow_factory() as uow:
            for user in users:
                uow.users.add(user)
            await uow.commit()
        return users

    async def _add(self, uow_factory: UowFactory, *notifications: Notification) -> None:
        async with uow_factory() as uow:
            for notification in notifications:
                assert await uow.notifications.add(notification)
            await uow.commit()

    async def test_adding_the_same_id_twice_keeps_the_first(self, uow_factory: UowFactory) -> None:
        [user] = await self._members(uow_factory, 1)
        original = a_notification(user)
        await self._add(uow_factory, original)
        async with uow_factory() as uow:
            again = a_notification(user, notification_id=original.id, at=T0 + timedelta(hours=1))
            assert await uow.notifications.add(again) is False
            await uow.commit()
        async with uow_factory() as uow:
            page = await uow.notifications.page(user.id, after=None, limit=10)
        assert page == [original]  # payload, kind and times round-trip exactly
        assert page[0].created_at.utcoffset() == timedelta(0)

    async def test_pages_are_newest_first_per_member_and_continue_after_a_position(
        self, uow_factory: UowFactory
    ) -> None:
        [user, other] = await self._members(uow_factory, 2)
        same_time = [a_notification(user, at=T0 + timedelta(hours=1)) for _ in range(3)]
        older = a_notification(user, at=T0)
        newest = a_notification(user, at=T0 + timedelta(hours=2))
        await self._add(uow_factory, older, *same_time, newest, a_notification(other))
        expected = [newest, *sorted(same_time, key=lambda n: n.id, reverse=True), older]
        async with uow_factory() as uow:
            first = await uow.notifications.page(user.id, after=None, limit=2)
            last_shown = first[-1]
            rest = await uow.notifications.page(
                user.id, after=PagePosition(last_shown.created_at, last_shown.id), limit=10
            )
        assert [n.id for n in first] == [n.id for n in expected[:2]]
        assert [n.id for n in rest] == [n.id for n in expected[2:]]

    async def test_mark_read_changes_only_the_members_unread_notifications(
        self, uow_factory: UowFactory
    ) -> None:
        [user, other] = await self._members(uow_factory, 2)
        mine, also_mine = a_notification(user), a_notification(user, at=T0 + timedelta(1))
        theirs = a_notification(other)
        await self._add(uow_factory, mine, also_mine, theirs)
        read_at = T0 + timedelta(days=2)
        async with uow_factory() as uow:
            changed = await uow.notifications.mark_read(
                user.id, [mine.id, theirs.id, uuid4(), mine.id], read_at
            )
            await uow.commit()
        assert changed == 1
        async with uow_factory() as uow:
            again = await uow.notifications.mark_read(user.id, [mine.id], read_at)
            assert again == 0  # already read: nothing changes, the first time stays
            assert await uow.notifications.mark_read(user.id, [], read_at) == 0
            await uow.commit()
        async with uow_factory() as uow:
            my_page = await uow.notifications.page(user.id, after=None, limit=10)
            their_page = await uow.notifications.page(other.id, after=None, limit=10)
        assert {n.id: n.read_at for n in my_page} == {mine.id: read_at, also_mine.id: None}
        assert their_page[0].read_at is None

    async def test_scheduling_the_same_email_twice_keeps_one(self, uow_factory: UowFactory) -> None:
        [user] = await self._members(uow_factory, 1)
        email = an_email(user)
        async with uow_factory() as uow:
            assert await uow.notifications.schedule_email(email)
            assert not await uow.notifications.schedule_email(email)
            await uow.commit()
        async with uow_factory() as uow:
            assert not await uow.notifications.schedule_email(email)
            assert list(await uow.notifications.emails_for(user.id)) == [email]

    async def test_only_pending_emails_that_are_due_are_claimed_earliest_first(
        self, uow_factory: UowFactory
    ) -> None:
        [user, other] = await self._members(uow_factory, 2)
        later = an_email(user, send_after=T0 + timedelta(minutes=5))
        earlier = an_email(other, send_after=T0 - timedelta(hours=3))
        exactly_now = an_email(user, send_after=T0)
        future = an_email(user, send_after=T0 + timedelta(hours=8))
        async with uow_factory() as uow:
            for email in (later, earlier, exactly_now, future):
                await uow.notifications.schedule_email(email)
            await uow.commit()
        async with uow_factory() as uow:
            due = await uow.notifications.claim_due_emails(T0, 10)
            assert [e.id for e in due] == [earlier.id, exactly_now.id]
            assert [e.id for e in await uow.notifications.claim_due_emails(T0, 1)] == [earlier.id]
            await uow.notifications.finish_emails([earlier.id], EmailStatus.SENT, T0)
            await uow.notifications.finish_emails([exactly_now.id], EmailStatus.SKIPPED, T0)
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.notifications.claim_due_emails(T0, 10)) == []
            due_later = await uow.notifications.claim_due_emails(T0 + timedelta(minutes=5), 10)
            assert [e.id for e in due_later] == [later.id]
            [sent] = await uow.notifications.emails_for(other.id)
        assert sent.status is EmailStatus.SENT
        assert sent.done_at == T0

    async def test_finishing_twice_keeps_the_first_outcome(self, uow_factory: UowFactory) -> None:
        [user] = await self._members(uow_factory, 1)
        email = an_email(user)
        async with uow_factory() as uow:
            await uow.notifications.schedule_email(email)
            await uow.notifications.finish_emails([email.id], EmailStatus.SENT, T0)
            await uow.notifications.finish_emails([], EmailStatus.SENT, T0)
            await uow.commit()
        async with uow_factory() as uow:
            await uow.notifications.finish_emails(
                [email.id], EmailStatus.SKIPPED, T0 + timedelta(1)
            )
            await uow.commit()
        async with uow_factory() as uow:
            [stored] = await uow.notifications.emails_for(user.id)
        assert (stored.status, stored.done_at) == (EmailStatus.SENT, T0)

    async def test_a_postponed_email_is_not_due_until_its_new_time(
        self, uow_factory: UowFactory
    ) -> None:
        [user] = await self._members(uow_factory, 1)
        email = an_email(user, send_after=T0)
        async with uow_factory() as uow:
            await uow.notifications.schedule_email(email)
            await uow.notifications.postpone_email(email.id, T0 + timedelta(hours=9))
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.notifications.claim_due_emails(T0 + timedelta(hours=1), 5)) == []
            [due] = await uow.notifications.claim_due_emails(T0 + timedelta(hours=9), 5)
        assert due.send_after == T0 + timedelta(hours=9)
        assert due.status is EmailStatus.PENDING
