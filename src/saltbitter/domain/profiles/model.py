"""A member's dating profile: who they are, whom they seek, where (docs/product-rules.md 3).

``Profile`` checks every invariant when built and reports all broken ones at once, with
the API's wire names as field paths (``interests.2``, ``location.lat``), so an HTTP 422
can name each problem. ``parse_profile`` turns raw input (strings for the enums, a plain
mapping for the values) into a ``Profile`` the same way. The display name stays on the
account (``User.display_name``); the timezone too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from saltbitter.domain.compatibility import Gender, SchwartzValue, ValueRatings
from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.shared import UserId

__all__ = [
    "BIO_MAX_LENGTH",
    "INTERESTS_MAX",
    "INTERESTS_MIN",
    "INTEREST_MAX_LENGTH",
    "MAX_DISTANCE_KM",
    "MAX_SOUGHT_AGE",
    "MIN_DISTANCE_KM",
    "MIN_SOUGHT_AGE",
    "VALUE_RATING_MAX",
    "VALUE_RATING_MIN",
    "Location",
    "Profile",
    "RelationshipGoal",
    "Visibility",
    "normalise_interest",
    "parse_profile",
]

BIO_MAX_LENGTH = 500
INTERESTS_MIN = 3
INTERESTS_MAX = 15
INTEREST_MAX_LENGTH = 40
MIN_SOUGHT_AGE = 18
MAX_SOUGHT_AGE = 99
# A dating radius wider than a long train ride is no longer "near"; 500 km still covers
# a whole mid-sized country. Judgment call, documented in the API schema.
MIN_DISTANCE_KM = 1.0
MAX_DISTANCE_KM = 500.0
VALUE_RATING_MIN = 1
VALUE_RATING_MAX = 7
_BIO_WHITESPACE = frozenset("\n\t")
_Choice = TypeVar("_Choice", bound=StrEnum)


class RelationshipGoal(StrEnum):
    LONG_TERM = "long_term"
    SHORT_TERM = "short_term"
    OPEN_TO_BOTH = "open_to_both"
    FRIENDSHIP = "friendship"


class Visibility(StrEnum):
    """``paused`` hides the member from everyone else (discover, daily sets, profile view)."""

    VISIBLE = "visible"
    PAUSED = "paused"


def _location_problems(lat: float, lon: float) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (math.isfinite(value) and -limit <= value <= limit)
        ):
            errors.append(
                FieldError(
                    f"location.{name}", f"Must be between -{limit:g} and {limit:g}.", "out_of_range"
                )
            )
    return errors


@dataclass(frozen=True, slots=True)
class Location:
    """A point on Earth in decimal degrees; stored precisely, never shown to others."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        errors = _location_problems(self.lat, self.lon)
        if errors:
            raise ValidationFailed(errors)
        object.__setattr__(self, "lat", float(self.lat))
        object.__setattr__(self, "lon", float(self.lon))


def normalise_interest(tag: str) -> str:
    """One interest as stored and compared: inner whitespace collapsed, case-folded."""
    return " ".join(tag.split()).casefold()


def _normalised_interests(raw: Iterable[str]) -> tuple[tuple[str, ...], list[FieldError]]:
    errors: list[FieldError] = []
    seen: dict[str, None] = {}
    for index, tag in enumerate(raw):
        if not isinstance(tag, str):
            errors.append(FieldError(f"interests.{index}", "Each interest is text.", "invalid"))
            continue
        normalised = normalise_interest(tag)
        if not normalised:
            errors.append(FieldError(f"interests.{index}", "An interest is empty.", "blank"))
        elif len(normalised) > INTEREST_MAX_LENGTH:
            errors.append(
                FieldError(
                    f"interests.{index}",
                    f"Use at most {INTEREST_MAX_LENGTH} characters per interest.",
                    "too_long",
                )
            )
        elif not normalised.isprintable():
            errors.append(
                FieldError(f"interests.{index}", "Use printable characters only.", "invalid")
            )
        else:
            seen.setdefault(normalised, None)
    interests = tuple(seen)
    if not errors and not INTERESTS_MIN <= len(interests) <= INTERESTS_MAX:
        errors.append(
            FieldError(
                "interests",
                f"Choose between {INTERESTS_MIN} and {INTERESTS_MAX} different interests.",
                "too_few" if len(interests) < INTERESTS_MIN else "too_many",
            )
        )
    return interests, errors


def _bio_problems(bio: str) -> list[FieldError]:
    if len(bio) > BIO_MAX_LENGTH:
        return [FieldError("bio", f"Use at most {BIO_MAX_LENGTH} characters.", "too_long")]
    if any(not (char.isprintable() or char in _BIO_WHITESPACE) for char in bio):
        return [FieldError("bio", "Use printable characters and line breaks only.", "invalid")]
    return []


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _age_problems(age_min: int, age_max: int) -> list[FieldError]:
    errors = [
        FieldError(
            name,
            f"Must be a whole number from {MIN_SOUGHT_AGE} to {MAX_SOUGHT_AGE}.",
            "out_of_range",
        )
        for name, value in (("age_min", age_min), ("age_max", age_max))
        if not _whole_number(value) or not MIN_SOUGHT_AGE <= value <= MAX_SOUGHT_AGE
    ]
    if not errors and age_min > age_max:
        errors.append(FieldError("age_min", "Must not be above age_max.", "age_range_inverted"))
    return errors


def _distance_problems(max_distance_km: float) -> list[FieldError]:
    if (
        isinstance(max_distance_km, bool)
        or not isinstance(max_distance_km, int | float)
        or not math.isfinite(max_distance_km)
        or not MIN_DISTANCE_KM <= max_distance_km <= MAX_DISTANCE_KM
    ):
        return [
            FieldError(
                "max_distance_km",
                f"Must be between {MIN_DISTANCE_KM:g} and {MAX_DISTANCE_KM:g} km.",
                "out_of_range",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class Profile:
    """A member's profile. Built valid or not at all (``ValidationFailed`` lists why).

    ``interests`` are normalised on the way in (stripped, inner whitespace collapsed,
    case-folded, duplicates dropped keeping the first), so ``Profile(..., interests=(
    "Hiking", " hiking "))`` holds one tag; 3 to 15 must remain. ``bio`` is stripped.
    """

    user_id: UserId
    gender: Gender
    genders_sought: frozenset[Gender]
    age_min: int
    age_max: int
    bio: str
    interests: tuple[str, ...]
    relationship_goal: RelationshipGoal | None
    values: ValueRatings | None
    location: Location
    max_distance_km: float
    visibility: Visibility
    updated_at: datetime

    def __post_init__(self) -> None:
        bio = self.bio.strip() if isinstance(self.bio, str) else self.bio
        interests, errors = _normalised_interests(self.interests)
        errors = [
            *_problems_of_typed_fields(self, bio),
            *_age_problems(self.age_min, self.age_max),
            *errors,
            *_distance_problems(self.max_distance_km),
        ]
        if self.updated_at.utcoffset() is None:
            raise ValueError("updated_at must be timezone-aware")
        if errors:
            raise ValidationFailed(errors)
        object.__setattr__(self, "bio", bio)
        object.__setattr__(self, "interests", interests)
        object.__setattr__(self, "genders_sought", frozenset(self.genders_sought))
        object.__setattr__(self, "max_distance_km", float(self.max_distance_km))

    @property
    def paused(self) -> bool:
        return self.visibility is Visibility.PAUSED


def _problems_of_typed_fields(profile: Profile, bio: object) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(profile.gender, Gender):
        errors.append(FieldError("gender", "Choose one of woman, man, nonbinary.", "invalid"))
    sought = list(profile.genders_sought)
    if not sought:
        errors.append(FieldError("genders_sought", "Choose at least one gender.", "required"))
    elif not all(isinstance(gender, Gender) for gender in sought):
        errors.append(
            FieldError("genders_sought", "Choose among woman, man, nonbinary.", "invalid")
        )
    if not isinstance(bio, str):
        errors.append(FieldError("bio", "The bio is text.", "invalid"))
    else:
        errors.extend(_bio_problems(bio))
    if profile.relationship_goal is not None and not isinstance(
        profile.relationship_goal, RelationshipGoal
    ):
        errors.append(FieldError("relationship_goal", "Unknown relationship goal.", "invalid"))
    if profile.values is not None and not isinstance(profile.values, ValueRatings):
        errors.append(FieldError("values", "Rate all ten values from 1 to 7.", "invalid"))
    if not isinstance(profile.location, Location):
        errors.append(FieldError("location", "Give lat and lon.", "invalid"))
    if not isinstance(profile.visibility, Visibility):
        errors.append(FieldError("visibility", "Choose visible or paused.", "invalid"))
    return errors


def _choice(
    kind: type[_Choice], raw: str, field_name: str, errors: list[FieldError]
) -> _Choice | None:
    try:
        return kind(raw)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        errors.append(FieldError(field_name, f"Choose one of {choices}.", "invalid_choice"))
        return None


def _parse_values(raw: Mapping[str, object], errors: list[FieldError]) -> ValueRatings | None:
    known = {value.value for value in SchwartzValue}
    problems = [
        FieldError(f"values.{key}", "Not one of the ten Schwartz values.", "unknown_value")
        for key in raw
        if key not in known
    ]
    ratings: dict[SchwartzValue, float] = {}
    for value in SchwartzValue:
        rating = raw.get(value.value)
        if rating is None:
            problems.append(FieldError(f"values.{value.value}", "Rate all ten values.", "required"))
        elif (
            isinstance(rating, int)
            and not isinstance(rating, bool)
            and VALUE_RATING_MIN <= rating <= VALUE_RATING_MAX
        ):
            ratings[value] = float(rating)
        else:
            problems.append(
                FieldError(
                    f"values.{value.value}",
                    f"Rate from {VALUE_RATING_MIN} to {VALUE_RATING_MAX}.",
                    "out_of_range",
                )
            )
    if problems:
        errors.extend(problems)
        return None
    return ValueRatings.from_mapping(ratings)


def parse_profile(
    user_id: UserId,
    *,
    gender: str,
    genders_sought: Sequence[str],
    age_min: int,
    age_max: int,
    bio: str,
    interests: Sequence[str],
    relationship_goal: str | None,
    values: Mapping[str, object] | None,
    lat: float,
    lon: float,
    max_distance_km: float,
    visibility: str,
    now: datetime,
) -> Profile:
    """Build a ``Profile`` from raw input, reporting every field problem at once."""
    errors: list[FieldError] = []
    parsed_gender = _choice(Gender, gender, "gender", errors)
    sought: set[Gender] = set()
    for index, raw in enumerate(genders_sought):
        choice = _choice(Gender, raw, f"genders_sought.{index}", errors)
        if choice is not None:
            sought.add(choice)
    if not genders_sought:
        errors.append(FieldError("genders_sought", "Choose at least one gender.", "required"))
    goal = (
        None
        if relationship_goal is None
        else _choice(RelationshipGoal, relationship_goal, "relationship_goal", errors)
    )
    ratings = None if values is None else _parse_values(values, errors)
    parsed_visibility = _choice(Visibility, visibility, "visibility", errors)
    errors.extend(_location_problems(lat, lon))
    # The remaining rules live in Profile itself; check them now so that one answer
    # names every problem, not just those of the first failing step.
    errors.extend(_bio_problems(bio.strip()))
    errors.extend(_age_problems(age_min, age_max))
    errors.extend(_normalised_interests(interests)[1])
    errors.extend(_distance_problems(max_distance_km))
    if errors or parsed_gender is None or parsed_visibility is None:
        raise ValidationFailed(errors)
    return Profile(
        user_id=user_id,
        gender=parsed_gender,
        genders_sought=frozenset(sought),
        age_min=age_min,
        age_max=age_max,
        bio=bio,
        interests=tuple(interests),
        relationship_goal=goal,
        values=ratings,
        location=Location(lat, lon),
        max_distance_km=max_distance_km,
        visibility=parsed_visibility,
        updated_at=now,
    )
