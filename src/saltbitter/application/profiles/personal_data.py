"""Personal data of the profiles capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.ports.privacy import (
    BlobPrefix,
    BlobStore,
    Erasure,
    PersonalData,
    PersonalTable,
)
from saltbitter.application.profiles import topics
from saltbitter.application.profiles.events import PhotoDeleted, ProfileChanged

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="profiles",
    tables=(
        PersonalTable(
            "profiles",
            ("user_id",),
            Erasure.DELETE,
            "What the member wrote and where they are: nobody else may keep it.",
        ),
        PersonalTable(
            "photos",
            ("user_id",),
            Erasure.DELETE,
            "Pictures of the member; erase also reports their blob keys for deletion.",
            blob_key_column="storage_key",
        ),
    ),
    # storage_key_for: one folder per member, so the whole prefix can go.
    blob_prefixes=(BlobPrefix("{member}/", BlobStore.PHOTOS),),
    payloads={
        ProfileChanged.name: ("user_id",),
        PhotoDeleted.name: ("user_id", "storage_key"),
        topics.DELETE_PHOTO_FILE: ("storage_key",),
    },
)
