"""Events' use cases through the production container over in-memory fakes."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from saltbitter.application.events import topics
from saltbitter.application.events.admin import (
    CancelEvent,
    CreateEvent,
    EventChanges,
    MarkAttendance,
    UpdateEvent,
)
from saltbitter.application.events.events import (
    EventCancelledForMember,
    EventReminderDue,
    WaitlistPromoted,
)
from saltbitter.application.events.members import (
    PAGE_SIZE,
    CancelRegistration,
    ListEvents,
    Register,
    ShowEvent,
    SubmitSurvey,
)
from saltbitter.application.events.reminders import SendEventReminders
from saltbitter.application.events.views import EventView
from saltbitter.application.ports.community_events import EventTickets
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from saltbitter.domain.events import Admission, RegistrationStatus
from saltbitter.domain.shared import Role, Tier, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from support.container import FakeWorld


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


def _admin(principal: Principal) -> Principal:
    return dataclasses.replace(principal, roles=frozenset({Role.MEMBER, Role.ADMIN}))


async def _members(world: FakeWorld, count: int) -> list[Principal]:
    members = [await world.member(f"m{n}@example.org") for n in range(count)]
    world.mailer.sent.clear()  # the verification codes
    return members


def _set_tier(world: FakeWorld, member: UserId, tier: Tier) -> None:
    users = world.database[AccountsState].users
    users[member] = dataclasses.replace(users[member], tier=tier)


async def _event(world: FakeWorld, admin: Principal, **fields: object) -> EventView:
    values: dict[str, object] = {
        "kind": "speed_dating",
        "title": "Spring speed dating",
        "description": "Seven minutes each.",
        "starts_at": world.clock.now() + timedelta(days=3),
    }
    values.update(fields)
    return await (await world.get(CreateEvent))(admin, **values)  # type: ignore[arg-type]


async def test_only_admins_create_events_with_the_kinds_defaults(world: FakeWorld) -> None:
    member = await world.member()
    with pytest.raises(PermissionDenied) as caught:
        await _event(world, member)
    assert caught.value.code == "admin_required"
    event = await _event(world, _admin(member))
    assert (event.capacity, event.duration_minutes, event.seats_left) == (20, 60, 20)
    assert event.ends_at == event.starts_at + timedelta(minutes=60)


async def test_a_past_start_is_refused(world: FakeWorld) -> None:
    admin = _admin(await world.member())
    with pytest.raises(ValidationFailed) as caught:
        await _event(world, admin, starts_at=world.clock.now() - timedelta(minutes=1))
    assert [e.code for e in caught.value.errors] == ["in_the_past"]


async def test_seats_then_waitlist_in_order_and_promotion_on_cancel(world: FakeWorld) -> None:
    admin, *members = await _members(world, 5)
    event = await _event(world, _admin(admin), capacity=2)
    register = await world.get(Register)
    answers = [await register(m, event.event_id) for m in members]
    assert [(a.status, a.waitlist_position) for a in answers] == [
        (RegistrationStatus.REGISTERED, None),
        (RegistrationStatus.REGISTERED, None),
        (RegistrationStatus.WAITLISTED, 1),
        (RegistrationStatus.WAITLISTED, 2),
    ]
    with pytest.raises(Conflict) as caught:
        await register(members[0], event.event_id)
    assert caught.value.code == "already_registered"

    await (await world.get(CancelRegistration))(members[1], event.event_id)
    assert world.events(WaitlistPromoted) == [
        WaitlistPromoted(event_id=event.event_id, user_id=members[2].user_id)
    ]
    show = await world.get(ShowEvent)
    mine = (await show(members[3], event.event_id)).my_registration
    assert mine is not None
    assert (mine.status, mine.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert await world.deliver_jobs() == [topics.SEND_EVENT_EMAIL]
    assert [m.subject for m in world.mailer.to("m3@example.org")] == [
        "You have a seat at Spring speed dating"
    ]
    with pytest.raises(NotFound) as missing:
        await (await world.get(CancelRegistration))(members[1], event.event_id)
    assert missing.value.code == "registration_not_found"


async def test_a_member_may_register_again_after_cancelling(world: FakeWorld) -> None:
    admin, member = await _members(world, 2)
    event = await _event(world, _admin(admin), capacity=1)
    await (await world.get(Register))(member, event.event_id)
    await (await world.get(CancelRegistration))(member, event.event_id)
    again = await (await world.get(Register))(member, event.event_id)
    assert again.status is RegistrationStatus.REGISTERED


async def test_more_seats_promote_and_fewer_than_taken_is_refused(world: FakeWorld) -> None:
    admin, *members = await _members(world, 4)
    event = await _event(world, _admin(admin), capacity=1)
    for m in members:
        await (await world.get(Register))(m, event.event_id)
    update = await world.get(UpdateEvent)
    changed = await update(_admin(admin), event.event_id, EventChanges(capacity=2))
    assert (changed.registered, changed.waitlisted) == (2, 1)
    assert [e.user_id for e in world.events(WaitlistPromoted)] == [members[1].user_id]
    with pytest.raises(ValidationFailed) as caught:
        await update(_admin(admin), event.event_id, EventChanges(capacity=1))
    assert [e.code for e in caught.value.errors] == ["capacity_below_registered"]
    with pytest.raises(PermissionDenied):
        await update(members[0], event.event_id, EventChanges(title="Mine now"))


async def test_paid_events_need_a_ticket_or_the_tiers_allowance(world: FakeWorld) -> None:
    admin, free, premium = await _members(world, 3)
    _set_tier(world, premium.user_id, Tier.PREMIUM)
    first = await _event(world, _admin(admin), price_cents=1500)
    second = await _event(world, _admin(admin), price_cents=1500, title="Second")
    register = await world.get(Register)

    with pytest.raises(Conflict) as caught:
        await register(free, first.event_id)
    assert caught.value.code == "ticket_required"

    assert (await register(premium, first.event_id)).admission is Admission.ALLOWANCE
    with pytest.raises(Conflict) as used_up:
        await register(premium, second.event_id)
    assert used_up.value.code == "ticket_required"

    # A ticket (granted by the purchase flow) opens the event.
    await (await world.get(EventTickets)).grant(free.user_id, first.event_id, world.clock.now())
    assert (await register(free, first.event_id)).admission is Admission.TICKET

    # Cancelling gives the allowance back; a new month renews it.
    await (await world.get(CancelRegistration))(premium, first.event_id)
    assert (await register(premium, second.event_id)).admission is Admission.ALLOWANCE
    world.clock.advance(timedelta(days=31))
    third = await _event(world, _admin(admin), price_cents=900, title="Third")
    assert (await register(premium, third.event_id)).admission is Admission.ALLOWANCE


async def test_elite_gets_two_paid_events_a_month(world: FakeWorld) -> None:
    admin, elite = await _members(world, 2)
    _set_tier(world, elite.user_id, Tier.ELITE)
    events = [await _event(world, _admin(admin), price_cents=500) for _ in range(3)]
    register = await world.get(Register)
    assert (await register(elite, events[0].event_id)).admission is Admission.ALLOWANCE
    assert (await register(elite, events[1].event_id)).admission is Admission.ALLOWANCE
    with pytest.raises(Conflict):
        await register(elite, events[2].event_id)


async def test_a_downgrade_counts_at_once(world: FakeWorld) -> None:
    """The tier is read from the account, not from the (older) access token."""
    admin, member = await _members(world, 2)
    token_says_premium = dataclasses.replace(member, tier=Tier.PREMIUM)
    event = await _event(world, _admin(admin), price_cents=500)
    with pytest.raises(Conflict):
        await (await world.get(Register))(token_says_premium, event.event_id)


async def test_cancelling_an_event_tells_every_registrant(world: FakeWorld) -> None:
    admin, *members = await _members(world, 4)
    event = await _event(world, _admin(admin), capacity=2)
    for m in members:
        await (await world.get(Register))(m, event.event_id)
    with pytest.raises(PermissionDenied):
        await (await world.get(CancelEvent))(members[0], event.event_id)
    cancelled = await (await world.get(CancelEvent))(_admin(admin), event.event_id)
    assert cancelled.status == "cancelled"
    assert {e.user_id for e in world.events(EventCancelledForMember)} == {
        m.user_id for m in members
    }
    await world.deliver_jobs()
    for n in (1, 2, 3):
        assert [m.subject for m in world.mailer.to(f"m{n}@example.org")] == [
            "Cancelled: Spring speed dating"
        ]
    with pytest.raises(Conflict) as caught:
        await (await world.get(Register))(members[0], event.event_id)
    assert caught.value.code == "event_cancelled"
    assert (await (await world.get(ListEvents))(members[0])).items == []


async def test_reminders_go_once_each_day_before_and_hour_before(world: FakeWorld) -> None:
    admin, member, waiting = await _members(world, 3)
    event = await _event(world, _admin(admin), capacity=1)
    await (await world.get(Register))(member, event.event_id)
    await (await world.get(Register))(waiting, event.event_id)
    sweep = await world.get(SendEventReminders)
    assert await sweep() == 0
    world.clock.advance(timedelta(days=2, minutes=1))  # 23:59 before
    assert await sweep() == 1
    assert await sweep() == 0
    world.clock.advance(timedelta(hours=23))  # 59 minutes before
    assert await sweep() == 1
    assert await sweep() == 0
    assert [e.reminder for e in world.events(EventReminderDue)] == ["24h", "1h"]
    await world.deliver_jobs()
    assert [m.subject for m in world.mailer.to("m1@example.org")] == [
        "Reminder: Spring speed dating starts tomorrow",
        "Reminder: Spring speed dating starts in an hour",
    ]
    assert world.mailer.to("m2@example.org") == []  # waitlisted: no reminder


async def test_a_late_registrant_gets_only_the_hour_before_reminder(world: FakeWorld) -> None:
    admin, member = await _members(world, 2)
    event = await _event(world, _admin(admin), starts_at=world.clock.now() + timedelta(minutes=30))
    await (await world.get(Register))(member, event.event_id)
    sweep = await world.get(SendEventReminders)
    assert await sweep() == 1
    assert await sweep() == 0
    assert [e.reminder for e in world.events(EventReminderDue)] == ["1h"]


async def test_moving_an_event_makes_its_reminders_due_again(world: FakeWorld) -> None:
    admin, member = await _members(world, 2)
    event = await _event(world, _admin(admin), starts_at=world.clock.now() + timedelta(hours=5))
    await (await world.get(Register))(member, event.event_id)
    sweep = await world.get(SendEventReminders)
    assert await sweep() == 1
    await (await world.get(UpdateEvent))(
        _admin(admin),
        event.event_id,
        EventChanges(starts_at=world.clock.now() + timedelta(hours=6)),
    )
    assert await sweep() == 1


async def test_attendance_then_one_survey_by_attendees_only(world: FakeWorld) -> None:
    admin, came, stayed_home, stranger = await _members(world, 4)
    event = await _event(world, _admin(admin))
    for m in (came, stayed_home):
        await (await world.get(Register))(m, event.event_id)
    mark = await world.get(MarkAttendance)
    with pytest.raises(Conflict) as early:
        await mark(_admin(admin), event.event_id, [came.user_id])
    assert early.value.code == "event_not_started"
    world.clock.advance(timedelta(days=3, minutes=5))
    with pytest.raises(PermissionDenied):
        await mark(came, event.event_id, [came.user_id])
    with pytest.raises(ValidationFailed) as caught:
        await mark(_admin(admin), event.event_id, [came.user_id, stranger.user_id])
    assert [(e.field, e.code) for e in caught.value.errors] == [("member_ids.1", "not_registered")]
    assert (await mark(_admin(admin), event.event_id, [came.user_id])).attended == 1

    survey = await world.get(SubmitSurvey)
    view = await survey(came, event.event_id, rating=5, comment=" Lovely ")
    assert (view.rating, view.comment) == (5, "Lovely")
    with pytest.raises(Conflict) as twice:
        await survey(came, event.event_id, rating=4, comment=None)
    assert twice.value.code == "survey_exists"
    for other in (stayed_home, stranger):
        with pytest.raises(PermissionDenied) as refused:
            await survey(other, event.event_id, rating=3, comment=None)
        assert refused.value.code == "attendance_required"
    with pytest.raises(NotFound) as unknown:
        await survey(came, UUID(int=7), rating=3, comment=None)
    assert unknown.value.code == "event_not_found"


async def test_registration_closes_when_the_event_starts(world: FakeWorld) -> None:
    admin, member = await _members(world, 2)
    event = await _event(world, _admin(admin))
    world.clock.advance(timedelta(days=3))
    with pytest.raises(Conflict) as caught:
        await (await world.get(Register))(member, event.event_id)
    assert caught.value.code == "event_started"
    with pytest.raises(NotFound):
        await (await world.get(Register))(member, uuid4())


async def test_upcoming_events_come_in_pages_soonest_first(world: FakeWorld) -> None:
    admin = _admin(await world.member())
    for n in range(PAGE_SIZE + 3):
        await _event(world, admin, starts_at=world.clock.now() + timedelta(hours=n + 1))
    list_events = await world.get(ListEvents)
    first = await list_events(admin)
    assert len(first.items) == PAGE_SIZE
    assert first.next_cursor is not None
    second = await list_events(admin, first.next_cursor)
    assert len(second.items) == 3
    assert second.next_cursor is None
    starts = [e.starts_at for e in first.items + second.items]
    assert starts == sorted(starts)
