"""Job names of the profiles capability (events are in ``events.py``)."""

from __future__ import annotations

from typing import Final

DELETE_PHOTO_FILE: Final = "profiles.delete_photo_file"
"""On PhotoDeleted: remove the photo's bytes from the photo store (idempotent, retried)."""

SWEEP_ORPHAN_PHOTO_FILES: Final = "profiles.sweep_orphan_photo_files"
"""Periodic job: remove photo bytes without a photo row, once past the grace period."""
