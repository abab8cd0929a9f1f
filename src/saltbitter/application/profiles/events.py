"""Events the profiles capability publishes (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = ["PhotoDeleted", "ProfileChanged"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileChanged(Event):
    """The member's profile, photos or values changed: caches that show them go stale."""

    name = "profiles.profile_changed"
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class PhotoDeleted(Event):
    """The photo row is gone; its bytes are removed by a job."""

    name = "profiles.photo_deleted"
    user_id: UserId
    photo_id: UUID
    storage_key: str
