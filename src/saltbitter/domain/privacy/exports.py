"""A member's request for a copy of their data (GDPR Art. 15 and 20).

One request per 24 hours; the archive's link works for 7 days after it is ready.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from saltbitter.domain.errors import QuotaExceeded
from saltbitter.domain.shared import UserId, retry_after_seconds

__all__ = [
    "ARCHIVE_LIFETIME",
    "EXPORT_INTERVAL",
    "DataExport",
    "ExportStatus",
    "archive_key_for",
    "check_export_allowed",
]

EXPORT_INTERVAL = timedelta(hours=24)
"""At most one export request per member in this window."""
ARCHIVE_LIFETIME = timedelta(days=7)
"""How long a ready archive (and its signed link) stays downloadable."""


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DataExport:
    id: UUID
    member_id: UserId
    requested_at: datetime
    status: ExportStatus = ExportStatus.PENDING
    archive_key: str | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None

    def ready(self, archive_key: str, at: datetime) -> DataExport:
        return replace(
            self,
            status=ExportStatus.READY,
            archive_key=archive_key,
            ready_at=at,
            expires_at=at + ARCHIVE_LIFETIME,
        )

    def failed(self) -> DataExport:
        return replace(self, status=ExportStatus.FAILED)

    def downloadable(self, now: datetime) -> bool:
        return (
            self.status is ExportStatus.READY
            and self.archive_key is not None
            and self.expires_at is not None
            and now < self.expires_at
        )


def check_export_allowed(last_requested_at: datetime | None, now: datetime) -> None:
    """Refuse a second request within ``EXPORT_INTERVAL`` of the previous one
    (``export_rate_limited``, with the seconds until the next one is allowed)."""
    if last_requested_at is None:
        return
    wait = last_requested_at + EXPORT_INTERVAL - now
    if wait > timedelta(0):
        raise QuotaExceeded(
            "You can ask for one data export per 24 hours.",
            code="export_rate_limited",
            retry_after_seconds=retry_after_seconds(wait),
        )


def archive_key_for(member: UserId, export_id: UUID) -> str:
    """Where the archive lives in the blob store (under ``exports/<member>/``)."""
    return f"exports/{member}/{export_id}.zip"
