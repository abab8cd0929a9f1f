"""Profiles and photo metadata on SQL (tables in ``tables_members``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Executable, Row, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import CONFLICTS, StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_members import assessments, photos, profiles
from saltbitter.application.ports.profiles import (
    AssessmentCompletion,
    PhotoRepository,
    ProfileMember,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import Gender, SchwartzValue, ValueRatings
from saltbitter.domain.profiles import (
    ImageType,
    Location,
    ModerationStatus,
    Photo,
    PhotoId,
    Profile,
    RelationshipGoal,
    Visibility,
)
from saltbitter.domain.shared import UserId

__all__ = [
    "SqlaAssessmentCompletion",
    "SqlaPhotoRepository",
    "SqlaProfileMembers",
    "SqlaProfileRepository",
]

CONFLICTS["uq_photos_user_id_position"] = (
    "Another upload took this photo slot; try again.",
    "photo_slot_taken",
)
CONFLICTS["pk_photos"] = ("The photo exists already.", "photo_exists")

# Large IN lists are split so that no statement exceeds SQLite's bound-parameter limit.
_CHUNK = 500
_T = TypeVar("_T")


def _profile_row(profile: Profile) -> dict[str, Any]:
    values = None
    if profile.values is not None:
        values = dict(zip((v.value for v in SchwartzValue), profile.values.as_tuple(), strict=True))
    return {
        "user_id": profile.user_id,
        "gender": profile.gender.value,
        "genders_sought": ",".join(sorted(gender.value for gender in profile.genders_sought)),
        "age_min": profile.age_min,
        "age_max": profile.age_max,
        "bio": profile.bio,
        "interests": list(profile.interests),
        "relationship_goal": (
            None if profile.relationship_goal is None else profile.relationship_goal.value
        ),
        "values": values,
        "latitude": profile.location.lat,
        "longitude": profile.location.lon,
        "max_distance_km": profile.max_distance_km,
        "visibility": profile.visibility.value,
        "updated_at": profile.updated_at,
    }


def _profile(row: Row[Any]) -> Profile:
    values = row._mapping["values"]  # not row.values: keep clear of Row's own names
    return Profile(
        user_id=UserId(row.user_id),
        gender=Gender(row.gender),
        genders_sought=frozenset(Gender(g) for g in row.genders_sought.split(",") if g),
        age_min=row.age_min,
        age_max=row.age_max,
        bio=row.bio,
        interests=tuple(row.interests),
        relationship_goal=(
            None if row.relationship_goal is None else RelationshipGoal(row.relationship_goal)
        ),
        values=(
            None
            if values is None
            else ValueRatings.from_mapping({SchwartzValue(k): v for k, v in values.items()})
        ),
        location=Location(row.latitude, row.longitude),
        max_distance_km=row.max_distance_km,
        visibility=Visibility(row.visibility),
        updated_at=row.updated_at,
    )


def _chunks(items: Sequence[_T]) -> list[Sequence[_T]]:
    return [items[start : start + _CHUNK] for start in range(0, len(items), _CHUNK)]


class SqlaProfileRepository(ProfileRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def get(self, user_id: UserId) -> Profile | None:
        statement = select(profiles).where(profiles.c.user_id == user_id)
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _profile(row)

    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, Profile]:
        found: dict[UserId, Profile] = {}
        for chunk in _chunks(list(set(user_ids))):
            statement = select(profiles).where(profiles.c.user_id.in_(chunk))
            for row in await self._db.execute(statement):
                found[UserId(row.user_id)] = _profile(row)
        return found

    async def save(self, profile: Profile) -> None:
        values = _profile_row(profile)
        state = [name for name in values if name != "user_id"]
        upsert: Executable
        dialect = self._db.dialect_name
        # One statement: two concurrent first saves cannot both try to insert.
        if dialect == "postgresql":
            pg_insert = postgresql.insert(profiles).values(values)
            upsert = pg_insert.on_conflict_do_update(
                index_elements=[profiles.c.user_id],
                set_={name: pg_insert.excluded[name] for name in state},
            )
        elif dialect == "sqlite":
            lite_insert = sqlite.insert(profiles).values(values)
            upsert = lite_insert.on_conflict_do_update(
                index_elements=[profiles.c.user_id],
                set_={name: lite_insert.excluded[name] for name in state},
            )
        else:
            raise NotImplementedError(f"no upsert for the {dialect} dialect")
        await self._db.execute(upsert)
        self._db.member_changed(profile.user_id)  # discovery cards show it (ADR 0048)


def _photo_row(photo: Photo) -> dict[str, Any]:
    return {
        "id": photo.id,
        "user_id": photo.user_id,
        "position": photo.position,
        "storage_key": photo.storage_key,
        "content_type": photo.content_type.value,
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
        "moderation": photo.moderation.value,
        "created_at": photo.created_at,
    }


def _photo(row: Row[Any]) -> Photo:
    return Photo(
        id=PhotoId(row.id),
        user_id=UserId(row.user_id),
        position=row.position,
        storage_key=row.storage_key,
        content_type=ImageType(row.content_type),
        width=row.width,
        height=row.height,
        size_bytes=row.size_bytes,
        moderation=ModerationStatus(row.moderation),
        created_at=row.created_at,
    )


class SqlaPhotoRepository(PhotoRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def list_for(self, user_id: UserId) -> list[Photo]:
        statement = select(photos).where(photos.c.user_id == user_id).order_by(photos.c.position)
        return [_photo(row) for row in await self._db.execute(statement)]

    async def list_for_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, list[Photo]]:
        found: dict[UserId, list[Photo]] = {}
        for chunk in _chunks(list(set(user_ids))):
            statement = (
                select(photos)
                .where(photos.c.user_id.in_(chunk))
                .order_by(photos.c.user_id, photos.c.position)
            )
            for row in await self._db.execute(statement):
                found.setdefault(UserId(row.user_id), []).append(_photo(row))
        return found

    async def count_for(self, user_id: UserId) -> int:
        statement = select(func.count()).select_from(photos).where(photos.c.user_id == user_id)
        return int((await self._db.execute(statement)).scalar_one())

    def add(self, photo: Photo) -> None:
        self._db.stage(photos, _photo_row(photo))
        self._db.member_changed(photo.user_id)  # a card's main photo (ADR 0048)

    async def delete(self, photo_id: PhotoId) -> bool:
        statement = delete(photos).where(photos.c.id == photo_id).returning(photos.c.user_id)
        deleted = (await self._db.execute(statement)).first()
        if deleted is None:
            return False
        self._db.member_changed(UserId(deleted.user_id))
        return True

    async def save_order(self, user_id: UserId, photo_ids: Sequence[PhotoId]) -> None:
        current = await self.list_for(user_id)
        by_id = {photo.id: photo for photo in current}
        if set(photo_ids) != set(by_id) or len(photo_ids) != len(by_id):
            raise ValueError("save_order needs exactly the member's photo ids")
        # Rewrite the member's rows: updating positions in place would collide with the
        # unique (user_id, position) constraint midway through any permutation.
        await self._db.execute(delete(photos).where(photos.c.user_id == user_id))
        self._db.member_changed(user_id)
        for position, photo_id in enumerate(photo_ids):
            self._db.stage(photos, _photo_row(by_id[photo_id]) | {"position": position})

    async def storage_keys(self, photo_ids: Collection[PhotoId]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(set(photo_ids))):
            statement = select(photos.c.storage_key).where(photos.c.id.in_(chunk))
            found.update(row.storage_key for row in await self._db.execute(statement))
        return found


_MEMBER_COLUMNS = (users.c.id, users.c.display_name, users.c.status, users.c.birthdate)


def _member(row: Row[Any]) -> ProfileMember:
    return ProfileMember(
        user_id=UserId(row.id),
        display_name=row.display_name,
        status=AccountStatus(row.status),
        birthdate=row.birthdate,
    )


class SqlaProfileMembers(ProfileMembers):
    """Reads (and renames on) the ``users`` table, on the request's connection."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def get(self, user_id: UserId) -> ProfileMember | None:
        statement = select(*_MEMBER_COLUMNS).where(users.c.id == user_id)
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _member(row)

    async def get_many(self, user_ids: Collection[UserId]) -> Mapping[UserId, ProfileMember]:
        found: dict[UserId, ProfileMember] = {}
        for chunk in _chunks(list(set(user_ids))):
            statement = select(*_MEMBER_COLUMNS).where(users.c.id.in_(chunk))
            for row in await self._db.execute(statement):
                found[UserId(row.id)] = _member(row)
        return found

    async def rename(self, user_id: UserId, display_name: str) -> None:
        statement = update(users).where(users.c.id == user_id).values(display_name=display_name)
        await self._db.execute(statement)
        self._db.principal_changed(user_id)  # GET /me shows it (kept views, ADR 0036)


class SqlaAssessmentCompletion(AssessmentCompletion):
    """Looks for any row of the member in ``assessments``."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def has_completed(self, user_id: UserId) -> bool:
        statement = select(exists().where(assessments.c.user_id == user_id))
        return bool((await self._db.execute(statement)).scalar_one())
