"""In-memory fakes of the profile and photo ports (issue 4).

The repositories pass the same contracts as the SQL ones
(``saltbitter.testing.contracts.profiles``); ``InMemoryPhotoStore`` passes the
``PhotoStore`` contract. ``InMemoryImageProcessor`` and ``InMemoryPhotoModerator`` are test
doubles that do not look at pixels: the Pillow adapters are tested on their own.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from saltbitter.application.ports.images import (
    ImageProcessor,
    ModerationVerdict,
    PhotoModerator,
    ProcessedImage,
)
from saltbitter.application.ports.photo_storage import PhotoStore, StoredBlob
from saltbitter.application.ports.profiles import (
    AssessmentCompletion,
    PhotoRepository,
    ProfileMember,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.application.ports.system import Clock
from saltbitter.domain.accounts import User
from saltbitter.domain.errors import Conflict, ValidationFailed
from saltbitter.domain.profiles import ImageType, Photo, PhotoId, Profile
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_assessments import AssessmentsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "InMemoryAssessmentCompletion",
    "InMemoryImageProcessor",
    "InMemoryPhotoModerator",
    "InMemoryPhotoRepository",
    "InMemoryPhotoStore",
    "InMemoryProfileMembers",
    "InMemoryProfileRepository",
    "ProfilesState",
]


@dataclass
class ProfilesState:
    """Committed profile and photo rows of one in-memory database."""

    profiles: dict[UserId, Profile] = field(default_factory=dict)
    photos: dict[UUID, Photo] = field(default_factory=dict)


class InMemoryProfileRepository(InMemoryRepository, ProfileRepository):
    @property
    def _state(self) -> ProfilesState:
        return self._connection.state(ProfilesState)

    async def get(self, user_id: UserId) -> Profile | None:
        return self._state.profiles.get(user_id)

    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, Profile]:
        profiles = self._state.profiles
        return {user_id: profiles[user_id] for user_id in set(user_ids) if user_id in profiles}

    async def save(self, profile: Profile) -> None:
        self._state.profiles[profile.user_id] = profile


class InMemoryPhotoRepository(InMemoryRepository, PhotoRepository):
    @property
    def _state(self) -> ProfilesState:
        return self._connection.state(ProfilesState)

    def _mine(self, user_id: UserId) -> list[Photo]:
        mine = [photo for photo in self._state.photos.values() if photo.user_id == user_id]
        return sorted(mine, key=lambda photo: photo.position)

    async def list_for(self, user_id: UserId) -> list[Photo]:
        return self._mine(user_id)

    async def list_for_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, list[Photo]]:
        found = {user_id: self._mine(user_id) for user_id in set(user_ids)}
        return {user_id: photos for user_id, photos in found.items() if photos}

    async def count_for(self, user_id: UserId) -> int:
        return len(self._mine(user_id))

    def add(self, photo: Photo) -> None:
        # The database's unique (user_id, position) constraint, as the SQL adapter has it.
        if photo.id in self._state.photos:
            raise Conflict("The photo exists already.", code="photo_exists")
        if any(p.position == photo.position for p in self._mine(photo.user_id)):
            raise Conflict(
                "Another upload took this photo slot; try again.", code="photo_slot_taken"
            )
        self._state.photos[photo.id] = photo

    async def delete(self, photo_id: PhotoId) -> bool:
        return self._state.photos.pop(photo_id, None) is not None

    async def storage_keys(self, photo_ids: Collection[PhotoId]) -> set[str]:
        photos = self._state.photos
        return {photos[photo_id].storage_key for photo_id in photo_ids if photo_id in photos}

    async def save_order(self, user_id: UserId, photo_ids: Sequence[PhotoId]) -> None:
        mine = {photo.id for photo in self._mine(user_id)}
        if set(photo_ids) != mine or len(photo_ids) != len(mine):
            raise ValueError("save_order needs exactly the member's photo ids")
        for position, photo_id in enumerate(photo_ids):
            self._state.photos[photo_id] = replace(self._state.photos[photo_id], position=position)


def _member(user: User) -> ProfileMember:
    return ProfileMember(user.id, user.display_name, user.status, user.birthdate)


class InMemoryProfileMembers(InMemoryRepository, ProfileMembers):
    """The accounts' users of the same connection."""

    @property
    def _users(self) -> dict[UserId, User]:
        return self._connection.state(AccountsState).users

    async def get(self, user_id: UserId) -> ProfileMember | None:
        user = self._users.get(user_id)
        return None if user is None else _member(user)

    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, ProfileMember]:
        users = self._users
        return {user_id: _member(users[user_id]) for user_id in set(user_ids) if user_id in users}

    async def rename(self, user_id: UserId, display_name: str) -> None:
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = replace(user, display_name=display_name)


class InMemoryAssessmentCompletion(InMemoryRepository, AssessmentCompletion):
    async def has_completed(self, user_id: UserId) -> bool:
        records = self._connection.state(AssessmentsState).records
        return any(record.user_id == user_id for record in records)


class InMemoryPhotoStore(PhotoStore):
    """Blobs in a dict; signed URLs ``memory://photos/<key>?expires=..&signature=..``.

    ``fetch`` plays the part of the client following such a URL.
    """

    def __init__(self, clock: Clock, *, ttl: timedelta = timedelta(minutes=15)) -> None:
        self.blobs: dict[str, tuple[bytes, str]] = {}
        self.written_at: dict[str, datetime] = {}  # by the clock: tests age blobs with it
        self.listed_prefixes: list[str] = []  # what each listing asked for ("": everything)
        self._clock = clock
        self._ttl = ttl
        self._secret = b"in-memory-photo-store"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self.blobs[key] = (bytes(data), content_type)
        self.written_at[key] = self._clock.now()

    async def get(self, key: str) -> bytes | None:
        blob = self.blobs.get(key)
        return None if blob is None else blob[0]

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)
        self.written_at.pop(key, None)

    async def list_blobs(self, prefix: str = "") -> AsyncIterator[Sequence[StoredBlob]]:
        self.listed_prefixes.append(prefix)
        now = self._clock.now()  # a blob put into ``blobs`` directly counts as new
        listed = [
            StoredBlob(key, self.written_at.get(key, now))
            for key in self.blobs
            if key.startswith(prefix)
        ]
        for start in range(0, len(listed), 2):  # tiny pages: the paging gets exercised
            yield listed[start : start + 2]

    async def signed_url(self, key: str) -> str:
        expires = int((self._clock.now() + self._ttl).timestamp())
        return f"memory://photos/{key}?expires={expires}&signature={self._sign(key, expires)}"

    def fetch(self, url: str) -> tuple[bytes, str] | None:
        """What a client following ``url`` gets: (bytes, content type) or None."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        key = parts.path.lstrip("/")
        try:
            expires = int(query["expires"][0])
            signature = query["signature"][0]
        except (KeyError, ValueError):
            return None
        if not hmac.compare_digest(signature.encode(), self._sign(key, expires).encode()):
            return None
        if self._clock.now().timestamp() >= expires:
            return None
        return self.blobs.get(key)

    def _sign(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()


class InMemoryImageProcessor(ImageProcessor):
    """Pretends to re-encode: prefixes the bytes and reports a fixed size.

    Bytes that contain ``b"corrupt"`` count as undecodable, like a truncated file.
    """

    def __init__(self, width: int = 800, height: int = 1000) -> None:
        self.width = width
        self.height = height
        self.calls = 0

    async def normalise(self, data: bytes, image_type: ImageType) -> ProcessedImage:
        self.calls += 1
        if b"corrupt" in data:
            raise ValidationFailed.single("file", "The image cannot be read.", "invalid_image")
        return ProcessedImage(b"re-encoded:" + data, image_type, self.width, self.height)


class InMemoryPhotoModerator(PhotoModerator):
    """Approves everything unless told to reject, and remembers what it saw."""

    def __init__(self) -> None:
        self.rejection: ModerationVerdict | None = None
        self.screened: list[ProcessedImage] = []

    def reject_with(self, code: str, reason: str) -> None:
        self.rejection = ModerationVerdict(approved=False, code=code, reason=reason)

    async def screen(self, image: ProcessedImage) -> ModerationVerdict:
        self.screened.append(image)
        return self.rejection or ModerationVerdict(approved=True)
