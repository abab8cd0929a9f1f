"""Inputs and outputs of the profile and photo use cases (encoded at the edge)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from saltbitter.domain.compatibility import Gender, SchwartzValue
from saltbitter.domain.profiles import (
    Completeness,
    Photo,
    Profile,
    RelationshipGoal,
    Visibility,
)
from saltbitter.domain.shared import UserId

__all__ = [
    "CompletenessView",
    "LocationView",
    "MyProfileView",
    "PhotoView",
    "ProfileCommand",
    "PublicPhotoView",
    "PublicProfileView",
]


@dataclass(frozen=True, slots=True)
class LocationView:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class ProfileCommand:
    """The whole profile as the member sends it (PUT replaces it).

    Enum fields are plain strings here so that every bad value is reported with the
    others in one answer. ``display_name`` None keeps the current name.
    """

    gender: str
    genders_sought: list[str]
    age_min: int
    age_max: int
    interests: list[str]
    location: LocationView
    max_distance_km: float
    bio: str = ""
    relationship_goal: str | None = None
    values: Mapping[str, object] | None = None
    visibility: str = Visibility.VISIBLE.value
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class CompletenessView:
    score: float
    missing: list[str]

    @classmethod
    def of(cls, completeness: Completeness) -> CompletenessView:
        return cls(completeness.score, [item.value for item in completeness.missing])


@dataclass(frozen=True, slots=True)
class MyProfileView:
    """The member's own profile, everything included (their own location too).

    Before the first save it is the empty profile (``updated_at`` None, no gender, ages,
    location or distance yet), with the completeness that already counts.
    """

    user_id: UserId
    display_name: str
    gender: Gender | None
    genders_sought: list[Gender]
    age_min: int | None
    age_max: int | None
    bio: str
    interests: list[str]
    relationship_goal: RelationshipGoal | None
    values: dict[str, float] | None
    location: LocationView | None
    max_distance_km: float | None
    visibility: Visibility
    updated_at: datetime | None
    """None until the profile is first saved."""
    completeness: CompletenessView

    @property
    def saved(self) -> bool:
        return self.updated_at is not None

    @classmethod
    def empty(cls, user_id: UserId, display_name: str, completeness: Completeness) -> MyProfileView:
        """What a member who never saved a profile has: nothing but the completeness."""
        return cls(
            user_id=user_id,
            display_name=display_name,
            gender=None,
            genders_sought=[],
            age_min=None,
            age_max=None,
            bio="",
            interests=[],
            relationship_goal=None,
            values=None,
            location=None,
            max_distance_km=None,
            visibility=Visibility.VISIBLE,
            updated_at=None,
            completeness=CompletenessView.of(completeness),
        )

    @classmethod
    def of(cls, profile: Profile, display_name: str, completeness: Completeness) -> MyProfileView:
        values = None
        if profile.values is not None:
            ratings = zip(_VALUE_NAMES, profile.values.as_tuple(), strict=True)
            # Whole numbers go back as they came (5, not 5.0).
            values = {name: int(r) if r.is_integer() else r for name, r in ratings}
        return cls(
            user_id=profile.user_id,
            display_name=display_name,
            gender=profile.gender,
            genders_sought=sorted(profile.genders_sought),
            age_min=profile.age_min,
            age_max=profile.age_max,
            bio=profile.bio,
            interests=list(profile.interests),
            relationship_goal=profile.relationship_goal,
            values=values,
            location=LocationView(profile.location.lat, profile.location.lon),
            max_distance_km=profile.max_distance_km,
            visibility=profile.visibility,
            updated_at=profile.updated_at,
            completeness=CompletenessView.of(completeness),
        )


_VALUE_NAMES = tuple(value.value for value in SchwartzValue)


@dataclass(frozen=True, slots=True)
class PhotoView:
    """One of the caller's photos; ``url`` is signed and short-lived."""

    photo_id: UUID
    url: str
    position: int
    width: int
    height: int
    content_type: str

    @classmethod
    def of(cls, photo: Photo, url: str) -> PhotoView:
        return cls(
            photo.id, url, photo.position, photo.width, photo.height, photo.content_type.value
        )


@dataclass(frozen=True, slots=True)
class PublicPhotoView:
    url: str
    position: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PublicProfileView:
    """Another member as anyone allowed may see them.

    Never the coordinates (``distance_km`` is rounded on a grid, None when the viewer
    has no location yet), never the birthdate (the age), never the genders sought, the
    values ratings or the assessment: those are special-category or matching-only data.
    """

    user_id: UserId
    display_name: str
    age: int
    gender: Gender
    bio: str
    interests: list[str]
    relationship_goal: RelationshipGoal | None
    distance_km: int | None
    photos: list[PublicPhotoView] = field(default_factory=list)
