"""Events of members' privacy rights (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = ["BreachNoticeDue", "DataExportReady", "DataExportRequested"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExportRequested(Event):
    """A member asked for a copy of their data: the archive job builds it."""

    name = "privacy.data_export_requested"
    export_id: UUID
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExportReady(Event):
    """The archive is stored: the member gets an email saying so."""

    name = "privacy.data_export_ready"
    export_id: UUID
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class BreachNoticeDue(Event):
    """A member affected by a breach is to be told (Art. 34); added once per member, in
    the transaction that marks them notified."""

    name = "privacy.breach_notice_due"
    breach_id: UUID
    user_id: UserId
