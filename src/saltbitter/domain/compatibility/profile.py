"""What the compatibility score needs to know about a member, as one value object."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.shared import Tier, UserId

from .attachment import AttachmentScores
from .values import ValueRatings

__all__ = [
    "MAX_AGE",
    "MAX_DISTANCE_KM",
    "MIN_AGE",
    "CandidateProfile",
    "Gender",
]

MIN_AGE = 18
MAX_AGE = 120
MAX_DISTANCE_KM = 20_000.0
"""About half the Earth's circumference: "anywhere"."""


class Gender(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "nonbinary"  # the API wire value


@dataclass(frozen=True, slots=True)
class CandidateProfile:
    """A member as the scorer sees them: preferences, location, answers and flags.

    ``values`` and ``attachment`` are optional questionnaires; when missing their
    component is neutral. ``suspended`` and ``paused`` members are never eligible.
    """

    user_id: UserId
    age: int
    gender: Gender
    genders_sought: frozenset[Gender]
    age_min: int
    age_max: int
    latitude: float
    longitude: float
    max_distance_km: float
    interests: frozenset[str] = frozenset()
    values: ValueRatings | None = None
    attachment: AttachmentScores | None = None
    tier: Tier = Tier.FREE
    suspended: bool = False
    paused: bool = False

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for name in ("age", "age_min", "age_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(name, "must be a whole number of years"))
            elif not MIN_AGE <= value <= MAX_AGE:
                errors.append(FieldError(name, f"must be between {MIN_AGE} and {MAX_AGE}"))
        if not errors and self.age_min > self.age_max:
            errors.append(FieldError("age_min", "must not be above age_max"))
        if not (math.isfinite(self.latitude) and -90.0 <= self.latitude <= 90.0):
            errors.append(FieldError("latitude", "must be between -90 and 90"))
        if not (math.isfinite(self.longitude) and -180.0 <= self.longitude <= 180.0):
            errors.append(FieldError("longitude", "must be between -180 and 180"))
        if not (math.isfinite(self.max_distance_km) and self.max_distance_km >= 1.0):
            errors.append(FieldError("max_distance_km", "must be at least 1 km"))
        elif self.max_distance_km > MAX_DISTANCE_KM:
            errors.append(FieldError("max_distance_km", f"must be at most {MAX_DISTANCE_KM:g} km"))
        if errors:
            raise ValidationFailed(errors, "The profile is not valid for scoring.")
        # Accept any iterable of genders/tags from callers, but store frozensets.
        object.__setattr__(self, "genders_sought", frozenset(self.genders_sought))
        object.__setattr__(self, "interests", frozenset(self.interests))

    @property
    def available(self) -> bool:
        """Neither suspended nor paused: may be shown and may be shown others."""
        return not (self.suspended or self.paused)
