"""Safety's use cases through the production container over in-memory fakes."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from saltbitter.application.conversations.events import MessageHeld
from saltbitter.application.matching import topics as matching_topics
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety import topics
from saltbitter.application.safety.blocks import BlockMember, ListBlocks, UnblockMember
from saltbitter.application.safety.checkins import (
    ConfirmCheckIn,
    ForgetCheckInContacts,
    ListCheckIns,
    RaisePanic,
    ScheduleCheckIn,
    SweepOverdueCheckIns,
)
from saltbitter.application.safety.events import (
    MemberBlocked,
    MemberReported,
    MemberUnblocked,
    MemberWarned,
)
from saltbitter.application.safety.moderation import (
    ChangeRole,
    FileAppeal,
    LiftExpiredSuspensions,
    ListAudit,
    ModerationQueue,
    QueueHeldMessage,
    ResolveAppeal,
    ResolveHeldMessage,
    ResolveReport,
)
from saltbitter.application.safety.reports import ReportCommand, ReportMember
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.errors import Conflict, DomainRuleViolated, NotFound, PermissionDenied
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import Role, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_matching import InMemorySwipeWriter
from saltbitter.testing.fakes_safety import SafetyState
from saltbitter.testing.memory import InMemoryConnection, InMemoryTransaction
from saltbitter.testing.privacy import InMemorySafetyPersonalData
from support.container import FakeWorld


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


def _as(principal: Principal, *roles: Role) -> Principal:
    return Principal(
        principal.user_id,
        principal.session_id,
        frozenset({Role.MEMBER, *roles}),
        principal.tier,
        principal.email_verified,
    )


def _report(user: UserId, **overrides: object) -> ReportCommand:
    fields: dict[str, object] = {
        "user_id": user,
        "reason": "harassment",
        "details": "Insulting messages.",
    }
    fields.update(overrides)
    return ReportCommand(**fields)  # type: ignore[arg-type]


async def test_a_block_is_announced_once_and_drops_matchings_caches(world: FakeWorld) -> None:
    ada, bo = await world.member("ada@example.org"), await world.member("bo@example.org")
    await world.deliver_jobs()
    await world.cache.set_value(f"matching:discover:{ada.user_id}", "stale", 600)
    block = await world.get(BlockMember)
    view, created = await block(ada, bo.user_id)
    again, created_again = await (await world.get(BlockMember))(ada, bo.user_id)
    assert (created, created_again) == (True, False)
    assert again == view
    assert [e.blocked_id for e in world.events(MemberBlocked)] == [bo.user_id]

    ran = await world.deliver_jobs()
    assert matching_topics.FORGET_MEMBER_CACHES in ran
    assert await world.cache.get_value(f"matching:discover:{ada.user_id}", str) is None

    page = await (await world.get(ListBlocks))(ada)
    assert [b.user_id for b in page.items] == [bo.user_id]
    await (await world.get(UnblockMember))(ada, bo.user_id)
    assert len(world.events(MemberUnblocked)) == 1
    with pytest.raises(NotFound):
        await (await world.get(UnblockMember))(ada, bo.user_id)


async def test_blocking_yourself_or_nobody_is_refused(world: FakeWorld) -> None:
    ada = await world.member()
    with pytest.raises(DomainRuleViolated) as raised:
        await (await world.get(BlockMember))(ada, ada.user_id)
    assert raised.value.code == "cannot_block_self"
    with pytest.raises(NotFound) as missing:
        await (await world.get(BlockMember))(ada, UserId(uuid4()))
    assert missing.value.code == "member_not_found"


async def test_three_reporters_escalate_and_the_first_is_blocked(world: FakeWorld) -> None:
    target = await world.member("target@example.org")
    reporters = [await world.member(f"r{n}@example.org") for n in range(3)]
    for reporter in reporters:
        view = await (await world.get(ReportMember))(reporter, _report(target.user_id))
        assert view.blocked
    assert [e.escalated for e in world.events(MemberReported)] == [False, False, True]
    assert len(world.database[SafetyState].blocks) == 3
    with pytest.raises(Conflict) as duplicate:
        await (await world.get(ReportMember))(reporters[0], _report(target.user_id))
    assert duplicate.value.code == "report_exists"


async def test_moderators_decide_and_members_appeal(world: FakeWorld) -> None:
    target, reporter = await world.member("t@example.org"), await world.member("r@example.org")
    moderator = _as(await world.member("mod@example.org"), Role.MODERATOR)
    await (await world.get(ReportMember))(reporter, _report(target.user_id, block=False))
    with pytest.raises(PermissionDenied):
        await (await world.get(ModerationQueue))(reporter)
    queue = await (await world.get(ModerationQueue))(moderator)
    [item] = queue.items
    done = await (await world.get(ResolveReport))(moderator, item.id, "suspend", 2, "Cool off")
    assert done.suspended_until == world.clock.now() + timedelta(days=2)
    assert world.database[AccountsState].users[target.user_id].status is AccountStatus.SUSPENDED

    appeal = await (await world.get(FileAppeal))(target, item.id, "I was provoked, honestly.")
    with pytest.raises(NotFound):
        await (await world.get(FileAppeal))(reporter, item.id, "Not my decision to appeal.")
    await (await world.get(ResolveAppeal))(moderator, appeal.id, upheld=True, note="Agreed")
    assert world.database[AccountsState].users[target.user_id].status is AccountStatus.ACTIVE

    with pytest.raises(PermissionDenied):
        await (await world.get(ListAudit))(moderator)
    audit = await (await world.get(ListAudit))(_as(moderator, Role.ADMIN))
    assert [e.action for e in audit.items] == ["appeal.upheld", "appeal.filed", "report.suspend"]


async def test_a_held_message_is_queued_once_and_decided_about_its_sender(
    world: FakeWorld,
) -> None:
    sender, recipient = await world.member("s@example.org"), await world.member("r@example.org")
    moderator = _as(await world.member("mod@example.org"), Role.MODERATOR)
    await (await world.get(ReportMember))(recipient, _report(sender.user_id, block=False))
    world.clock.advance(timedelta(minutes=1))
    held = MessageHeld(
        message_id=uuid4(),
        match_id=uuid4(),
        sender_id=sender.user_id,
        recipient_id=recipient.user_id,
        decision="block",
        reasons=("threat",),
    )
    async with world.container() as scope:  # conversations' side: the event is published
        transaction, outbox = await scope.get(Transaction), await scope.get(Outbox)
        async with transaction:
            outbox.add(held)
            await transaction.commit()
    await (await world.get(RelayOutbox))()
    world.queue.jobs = world.queue.jobs * 2  # at-least-once: delivered twice
    ran = await world.deliver_jobs()
    assert ran.count(topics.QUEUE_HELD_MESSAGE) == 2

    queue = await (await world.get(ModerationQueue))(moderator)
    # Same severity (harassment 4, a blocked message 4): the older report first.
    assert [(i.kind, i.id) for i in queue.items][1:] == [("message", held.message_id)]
    report, message = queue.items
    assert report.kind == "report"
    assert (message.reported_id, message.reporter_id, message.reasons, message.severity) == (
        sender.user_id,
        None,
        ("threat",),
        4,
    )

    resolve = await world.get(ResolveHeldMessage)
    with pytest.raises(PermissionDenied):
        await resolve(recipient, held.message_id, "warn", None, "Be kind")
    done = await resolve(moderator, held.message_id, "warn", None, "Be kind")
    assert (done.id, done.reported_id) == (held.message_id, sender.user_id)
    assert [e.user_id for e in world.events(MemberWarned)] == [sender.user_id]
    with pytest.raises(NotFound) as again:
        await (await world.get(ResolveHeldMessage))(moderator, held.message_id, "ban", None, "x")
    assert again.value.code == "held_message_not_found"
    assert [i.kind for i in (await (await world.get(ModerationQueue))(moderator)).items] == [
        "report"
    ]
    audit = await (await world.get(ListAudit))(_as(moderator, Role.ADMIN))
    assert [(e.action, e.object_id) for e in audit.items] == [("message.warn", held.message_id)]


async def test_the_queue_pages_across_reports_and_held_messages(world: FakeWorld) -> None:
    moderator = _as(await world.member("mod@example.org"), Role.MODERATOR)
    sender = await world.member("s@example.org")
    queue_held = await world.get(QueueHeldMessage)
    for n in range(15):
        reporter = await world.member(f"r{n}@example.org")
        await (await world.get(ReportMember))(reporter, _report(sender.user_id, block=False))
        decision = "hold" if n % 2 else "block"
        assert await queue_held(
            message_id=uuid4(),
            match_id=uuid4(),
            sender_id=sender.user_id,
            recipient_id=reporter.user_id,
            decision=decision,
            reasons=(),
        )
        world.clock.advance(timedelta(seconds=1))
    first = await (await world.get(ModerationQueue))(moderator)
    assert first.next_cursor is not None
    second = await (await world.get(ModerationQueue))(moderator, first.next_cursor)
    assert second.next_cursor is None
    items = first.items + second.items
    assert len(items) == len({i.id for i in items}) == 30
    # Escalated reports (15 reporters) first, then blocked (4) before held (3) messages.
    assert [i.kind for i in items[:15]] == ["report"] * 15
    assert [i.severity for i in items[15:]] == [4] * 8 + [3] * 7
    assert [i.created_at for i in items[15:23]] == sorted(i.created_at for i in items[15:23])


async def test_suspensions_end_when_their_time_passes(world: FakeWorld) -> None:
    target, reporter = await world.member("t@example.org"), await world.member("r@example.org")
    await (await world.get(ReportMember))(reporter, _report(target.user_id))
    [item] = (await (await world.get(ModerationQueue))(None)).items
    await (await world.get(ResolveReport))(None, item.id, "suspend", 1, "One day")
    assert await (await world.get(LiftExpiredSuspensions))() == 0
    world.clock.advance(timedelta(days=1))
    assert await (await world.get(LiftExpiredSuspensions))() == 1
    assert world.database[AccountsState].users[target.user_id].status is AccountStatus.ACTIVE


async def test_roles_change_through_the_operator_tool(world: FakeWorld) -> None:
    member = await world.member("mod@example.org")
    await (await world.get(ChangeRole))("MOD@example.org", "moderator", granted=True)
    assert Role.MODERATOR in world.database[AccountsState].users[member.user_id].roles
    with pytest.raises(NotFound):
        await (await world.get(ChangeRole))("nobody@example.org", "admin", granted=True)


async def _matched(world: FakeWorld) -> tuple[Principal, Principal, object]:
    ada, bo = await world.member("ada@example.org"), await world.member("bo@example.org")
    connection = InMemoryConnection(world.database)
    async with InMemoryTransaction(connection) as transaction:
        match, _ = await InMemorySwipeWriter(connection).create_match(
            uuid4(), MatchPair(ada.user_id, bo.user_id), world.clock.now()
        )
        await transaction.commit()
    return ada, bo, match.id


async def test_an_overdue_check_in_alerts_the_contact_exactly_once(world: FakeWorld) -> None:
    ada, bo, match_id = await _matched(world)
    now = world.clock.now()
    schedule = await world.get(ScheduleCheckIn)
    eve = await world.member("eve@example.org")
    with pytest.raises(NotFound):
        await schedule(
            eve,
            match_id=match_id,  # type: ignore[arg-type]
            starts_at=now,
            check_in_by=now + timedelta(hours=2),
            contact_name="Sam",
            contact_email="sam@example.org",
        )
    check_in = await (await world.get(ScheduleCheckIn))(
        ada,
        match_id=match_id,  # type: ignore[arg-type]
        starts_at=now,
        check_in_by=now + timedelta(hours=2),
        contact_name="Sam",
        contact_email="sam@example.org",
    )
    assert await (await world.get(SweepOverdueCheckIns))() == 0
    world.clock.advance(timedelta(hours=2))
    assert await (await world.get(SweepOverdueCheckIns))() == 1
    assert await (await world.get(SweepOverdueCheckIns))() == 0
    ran = await world.deliver_jobs()
    assert ran.count(topics.SEND_CHECK_IN_ALERT) == 1
    [mail] = world.mailer.to("sam@example.org")
    assert "did not check in" in mail.subject

    await (await world.get(RaisePanic))(ada, 52.5, 13.4)
    await world.deliver_jobs()
    assert "52.50000, 13.40000" in world.mailer.to("sam@example.org")[-1].text
    with pytest.raises(NotFound):
        await (await world.get(ConfirmCheckIn))(bo, check_in.id)
    ok = await (await world.get(ConfirmCheckIn))(ada, check_in.id)
    assert ok.ok_at == world.clock.now()

    world.clock.advance(timedelta(days=7))
    assert await (await world.get(ForgetCheckInContacts))() == 1
    [listed] = (await (await world.get(ListCheckIns))(ada)).items
    assert listed.contact is None


async def test_safety_data_is_exported_and_erased(world: FakeWorld) -> None:
    ada, bo = await world.member("ada@example.org"), await world.member("bo@example.org")
    await (await world.get(ReportMember))(ada, _report(bo.user_id))
    connection = InMemoryConnection(world.database)
    holder = InMemorySafetyPersonalData(connection)
    mine = await holder.export(ada.user_id)
    assert (len(mine["blocks"]), len(mine["reports"])) == (1, 1)
    theirs = await holder.export(bo.user_id)
    assert (len(theirs["blocks"]), len(theirs["reports"])) == (0, 0)  # not the reporters'
    report = await holder.erase(bo.user_id)
    assert report.rows["blocks"] == 1
    assert report.rows["reports"] == 1
    assert world.database[SafetyState].blocks == {}
