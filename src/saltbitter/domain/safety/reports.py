"""Reports and the review queue: severity per reason, escalation, queue order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple
from uuid import UUID

from saltbitter.domain.errors import DomainRuleViolated, FieldError
from saltbitter.domain.shared import UserId

__all__ = [
    "ESCALATION_REPORTERS",
    "MAX_DETAILS",
    "MIN_DETAILS",
    "SEVERITY",
    "QueueKey",
    "ReportReason",
    "ReportStatus",
    "check_details",
    "ensure_not_self",
    "held_message_severity",
    "is_escalated",
    "queue_key",
    "severity_of",
]

MIN_DETAILS = 10
MAX_DETAILS = 1000
ESCALATION_REPORTERS = 3
"""Open reports from this many distinct reporters put the member at the top of the queue."""


class ReportReason(StrEnum):
    HARASSMENT = "harassment"
    SPAM = "spam"
    FAKE_PROFILE = "fake_profile"
    UNDERAGE = "underage"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    SCAM = "scam"
    HATE_SPEECH = "hate_speech"
    VIOLENCE = "violence"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


SEVERITY: Mapping[ReportReason, int] = MappingProxyType(
    {
        # 5: someone may be in danger or a minor is on the platform.
        ReportReason.UNDERAGE: 5,
        ReportReason.VIOLENCE: 5,
        # 4: abuse aimed at a person or a group.
        ReportReason.HARASSMENT: 4,
        ReportReason.HATE_SPEECH: 4,
        # 3: money or explicit content.
        ReportReason.SCAM: 3,
        ReportReason.INAPPROPRIATE_CONTENT: 3,
        # 2: deception without direct harm yet.
        ReportReason.FAKE_PROFILE: 2,
        # 1: nuisance, or not yet classified.
        ReportReason.SPAM: 1,
        ReportReason.OTHER: 1,
    }
)
"""Severity 1 (nuisance) to 5 (danger): the queue shows higher severities first."""


def severity_of(reason: ReportReason) -> int:
    return SEVERITY[reason]


def held_message_severity(decision: str) -> int:
    """Severity of a message conversations' screening held: a blocked message (clear
    abuse) ranks with harassment (4), a held one (needs a look) with scams (3)."""
    return 4 if decision == "block" else 3


def check_details(details: str, field: str = "details") -> FieldError | None:
    """Details are 10 to 1000 characters once trimmed."""
    length = len(details.strip())
    if length < MIN_DETAILS:
        return FieldError(field, f"Write at least {MIN_DETAILS} characters.", "too_short")
    if length > MAX_DETAILS:
        return FieldError(field, f"Use at most {MAX_DETAILS} characters.", "too_long")
    return None


def ensure_not_self(actor: UserId, target: UserId, what: str) -> None:
    """Members cannot block or report themselves (``cannot_block_self``, ...)."""
    if actor == target:
        raise DomainRuleViolated(f"You cannot {what} yourself.", code=f"cannot_{what}_self")


def is_escalated(open_reporters: Iterable[UserId]) -> bool:
    """Escalated when open reports come from at least three distinct reporters; the same
    reporter counts once however often they appear."""
    return len(set(open_reporters)) >= ESCALATION_REPORTERS


class QueueKey(NamedTuple):
    """Sort key of an open report in the review queue: escalated members first, then
    higher severity, then older reports, the id breaking ties."""

    not_escalated: bool
    minus_severity: int
    created_at: datetime
    report_id: UUID


def queue_key(*, escalated: bool, severity: int, created_at: datetime, report_id: UUID) -> QueueKey:
    return QueueKey(not escalated, -severity, created_at, report_id)
