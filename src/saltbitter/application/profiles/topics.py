"""Event topics of the profiles capability and the jobs each one triggers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

PROFILE_CHANGED: Final = "profiles.profile_changed"
"""Payload ``{"user_id": str}``: the member's profile or photos changed (caches go stale).

The matching capability maps it to its cache invalidation in its own ``JOBS_BY_TOPIC``.
"""

PHOTO_DELETED: Final = "profiles.photo_deleted"
"""Payload ``{"user_id": str, "photo_id": str, "storage_key": str}``: the row is gone."""

DELETE_PHOTO_FILE: Final = "profiles.delete_photo_file"
"""Job: remove a deleted photo's bytes from the photo store (idempotent, retried)."""

SWEEP_ORPHAN_PHOTO_FILES: Final = "profiles.sweep_orphan_photo_files"
"""Periodic job: remove photo bytes without a photo row, once past the grace period."""

JOBS_BY_TOPIC: Mapping[str, tuple[str, ...]] = {
    PHOTO_DELETED: (DELETE_PHOTO_FILE,),
}
