from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import uuid4

import pytest

from saltbitter.application.ports.events import Event
from saltbitter.application.profiles.dto import LocationView, ProfileCommand
from saltbitter.application.profiles.photos import (
    DeletePhoto,
    DeletePhotoFile,
    ListMyPhotos,
    OrphanSweepPolicy,
    ReorderPhotos,
    SweepOrphanPhotoFiles,
    UploadPhoto,
)
from saltbitter.application.profiles.profile import GetMyProfile, GetPublicProfile, PutMyProfile
from saltbitter.application.profiles.views import PublicProfiles
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import AccountStatus, User
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes import (
    InMemoryClock,
    InMemoryDatabase,
    InMemoryIdGenerator,
    InMemoryUnitOfWork,
)
from saltbitter.testing.fakes_profiles import (
    InMemoryImageProcessor,
    InMemoryPhotoModerator,
    InMemoryPhotoStore,
)

JPEG = b"\xff\xd8\xff\xe0 a small jpeg"

E = TypeVar("E", bound=Event)


def principal_of(user: User) -> Principal:
    return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)


def command(**overrides: Any) -> ProfileCommand:
    fields: dict[str, Any] = {
        "gender": "woman",
        "genders_sought": ["man", "nonbinary"],
        "age_min": 27,
        "age_max": 38,
        "interests": ["Hiking", "jazz", "baking"],
        "location": LocationView(52.52, 13.405),
        "max_distance_km": 25.0,
        "bio": "Weekend hiker.",
    }
    fields.update(overrides)
    return ProfileCommand(**fields)


@dataclass
class ProfilesWorld:
    """The profile use cases over one in-memory world, as the composition root wires them."""

    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    clock: InMemoryClock = field(default_factory=InMemoryClock)
    ids: InMemoryIdGenerator = field(default_factory=InMemoryIdGenerator)
    processor: InMemoryImageProcessor = field(default_factory=InMemoryImageProcessor)
    moderator: InMemoryPhotoModerator = field(default_factory=InMemoryPhotoModerator)
    store: InMemoryPhotoStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = InMemoryPhotoStore(self.clock)

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.database, self.clock, self.ids)

    def member(self, *, status: AccountStatus = AccountStatus.ACTIVE) -> Principal:
        user = a_user(status=status)
        self.database.users[user.id] = user
        return principal_of(user)

    def events(self, kind: type[E]) -> list[E]:
        return [m.event for m in self.database.outbox if isinstance(m.event, kind)]

    def put_profile(self) -> PutMyProfile:
        return PutMyProfile(self.uow(), self.clock)

    def get_profile(self) -> GetMyProfile:
        return GetMyProfile(self.uow())

    def public(self) -> GetPublicProfile:
        return GetPublicProfile(self.uow(), PublicProfiles(self.store, self.clock))

    def upload(self) -> UploadPhoto:
        return UploadPhoto(
            self.uow(), self.store, self.processor, self.moderator, self.clock, self.ids
        )

    def list_photos(self) -> ListMyPhotos:
        return ListMyPhotos(self.uow(), self.store)

    def delete_photo(self) -> DeletePhoto:
        return DeletePhoto(self.uow())

    def delete_file(self) -> DeletePhotoFile:
        return DeletePhotoFile(self.store)

    def reorder(self) -> ReorderPhotos:
        return ReorderPhotos(self.uow(), self.store)

    def sweep(self, policy: OrphanSweepPolicy | None = None) -> SweepOrphanPhotoFiles:
        return SweepOrphanPhotoFiles(
            self.uow(), self.store, self.clock, policy or OrphanSweepPolicy()
        )


@pytest.fixture
def world() -> ProfilesWorld:
    return ProfilesWorld()
