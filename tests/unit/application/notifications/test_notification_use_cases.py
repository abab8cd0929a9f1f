"""Notifications through the use cases over in-memory fakes: idempotent jobs, quiet hours,
durable deferred email, finite pages and read marks that touch only the caller's own."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.notifications import topics
from saltbitter.application.notifications.delivery import NotifyDailySetReady, NotifyNewMatch
from saltbitter.application.notifications.dto import DailySetReady, MatchCreated
from saltbitter.application.notifications.inbox import ListNotifications, MarkNotificationsRead
from saltbitter.application.notifications.messages import (
    NEW_MATCH_SUBJECT,
    new_match_email,
    notification_text,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.mail import OutgoingEmail
from saltbitter.application.ports.notifications import EmailStatus, Notification, NotificationInbox
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.errors import Unavailable, ValidationFailed
from saltbitter.domain.notifications import NotificationKind
from saltbitter.entrypoints.capabilities.notifications import CAPABILITY as NOTIFICATIONS
from saltbitter.entrypoints.jobs import EVENT_HANDLERS
from saltbitter.testing.fakes import InMemoryMailer
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_notifications import NotificationsState
from support.container import FakeWorld as World
from support.hypothesis_budget import budget

NOON_LONDON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # members register in Europe/London
ELEVEN_PM_LONDON = datetime(2026, 1, 15, 23, 0, tzinfo=UTC)
EIGHT_AM_LONDON = datetime(2026, 1, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    return World()


async def _pair(world: World) -> tuple[Principal, Principal]:
    return await world.member("ada@example.org"), await world.member("bo@example.org")


def _match(ada: Principal, bo: Principal, match_id: UUID | None = None) -> MatchCreated:
    return MatchCreated(match_id=match_id or uuid4(), user_a=ada.user_id, user_b=bo.user_id)


def _new_match_mails(world: World, email: str) -> list[OutgoingEmail]:
    return [m for m in world.mailer.to(email) if m.subject == NEW_MATCH_SUBJECT]


async def test_a_new_match_notifies_both_in_the_app_and_by_email(world: World) -> None:
    ada, bo = await _pair(world)
    world.clock.current = NOON_LONDON
    match = _match(ada, bo)
    assert await (await world.get(NotifyNewMatch))(match) == 2
    sweep = await world.sweep()
    assert (sweep.sent, sweep.postponed) == (2, 0)

    for me, other, email in ((ada, bo, "ada@example.org"), (bo, ada, "bo@example.org")):
        page = await (await world.get(ListNotifications))(me)
        [item] = page.items
        assert item.kind is NotificationKind.NEW_MATCH
        assert item.data == {"match_id": str(match.match_id), "with_user_id": str(other.user_id)}
        assert not item.read
        [mail] = _new_match_mails(world, email)
        assert mail.text.startswith("Hi Ada,")


async def test_a_redelivered_match_event_creates_nothing_twice(world: World) -> None:
    ada, bo = await _pair(world)
    world.clock.current = NOON_LONDON
    match = _match(ada, bo)
    await (await world.get(NotifyNewMatch))(match)
    await world.sweep()
    world.clock.advance(timedelta(minutes=5))
    assert await (await world.get(NotifyNewMatch))(match) == 0
    await world.sweep()
    assert len((await (await world.get(ListNotifications))(ada)).items) == 1
    assert len(_new_match_mails(world, "ada@example.org")) == 1
    assert len(_new_match_mails(world, "bo@example.org")) == 1


async def test_during_quiet_hours_the_email_waits_until_eight_and_is_then_sent(
    world: World,
) -> None:
    ada, bo = await _pair(world)
    world.clock.current = ELEVEN_PM_LONDON
    await (await world.get(NotifyNewMatch))(_match(ada, bo))
    assert (await world.sweep()).sent == 0
    assert len((await (await world.get(ListNotifications))(ada)).items) == 1  # in-app at once
    assert _new_match_mails(world, "ada@example.org") == []
    pending = list(world.database[NotificationsState].emails.values())
    assert len(pending) == 2
    assert {e.send_after for e in pending} == {EIGHT_AM_LONDON}  # GMT in January
    assert {e.status for e in pending} == {EmailStatus.PENDING}

    world.clock.current = EIGHT_AM_LONDON - timedelta(seconds=1)
    assert (await world.sweep()).claimed == 0
    world.clock.current = EIGHT_AM_LONDON
    assert (await world.sweep()).sent == 2
    assert len(_new_match_mails(world, "ada@example.org")) == 1
    assert len(_new_match_mails(world, "bo@example.org")) == 1


async def test_each_member_keeps_their_own_quiet_hours(world: World) -> None:
    ada, bo = await _pair(world)
    world.database[AccountsState].users[
        bo.user_id
    ].timezone = "Asia/Tokyo"  # 23:00 London = 08:00 Tokyo
    world.clock.current = ELEVEN_PM_LONDON
    await (await world.get(NotifyNewMatch))(_match(ada, bo))
    await world.sweep()
    assert _new_match_mails(world, "ada@example.org") == []
    assert len(_new_match_mails(world, "bo@example.org")) == 1


async def test_an_email_that_became_quiet_after_a_move_is_postponed_not_sent(
    world: World,
) -> None:
    ada, bo = await _pair(world)
    world.clock.current = NOON_LONDON
    await (await world.get(NotifyNewMatch))(_match(ada, bo))  # scheduled for now, in London
    world.database[AccountsState].users[ada.user_id].timezone = "Pacific/Auckland"  # 01:00 there
    sweep = await world.sweep()
    assert (sweep.sent, sweep.postponed) == (1, 1)
    [ada_email] = [
        e for e in world.database[NotificationsState].emails.values() if e.user_id == ada.user_id
    ]
    assert ada_email.status is EmailStatus.PENDING
    assert ada_email.send_after == datetime(2026, 1, 15, 19, 0, tzinfo=UTC)  # 08:00 NZDT


async def test_suspended_or_closed_accounts_are_not_emailed(world: World) -> None:
    ada, bo = await _pair(world)
    world.database[AccountsState].users[bo.user_id].status = AccountStatus.SUSPENDED
    world.clock.current = ELEVEN_PM_LONDON
    await (await world.get(NotifyNewMatch))(_match(ada, bo))
    assert len((await (await world.get(ListNotifications))(bo)).items) == 1
    assert [e.user_id for e in world.database[NotificationsState].emails.values()] == [ada.user_id]
    world.database[AccountsState].users[
        ada.user_id
    ].status = AccountStatus.DEACTIVATED  # closed overnight
    world.clock.current = EIGHT_AM_LONDON
    sweep = await world.sweep()
    assert (sweep.sent, sweep.skipped) == (0, 1)
    assert _new_match_mails(world, "ada@example.org") == []
    [skipped] = world.database[NotificationsState].emails.values()
    assert skipped.status is EmailStatus.SKIPPED


async def test_an_erased_member_is_skipped_and_the_other_still_told(world: World) -> None:
    ada, _bo = await _pair(world)
    world.clock.current = NOON_LONDON
    gone = MatchCreated(
        match_id=uuid4(),
        user_a=ada.user_id,
        user_b=world.ids.new_id(),  # type: ignore[arg-type]
    )
    assert await (await world.get(NotifyNewMatch))(gone) == 1
    await world.sweep()
    assert len(_new_match_mails(world, "ada@example.org")) == 1


class FlakyMailer(InMemoryMailer):
    """Accepts ``accept`` messages, then reports the transport down."""

    def __init__(self, accept: int) -> None:
        super().__init__()
        self.accept = accept

    async def send(self, message: OutgoingEmail) -> None:
        if len(self.sent) >= self.accept:
            raise Unavailable("The mail transport is down.", code="mail_unavailable")
        await super().send(message)


async def test_a_mail_outage_keeps_progress_and_never_sends_twice(world: World) -> None:
    ada, bo = await _pair(world)
    world.mailer = FlakyMailer(accept=1)
    world.clock.current = NOON_LONDON
    await (await world.get(NotifyNewMatch))(_match(ada, bo))
    with pytest.raises(Unavailable):
        await world.sweep()
    statuses = sorted(e.status for e in world.database[NotificationsState].emails.values())
    assert statuses == [EmailStatus.PENDING, EmailStatus.SENT]
    world.mailer.accept += 10  # the transport is back
    assert (await world.sweep()).sent == 1
    new_match_mails = [m for m in world.mailer.sent if m.subject == NEW_MATCH_SUBJECT]
    assert sorted(m.to for m in new_match_mails) == ["ada@example.org", "bo@example.org"]


async def test_a_ready_daily_set_is_an_in_app_notification_only(world: World) -> None:
    ada = await world.member()
    event = DailySetReady(user_id=ada.user_id, local_date=date(2026, 1, 15), size=10)
    assert await (await world.get(NotifyDailySetReady))(event)
    assert not await (await world.get(NotifyDailySetReady))(event)  # redelivered
    [item] = (await (await world.get(ListNotifications))(ada)).items
    assert item.kind is NotificationKind.DAILY_SET_READY
    assert item.data == {"local_date": "2026-01-15", "size": 10}
    assert "10 people" in item.text
    assert world.database[NotificationsState].emails == {}
    tomorrow = DailySetReady(user_id=ada.user_id, local_date=date(2026, 1, 16), size=1)
    assert await (await world.get(NotifyDailySetReady))(tomorrow)
    unknown = DailySetReady(
        user_id=world.ids.new_id(),  # type: ignore[arg-type]
        local_date=date(2026, 1, 16),
        size=3,
    )
    assert not await (await world.get(NotifyDailySetReady))(unknown)


async def test_matchings_events_reach_the_jobs_through_the_outbox(world: World) -> None:
    ada, bo = await _pair(world)
    world.clock.current = NOON_LONDON
    match_id = uuid4()
    async with world.container() as request:
        transaction, outbox = await request.get(Transaction), await request.get(Outbox)
        async with transaction:
            outbox.add(MatchCreated(match_id=match_id, user_a=ada.user_id, user_b=bo.user_id))
            outbox.add(DailySetReady(user_id=ada.user_id, local_date=date(2026, 1, 15), size=3))
            await transaction.commit()
    # Conversations reacts to MatchCreated too (it pushes match.new to open sockets).
    assert topics.NOTIFY_NEW_MATCH in EVENT_HANDLERS.jobs_by_event[MatchCreated]
    ran = await world.deliver_jobs(only=NOTIFICATIONS.jobs)
    assert ran == [topics.NOTIFY_NEW_MATCH, topics.NOTIFY_DAILY_SET_READY]
    kinds = [item.kind for item in (await (await world.get(ListNotifications))(ada)).items]
    assert sorted(kinds) == [NotificationKind.DAILY_SET_READY, NotificationKind.NEW_MATCH]
    assert len(_new_match_mails(world, "bo@example.org")) == 1


async def _seed(world: World, owner: Principal, stamps: list[datetime]) -> list[Notification]:
    made = [
        Notification(uuid4(), owner.user_id, NotificationKind.NEW_MATCH, {"n": i}, stamp)
        for i, stamp in enumerate(stamps)
    ]
    async with world.container() as request:
        transaction = await request.get(Transaction)
        inbox = await request.get(NotificationInbox)
        async with transaction:
            for notification in made:
                await inbox.add(notification)
            await transaction.commit()
    return made


async def test_pages_hold_twenty_newest_first_and_end(world: World) -> None:
    ada = await world.member()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    made = await _seed(world, ada, [base + timedelta(minutes=i) for i in range(45)])
    pages = []
    cursor = None
    while True:
        page = await (await world.get(ListNotifications))(ada, cursor)
        pages.append(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        if len(pages) == 1:
            # Something new arrives meanwhile: the next page neither shifts nor repeats.
            await _seed(world, ada, [base + timedelta(days=1)])
    assert [len(items) for items in pages] == [20, 20, 5]
    shown = [item.id for items in pages for item in items]
    assert shown == [n.id for n in reversed(made)]


async def test_a_forged_cursor_is_a_field_error(world: World) -> None:
    ada = await world.member()
    for forged in ("not-a-cursor", "bm9wZQ", "MjAyNi0wMS0wMXx4"):
        with pytest.raises(ValidationFailed) as invalid:
            await (await world.get(ListNotifications))(ada, forged)
        assert [(e.field, e.code) for e in invalid.value.errors] == [("cursor", "invalid_cursor")]


async def test_marking_read_touches_only_the_callers_notifications(world: World) -> None:
    ada, bo = await _pair(world)
    [mine, also_mine] = await _seed(world, ada, [NOON_LONDON, NOON_LONDON])
    [theirs] = await _seed(world, bo, [NOON_LONDON])
    world.clock.current = NOON_LONDON + timedelta(hours=1)
    marked = await (await world.get(MarkNotificationsRead))(ada, [mine.id, theirs.id, uuid4()])
    assert marked.updated == 1
    state = {i.id: i.read for i in (await (await world.get(ListNotifications))(ada)).items}
    assert state == {mine.id: True, also_mine.id: False}
    [bo_item] = (await (await world.get(ListNotifications))(bo)).items
    assert not bo_item.read
    assert (await (await world.get(MarkNotificationsRead))(ada, [])).updated == 0
    with pytest.raises(ValidationFailed) as invalid:
        await (await world.get(MarkNotificationsRead))(ada, [uuid4() for _ in range(101)])
    assert invalid.value.errors[0].code == "too_many"


URGENCY = re.compile(
    r"!|\bnow\b|hurry|waiting|don't miss|last chance|expire|streak|before it's too late|"
    r"only \d+ left|someone is|act fast|limited time|quick",
    re.IGNORECASE,
)


def test_member_facing_wording_has_no_urgency_or_streaks() -> None:
    subject, body = new_match_email("Robin")
    texts = [subject, body]
    texts += [notification_text(NotificationKind.NEW_MATCH, {"match_id": "x"})]
    texts += [notification_text(NotificationKind.DAILY_SET_READY, {"size": n}) for n in (0, 1, 9)]
    for text in texts:
        assert not URGENCY.search(text), text
    assert subject == "You have a new match on SaltBitter"
    assert "Robin" in body


@settings(max_examples=budget(40), deadline=None)
@given(
    offsets=st.lists(st.integers(0, 5), max_size=50),
    others=st.integers(0, 5),
)
def test_walking_the_pages_shows_each_notification_once_newest_first(
    offsets: list[int], others: int
) -> None:
    async def run() -> None:
        world = World()
        ada, bo = await _pair(world)
        base = datetime(2026, 1, 1, tzinfo=UTC)
        # Few distinct minutes: many share a timestamp, which the id breaks.
        made = await _seed(world, ada, [base + timedelta(minutes=m) for m in offsets])
        await _seed(world, bo, [base] * others)
        seen: list[UUID] = []
        cursor = None
        while True:
            page = await (await world.get(ListNotifications))(ada, cursor)
            assert len(page.items) <= 20
            seen += [item.id for item in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        expected = sorted(made, key=lambda n: (n.created_at, n.id), reverse=True)
        assert seen == [n.id for n in expected]

    asyncio.run(run())


_STATUSES = st.sampled_from([AccountStatus.ACTIVE, AccountStatus.SUSPENDED])


@settings(max_examples=budget(40), deadline=None)
@given(
    matches=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 4)), max_size=12
    ),
    statuses=st.tuples(_STATUSES, _STATUSES, _STATUSES),
    quiet=st.booleans(),
)
def test_matches_notified_together_store_what_one_by_one_would(
    matches: list[tuple[int, int, int]],
    statuses: tuple[AccountStatus, ...],
    quiet: bool,
) -> None:
    """A relay hands a burst of matches over together (ADR 0054): the same notifications
    and emails as each match alone, in order, including repeats and erased members."""

    async def stored(together: bool) -> tuple[object, object, int]:
        world = World()
        world.clock.current = ELEVEN_PM_LONDON if quiet else NOON_LONDON
        members = [(await world.member(f"m{i}@example.org")).user_id for i in range(3)]
        for member, status in zip(members, statuses, strict=True):
            world.database[AccountsState].users[member].status = status
        members.append(world.ids.new_id())  # type: ignore[arg-type]  # erased meanwhile
        events = [
            MatchCreated(match_id=UUID(int=n + 1), user_a=members[a], user_b=members[b])
            for a, b, n in matches
            if a != b
        ]
        notify = await world.get(NotifyNewMatch)
        if together:
            created = await notify.many(events)
        else:
            created = sum([await notify(event) for event in events])
        state = world.database[NotificationsState]
        return dict(state.notifications), dict(state.emails), created

    assert asyncio.run(stored(together=True)) == asyncio.run(stored(together=False))


@settings(max_examples=budget(40), deadline=None)
@given(
    sets=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(1, 15)), max_size=12)
)
def test_daily_sets_notified_together_store_what_one_by_one_would(
    sets: list[tuple[int, int, int]],
) -> None:
    """The daily job's burst of "set ready" events handed over together (ADR 0054): the
    same notifications as each alone, including repeats and an erased member."""

    async def stored(together: bool) -> tuple[object, int]:
        world = World()
        members = [(await world.member(f"m{i}@example.org")).user_id for i in range(3)]
        members.append(world.ids.new_id())  # type: ignore[arg-type]  # erased meanwhile
        events = [
            DailySetReady(user_id=members[m], local_date=date(2026, 1, 15 + d), size=size)
            for m, d, size in sets
        ]
        notify = await world.get(NotifyDailySetReady)
        if together:
            created = await notify.many(events)
        else:
            created = sum([await notify(event) for event in events])
        return dict(world.database[NotificationsState].notifications), created

    assert asyncio.run(stored(together=True)) == asyncio.run(stored(together=False))
