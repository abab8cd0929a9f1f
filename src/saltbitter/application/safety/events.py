"""Events the safety capability publishes (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = [
    "CheckInOverdue",
    "HeldMessageReleased",
    "MemberBanned",
    "MemberBlocked",
    "MemberReported",
    "MemberSuspended",
    "MemberUnblocked",
    "MemberWarned",
    "PanicRaised",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberBlocked(Event):
    """``user_id`` blocked ``blocked_id``: both are hidden from each other from now on.
    (``user_id`` names the blocker so that member-keyed jobs, such as matching's cache
    invalidation, can react to it.)"""

    name = "safety.member_blocked"
    user_id: UserId
    blocked_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberUnblocked(Event):
    name = "safety.member_unblocked"
    user_id: UserId
    blocked_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberReported(Event):
    name = "safety.member_reported"
    report_id: UUID
    reporter_id: UserId
    reported_id: UserId
    escalated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberWarned(Event):
    name = "safety.member_warned"
    user_id: UserId
    report_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberSuspended(Event):
    name = "safety.member_suspended"
    user_id: UserId
    report_id: UUID
    days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberBanned(Event):
    name = "safety.member_banned"
    user_id: UserId
    report_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInOverdue(Event):
    """The member did not check in by the agreed time: alert their contact."""

    name = "safety.check_in_overdue"
    check_in_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class PanicRaised(Event):
    """The member asked for help: alert their contact now, with the place they shared."""

    name = "safety.panic_raised"
    check_in_id: UUID
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldMessageReleased(Event):
    """A moderator dismissed a held (or blocked) message's review: nothing is wrong with
    it, so conversations delivers it to its recipient after all."""

    name = "safety.held_message_released"
    message_id: UUID
    match_id: UUID
