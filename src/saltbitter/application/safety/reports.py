"""Reporting a member: the report enters the review queue, and the reporter blocks the
member too unless they opt out."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.safety import BlockStore, MemberDirectory, Report, ReportStore
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety.blocks import member_not_found, place_block
from saltbitter.application.safety.events import MemberReported
from saltbitter.application.safety.views import ReportView
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.safety import (
    ReportReason,
    check_details,
    ensure_not_self,
    is_escalated,
    severity_of,
)
from saltbitter.domain.shared import UserId

__all__ = ["ReportCommand", "ReportMember"]


@dataclass(frozen=True, slots=True)
class ReportCommand:
    user_id: UserId
    reason: str
    details: str
    message_id: UUID | None = None
    block: bool = True


def _reason(raw: str) -> ReportReason | FieldError:
    try:
        return ReportReason(raw)
    except ValueError:
        choices = ", ".join(reason.value for reason in ReportReason)
        return FieldError("reason", f"Use one of: {choices}.", "invalid_choice")


@dataclass(frozen=True, slots=True)
class ReportMember:
    """Report a member for one of nine reasons with 10 to 1000 characters of details.

    Self-reports are ``cannot_report_self``; a second open report by the same reporter on
    the same member is ``report_exists`` (409). The report is queued by severity; open
    reports from three distinct reporters escalate the member to the top of the queue.
    The reporter also blocks the member unless ``block`` is false.
    """

    transaction: Transaction
    reports: ReportStore
    blocks: BlockStore
    members: MemberDirectory
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal, command: ReportCommand) -> ReportView:
        reason = _reason(command.reason)
        errors = [e for e in (check_details(command.details),) if e is not None]
        if isinstance(reason, FieldError):
            errors.insert(0, reason)
        if errors or isinstance(reason, FieldError):
            raise ValidationFailed(errors)
        reporter, reported = principal.user_id, command.user_id
        ensure_not_self(reporter, reported, "report")
        async with self.transaction:
            if not await self.members.exists(reported):
                raise member_not_found()
            report = Report(
                id=self.ids.new_id(),
                reporter_id=reporter,
                reported_id=reported,
                reason=reason,
                details=command.details.strip(),
                severity=severity_of(reason),
                created_at=self.clock.now(),
                message_id=command.message_id,
            )
            await self.reports.add(report)
            if command.block:
                await place_block(
                    self.blocks, self.members, self.outbox, self.clock, reporter, reported
                )
            reporters = await self.reports.open_reporters(reported)
            self.outbox.add(
                MemberReported(
                    report_id=report.id,
                    reporter_id=reporter,
                    reported_id=reported,
                    escalated=is_escalated(reporters),
                )
            )
            await self.transaction.commit()
        return ReportView.of(report, blocked=command.block)
