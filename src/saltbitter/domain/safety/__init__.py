"""Safety rules: blocks, reports and their review queue, moderation decisions, date
check-ins (docs/safety.md). Pure code: the standard library and the domain kernel."""

from __future__ import annotations

from saltbitter.domain.safety.checkins import (
    CONTACT_RETENTION,
    CheckInContact,
    check_check_in,
    contact_purge_due,
)
from saltbitter.domain.safety.moderation import (
    MAX_NOTE,
    MAX_SUSPENSION_DAYS,
    ModerationAction,
    Resolution,
    check_resolution,
)
from saltbitter.domain.safety.reports import (
    ESCALATION_REPORTERS,
    MAX_DETAILS,
    MIN_DETAILS,
    SEVERITY,
    QueueKey,
    ReportReason,
    ReportStatus,
    check_details,
    ensure_not_self,
    held_message_severity,
    is_escalated,
    queue_key,
    severity_of,
)

__all__ = [
    "CONTACT_RETENTION",
    "ESCALATION_REPORTERS",
    "MAX_DETAILS",
    "MAX_NOTE",
    "MAX_SUSPENSION_DAYS",
    "MIN_DETAILS",
    "SEVERITY",
    "CheckInContact",
    "ModerationAction",
    "QueueKey",
    "ReportReason",
    "ReportStatus",
    "Resolution",
    "check_check_in",
    "check_details",
    "check_resolution",
    "contact_purge_due",
    "ensure_not_self",
    "held_message_severity",
    "is_escalated",
    "queue_key",
    "severity_of",
]
