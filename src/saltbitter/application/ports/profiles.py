"""Ports of the profiles-and-photos capability (issue 4)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.profiles import Photo, PhotoId, Profile
from saltbitter.domain.shared import UserId

__all__ = [
    "AssessmentCompletion",
    "PhotoRepository",
    "ProfileBlocks",
    "ProfileMember",
    "ProfileMembers",
    "ProfileRepository",
]


class ProfileRepository(Protocol):
    """Members' dating profiles (table ``profiles``), one per member."""

    @abstractmethod
    async def get(self, user_id: UserId) -> Profile | None: ...

    @abstractmethod
    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, Profile]:
        """The profiles of those members who have one (others are simply absent)."""

    @abstractmethod
    async def save(self, profile: Profile) -> None:
        """Insert or replace the member's profile (an upsert: one statement, no race)."""


class PhotoRepository(Protocol):
    """Photo metadata, ordered per member (table ``photos``); bytes live in a PhotoStore.

    A member's photos hold positions 0 to ``MAX_PHOTOS - 1``, each at most once: the
    database enforces it, so two concurrent uploads can never make a seventh photo.
    """

    @abstractmethod
    async def list_for(self, user_id: UserId) -> list[Photo]:
        """The member's photos, main photo (position 0) first."""

    @abstractmethod
    async def list_for_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, list[Photo]]:
        """Photos of several members at once, each list by position; no entry when none."""

    @abstractmethod
    async def count_for(self, user_id: UserId) -> int: ...

    @abstractmethod
    def add(self, photo: Photo) -> None:
        """Stage a new photo; a taken position surfaces as ``Conflict`` by commit at the
        latest (code ``photo_slot_taken``)."""

    @abstractmethod
    async def delete(self, photo_id: PhotoId) -> bool:
        """Remove the photo's row; False when there was none."""

    @abstractmethod
    async def save_order(self, user_id: UserId, photo_ids: Sequence[PhotoId]) -> None:
        """Give ``photo_ids[i]`` position i; they must be exactly the member's photos."""

    @abstractmethod
    async def storage_keys(self, photo_ids: Collection[PhotoId]) -> set[str]:
        """The storage keys of those of ``photo_ids`` that have a row (by primary key)."""


@dataclass(frozen=True, slots=True)
class ProfileMember:
    """What profiles read of a member's account: the name shown, the status that decides
    whether others may see them, and the birthdate their age is shown from."""

    user_id: UserId
    display_name: str
    status: AccountStatus
    birthdate: date


class ProfileMembers(Protocol):
    """The accounts behind profiles, as profiles read them (the SQL adapter reads the
    ``users`` table on the request's connection)."""

    @abstractmethod
    async def get(self, user_id: UserId) -> ProfileMember | None: ...

    @abstractmethod
    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, ProfileMember]:
        """Those of ``user_ids`` that have an account (others are simply absent)."""

    @abstractmethod
    async def rename(self, user_id: UserId, display_name: str) -> None:
        """Change the name shown on the member's profile (it lives on the account)."""


class AssessmentCompletion(Protocol):
    """Whether a member took the attachment assessment: one item of completeness."""

    @abstractmethod
    async def has_completed(self, user_id: UserId) -> bool: ...


class ProfileBlocks(Protocol):
    """Blocks between members, as profile views must respect them (either direction)."""

    @abstractmethod
    async def blocked_between(
        self, viewer_id: UserId, target_ids: Collection[UserId]
    ) -> frozenset[UserId]:
        """The targets that ``viewer_id`` blocked or was blocked by."""
