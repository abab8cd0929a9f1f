"""Wiring of the safety capability (issue 10): blocks, reports, moderation, check-ins."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.block_reads import SqlaBlockReads
from saltbitter.adapters.sqlalchemy.safety import (
    SqlaAppealStore,
    SqlaBlockStore,
    SqlaCheckInStore,
    SqlaHeldMessageStore,
    SqlaMemberDirectory,
    SqlaMemberStanding,
    SqlaModerationAudit,
    SqlaReportStore,
    SqlaRoleAssignments,
    SqlaSafetyMatches,
)
from saltbitter.application.conversations.events import MessageHeld
from saltbitter.application.matching import topics as matching_topics
from saltbitter.application.ports.safety import (
    AppealStore,
    BlockReads,
    BlockStore,
    CheckInStore,
    HeldMessageStore,
    MemberDirectory,
    MemberStanding,
    ModerationAudit,
    ReportStore,
    RoleAssignments,
    SafetyMatches,
)
from saltbitter.application.safety import topics
from saltbitter.application.safety.appellants import AuthenticateAppellant
from saltbitter.application.safety.blocks import BlockMember, ListBlocks, UnblockMember
from saltbitter.application.safety.checkins import (
    ConfirmCheckIn,
    ForgetCheckInContacts,
    ListCheckIns,
    RaisePanic,
    ScheduleCheckIn,
    SendCheckInAlert,
    SweepOverdueCheckIns,
)
from saltbitter.application.safety.events import (
    CheckInOverdue,
    HeldMessageReleased,
    MemberBanned,
    MemberBlocked,
    MemberReported,
    MemberSuspended,
    MemberUnblocked,
    MemberWarned,
    PanicRaised,
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
from saltbitter.application.safety.personal_data import PERSONAL_DATA as SAFETY_PERSONAL_DATA
from saltbitter.application.safety.reports import ReportMember
from saltbitter.entrypoints.capabilities.base import Capability, Job

__all__ = ["CAPABILITY", "SafetyProvider"]


class SafetyProvider(Provider):
    """REQUEST scope: safety's ports on the request's connection, and its use cases."""

    scope = Scope.REQUEST

    block_reads = provide(SqlaBlockReads, provides=BlockReads)
    blocks = provide(SqlaBlockStore, provides=BlockStore)
    members = provide(SqlaMemberDirectory, provides=MemberDirectory)
    reports = provide(SqlaReportStore, provides=ReportStore)
    audit = provide(SqlaModerationAudit, provides=ModerationAudit)
    appeals = provide(SqlaAppealStore, provides=AppealStore)
    standing = provide(SqlaMemberStanding, provides=MemberStanding)
    roles = provide(SqlaRoleAssignments, provides=RoleAssignments)
    matches = provide(SqlaSafetyMatches, provides=SafetyMatches)
    check_ins = provide(SqlaCheckInStore, provides=CheckInStore)
    held_messages = provide(SqlaHeldMessageStore, provides=HeldMessageStore)

    use_cases = provide_all(
        BlockMember,
        UnblockMember,
        ListBlocks,
        ReportMember,
        ModerationQueue,
        ResolveReport,
        QueueHeldMessage,
        ResolveHeldMessage,
        AuthenticateAppellant,
        FileAppeal,
        ResolveAppeal,
        ListAudit,
        ChangeRole,
        LiftExpiredSuspensions,
        ScheduleCheckIn,
        ConfirmCheckIn,
        ListCheckIns,
        SweepOverdueCheckIns,
        RaisePanic,
        SendCheckInAlert,
        ForgetCheckInContacts,
    )


async def _send_check_in_alert(
    scope: AsyncContainer, event: CheckInOverdue | PanicRaised
) -> object:
    send = await scope.get(SendCheckInAlert)
    if isinstance(event, PanicRaised):
        return await send(
            event.check_in_id, panic=True, latitude=event.latitude, longitude=event.longitude
        )
    return await send(event.check_in_id, panic=False)


async def _queue_held_message(scope: AsyncContainer, event: MessageHeld) -> object:
    queue = await scope.get(QueueHeldMessage)
    return await queue(
        message_id=event.message_id,
        match_id=event.match_id,
        sender_id=event.sender_id,
        recipient_id=event.recipient_id,
        decision=event.decision,
        reasons=tuple(event.reasons),
    )


async def _sweep_overdue(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(SweepOverdueCheckIns))()


async def _forget_contacts(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(ForgetCheckInContacts))()


async def _lift_suspensions(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(LiftExpiredSuspensions))()


def _every_minute() -> Any:
    try:
        from celery.schedules import crontab
    except ImportError:  # an API-only install never runs Beat
        return 60.0
    return crontab()


CAPABILITY = Capability(
    name="safety",
    personal_data=SAFETY_PERSONAL_DATA,
    providers=lambda _settings: [SafetyProvider()],
    events=(
        MemberBlocked,
        MemberUnblocked,
        MemberReported,
        MemberWarned,
        MemberSuspended,
        MemberBanned,
        CheckInOverdue,
        PanicRaised,
        HeldMessageReleased,
    ),
    handlers={
        # A block drops the blocker's cached discovery list and daily set and the cached
        # daily sets showing the blocker (the blocked member's included): matching's job,
        # which reads the event's user_id.
        MemberBlocked: (matching_topics.FORGET_MEMBER_CACHES,),
        CheckInOverdue: (topics.SEND_CHECK_IN_ALERT,),
        PanicRaised: (topics.SEND_CHECK_IN_ALERT,),
        # Conversations' screening held or blocked a message: it joins the review queue.
        MessageHeld: (topics.QUEUE_HELD_MESSAGE,),
    },
    jobs={
        topics.SEND_CHECK_IN_ALERT: Job(_send_check_in_alert),
        topics.QUEUE_HELD_MESSAGE: Job(_queue_held_message),
        topics.SWEEP_OVERDUE_CHECK_INS: Job(_sweep_overdue),
        topics.FORGET_CHECK_IN_CONTACTS: Job(_forget_contacts),
        topics.LIFT_EXPIRED_SUSPENSIONS: Job(_lift_suspensions),
    },
    beat_schedule={
        "safety-check-ins-every-minute": {
            "task": topics.SWEEP_OVERDUE_CHECK_INS,
            "schedule": _every_minute(),
        },
        "safety-suspensions-every-minute": {
            "task": topics.LIFT_EXPIRED_SUSPENSIONS,
            "schedule": _every_minute(),
        },
        "safety-forget-contacts-hourly": {
            "task": topics.FORGET_CHECK_IN_CONTACTS,
            "schedule": 3600.0,
        },
    },
)
