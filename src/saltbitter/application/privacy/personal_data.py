"""Personal data of members' privacy rights: export requests and breach notices
(ADR 0018)."""

from __future__ import annotations

from saltbitter.application.ports.privacy import (
    BlobPrefix,
    BlobStore,
    Erasure,
    PersonalData,
    PersonalTable,
)
from saltbitter.application.privacy import topics
from saltbitter.application.privacy.events import (
    BreachNoticeDue,
    DataExportReady,
    DataExportRequested,
)

__all__ = ["EXPORTS_TABLE", "EXPORT_ARCHIVE_PREFIX", "PERSONAL_DATA"]

EXPORTS_TABLE = "data_exports"
# Archive keys start with this (``archive_key_for``); where they live is declared below.
EXPORT_ARCHIVE_PREFIX = "exports/"

PERSONAL_DATA = PersonalData(
    capability="privacy",
    tables=(
        PersonalTable(
            EXPORTS_TABLE,
            ("member_id",),
            Erasure.DELETE,
            "The member's own requests for a copy of their data; the archives they name "
            "are reported for deletion with them.",
            blob_key_column="archive_key",
            blob_store=BlobStore.EXPORTS,
        ),
        PersonalTable(
            "breach_members",
            ("member_id",),
            Erasure.ANONYMISE,
            "That a breach affected the member and when they were told. The breach "
            "register must keep documenting each breach and how many it reached (GDPR "
            "Art. 33(5)), so the row stays with the member's id cleared.",
        ),
    ),
    # Archives live in the export store (not the photo store), one folder per member.
    blob_prefixes=(BlobPrefix(EXPORT_ARCHIVE_PREFIX + "{member}/", BlobStore.EXPORTS),),
    payloads={
        DataExportRequested.name: ("user_id",),
        DataExportReady.name: ("user_id",),
        BreachNoticeDue.name: ("user_id",),
        topics.BUILD_DATA_EXPORT: ("user_id",),
        topics.SEND_DATA_EXPORT_READY: ("user_id",),
        topics.SEND_BREACH_NOTICE: ("user_id",),
    },
)
