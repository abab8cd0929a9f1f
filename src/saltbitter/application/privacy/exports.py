"""Data export (GDPR Art. 15 and 20): the request, the archive job, the ready email and
the status a member polls.

The job reads everything through the personal-data registry (``ExportMemberData``, one
transaction), adds the photo files the registry's blob-key columns name, stores one ZIP
through ``ExportArchives`` and then, in one transaction, marks the export ready and adds
``DataExportReady`` to the outbox, whose job sends the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.privacy import BlobStore, PersonalDataHolders
from saltbitter.application.ports.privacy_rights import (
    ExportArchives,
    ExportRequests,
    MemberContacts,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.privacy.archive import ArchiveFile, build_archive, photo_path
from saltbitter.application.privacy.events import DataExportReady, DataExportRequested
from saltbitter.application.privacy.members import ExportMemberData
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import NotFound
from saltbitter.domain.privacy.exports import (
    ARCHIVE_LIFETIME,
    DataExport,
    ExportStatus,
    archive_key_for,
    check_export_allowed,
)

__all__ = [
    "BuildDataExport",
    "DataExportView",
    "GetDataExport",
    "RequestDataExport",
    "SendDataExportReady",
]

ZIP = "application/zip"


@dataclass(frozen=True, slots=True)
class DataExportView:
    request_id: UUID
    status: ExportStatus
    url: str | None
    expires_at: datetime | None


def _missing() -> NotFound:
    return NotFound("No such data export.", code="data_export_not_found")


@dataclass(frozen=True, slots=True)
class RequestDataExport:
    """Start an export for the caller: at most one per 24 hours (``export_rate_limited``
    with the seconds to wait); the archive job follows through the outbox."""

    transaction: Transaction
    requests: ExportRequests
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal) -> UUID:
        member = principal.user_id
        async with self.transaction:
            now = self.clock.now()
            check_export_allowed(await self.requests.last_requested_at(member), now)
            export = DataExport(self.ids.new_id(), member, now)
            self.requests.add(export)
            self.outbox.add(DataExportRequested(export_id=export.id, user_id=member))
            await self.transaction.commit()
        return export.id


@dataclass(frozen=True, slots=True)
class GetDataExport:
    """The caller's own export (anyone else's: 404); a signed link while it is ready and
    not expired."""

    requests: ExportRequests
    archives: ExportArchives
    clock: Clock

    async def __call__(self, principal: Principal, export_id: UUID) -> DataExportView:
        export = await self.requests.get(export_id)
        if export is None or export.member_id != principal.user_id:
            raise _missing()
        url = None
        if export.archive_key is not None and export.downloadable(self.clock.now()):
            url = await self.archives.signed_url(export.archive_key)
        return DataExportView(export.id, export.status, url, export.expires_at)


@dataclass(frozen=True, slots=True)
class BuildDataExport:
    """Job: build and store the archive of a pending export, then mark it ready.

    Returns whether it built one (a retried job finds the export no longer pending). A
    failure marks the export failed and is raised again, so the job's log shows it.
    """

    transaction: Transaction
    requests: ExportRequests
    exporter: ExportMemberData
    holders: PersonalDataHolders
    photos: PhotoStore
    archives: ExportArchives
    outbox: Outbox
    clock: Clock

    async def __call__(self, export_id: UUID) -> bool:
        export = await self.requests.get(export_id)
        if export is None or export.status is not ExportStatus.PENDING:
            return False
        try:
            key = await self._store_archive(export)
        except Exception:
            async with self.transaction:
                await self.requests.save(export.failed())
                await self.transaction.commit()
            raise
        async with self.transaction:
            await self.requests.save(export.ready(key, self.clock.now()))
            self.outbox.add(DataExportReady(export_id=export.id, user_id=export.member_id))
            await self.transaction.commit()
        return True

    async def _store_archive(self, export: DataExport) -> str:
        exported = await self.exporter(export.member_id)
        declarations = {
            holder.declaration.capability: holder.declaration for holder in self.holders.holders
        }
        files: list[ArchiveFile] = []
        for capability, tables in exported.items():
            declaration = declarations[capability]
            for table_name, rows in tables.items():
                declared = declaration.table(table_name)
                column = declared.blob_key_column
                # Only photo-store blobs: earlier archives are never packed into another.
                if column is None or declared.blob_store is not BlobStore.PHOTOS:
                    continue
                for row in rows:
                    key = row.get(column)
                    if not isinstance(key, str):
                        continue
                    data = await self.photos.get(key)
                    if data is not None:
                        files.append(ArchiveFile(photo_path(key), data, f"{table_name}.{column}"))
        archive = build_archive(
            declarations, exported, files, str(export.member_id), self.clock.now()
        )
        key = archive_key_for(export.member_id, export.id)
        await self.archives.put(key, archive, ZIP)
        return key


@dataclass(frozen=True, slots=True)
class SendDataExportReady:
    """Job: tell the member their archive is ready (the link itself is in the app:
    an email is no place for a 7-day key to everything about them)."""

    requests: ExportRequests
    contacts: MemberContacts
    mailer: Mailer

    async def __call__(self, export_id: UUID) -> bool:
        export = await self.requests.get(export_id)
        if export is None or export.status is not ExportStatus.READY or export.expires_at is None:
            return False
        contact = await self.contacts.contact(export.member_id)
        if contact is None:
            return False
        days = ARCHIVE_LIFETIME.days
        text = (
            f"Hello {contact.display_name},\n\n"
            "The copy of your SaltBitter data that you asked for is ready. Open the app "
            f"(Settings, Privacy, Your data) to download it. The download works for {days} "
            f"days, until {export.expires_at:%Y-%m-%d %H:%M} UTC.\n\n"
            "If you did not ask for it, change your password and tell us.\n\n"
            "SaltBitter\n"
        )
        subject = "Your SaltBitter data export is ready"
        await self.mailer.send(OutgoingEmail(contact.email, subject, text))
        return True
