"""Moderation: the review queue, decisions on reports, appeals, roles and the audit log.

Only moderators and admins reach these use cases (``moderator_required``); the audit
log is for admins only (``admin_required``). Every decision is audited.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.safety import (
    Appeal,
    AppealStore,
    HeldMessage,
    HeldMessageStore,
    MemberStanding,
    ModerationAudit,
    ReportStore,
    RoleAssignments,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety.audit import record
from saltbitter.application.safety.events import (
    HeldMessageReleased,
    MemberBanned,
    MemberSuspended,
    MemberWarned,
)
from saltbitter.application.safety.views import (
    AppealView,
    AuditEntryView,
    AuditPage,
    QueueItemView,
    QueuePage,
    ResolvedReportView,
)
from saltbitter.application.shared.cursors import decode_offset, encode_offset
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import EmailAddress
from saltbitter.domain.errors import NotFound, PermissionDenied, ValidationFailed
from saltbitter.domain.safety import (
    ModerationAction,
    ReportStatus,
    Resolution,
    check_resolution,
    held_message_severity,
    queue_key,
)
from saltbitter.domain.shared import Role, UserId

__all__ = [
    "PAGE_SIZE",
    "ChangeRole",
    "FileAppeal",
    "LiftExpiredSuspensions",
    "ListAudit",
    "ModerationQueue",
    "QueueHeldMessage",
    "ResolveAppeal",
    "ResolveHeldMessage",
    "ResolveReport",
    "ensure_admin",
    "ensure_moderator",
]

PAGE_SIZE = 20
_MODERATORS = frozenset({Role.MODERATOR, Role.ADMIN})


def ensure_moderator(principal: Principal) -> None:
    if not principal.roles & _MODERATORS:
        raise PermissionDenied("Only moderators may do this.", code="moderator_required")


def ensure_admin(principal: Principal) -> None:
    if Role.ADMIN not in principal.roles:
        raise PermissionDenied("Only admins may do this.", code="admin_required")


def _report_not_found() -> NotFound:
    return NotFound("No such report.", code="report_not_found")


@dataclass(frozen=True, slots=True)
class ModerationQueue:
    """Open reports and held messages (20 a page): escalated members first, then by
    severity and age, whichever kind."""

    reports: ReportStore
    held: HeldMessageStore

    async def __call__(self, principal: Principal | None, cursor: str | None = None) -> QueuePage:
        if principal is not None:  # None: the operator's CLI
            ensure_moderator(principal)
        offset = decode_offset(cursor)
        wanted = offset + PAGE_SIZE + 1  # both lists are sorted: merge their heads
        reports = [QueueItemView.of(q) for q in await self.reports.queue(0, wanted)]
        messages = [QueueItemView.of_message(h) for h in await self.held.queue(wanted)]
        merged = list(heapq.merge(reports, messages, key=_queue_order))[offset:wanted]
        more = len(merged) > PAGE_SIZE
        return QueuePage(merged[:PAGE_SIZE], encode_offset(offset + PAGE_SIZE) if more else None)


def _queue_order(item: QueueItemView) -> tuple[object, ...]:
    # Reports before held messages on a full tie, so that pages stay stable.
    key = queue_key(
        escalated=item.escalated,
        severity=item.severity,
        created_at=item.created_at,
        report_id=item.id,
    )
    return (*key[:3], item.kind != "report", key.report_id)


@dataclass(frozen=True, slots=True)
class ResolveReport:
    """Decide an open report: dismiss, warn, suspend for 1 to 365 days (the member is
    refused and hidden until then, and the suspension ends by itself) or ban (permanent,
    every session revoked). A report that is not open is ``report_not_found``."""

    transaction: Transaction
    reports: ReportStore
    standing: MemberStanding
    audit: ModerationAudit
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self,
        principal: Principal | None,
        report_id: UUID,
        action: str,
        days: int | None,
        note: str,
    ) -> ResolvedReportView:
        if principal is not None:
            ensure_moderator(principal)
        resolution = check_resolution(action, days, note)
        moderator = None if principal is None else principal.user_id
        now = self.clock.now()
        async with self.transaction:
            report = await self.reports.resolve(
                report_id,
                by=moderator,
                action=resolution.action,
                note=resolution.note,
                now=now,
            )
            if report is None:
                raise _report_not_found()
            member = report.reported_id
            until = await _act_on_member(
                self.standing, self.outbox, resolution, member, report.id, now
            )
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=moderator,
                action=f"report.{resolution.action.value}",
                subject=member,
                object_id=report.id,
                detail=_detail(resolution),
            )
            await self.transaction.commit()
        return ResolvedReportView(report.id, member, resolution.action, now, until)


@dataclass(frozen=True, slots=True)
class QueueHeldMessage:
    """On conversations' MessageHeld (its fields; the wiring reads the event, so that
    safety's application does not depend on conversations): the message waits in the
    review queue, once however often the event is delivered."""

    transaction: Transaction
    held: HeldMessageStore
    clock: Clock

    async def __call__(
        self,
        *,
        message_id: UUID,
        match_id: UUID,
        sender_id: UserId,
        recipient_id: UserId,
        decision: str,
        reasons: tuple[str, ...],
    ) -> bool:
        held = HeldMessage(
            message_id=message_id,
            match_id=match_id,
            sender_id=sender_id,
            recipient_id=recipient_id,
            decision=decision,
            reasons=tuple(reasons),
            severity=held_message_severity(decision),
            created_at=self.clock.now(),
        )
        async with self.transaction:
            added = await self.held.add(held)
            await self.transaction.commit()
        return added


@dataclass(frozen=True, slots=True)
class ResolveHeldMessage:
    """Decide a held message like a report, about its sender: dismiss (nothing against
    them, and nothing wrong with the message: ``HeldMessageReleased`` has conversations
    deliver it), warn, suspend for 1 to 365 days or ban (the message stays undelivered).
    A message not open in the queue is ``held_message_not_found``."""

    transaction: Transaction
    held: HeldMessageStore
    standing: MemberStanding
    audit: ModerationAudit
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self,
        principal: Principal | None,
        message_id: UUID,
        action: str,
        days: int | None,
        note: str,
    ) -> ResolvedReportView:
        if principal is not None:
            ensure_moderator(principal)
        resolution = check_resolution(action, days, note)
        moderator = None if principal is None else principal.user_id
        now = self.clock.now()
        async with self.transaction:
            held = await self.held.resolve(
                message_id, by=moderator, action=resolution.action, note=resolution.note, now=now
            )
            if held is None:
                raise NotFound("No such held message.", code="held_message_not_found")
            until = await _act_on_member(
                self.standing, self.outbox, resolution, held.sender_id, held.message_id, now
            )
            if resolution.action is ModerationAction.DISMISS:
                self.outbox.add(
                    HeldMessageReleased(message_id=held.message_id, match_id=held.match_id)
                )
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=moderator,
                action=f"message.{resolution.action.value}",
                subject=held.sender_id,
                object_id=held.message_id,
                detail=_detail(resolution),
            )
            await self.transaction.commit()
        return ResolvedReportView(held.message_id, held.sender_id, resolution.action, now, until)


async def _act_on_member(
    standing: MemberStanding,
    outbox: Outbox,
    resolution: Resolution,
    member: UserId,
    decided: UUID,
    now: datetime,
) -> datetime | None:
    """Apply a decision to ``member``; ``decided`` is the report or held message (the
    events' ``report_id``). Returns the end of a suspension."""
    until = resolution.suspended_until(now)
    if resolution.action is ModerationAction.SUSPEND and until is not None:
        await standing.suspend(member, until, now)
        outbox.add(MemberSuspended(user_id=member, report_id=decided, days=resolution.days or 0))
    elif resolution.action is ModerationAction.BAN:
        await standing.ban(member, now)
        outbox.add(MemberBanned(user_id=member, report_id=decided))
    elif resolution.action is ModerationAction.WARN:
        outbox.add(MemberWarned(user_id=member, report_id=decided))
    return until


def _detail(resolution: Resolution) -> str:
    return resolution.note + ("" if resolution.days is None else f" ({resolution.days} days)")


@dataclass(frozen=True, slots=True)
class FileAppeal:
    """A member appeals a decision taken against them (warn, suspend, ban), once per
    report. Someone else's report, or one without a decision against the member, is
    ``report_not_found``."""

    transaction: Transaction
    reports: ReportStore
    appeals: AppealStore
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal, report_id: UUID, text: str) -> AppealView:
        stripped = text.strip()
        if not 10 <= len(stripped) <= 2000:
            raise ValidationFailed.single("text", "Write 10 to 2000 characters.", "invalid_length")
        async with self.transaction:
            report = await self.reports.get(report_id)
            if (
                report is None
                or report.reported_id != principal.user_id
                or report.status is not ReportStatus.RESOLVED
                or report.action in {None, ModerationAction.DISMISS}
            ):
                raise _report_not_found()
            appeal = Appeal(
                self.ids.new_id(), principal.user_id, report.id, stripped, self.clock.now()
            )
            await self.appeals.add(appeal)
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=principal.user_id,
                action="appeal.filed",
                subject=principal.user_id,
                object_id=appeal.id,
            )
            await self.transaction.commit()
        return AppealView.of(appeal)


@dataclass(frozen=True, slots=True)
class ResolveAppeal:
    """A moderator upholds an appeal (the member is reinstated) or rejects it."""

    transaction: Transaction
    appeals: AppealStore
    standing: MemberStanding
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self, principal: Principal, appeal_id: UUID, *, upheld: bool, note: str
    ) -> AppealView:
        ensure_moderator(principal)
        if not note.strip():
            raise ValidationFailed.single("note", "Explain the decision.", "required")
        now = self.clock.now()
        async with self.transaction:
            appeal = await self.appeals.resolve(
                appeal_id, by=principal.user_id, upheld=upheld, note=note.strip(), now=now
            )
            if appeal is None:
                raise NotFound("No such open appeal.", code="appeal_not_found")
            if upheld:
                await self.standing.reinstate(appeal.member_id)
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=principal.user_id,
                action="appeal.upheld" if upheld else "appeal.rejected",
                subject=appeal.member_id,
                object_id=appeal.id,
                detail=note.strip(),
            )
            await self.transaction.commit()
        return AppealView.of(appeal)


@dataclass(frozen=True, slots=True)
class ListAudit:
    """The append-only audit log, newest first (admins only)."""

    audit: ModerationAudit

    async def __call__(self, principal: Principal, cursor: str | None = None) -> AuditPage:
        ensure_admin(principal)
        offset = decode_offset(cursor)
        found = list(await self.audit.page(offset, PAGE_SIZE + 1))
        more = len(found) > PAGE_SIZE
        return AuditPage(
            [AuditEntryView.of(e) for e in found[:PAGE_SIZE]],
            encode_offset(offset + PAGE_SIZE) if more else None,
        )


@dataclass(frozen=True, slots=True)
class ChangeRole:
    """Operator tool (CLI): grant or revoke moderator or admin; audited."""

    transaction: Transaction
    roles: RoleAssignments
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(self, raw_email: str, raw_role: str, *, granted: bool) -> UserId:
        email = EmailAddress.parse(raw_email)
        if raw_role not in {Role.MODERATOR.value, Role.ADMIN.value}:
            raise ValidationFailed.single("role", "Use moderator or admin.", "invalid_choice")
        role = Role(raw_role)
        async with self.transaction:
            member = await self.roles.set_role(email, role, granted=granted)
            if member is None:
                raise NotFound("No account with this email.", code="user_not_found")
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=None,
                action=f"role.{'granted' if granted else 'revoked'}",
                subject=member,
                detail=role.value,
            )
            await self.transaction.commit()
        return member


@dataclass(frozen=True, slots=True)
class LiftExpiredSuspensions:
    """Beat job: suspensions end by themselves once their time has passed (audited)."""

    transaction: Transaction
    standing: MemberStanding
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(self) -> int:
        async with self.transaction:
            lifted = await self.standing.lift_expired(self.clock.now())
            for member in lifted:
                record(
                    self.audit,
                    self.clock,
                    self.ids,
                    actor=None,
                    action="suspension.ended",
                    subject=member,
                )
            await self.transaction.commit()
        return len(lifted)
