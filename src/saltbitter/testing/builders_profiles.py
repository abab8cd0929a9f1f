"""Builders for profiles and photos with sensible defaults, for tests here and elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

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
    storage_key_for,
)
from saltbitter.domain.shared import UserId

__all__ = ["BERLIN", "a_photo", "a_profile", "ratings_in_order", "some_values"]

_DEFAULT_TIME = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
BERLIN = Location(52.52, 13.405)


def ratings_in_order(*ratings: float) -> ValueRatings:
    """Ten ratings in ``SchwartzValue`` order (self-direction ... universalism)."""
    return ValueRatings.from_mapping(dict(zip(SchwartzValue, ratings, strict=True)))


def some_values() -> ValueRatings:
    return ratings_in_order(6, 5, 4, 3, 2, 5, 3, 2, 7, 6)


def a_profile(user_id: UserId, **overrides: Any) -> Profile:
    fields: dict[str, Any] = {
        "user_id": user_id,
        "gender": Gender.WOMAN,
        "genders_sought": frozenset({Gender.MAN, Gender.NON_BINARY}),
        "age_min": 25,
        "age_max": 40,
        "bio": "Weekend hiker, weekday baker.",
        "interests": ("hiking", "baking", "jazz"),
        "relationship_goal": RelationshipGoal.LONG_TERM,
        "values": None,
        "location": BERLIN,
        "max_distance_km": 50.0,
        "visibility": Visibility.VISIBLE,
        "updated_at": _DEFAULT_TIME,
    }
    fields.update(overrides)
    return Profile(**fields)


def a_photo(user_id: UserId, position: int = 0, **overrides: Any) -> Photo:
    photo_id = PhotoId(uuid4())
    fields: dict[str, Any] = {
        "id": photo_id,
        "user_id": user_id,
        "position": position,
        "storage_key": storage_key_for(user_id, photo_id, ImageType.JPEG),
        "content_type": ImageType.JPEG,
        "width": 800,
        "height": 1000,
        "size_bytes": 120_000,
        "moderation": ModerationStatus.APPROVED,
        "created_at": _DEFAULT_TIME,
    }
    fields.update(overrides)
    return Photo(**fields)
