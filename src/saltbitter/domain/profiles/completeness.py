"""Profile completeness: how much of what helps a match a member has filled in.

Four equally weighted items (docs/product-rules.md 3): at least one photo, a bio, the
interests (3 to 15, so done as soon as a profile exists) and an attachment assessment.
The score is the share of items done; ``missing`` lists the rest in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from saltbitter.domain.profiles.model import INTERESTS_MIN, Profile

__all__ = ["Completeness", "CompletenessItem", "profile_completeness"]


class CompletenessItem(StrEnum):
    PHOTO = "photo"
    BIO = "bio"
    INTERESTS = "interests"
    ASSESSMENT = "assessment"


@dataclass(frozen=True, slots=True)
class Completeness:
    score: float
    missing: tuple[CompletenessItem, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def profile_completeness(
    profile: Profile | None, *, photo_count: int, assessment_done: bool
) -> Completeness:
    """The completeness of a member's profile; a member without a profile may have some."""
    done = {
        CompletenessItem.PHOTO: photo_count > 0,
        CompletenessItem.BIO: profile is not None and bool(profile.bio),
        CompletenessItem.INTERESTS: profile is not None and len(profile.interests) >= INTERESTS_MIN,
        CompletenessItem.ASSESSMENT: assessment_done,
    }
    missing = tuple(item for item in CompletenessItem if not done[item])
    return Completeness(score=(len(done) - len(missing)) / len(done), missing=missing)
