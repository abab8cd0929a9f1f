"""The breach workflow through the production container with the fakes: recording with
affected members by email, id or query, the 72-hour clock, the authority notice, member
notices exactly once, and the append-only log."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from saltbitter.application.privacy import topics
from saltbitter.application.privacy.breaches import (
    AffectedMembers,
    BreachLogView,
    ListBreaches,
    NotifyBreachMembers,
    RecordAuthorityNotice,
    RecordBreach,
)
from saltbitter.domain.errors import Conflict, NotFound, ValidationFailed
from saltbitter.domain.privacy.breaches import BreachAction
from saltbitter.domain.shared import UserId
from support.container import FakeWorld

EMAILS = ("ada@example.org", "bob@example.org", "cy@example.org")


async def _world() -> tuple[FakeWorld, list[UserId]]:
    world = FakeWorld()
    members = [(await world.member(email)).user_id for email in EMAILS]
    return world, members


async def test_record_resolves_emails_and_ids_and_reports_unknown_ones() -> None:
    world, (ada, bob, _cy) = await _world()
    record = await world.get(RecordBreach)
    stranger = UserId(uuid4())
    done = await record(
        "Backup copied to a public bucket",
        ["email", "display name"],
        AffectedMembers(
            emails=("ADA@example.org", "nobody@example.org"), member_ids=(bob, ada, stranger)
        ),
        actor="ops",
    )
    assert done.breach.affected_members == 2
    assert done.unknown_emails == ("nobody@example.org",)
    assert done.unknown_ids == (stranger,)
    assert done.breach.authority_deadline == world.clock.now() + timedelta(hours=72)
    log = await (await world.get(BreachLogView))(done.breach.id)
    assert [(e.action, e.actor) for e in log] == [
        (BreachAction.RECORDED, "ops"),
        (BreachAction.MEMBERS_ADDED, "ops"),
    ]
    assert log[1].details == {"members": 2}


async def test_record_by_query_every_member_or_since_a_time() -> None:
    world, members = await _world()
    record = await world.get(RecordBreach)
    seen: list[tuple[int, int]] = []
    RecordBreach.BATCH_SIZE = 2  # members added in two statements, with progress
    try:
        everyone = await record(
            "s",
            ["email"],
            AffectedMembers(all_members=True),
            actor="ops",
            progress=lambda done, total: seen.append((done, total)),
        )
    finally:
        RecordBreach.BATCH_SIZE = 1000
    assert everyone.breach.affected_members == len(members) == 3
    assert seen == [(2, 3), (3, 3)]
    since = world.clock.now() + timedelta(seconds=1)
    world.clock.advance(timedelta(hours=1))
    await world.member("late@example.org")
    recent = await (await world.get(RecordBreach))(
        "s", ["email"], AffectedMembers(registered_since=since), actor="ops"
    )
    assert recent.breach.affected_members == 1
    with pytest.raises(ValidationFailed):
        await (await world.get(RecordBreach))(
            "s", ["email"], AffectedMembers(all_members=True, registered_since=since), actor="o"
        )


async def test_the_list_shows_time_left_until_the_authority_is_notified() -> None:
    world, members = await _world()
    aware = world.clock.now() - timedelta(hours=10)
    done = await (await world.get(RecordBreach))(
        "s", ["email"], AffectedMembers(member_ids=tuple(members)), actor="ops", aware_at=aware
    )
    (status,) = await (await world.get(ListBreaches))()
    assert status.time_left == timedelta(hours=62)
    world.clock.advance(timedelta(hours=70))
    (late,) = await (await world.get(ListBreaches))()
    assert late.time_left == timedelta(hours=-8)

    notify = await world.get(RecordAuthorityNotice)
    breach = await notify(done.breach.id, "DPC web form", actor="dpo", reference="C-1")
    assert breach.authority_notified_at == world.clock.now()
    assert breach.notified_late()
    (after,) = await (await world.get(ListBreaches))()
    assert after.time_left is None
    with pytest.raises(Conflict) as twice:
        await (await world.get(RecordAuthorityNotice))(done.breach.id, "again", actor="dpo")
    assert twice.value.code == "authority_already_notified"
    with pytest.raises(NotFound):
        await (await world.get(RecordAuthorityNotice))(uuid4(), "x", actor="dpo")


async def test_members_are_notified_exactly_once_even_when_run_twice() -> None:
    world, members = await _world()
    done = await (await world.get(RecordBreach))(
        "Leak", ["email", "messages"], AffectedMembers(member_ids=tuple(members)), actor="ops"
    )
    NotifyBreachMembers.BATCH_SIZE = 2  # two batches for three members
    try:
        seen: list[tuple[int, int]] = []
        first = await (await world.get(NotifyBreachMembers))(
            done.breach.id, actor="ops", progress=lambda d, t: seen.append((d, t))
        )
        second = await (await world.get(NotifyBreachMembers))(done.breach.id, actor="ops")
    finally:
        NotifyBreachMembers.BATCH_SIZE = 200
    assert (first, second) == (3, 0)
    assert seen == [(0, 3), (2, 3), (3, 3)]
    ran = await world.deliver_jobs()
    assert ran.count(topics.SEND_BREACH_NOTICE) == 3
    for email in EMAILS:
        notices = [m for m in world.mailer.to(email) if "data breach" in m.subject]
        assert len(notices) == 1, email
        assert "Leak" in notices[0].text
        assert "email, messages" in notices[0].text
    (status,) = await (await world.get(ListBreaches))()
    assert status.breach.notified_members == 3
    log = await (await world.get(BreachLogView))(None)
    notified = [e for e in log if e.action is BreachAction.MEMBERS_NOTIFIED]
    assert [e.details["members"] for e in notified] == [2, 1]
    # A third run queues nothing either.
    await (await world.get(NotifyBreachMembers))(done.breach.id, actor="ops")
    assert await world.deliver_jobs() == []
    with pytest.raises(NotFound):
        await (await world.get(NotifyBreachMembers))(uuid4(), actor="ops")
