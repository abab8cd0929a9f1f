"""Inputs and outputs of the notifications use cases (encoded at the edge). The jobs react
to matching's published events, re-exported here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.application.matching.events import DailySetReady, MatchCreated
from saltbitter.application.ports.events import JsonScalar
from saltbitter.domain.notifications import NotificationKind, QuietHours

__all__ = [
    "DailySetReady",
    "EmailSweep",
    "MarkedRead",
    "MatchCreated",
    "NotificationPage",
    "NotificationView",
    "NotificationsPolicy",
]


@dataclass(frozen=True, slots=True)
class NotificationsPolicy:
    """Operator choices (settings feed this)."""

    quiet_hours: QuietHours


@dataclass(frozen=True, slots=True)
class NotificationView:
    id: UUID
    kind: NotificationKind
    text: str
    # Ids the client needs to open the subject (match_id, with_user_id, local_date ...).
    data: Mapping[str, JsonScalar]
    created_at: datetime
    read: bool
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[NotificationView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class MarkedRead:
    """How many of the caller's notifications changed from unread to read."""

    updated: int


@dataclass(frozen=True, slots=True)
class EmailSweep:
    """What one pass over the due emails did."""

    claimed: int
    sent: int
    postponed: int
    skipped: int
