"""Ports of members' privacy rights: export requests, the archive store, the breach
register and the member lookups they need."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from saltbitter.application.ports.photo_storage import StoredBlob
from saltbitter.domain.privacy.breaches import Breach, BreachLogEntry
from saltbitter.domain.privacy.exports import DataExport
from saltbitter.domain.shared import UserId

__all__ = [
    "BreachAudience",
    "BreachLog",
    "BreachMembers",
    "BreachRegister",
    "ExportArchives",
    "ExportRequests",
    "MemberContact",
    "MemberContacts",
]


class ExportRequests(Protocol):
    """The members' data export requests."""

    @abstractmethod
    def add(self, export: DataExport) -> None: ...

    @abstractmethod
    async def get(self, export_id: UUID) -> DataExport | None: ...

    @abstractmethod
    async def last_requested_at(self, member: UserId) -> datetime | None:
        """When the member last asked for an export (any status), or None."""

    @abstractmethod
    async def save(self, export: DataExport) -> None:
        """Store the export's new status, key and times."""


class ExportArchives(Protocol):
    """The blob store for export archives (the photo store's kind: local folder or S3),
    with signed links that live as long as the archive."""

    @abstractmethod
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def signed_url(self, key: str) -> str: ...

    @abstractmethod
    def list_blobs(self, prefix: str = "") -> AsyncIterator[Sequence[StoredBlob]]:
        """The archives whose keys start with ``prefix``, page by page (as
        ``PhotoStore.list_blobs``)."""


@dataclass(frozen=True, slots=True)
class MemberContact:
    user_id: UserId
    email: str
    display_name: str


class MemberContacts(Protocol):
    """Where to write to a member (their account's email and name)."""

    @abstractmethod
    async def contact(self, member: UserId) -> MemberContact | None: ...


class BreachAudience(Protocol):
    """Which members a breach affects, from what the operator knows."""

    @abstractmethod
    async def by_emails(self, emails: Sequence[str]) -> dict[str, UserId]:
        """The accounts of those addresses (addresses without one are left out)."""

    @abstractmethod
    async def existing(self, members: Sequence[UserId]) -> list[UserId]:
        """Those of ``members`` that have an account."""

    @abstractmethod
    async def registered_since(self, since: datetime | None) -> list[UserId]:
        """Every member registered at or after ``since`` (None: every member)."""


class BreachRegister(Protocol):
    @abstractmethod
    def add(self, breach: Breach) -> None: ...

    @abstractmethod
    async def get(self, breach_id: UUID) -> Breach | None:
        """With its affected and notified member counts."""

    @abstractmethod
    async def list_all(self) -> list[Breach]:
        """Newest awareness first, with counts."""

    @abstractmethod
    async def record_authority_notice(
        self, breach_id: UUID, at: datetime, channel: str, reference: str | None
    ) -> None: ...


class BreachMembers(Protocol):
    @abstractmethod
    async def add(self, breach_id: UUID, members: Sequence[UserId]) -> int:
        """Add members to the breach (those already on it are skipped); returns how
        many were new."""

    @abstractmethod
    async def claim_unnotified(self, breach_id: UUID, at: datetime, limit: int) -> list[UserId]:
        """Mark up to ``limit`` members not yet notified as notified at ``at`` and
        return them; atomically, so two runs never claim the same member."""

    @abstractmethod
    async def unnotified(self, breach_id: UUID) -> int: ...


class BreachLog(Protocol):
    """Append-only: entries are added and read, never changed or removed."""

    @abstractmethod
    def append(self, entry: BreachLogEntry) -> None: ...

    @abstractmethod
    async def entries(self, breach_id: UUID | None) -> list[BreachLogEntry]:
        """Oldest first; every breach's when ``breach_id`` is None."""
